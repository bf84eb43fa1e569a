#!/usr/bin/env bash
# bench-process.sh: whole-process cost of `pipec build` (start-up, reading,
# compiling, validating and writing included) on the generated pipelines of
# the Go benchmarks (bench.Pipeline): CPU time, wall time and peak memory
# from the kernel's resource usage, as bench/cmd/runstat reports it (to the
# microsecond; GNU time's 10 ms is a seventh of a 1,000-step build).
#
#   scripts/bench-process.sh                 # sizes 10 100 1000 10000, 5 runs each
#   SIZES="1000" RUNS=11 MODES=warm scripts/bench-process.sh
#   BASE=main~3 SIZES=1000 scripts/bench-process.sh   # before and after, in turns
#
# Each size is built in five modes (MODES selects some), which take turns
# run by run:
#   floor       bench/cmd/floor: a Go program that only builds the same
#               Argo objects and writes their YAML with encoding/json and
#               internal/yamlenc (its test holds its bytes to pipec's);
#               the "× floor" column is CPU against it
#   floor-argojson  the same with pipec's generated JSON encoder
#               (internal/argojson): a stricter floor ("× strict")
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
# It prints a Markdown table: the median wall time and CPU time (user +
# system) of the runs and the largest peak RSS. The machine is shared:
# compare medians, and run it more than once.
set -euo pipefail

SIZES=${SIZES:-"10 100 1000 10000"}
RUNS=${RUNS:-5}
MODES=${MODES:-"floor floor-argojson cold warm novalidate"}
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"; git worktree prune' EXIT
# Each binary is run from a copy (cp) of what go build wrote: a binary the
# linker has just written peaks at about 30 MB more RSS, and runs slower,
# than a copy of it (docs/performance.md, "A trap when comparing peak RSS").
for b in pipec:./cmd/pipec genpipe:./bench/cmd/genpipe marshalone:./bench/cmd/marshalone floor:./bench/cmd/floor runstat:./bench/cmd/runstat; do
	go build -o "$work/${b%%:*}.built" "${b#*:}"
	cp "$work/${b%%:*}.built" "$work/${b%%:*}"
	rm "$work/${b%%:*}.built"
done

# BASE=<revision>: pipec built from that revision too, each mode run with
# both binaries in turn (rows "MODE@base"), for a before and after in one
# window of time.
if [ -n "${BASE:-}" ]; then
	git worktree add -q --detach "$work/base-src" "$BASE"
	(cd "$work/base-src" && go build -o "$work/pipec-base.built" ./cmd/pipec)
	git worktree remove --force "$work/base-src"
	cp "$work/pipec-base.built" "$work/pipec-base" && rm "$work/pipec-base.built"
	withbase=""
	for mode in $MODES; do
		withbase="$withbase $mode"
		case $mode in floor*) ;; *) withbase="$withbase $mode@base" ;; esac
	done
	MODES=$withbase
fi

# stats NAME appends the last run's wall time, CPU time and peak RSS
# (runstat's report: "wall_s cpu_s maxrss_kb") to $work/{wall,cpu,rss}-NAME.
stats() {
	read -r wall cpu rss <"$work/time.txt"
	echo "$wall" >>"$work/wall-$1"
	echo "$cpu" >>"$work/cpu-$1"
	echo "$rss" >>"$work/rss-$1"
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# One build of size $1 in mode $2, its wall and CPU time and peak RSS
# appended to $work/{wall,cpu,rss}-$2.
build() {
	local n=$1 mode=$2 flags=()
	export PIPEC_CACHE_DIR="$work/cache-$n"
	case $mode in
	floor | floor-argojson)
		rm -rf "$work/out" && mkdir -p "$work/out"
		local enc=encoding/json
		[ "$mode" = floor ] || enc=argojson
		"$work/runstat" -o "$work/time.txt" -- "$work/floor" -n "$n" -json "$enc" -o "$work/out/gen-$n.yaml"
		;;
	*)
		local bin=pipec
		[ "${mode%@base}" = "$mode" ] || bin=pipec-base
		case ${mode%@base} in
		cold) flags=(--no-cache) ;;
		warm) flags=() ;;
		novalidate) flags=(--no-validate) ;;
		full) flags=(--validate=full) ;;
		esac
		rm -rf "$work/out"
		# pipec's warnings (the generated pipelines memoize many steps) are
		# kept out of the table; its errors are shown.
		if ! "$work/runstat" -o "$work/time.txt" -- "$work/$bin" build "${flags[@]}" -o "$work/out" "$work/gen-$n.pipe" 2>"$work/stderr"; then
			cat "$work/stderr" >&2
			exit 1
		fi
		;;
	esac
	stats "$mode"
}

echo "| steps | mode | source | YAML | wall (median) | CPU user+sys (median) | × floor | × strict | peak RSS (max) | runs |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
	src="$work/gen-$n.pipe"
	"$work/genpipe" -n "$n" -o "$src"
	for mode in $MODES; do
		case ${mode%@base} in cold | warm | novalidate | full | floor | floor-argojson) ;; *) echo "bench-process.sh: unknown mode $mode" >&2; exit 2 ;; esac
		: >"$work/wall-$mode" ; : >"$work/cpu-$mode" ; : >"$work/rss-$mode"
	done
	# The warm mode's cache, from a first, untimed build.
	rm -rf "$work/cache-$n"
	PIPEC_CACHE_DIR="$work/cache-$n" "$work/pipec" build -o "$work/out" "$src" 2>/dev/null
	[ -z "${BASE:-}" ] || PIPEC_CACHE_DIR="$work/cache-$n" "$work/pipec-base" build -o "$work/out" "$src" 2>/dev/null
	# The modes take turns, one run each per round, so that a change in the
	# machine's load falls on all of them alike.
	for _ in $(seq "$RUNS"); do
		for mode in $MODES; do
			build "$n" "$mode"
		done
	done
	floorcpu="" strictcpu=""
	case " $MODES " in *" floor "*) floorcpu=$(median <"$work/cpu-floor") ;; esac
	case " $MODES " in *" floor-argojson "*) strictcpu=$(median <"$work/cpu-floor-argojson") ;; esac
	for mode in $MODES; do
		awk -v n="$n" -v mode="$mode" -v src="$(wc -c <"$src")" -v yaml="$(wc -c <"$work/out/gen-$n.yaml")" \
			-v wall="$(median <"$work/wall-$mode")" -v cpu="$(median <"$work/cpu-$mode")" -v floor="$floorcpu" -v strict="$strictcpu" \
			-v rss="$(sort -g "$work/rss-$mode" | tail -1)" -v runs="$RUNS" \
			'BEGIN {x = (floor > 0) ? sprintf("%.2f×", cpu / floor) : "—"; y = (strict > 0) ? sprintf("%.2f×", cpu / strict) : "—"
			printf "| %d | %s | %d KB | %d KB | %.0f ms | %.0f ms | %s | %s | %.0f MB | %d |\n", n, mode, src/1024, yaml/1024, wall*1000, cpu*1000, x, y, rss/1024, runs}'
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
	: >"$work/wall-startup" ; : >"$work/cpu-startup" ; : >"$work/rss-startup"
	for _ in $(seq "$RUNS"); do
		# shellcheck disable=SC2086 # the command's words
		(cd "$work" && "$work/runstat" -o "$work/time.txt" -- "$work/"$cmd >/dev/null 2>"$work/stderr")
		stats startup
	done
	awk -v cmd="$cmd" -v wall="$(median <"$work/wall-startup")" -v cpu="$(median <"$work/cpu-startup")" -v rss="$(sort -g "$work/rss-startup" | tail -1)" -v ins="$(instructions "$cmd")" -v runs="$RUNS" \
		'BEGIN {printf "| `%s` | %.0f ms | %.0f ms | %.0f MB | %s | %d |\n", cmd, cpu*1000, wall*1000, rss/1024, ins, runs}'
done
