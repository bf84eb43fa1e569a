#!/bin/sh
# Tries pipec lsp in the editors that install on Debian 12 (apt-get install
# neovim emacs-nox elpa-eglot): each opens a .pipe file with an error,
# headless, and prints the filetype, comment string, negotiated position
# encoding and the diagnostics it got from the server. Not part of make
# test (CI does not install editors). Usage: sh editors/try/run.sh [PIPEC]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
PIPEC=${1:-$here/../../bin/pipec}
export PIPEC=$(cd "$(dirname "$PIPEC")" && pwd)/$(basename "$PIPEC")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
printf 'pipeline hello {\n  image "alpine:3.20"\n  step say { runn ["echo"] }\n}\n' > hello.pipe
if command -v nvim >/dev/null; then
  echo "== $(nvim --version | head -1)"
  timeout 60 nvim --headless -u "$here/nvim07-init.lua" hello.pipe -c "luafile $here/nvim-check.lua" >/dev/null 2>&1 || true
  cat nvim-result.txt
fi
if command -v emacs >/dev/null; then
  echo "== $(emacs --version | head -1)"
  timeout 90 emacs --batch -l "$here/eglot.el" 2>&1 | grep -v '^Loading' || true
fi
