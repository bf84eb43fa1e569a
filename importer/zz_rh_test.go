package importer

import (
	"os"
	"fmt"
	"testing"
)

func TestZZRawReasons(t *testing.T) {
	res, err := runCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.entries {
		if len(e.raws) > 0 || !e.equal {
			fmt.Println(e.rel, e.equal, e.failure, e.raws)
		}
	}
}

func TestZZShow(t *testing.T) {
	dir, _ := argoExamplesDir()
	for _, f := range []string{"map-reduce.yaml", "ci.yaml", "dag-custom-metrics.yaml"} {
		b, _ := os.ReadFile(dir + "/" + f)
		r := Import(f, b, Options{NoVerify: true})
		fmt.Println("=====", f, r.Diags)
		fmt.Println(string(r.Pipe))
	}
}
