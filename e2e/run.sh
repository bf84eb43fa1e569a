#!/usr/bin/env bash
# The single entry point of pipec's real-engine e2e suite (`make e2e`).
#
#   bash e2e/run.sh            # build what is missing, run every scenario
#   bash e2e/run.sh -run Retry # extra arguments go to `go test`
#
# 1. e2e/build.sh builds etcd, kube-apiserver, kubectl, and the
#    workflow-controller and argo of Argo v3.7.18 and v4.0.5 into
#    ${PIPEC_E2E_CACHE:-$HOME/.cache/pipec-e2e} when missing (cold: ~25 min
#    on 2 quiet cores; warm: seconds);
# 2. pipec is built from the repo root (when cmd/pipec exists);
# 3. `go test` in e2e/ starts a cluster on 127.0.0.1 (TestMain) per
#    controller in turn (v3.7.18, then v4.0.5), runs every scenario on it
#    with pipec's output for that version (pipec build --argo), stops every
#    process by its PID and exits non-zero on failure, printing the tail of
#    every component's log. PIPEC_E2E_ARGO=3.7 or 4 runs one controller.
# PIPEC_E2E_KEEP=1 keeps the cluster directory (logs) after a green run.
set -euo pipefail

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$E2E_DIR/.." && pwd)
start=$(date +%s)

dirs=$(bash "$E2E_DIR/build.sh" all)
eval "$dirs"
export PIPEC_E2E_ETCD_DIR=$ETCD_DIR PIPEC_E2E_KUBE_DIR=$KUBE_DIR

# Every scenario runs on each controller in turn, each cluster with the full
# CRDs of its own Argo version. PIPEC_E2E_ARGO=3.7 or 4 runs only one.
case "${PIPEC_E2E_ARGO:-all}" in
  all|3.7|4) ;;
  *) echo "run.sh: PIPEC_E2E_ARGO must be 3.7, 4 or all" >&2; exit 2 ;;
esac
crds_of() { # MODULE@VERSION
  local src
  src=$(go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$src/manifests/base/crds/full" ] || { echo "run.sh: no CRDs in $1" >&2; exit 1; }
  echo "$src/manifests/base/crds/full"
}
if [ "${PIPEC_E2E_ARGO:-all}" != 4 ]; then
  export PIPEC_E2E_ARGO_DIR=$ARGO_DIR
  PIPEC_E2E_CRD_DIR=$(crds_of github.com/argoproj/argo-workflows/v3@v3.7.18); export PIPEC_E2E_CRD_DIR
fi
if [ "${PIPEC_E2E_ARGO:-all}" != 3.7 ]; then
  export PIPEC_E2E_ARGO4_DIR=$ARGO4_DIR
  PIPEC_E2E_CRD4_DIR=$(crds_of github.com/argoproj/argo-workflows/v4@v4.0.5); export PIPEC_E2E_CRD4_DIR
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pipec-e2e-run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if compgen -G "$ROOT/cmd/pipec/*.go" >/dev/null; then
  echo "[run] building pipec from $ROOT" >&2
  (cd "$ROOT" && go build -o "$tmp/pipec" ./cmd/pipec)
  export PIPEC_E2E_PIPEC="$tmp/pipec"
else
  echo "[run] $ROOT/cmd/pipec does not exist yet: scenarios use the hand-written YAML in e2e/testdata" >&2
fi
export PIPEC_E2E_ROOT=$ROOT

echo "[run] binaries ready after $(( $(date +%s) - start ))s" >&2
cd "$E2E_DIR"
set +e
go test -count=1 -v -timeout "${PIPEC_E2E_TIMEOUT:-80m}" "$@" .
rc=$?
set -e
echo "[run] e2e finished in $(( $(date +%s) - start ))s, exit $rc" >&2
exit $rc
