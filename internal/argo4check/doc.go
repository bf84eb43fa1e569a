// Package argo4check holds only tests: they check pipec's committed
// example output (examples/*.yaml, emitted for the default target, Argo 4)
// against Argo v4.0.5's own rules: strict decoding as `argo submit` and
// `argo lint` do it, Argo's validator, and Argo's JSON schema.
//
// It is a module of its own so that github.com/argoproj/argo-workflows/v4,
// which has known security flaws, never becomes a dependency of pipec's
// binary: pipec's module cannot import it, and `go build ./cmd/pipec` never
// sees it. It imports nothing of pipec either: it reads the YAML files that
// `make test` has already checked are current (pipec build --check).
// `make test` runs it (cd internal/argo4check && go test ./...).
package argo4check
