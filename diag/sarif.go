package diag

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"
)

// SARIF 2.1.0 (Static Analysis Results Interchange Format, an OASIS
// standard): the log format GitHub code scanning and other CI systems read
// to show diagnostics on pull requests. Only what pipec's diagnostics need
// is modelled; testdata/sarif holds the schema the tests check it against.

// sarifSchema is the schema URI a log names, the one GitHub's documentation
// uses.
const sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

// A sarifRule is a reportingDescriptor. pipec's diagnostics carry no rule
// codes, so there is one rule per severity.
type sarifRule struct {
	ID                   string             `json:"id"`
	ShortDescription     sarifMessage       `json:"shortDescription"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI string `json:"uri"`
}

// sarifRegion counts lines and columns from 1; the end column is the one
// after the region (exclusive), as pipec's ranges are.
type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

// sarifRules are the rules, in the order of Severity's values.
var sarifRules = []sarifRule{
	{ID: "pipec/error", ShortDescription: sarifMessage{"An error pipec found in a pipeline source"}, DefaultConfiguration: sarifConfiguration{"error"}},
	{ID: "pipec/warning", ShortDescription: sarifMessage{"A warning pipec gave about a pipeline source"}, DefaultConfiguration: sarifConfiguration{"warning"}},
	{ID: "pipec/info", ShortDescription: sarifMessage{"A note pipec made about a pipeline source"}, DefaultConfiguration: sarifConfiguration{"note"}},
}

// WriteSARIF writes the diagnostics as a SARIF 2.1.0 log with one run of
// tool. File names become URI references: relative ones stay relative (to
// the directory pipec ran in, normally the repository's root), absolute
// ones become file: URIs. Columns count Unicode code points.
func WriteSARIF(w io.Writer, ds Diagnostics, tool Tool) error {
	run := sarifRun{
		Tool:       sarifTool{Driver: sarifDriver{Name: tool.Name, Version: tool.Version, InformationURI: tool.InformationURI, Rules: sarifRules}},
		ColumnKind: "unicodeCodePoints",
		Results:    make([]sarifResult, 0, len(ds)),
	}
	for _, d := range ds {
		i := int(d.Severity)
		if i < 0 || i >= len(sarifRules) {
			i = int(Error)
		}
		loc := sarifLocation{PhysicalLocation: sarifPhysicalLocation{ArtifactLocation: sarifArtifactLocation{URI: sarifURI(d.Range.Filename)}}}
		if s := d.Range.Start; s.IsValid() {
			r := &sarifRegion{StartLine: s.Line, StartColumn: s.Column}
			if e := d.Range.End; e.IsValid() && (e.Line > s.Line || e.Line == s.Line && e.Column >= s.Column) {
				r.EndLine, r.EndColumn = e.Line, e.Column
			}
			loc.PhysicalLocation.Region = r
		}
		run.Results = append(run.Results, sarifResult{
			RuleID:    sarifRules[i].ID,
			RuleIndex: i,
			Level:     sarifRules[i].DefaultConfiguration.Level,
			Message:   sarifMessage{Text: messageWithHint(d)},
			Locations: []sarifLocation{loc},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

// sarifURI turns a file name into a URI reference.
func sarifURI(name string) string {
	p := filepath.ToSlash(name)
	if filepath.IsAbs(name) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // C:/x on Windows
		}
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: p}).String()
}
