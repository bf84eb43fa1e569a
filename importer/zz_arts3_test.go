package importer

import (
	"fmt"
	"testing"
)

func TestArtsList(t *testing.T) {
	res, _ := runCatalogue()
	for _, e := range res.entries {
		if e.raw || !e.equal {
			fmt.Println(e.rel, e.raws, e.failure)
		}
	}
}
