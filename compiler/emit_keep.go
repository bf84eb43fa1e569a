package compiler

import "sync"

// What pipec writes must mean exactly what it validated: Emit prunes
// only the empty noise of Go's zero values, never an empty object or list
// that a construct set. encoding/json writes a struct field that is not a
// pointer as {} even when it is zero (omitempty does not apply to
// structs), and decoding {} or nothing into it gives the same zero value:
// such members are noise. A pointer, map, slice or interface field set to
// an empty value is not: "suspend: {}" makes a suspend template,
// "archive: {none: {}}" turns archiving off, "valueFrom: {supplied: {}}"
// makes a parameter supplied by a user; dropping them changes what Argo
// reads. keepEmptyNames (zz_keepempty.go, generated from Argo's own types
// by internal/argojson/gen.KeepEmpty) holds every member name that is
// such a field in some object an Argo document can hold; yamlenc keeps
// those when they are {} or []. A name that is a plain struct in one type
// and a pointer in another is kept everywhere: at worst an extra "{}"
// that decodes to the same value (TestEmitRoundTrip checks the meaning of
// every example's YAML against its lowered objects). The table is a plain
// sorted slice literal so that a build pays no walk of Argo's type graph
// by reflection (and `pipec version` not even a map's init);
// TestKeepEmptyIsFresh fails when it is stale.

//go:generate go run ../internal/argojson/gen/argojson-gen -table keepempty -o zz_keepempty.go

var keepEmptySet = sync.OnceValue(func() map[string]bool {
	set := make(map[string]bool, len(keepEmptyNames))
	for _, n := range keepEmptyNames {
		set[n] = true
	}
	return set
})

// keepEmpty returns the names of the members whose empty value Emit keeps.
func keepEmpty() map[string]bool { return keepEmptySet() }
