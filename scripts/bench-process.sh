#!/usr/bin/env bash
# bench-process.sh: whole-process cost of `pipec build` (start-up, reading,
# compiling, validating and writing included) on the generated pipelines of
# the Go benchmarks (bench.Pipeline), with peak memory from GNU time.
#
#   scripts/bench-process.sh                 # sizes 10 100 1000 10000, 5 runs each
#   SIZES="1000" RUNS=11 MODES=warm scripts/bench-process.sh
#
# Each size is built in four modes (MODES selects some), which take turns
# run by run:
#   floor       bench/cmd/floor: a Go program that only builds the same
#               Argo objects and writes their YAML (its test holds its
#               bytes to pipec's); the "× floor" column is CPU against it
#   cold        a first build: Argo's validator runs on everything (--no-cache)
#   warm        the same build again, with the validation cache of a first,
#               untimed build (what pipec watch and a CI job with a kept
#               cache directory do)
#   novalidate  --no-validate: pipec's own checks only
#   full        --validate=full: Argo's validator on the whole workflow, no
#               cache (not in the default MODES: minutes at 10,000 steps)
#
# Then start-up (STARTUP=0 skips it): `pipec version` and one-step builds
# against bench/cmd/marshalone, a Go program that only builds one workflow
# and writes its YAML (the start-up floor), RUNS runs each.
#
# The start-up table has the instructions executed too when valgrind is
# installed (apt-get install -y valgrind; optional).
#
# It needs GNU time (/usr/bin/time, for -v's "Maximum resident set size"),
# which is not the shell keyword. On Debian/Ubuntu:
#
#   apt-get update && apt-get install -y time
#
# (this script does that itself when run as root and time is missing).
# It prints a Markdown table: the median wall time and CPU time (user +
# system) of the runs and the largest peak RSS. The machine is shared:
# compare medians, and run it more than once.
set -euo pipefail

SIZES=${SIZES:-"10 100 1000 10000"}
RUNS=${RUNS:-5}
MODES=${MODES:-"floor cold warm novalidate"}
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/time ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "installing GNU time: apt-get update && apt-get install -y time" >&2
		apt-get update -qq >&2 && apt-get install -y -qq time >&2
	else
		echo "bench-process.sh: needs GNU time: apt-get update && apt-get install -y time" >&2
		exit 1
	fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Each binary is run from a copy (cp) of what go build wrote: a binary the
# linker has just written peaks at about 30 MB more RSS, and runs slower,
# than a copy of it (docs/performance.md, "A trap when comparing peak RSS").
for b in pipec:./cmd/pipec genpipe:./bench/cmd/genpipe marshalone:./bench/cmd/marshalone floor:./bench/cmd/floor; do
	go build -o "$work/${b%%:*}.built" "${b#*:}"
	cp "$work/${b%%:*}.built" "$work/${b%%:*}"
	rm "$work/${b%%:*}.built"
done

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# One build of size $1 in mode $2, its wall and CPU time and peak RSS
# appended to $work/{wall,cpu,rss}-$2.
build() {
	local n=$1 mode=$2 flags=()
	export PIPEC_CACHE_DIR="$work/cache-$n"
	case $mode in
	floor)
		rm -rf "$work/out" && mkdir -p "$work/out"
		/usr/bin/time -v -o "$work/time.txt" "$work/floor" -n "$n" -o "$work/out/gen-$n.yaml"
		;;
	*)
		case $mode in
		cold) flags=(--no-cache) ;;
		warm) flags=() ;;
		novalidate) flags=(--no-validate) ;;
		full) flags=(--validate=full) ;;
		esac
		rm -rf "$work/out"
		# pipec's warnings (the generated pipelines memoize many steps) are
		# kept out of the table; its errors are shown.
		if ! /usr/bin/time -v -o "$work/time.txt" "$work/pipec" build "${flags[@]}" -o "$work/out" "$work/gen-$n.pipe" 2>"$work/stderr"; then
			cat "$work/stderr" >&2
			exit 1
		fi
		;;
	esac
	# GNU time -v: "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:00.05"
	awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$work/time.txt" >>"$work/wall-$mode"
	awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u+s}' "$work/time.txt" >>"$work/cpu-$mode"
	awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt" >>"$work/rss-$mode"
}

echo "| steps | mode | source | YAML | wall (median) | CPU user+sys (median) | × floor (CPU) | peak RSS (max) | runs |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
	src="$work/gen-$n.pipe"
	"$work/genpipe" -n "$n" -o "$src"
	for mode in $MODES; do
		case $mode in cold | warm | novalidate | full | floor) ;; *) echo "bench-process.sh: unknown mode $mode" >&2; exit 2 ;; esac
		: >"$work/wall-$mode" ; : >"$work/cpu-$mode" ; : >"$work/rss-$mode"
	done
	# The warm mode's cache, from a first, untimed build.
	rm -rf "$work/cache-$n"
	PIPEC_CACHE_DIR="$work/cache-$n" "$work/pipec" build -o "$work/out" "$src" 2>/dev/null
	# The modes take turns, one run each per round, so that a change in the
	# machine's load falls on all of them alike.
	for _ in $(seq "$RUNS"); do
		for mode in $MODES; do
			build "$n" "$mode"
		done
	done
	floorcpu=""
	case " $MODES " in *" floor "*) floorcpu=$(median <"$work/cpu-floor") ;; esac
	for mode in $MODES; do
		awk -v n="$n" -v mode="$mode" -v src="$(wc -c <"$src")" -v yaml="$(wc -c <"$work/out/gen-$n.yaml")" \
			-v wall="$(median <"$work/wall-$mode")" -v cpu="$(median <"$work/cpu-$mode")" -v floor="$floorcpu" \
			-v rss="$(sort -g "$work/rss-$mode" | tail -1)" -v runs="$RUNS" \
			'BEGIN {x = (floor > 0) ? sprintf("%.2f×", cpu / floor) : "—"
			printf "| %d | %s | %d KB | %d KB | %.0f ms | %.0f ms | %s | %.0f MB | %d |\n", n, mode, src/1024, yaml/1024, wall*1000, cpu*1000, x, rss/1024, runs}'
	done
done

[ "${STARTUP:-1}" = 0 ] && exit 0
cat >"$work/one.pipe" <<'PIPE'
pipeline one {
  image "alpine:3.20"
  step greet { run ["echo", "hello"] }
}
PIPE
# Instructions executed (valgrind's cachegrind, "I refs"), when valgrind is
# installed: unlike CPU time, they do not depend on the machine's load.
# (perf stat -e instructions:u needs hardware counters, which a VM may not
# have.) The median of RUNS runs: the garbage collector's share varies a
# little from run to run.
instructions() {
	command -v valgrind >/dev/null || { echo "—"; return; }
	# shellcheck disable=SC2086 # the command's words
	for _ in $(seq "$RUNS"); do
		(cd "$work" && valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$work/"$1 2>&1 >/dev/null) |
			awk '/I *refs/ {gsub(",", "", $NF); print $NF}'
	done | median | awk '{printf "%.1f M", $1/1e6}'
}
echo
echo "| start-up | CPU user+sys (median) | wall (median) | peak RSS (max) | instructions (median) | runs |"
echo "|---|---:|---:|---:|---:|---:|"
export PIPEC_CACHE_DIR=off
for cmd in "marshalone" "pipec version" "pipec build --no-cache -o out one.pipe" "pipec build --no-validate -o out one.pipe"; do
	: >"$work/wall" ; : >"$work/cpu" ; : >"$work/rss"
	for _ in $(seq "$RUNS"); do
		# shellcheck disable=SC2086 # the command's words
		(cd "$work" && /usr/bin/time -v -o "$work/time.txt" "$work/"$cmd >/dev/null 2>"$work/stderr")
		awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$work/time.txt" >>"$work/wall"
		awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u+s}' "$work/time.txt" >>"$work/cpu"
		awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt" >>"$work/rss"
	done
	awk -v cmd="$cmd" -v wall="$(median <"$work/wall")" -v cpu="$(median <"$work/cpu")" -v rss="$(sort -g "$work/rss" | tail -1)" -v ins="$(instructions "$cmd")" -v runs="$RUNS" \
		'BEGIN {printf "| `%s` | %.0f ms | %.0f ms | %.0f MB | %s | %d |\n", cmd, cpu*1000, wall*1000, rss/1024, ins, runs}'
done
