package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"runtime/debug"
	"sync"
)

// ValidationCache remembers what Argo's validator accepted, by key, so
// that a build does not validate again what an earlier one did (package
// internal/valcache keeps one on disk). Keys are hashes of the exact
// content validated and of the validator's version, so an entry is never
// stale. Only acceptances are recorded: a rejected object is validated
// again every time, and its errors reported.
type ValidationCache interface {
	Accepted(key string) bool
	Accept(key string)
}

// validationVersion changes whenever what pipec hands Argo's validator, or
// how, changes in a way the validated content does not show (the stand-in
// WorkflowTemplates of ref(...) steps, the validator's options).
const validationVersion = "pipec-validation-1"

// validatorID identifies the validator: pipec's validationVersion and the
// version of Argo compiled in.
var validatorID = sync.OnceValue(func() string {
	id := validationVersion
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path == "github.com/argoproj/argo-workflows/v3" {
				id += " argo " + dep.Version
				if dep.Replace != nil {
					id += " => " + dep.Replace.Path + " " + dep.Replace.Version
				}
			}
		}
	}
	return id
})

// validationKey is the cache key of content of the given kind.
func validationKey(kind string, content []byte) string {
	h := validationKeyHash(kind)
	h.Write(content)
	return validationKeySum(h)
}

// validationKeyHash is the hash of validationKey before the content, for
// content written to it in parts (EmitTo's YAML); validationKeySum gives
// the key.
func validationKeyHash(kind string) hash.Hash {
	h := sha256.New()
	h.Write([]byte(validatorID()))
	h.Write([]byte{0})
	h.Write([]byte(kind))
	h.Write([]byte{0})
	return h
}

func validationKeySum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
