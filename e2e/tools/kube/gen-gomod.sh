#!/usr/bin/env bash
# Regenerates go.mod of this nested module from k8s.io/kubernetes' own go.mod:
# every staging module that kubernetes lists as v0.0.0 is replaced by the
# published module of the matching v0.X.Y version. Run it after changing
# K8S_VERSION, then commit go.mod and go.sum.
set -euo pipefail
cd "$(dirname "$0")"
K8S_VERSION=${K8S_VERSION:-v1.37.2}
STAGING_VERSION="v0.${K8S_VERSION#v1.}"
gomod=$(go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
[ -f "$gomod" ] || { echo "cannot find go.mod of k8s.io/kubernetes@${K8S_VERSION}" >&2; exit 1; }
{
  echo "module github.com/pipec/pipec/e2e/tools/kube"
  echo
  echo "go 1.26"
  echo
  echo "require k8s.io/kubernetes ${K8S_VERSION}"
  echo
  echo "replace ("
  awk '$2 == "v0.0.0" && $1 ~ /^k8s\.io\// { print $1 }' "$gomod" | sort -u |
    while read -r m; do printf '\t%s => %s %s\n' "$m" "$m" "$STAGING_VERSION"; done
  echo ")"
} > go.mod
n=$(grep -c " => " go.mod)
echo "go.mod: $n staging replacements at ${STAGING_VERSION}" >&2
cat > tools.go <<'GO'
//go:build tools

// Package tools pins the Kubernetes commands the e2e suite builds.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
go mod tidy
