#!/usr/bin/env bash
# Builds the binaries of the e2e cluster that are missing from the cache:
#   etcd, kube-apiserver + kubectl, workflow-controller + argo (v3.7.18 and
#   v4.0.5: every scenario runs on both controllers).
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
ARGO4_VERSION=v4.0.5
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

# build_argo_module MAJOR VERSION VAR: builds cmd/argo and
# cmd/workflow-controller of github.com/argoproj/argo-workflows/MAJOR at
# VERSION into $CACHE/argo-VERSION-<key>/ (key: the Go version) and prints
# VAR=DIR.
build_argo_module() {
  local major=$1 version=$2 var=$3
  local mod="github.com/argoproj/argo-workflows/$major"
  local src
  src=$(go mod download -json "$mod@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$src" ] || { echo "cannot download argo-workflows $version" >&2; exit 1; }
  local dir="$CACHE/argo-$version-$(echo "$gover" | sha256sum | cut -c1-10)"
  if [ ! -f "$dir/.complete" ]; then
    log "building workflow-controller and argo $version into $dir"
    mkdir -p "$dir"
    local work
    work=$(mktemp -d)
    # The module cache is read-only and its zip lacks ui/dist/app, which the
    # CLI embeds: build from a writable copy with a stub index.html.
    cp -r "$src/." "$work/src"
    chmod -R u+w "$work/src"
    mkdir -p "$work/src/ui/dist/app"
    echo '<!doctype html><title>Argo (pipec e2e build, no UI)</title>' > "$work/src/ui/dist/app/index.html"
    local ld="-X $mod.version=$version -X $mod.gitTreeState=clean -X $mod.gitTag=$version"
    (cd "$work/src" && measure "argo-$version" \
      env CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "$ld" -o "$dir/" \
        ./cmd/argo ./cmd/workflow-controller)
    rm -rf "$work"
    touch "$dir/.complete"
  fi
  echo "$var=$dir"
}

build_argo() { build_argo_module v3 "$ARGO_VERSION" ARGO_DIR; }
build_argo4() { build_argo_module v4 "$ARGO4_VERSION" ARGO4_DIR; }

case "${1:-all}" in
  etcd) build_etcd ;;
  kube) build_kube ;;
  argo) build_argo ;;
  argo4) build_argo4 ;;
  all) build_etcd; build_argo; build_argo4; build_kube ;;
  *) echo "usage: $0 [all|etcd|kube|argo|argo4]" >&2; exit 2 ;;
esac
