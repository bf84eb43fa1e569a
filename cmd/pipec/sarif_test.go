package main

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func init() {
	scriptCommands["sarifvalid"] = cmdSarifValid
}

// sarifSchemaFile is the SARIF 2.1.0 schema diag's tests use.
var sarifSchemaFile, _ = filepath.Abs("../../diag/testdata/sarif/sarif-schema-2.1.0.json")

// cmdSarifValid checks that a file is a valid SARIF 2.1.0 log (formats such
// as uri asserted); with !, that it is not:
//
//	sarifvalid FILE
func cmdSarifValid(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: sarifvalid FILE")
	}
	f, err := os.Open(sarifSchemaFile)
	ts.Check(err)
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	ts.Check(err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	ts.Check(c.AddResource("sarif.json", doc))
	sch, err := c.Compile("sarif.json")
	ts.Check(err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(ts.ReadFile(args[0]))))
	if err == nil {
		err = sch.Validate(inst)
	}
	switch {
	case err != nil && !neg:
		ts.Fatalf("%s is not valid SARIF 2.1.0: %v", args[0], err)
	case err == nil && neg:
		ts.Fatalf("%s is valid SARIF 2.1.0", args[0])
	}
}
