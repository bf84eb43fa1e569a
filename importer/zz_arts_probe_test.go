package importer

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/pipec/pipec/diag"
)

func TestArtsProbe(t *testing.T) {
	files, _, err := catalogueFiles()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(os.Getenv("ARTS"), ",")
	for _, rel := range want {
		data := files[rel+".yaml"]
		if data == nil {
			t.Logf("no %s", rel)
			continue
		}
		docs, _ := splitDocs(rel, data, &diag.Diagnostics{})
		_ = docs
		for _, d := range docs {
			for _, rs := range []bool{false, true} {
				obj := &Object{Kind: d.value["kind"].(string), Original: d.value}
				c := newConv(rel, d, obj, false)
				c.rawSettings = rs
				txt, err := c.pipeline(map[string]bool{})
				fmt.Printf("==== %s rawSettings=%v\n", rel, rs)
				if err != nil {
					fmt.Printf("ERR %v\n", err)
					continue
				}
				fmt.Println(txt)
				fmt.Printf("RAW %v\nDIFF %s\n", obj.Raw, roundTrip(obj.Name, txt, d.value, c.inexpressiblePaths()))
			}
		}
	}
}
