package dsl

import "testing"

func TestSmoke(t *testing.T) {
	src := `// nightly sales ETL
import "lib.pipe"

// Train a model.
template train(model: string, epochs: int = 10) {
  run ["python", "train.py", "${model}"]
}

pipeline nightly-etl {
  image "ghcr.io/acme/etl:1.4"            // default for every step
  // The day to process.
  param date = "2024-01-01"
  param region
  retry 3 backoff 10s factor 2 max 5m
  schedule "0 2 * * *"
  label "app.kubernetes.io/name" = "etl"

  step extract {
    run ["python", "extract.py", "--date", "${date}"]
    env LOG_LEVEL = "debug"
    env AWS_KEY = secret("aws-creds", "access-key")
    cpu "500m"  memory "1Gi"
    output rows = file("/tmp/rows.txt")
  }
  step transform after extract { run ["python", "transform.py", "${extract.rows}"] }
  step shard for region in ["eu", "us", "ap"] { run ["python", "shard.py", "${region}"] }
  step maps for m in [{a: "1", b: 2}] { script python """
print("${m.a}")
""" }
  step load after transform, shard failed when "${extract.rows} > 0" { run ["x"] }
  step t2 uses train(model = "x", epochs = 3) after load
  step r uses ref("wft", "tmpl")(x = "1")
  on exit step notify { run ["echo"] }
  step bad {
    runn ["x"]
    image "ok"
    cpu
  }
  retyr 3
}
`
	f, diags := ParseString("x.pipe", src)
	for _, d := range diags {
		t.Log(d)
	}
	t.Logf("%d items", len(f.Items))
	for _, it := range f.Items {
		if it.Pipeline != nil {
			for _, pi := range it.Pipeline.Items {
				t.Logf("%T %v doc=%q", pi.Stmt, pi.Range(), pi.Doc.Text())
			}
		}
	}
}
