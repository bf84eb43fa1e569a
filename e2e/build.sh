#!/usr/bin/env bash
# Builds the binaries of the e2e cluster that are missing from the cache:
#   etcd, kube-apiserver + kubectl, workflow-controller + argo.
# Everything comes from the Go module proxy; nothing prebuilt is downloaded.
# Idempotent: a component whose cache directory holds a .complete marker is
# not rebuilt. Prints the cache directory of each component on stdout as
# NAME=DIR lines (consumed by run.sh); progress goes to stderr.
#
# Cache: ${PIPEC_E2E_CACHE:-$HOME/.cache/pipec-e2e}/<component>-<version>-<key>/
# where <key> hashes the nested module's go.mod/go.sum and the Go version, so
# a change of pins or toolchain rebuilds.
set -euo pipefail

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
CACHE=${PIPEC_E2E_CACHE:-$HOME/.cache/pipec-e2e}
ETCD_VERSION=v3.7.3
K8S_VERSION=v1.37.2
ARGO_VERSION=v3.7.18
mkdir -p "$CACHE"

log() { echo "[build] $*" >&2; }

gover=$(go env GOVERSION)
key_of() { # files...
  { echo "$gover"; cat "$@"; } | sha256sum | cut -c1-10
}

# measure NAME CMD... : runs CMD under /usr/bin/time (when present) and
# records wall time and peak RSS in $CACHE/build-times.log.
measure() {
  local name=$1; shift
  local start end tf
  start=$(date +%s)
  tf=$(mktemp)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o "$tf" "$@"
  else
    "$@"
  fi
  end=$(date +%s)
  local peak
  peak=$(tail -1 "$tf" 2>/dev/null || true)
  rm -f "$tf"
  echo "$(date -u +%FT%TZ) $name wall=$((end - start))s peak_rss_kib=${peak:-?}" | tee -a "$CACHE/build-times.log" >&2
}

build_etcd() {
  local dir="$CACHE/etcd-$ETCD_VERSION-$(key_of "$E2E_DIR/tools/etcd/go.mod" "$E2E_DIR/tools/etcd/go.sum")"
  if [ ! -f "$dir/.complete" ]; then
    log "building etcd $ETCD_VERSION into $dir"
    mkdir -p "$dir"
    (cd "$E2E_DIR/tools/etcd" && measure "etcd-$ETCD_VERSION" \
      env CGO_ENABLED=0 go build -mod=readonly -trimpath -o "$dir/etcd" .)
    touch "$dir/.complete"
  fi
  echo "ETCD_DIR=$dir"
}

build_kube() {
  local dir="$CACHE/kube-$K8S_VERSION-$(key_of "$E2E_DIR/tools/kube/go.mod" "$E2E_DIR/tools/kube/go.sum")"
  if [ ! -f "$dir/.complete" ]; then
    log "building kube-apiserver and kubectl $K8S_VERSION into $dir"
    mkdir -p "$dir"
    local minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
    local ld="-X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
    (cd "$E2E_DIR/tools/kube" && measure "kube-$K8S_VERSION" \
      env CGO_ENABLED=0 go build -mod=readonly -trimpath -ldflags "$ld" -o "$dir/" \
        k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl)
    touch "$dir/.complete"
  fi
  echo "KUBE_DIR=$dir"
}

build_argo() {
  local src
  src=$(go mod download -json "github.com/argoproj/argo-workflows/v3@$ARGO_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$src" ] || { echo "cannot download argo-workflows $ARGO_VERSION" >&2; exit 1; }
  local dir="$CACHE/argo-$ARGO_VERSION-$(echo "$gover" | sha256sum | cut -c1-10)"
  if [ ! -f "$dir/.complete" ]; then
    log "building workflow-controller and argo $ARGO_VERSION into $dir"
    mkdir -p "$dir"
    local work
    work=$(mktemp -d)
    # The module cache is read-only and its zip lacks ui/dist/app, which the
    # CLI embeds: build from a writable copy with a stub index.html.
    cp -r "$src/." "$work/src"
    chmod -R u+w "$work/src"
    mkdir -p "$work/src/ui/dist/app"
    echo '<!doctype html><title>Argo (pipec e2e build, no UI)</title>' > "$work/src/ui/dist/app/index.html"
    local ld="-X github.com/argoproj/argo-workflows/v3.version=$ARGO_VERSION -X github.com/argoproj/argo-workflows/v3.gitTreeState=clean -X github.com/argoproj/argo-workflows/v3.gitTag=$ARGO_VERSION"
    (cd "$work/src" && measure "argo-$ARGO_VERSION" \
      env CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "$ld" -o "$dir/" \
        ./cmd/argo ./cmd/workflow-controller)
    rm -rf "$work"
    touch "$dir/.complete"
  fi
  echo "ARGO_DIR=$dir"
}

case "${1:-all}" in
  etcd) build_etcd ;;
  kube) build_kube ;;
  argo) build_argo ;;
  all) build_etcd; build_argo; build_kube ;;
  *) echo "usage: $0 [all|etcd|kube|argo]" >&2; exit 2 ;;
esac
