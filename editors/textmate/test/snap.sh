#!/bin/sh
# Snapshot test of the grammar over every example: the scopes of each token
# of examples/*.pipe must match tests/examples/NAME.pipe.snap. After a
# deliberate change (to the grammar or an example), update the snapshots
# with: sh test/snap.sh -u
set -eu
cd "$(dirname "$0")/.."
dir=tests/examples
mkdir -p "$dir"
rm -f "$dir"/*.pipe
cp ../../examples/*.pipe "$dir"/
for f in ../../examples/lib/*.pipe; do cp "$f" "$dir/lib-$(basename "$f")"; done
status=0
# A snapshot whose example is gone is stale.
for snap in "$dir"/*.pipe.snap; do
  [ -e "$snap" ] || continue
  if [ ! -e "${snap%.snap}" ]; then
    if [ "${1:-}" = -u ]; then rm "$snap"; else echo "stale snapshot (its example is gone): $snap"; status=1; fi
  fi
done
# An example without a snapshot would only get one made, untested.
if [ "${1:-}" != -u ]; then
  for f in "$dir"/*.pipe; do
    [ -e "$f.snap" ] || { echo "no snapshot for $f: run sh test/snap.sh -u and review it"; status=1; }
  done
fi
out=$(mktemp)
node_modules/.bin/vscode-tmgrammar-snap -s source.pipe -g pipe.tmLanguage.json "$@" "$dir/*.pipe" >"$out" 2>&1 || status=1
grep -v '^grammar not found for' "$out" || true
rm -f "$out"
rm -f "$dir"/*.pipe
exit $status
