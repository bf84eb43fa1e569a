package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/importer"
	"github.com/pipec/pipec/internal/fsutil"
	"github.com/spf13/cobra"
)

func init() { register(newImportCmd) }

func newImportCmd() *cobra.Command {
	var f importFlags
	cmd := &cobra.Command{
		Use:   "import [-o DIR] [--strict] FILE|DIR|-...",
		Short: "turn Argo Workflows YAML into .pipe files",
		Long: "Reads Argo Workflows, WorkflowTemplates, ClusterWorkflowTemplates and\n" +
			"CronWorkflows (YAML or JSON, several documents per file; directories are\n" +
			"searched for .yaml, .yml and .json files; - is standard input) and writes\n" +
			"one formatted .pipe per input file: to standard output for one input, into\n" +
			"-o DIR otherwise. What the language cannot express yet is kept in raw\n" +
			"blocks, each with a warning file:line:col pointing at the YAML; --strict\n" +
			"fails instead. Every import is checked: the .pipe is compiled and compared\n" +
			"with the original, ignoring only pipec's retry wiring (see docs/import.md).\n\n" +
			"\tpipec import wf.yaml > wf.pipe\n" +
			"\tpipec import -o pipes/ argo/         one .pipe per YAML file below argo/\n" +
			"\tkubectl get wf x -o yaml | pipec import -",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("no input files (give FILE, DIR or - for standard input)")
			}
			return exitStatus(runImport(&f, args, cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr()))
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&f.outDir, "out-dir", "o", "", "write one .pipe per input file into `DIR` (for one input, standard output by default)")
	fs.BoolVar(&f.strict, "strict", false, "fail instead of keeping in raw what the language cannot express")
	return cmd
}

// importFlags are pipec import's flags.
type importFlags struct {
	outDir string
	strict bool
}

// importInput is one file to import.
type importInput struct {
	path string // as given, or "-" for standard input
	out  string // the .pipe path relative to the output directory
}

// runImport is `pipec import` once its flags are parsed: it reads Argo
// objects (YAML or JSON; a directory is searched for .yaml, .yml and .json
// files; - is standard input) and writes one formatted .pipe per input file.
// Warnings (what went to raw) and errors go to standard error; a file with
// errors gets no output. Exit status: 0 on success, 1 on errors in the
// input, 2 on usage errors.
func runImport(f *importFlags, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	inputs, err := importInputs(args)
	if err != nil {
		fmt.Fprintf(stderr, "pipec import: %v\n", err)
		return 1
	}
	if f.outDir == "" && len(inputs) != 1 {
		fmt.Fprintf(stderr, "pipec import: %d input files: give -o DIR to write one .pipe for each\n", len(inputs))
		return 2
	}
	seen := map[string]string{}
	for _, in := range inputs {
		if prev, dup := seen[in.out]; dup {
			fmt.Fprintf(stderr, "pipec import: %s and %s would both be written to %s\n", prev, in.path, filepath.Join(f.outDir, in.out))
			return 2
		}
		seen[in.out] = in.path
	}
	status := 0
	datas := make([][]byte, len(inputs))
	readErrs := make([]error, len(inputs))
	for i, in := range inputs {
		if in.path == "-" {
			datas[i], readErrs[i] = io.ReadAll(stdin)
		} else {
			datas[i], readErrs[i] = os.ReadFile(in.path)
		}
	}
	libs := libraryFiles(inputs, datas)
	taken := map[string]string{} // pipeline names, across the files written to one directory
	for i, in := range inputs {
		data, err := datas[i], readErrs[i]
		name := in.path
		if in.path == "-" {
			name = stdinName
		}
		if err != nil {
			fmt.Fprintf(stderr, "pipec import: %v\n", err)
			status = 1
			continue
		}
		opts := importer.Options{Strict: f.strict}
		if f.outDir != "" {
			opts.Taken = taken
			opts.Imports = func(l importer.Library) string {
				to, ok := libs[l]
				if !ok || to == in.out {
					return ""
				}
				rel, err := filepath.Rel(filepath.Dir(in.out), to)
				if err != nil {
					return ""
				}
				return filepath.ToSlash(rel)
			}
		}
		res := importer.Import(name, data, opts)
		diag.Print(stderr, res.Diags, func(string) []byte { return data })
		if res.Diags.HasErrors() || res.Pipe == nil {
			status = 1
			continue
		}
		if f.outDir == "" {
			if _, err := stdout.Write(res.Pipe); err != nil {
				fmt.Fprintf(stderr, "pipec import: %v\n", err)
				status = 1
			}
			continue
		}
		path := filepath.Join(f.outDir, in.out)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintf(stderr, "pipec import: %v\n", err)
			status = 1
			continue
		}
		if err := fsutil.WriteFileAtomic(path, res.Pipe, 0o644); err != nil {
			fmt.Fprintf(stderr, "pipec import: %v\n", err)
			status = 1
		}
	}
	return status
}

// libraryFiles maps each WorkflowTemplate (and ClusterWorkflowTemplate) of
// the inputs to the .pipe written for it: the files that use it through
// templateRef import that one.
func libraryFiles(inputs []importInput, datas [][]byte) map[importer.Library]string {
	out := map[importer.Library]string{}
	for i, in := range inputs {
		for _, l := range importer.Libraries(datas[i]) {
			if _, dup := out[l]; !dup {
				out[l] = in.out
			}
		}
	}
	return out
}

// importInputs expands the arguments: files as given, directories searched
// (hidden entries skipped) for .yaml, .yml and .json files, - as standard
// input.
func importInputs(args []string) ([]importInput, error) {
	var out []importInput
	stdin := false
	for _, a := range args {
		if a == "-" {
			if stdin {
				return nil, fmt.Errorf("- (standard input) given twice")
			}
			stdin = true
			out = append(out, importInput{path: "-", out: "stdin.pipe"})
			continue
		}
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, importInput{path: a, out: pipeName(filepath.Base(a))})
			continue
		}
		var found []importInput
		err = filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p != a && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			switch filepath.Ext(p) {
			case ".yaml", ".yml", ".json":
				if !d.IsDir() {
					rel, _ := filepath.Rel(a, p)
					found = append(found, importInput{path: p, out: pipeName(rel)})
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("no .yaml, .yml or .json file in %s", a)
		}
		sort.Slice(found, func(i, j int) bool { return found[i].path < found[j].path })
		out = append(out, found...)
	}
	return out, nil
}

func pipeName(p string) string { return strings.TrimSuffix(p, filepath.Ext(p)) + ".pipe" }
