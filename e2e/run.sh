#!/usr/bin/env bash
# The single entry point of pipec's real-engine e2e suite (`make e2e`).
#
#   bash e2e/run.sh            # build what is missing, run every scenario
#   bash e2e/run.sh -run Retry # extra arguments go to `go test`
#
# 1. e2e/build.sh builds etcd, kube-apiserver, kubectl, workflow-controller
#    and argo into ${PIPEC_E2E_CACHE:-$HOME/.cache/pipec-e2e} when missing
#    (cold: ~15 min on 2 cores; warm: seconds);
# 2. pipec is built from the repo root (when cmd/pipec exists);
# 3. `go test` in e2e/ starts the cluster on 127.0.0.1 (TestMain), runs the
#    scenarios against it, stops every process by its PID and exits non-zero
#    on failure, printing the tail of every component's log.
# PIPEC_E2E_KEEP=1 keeps the cluster directory (logs) after a green run.
set -euo pipefail

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$E2E_DIR/.." && pwd)
start=$(date +%s)

dirs=$(bash "$E2E_DIR/build.sh" all)
eval "$dirs"
export PIPEC_E2E_ETCD_DIR=$ETCD_DIR PIPEC_E2E_KUBE_DIR=$KUBE_DIR PIPEC_E2E_ARGO_DIR=$ARGO_DIR

argo_src=$(cd "$E2E_DIR" && go list -m -f '{{.Dir}}' github.com/argoproj/argo-workflows/v3)
export PIPEC_E2E_CRD_DIR="$argo_src/manifests/base/crds/full"
[ -d "$PIPEC_E2E_CRD_DIR" ] || { echo "run.sh: no CRDs at $PIPEC_E2E_CRD_DIR" >&2; exit 1; }

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
go test -count=1 -v -timeout "${PIPEC_E2E_TIMEOUT:-50m}" "$@" .
rc=$?
set -e
echo "[run] e2e finished in $(( $(date +%s) - start ))s, exit $rc" >&2
exit $rc
