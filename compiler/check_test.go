package compiler

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pipec/pipec/diag"
)

// ckCompile compiles in-memory files (the first is the root) and returns
// the diagnostics as "file:line:col: message" lines, hints on their own
// "\thint: ..." lines.
func ckCompile(files map[string]string, root string, params ...KV) (*Result, []string) {
	fs := map[string][]byte{}
	for name, src := range files {
		fs[name] = []byte(src)
	}
	res := Compile(Overlay{Files: fs}, []string{root}, Options{Params: params})
	var lines []string
	for _, d := range res.Diags {
		lines = append(lines, ckLine(d))
	}
	return res, lines
}

func ckLine(d diag.Diagnostic) string {
	s := fmt.Sprintf("%d:%d: %s", d.Range.Start.Line, d.Range.Start.Column, d.Message)
	if d.Range.Filename != "p.pipe" {
		s = d.Range.Filename + ":" + s
	}
	if d.Hint != "" {
		s += " | hint: " + d.Hint
	}
	return s
}

// ckCase is one checker test: every want line must be a substring of one
// diagnostic, in order, and there must be no other diagnostic.
type ckCase struct {
	name string
	src  string
	want []string
}

// ckFilesCase is a ckCase with more files, for imports.
type ckFilesCase struct {
	ckCase
	files map[string]string
}

func runCkCases(t *testing.T, cases []ckCase) {
	t.Helper()
	var fc []ckFilesCase
	for _, c := range cases {
		fc = append(fc, ckFilesCase{ckCase: c})
	}
	runCkFilesCases(t, fc)
}

func runCkFilesCases(t *testing.T, cases []ckFilesCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"p.pipe": tc.src}
			for k, v := range tc.files {
				files[k] = v
			}
			_, got := ckCompile(files, "p.pipe")
			ok := len(got) == len(tc.want)
			for i := 0; ok && i < len(got); i++ {
				ok = strings.Contains(got[i], tc.want[i])
			}
			if !ok {
				t.Errorf("diagnostics:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(tc.want, "\n\t"))
			}
		})
	}
}

func TestCheckNames(t *testing.T) {
	runCkCases(t, []ckCase{
		{"duplicate step", `pipeline p {
  image "a"
  step a { run ["x"] }
  step a { run ["y"] }
}`, []string{`4:8: step "a" is defined twice (first at p.pipe:3:8)`}},
		{"steps with the same Argo name", `pipeline p {
  image "a"
  step load_db { run ["x"] }
  step load-db { run ["y"] }
}`, []string{`4:8: steps "load_db" and "load-db" both become the Argo name "load-db" | hint: rename one of them`}},
		{"duplicate param", `pipeline p {
  image "a"
  param d = "1"
  param d = "2"
  step a { run ["${d}"] }
}`, []string{`4:9: parameter "d" is declared twice (first at p.pipe:3:9)`}},
		{"reserved and invalid param names", `pipeline p {
  image "a"
  param run_id = "1"
  param my-date = "2"
  step a { run ["x"] }
}`, []string{
			`3:9: parameter "run_id" is reserved: pipec adds it to every workflow for retries`}},
		{"duplicate template", `template t() { run ["x"] }
template t() { run ["y"] }
pipeline p { image "a" step a uses t() }`, []string{`2:10: template "t" is defined twice (also at p.pipe:1:10)`}},
		{"duplicate volume", `pipeline p {
  image "a"
  volume v = empty_dir()
  volume v = empty_dir()
  step a { run ["x"] }
}`, []string{`4:10: volume "v" is declared twice`}},
		{"duplicate output", `pipeline p {
  image "a"
  step a { run ["x"] output o = file("/o") output o = file("/p") }
}`, []string{`3:51: output "o" is declared twice in step "a"`}},
		{"reserved output name", `pipeline p {
  image "a"
  step a { run ["x"] output status = file("/o") output my-out = file("/p") }
}`, []string{
			`3:29: output name "status" is reserved: ${a.status} is a field of every step`}},
		{"an output called result", `pipeline p {
  image "a"
  step a { run ["x"] output result = file("/o") }
  step b { run ["echo", "${a.result}"] }
}`, nil},
		{"duplicate pipeline", `pipeline p { image "a" step a { run ["x"] } }
pipeline p { image "a" step a { run ["x"] } }`, []string{`2:10: pipeline "p" is defined twice (first at p.pipe:1:10)`}},
		{"upper-case pipeline name", `pipeline Nightly { image "a" step a { run ["x"] } }`,
			[]string{`1:10: pipeline name "Nightly" must be lower case: it becomes a Kubernetes object name | hint: rename it "nightly"`}},
		{"pipeline name with _", `pipeline my_etl { image "a" step a { run ["x"] } }`,
			[]string{`1:10: pipeline name "my_etl" cannot contain '_': it becomes a Kubernetes object name | hint: rename it "my-etl"`}},
		{"pipeline name too long", "pipeline " + strings.Repeat("a", 64) + ` { image "a" step a { run ["x"] } }`,
			[]string{`1:10: pipeline name "` + strings.Repeat("a", 64) + `" is 64 characters; at most 63 are allowed`}},
		{"scheduled pipeline name too long", "pipeline " + strings.Repeat("a", 53) + ` { schedule "0 2 * * *" image "a" step a { run ["x"] } }`,
			[]string{`1:10: pipeline name "` + strings.Repeat("a", 53) + `" is 53 characters; a scheduled pipeline (CronWorkflow) name may have at most 52`}},
		{"no steps", `pipeline p { image "a" }`, []string{`1:10: pipeline "p" has no steps`}},
		{"setting twice", `pipeline p {
  image "a"
  timeout 1h
  timeout 2h
  step a { run ["x"] }
}`, []string{`4:3: timeout is set twice in pipeline "p" (first at p.pipe:3:3) | hint: remove one of them`}},
		{"step statement twice", `pipeline p {
  step a { image "a" image "b" run ["x"] }
}`, []string{`2:22: image is set twice in step "a" (first at p.pipe:2:12)`}},
		{"clause twice", `pipeline p {
  image "a"
  step a { run ["x"] }
  step b after a after a { run ["y"] }
}`, []string{`4:18: step "b" has two "after" clauses | hint: combine them into one`}},
		{"invalid namespace", `pipeline p { namespace "Data_1" image "a" step a { run ["x"] } }`,
			[]string{`1:24: invalid namespace "Data_1": it must be lower case letters, digits and '-'`}},
		{"invalid env name", `pipeline p { image "a" step a { run ["x"] env "1X" = "v" } }`,
			[]string{`1:47: invalid environment variable name "1X"`}},
		{"reserved env name", `pipeline p { image "a" step a { run ["x"] env RETRY_RUN_ID = "v" } }`,
			[]string{`1:47: environment variable "RETRY_RUN_ID" is set by pipec in every container`}},
	})
}

func TestCheckReferences(t *testing.T) {
	runCkCases(t, []ckCase{
		{"unknown parameter with suggestion", `pipeline p {
  image "a"
  param date = "x"
  step a { run ["echo", "${dat}"] }
}`, []string{`4:26: unknown reference ${dat}: no parameter, step or loop variable "dat" | hint: did you mean ${date}?`}},
		{"unknown parameter without suggestion", `pipeline p {
  image "a"
  step a { run ["echo", "${zzz}"] }
}`, []string{`3:26: unknown reference ${zzz}: no parameter, step or loop variable "zzz" | hint: declare it: param zzz = "..."; or write $${zzz} for a literal ${`}},
		{"unknown step", `pipeline p {
  image "a"
  step extract { run ["x"] }
  step b { run ["${extrct.rows}"] }
}`, []string{`4:18: unknown reference ${extrct.rows}: no step "extrct" | hint: did you mean ${extract.rows}?`}},
		{"unknown output with suggestion", `pipeline p {
  image "a"
  step a { run ["x"] output rows = file("/tmp/rows") }
  step b { run ["${a.row}"] }
}`, []string{`4:18: step "a" has no output "row" | hint: did you mean ${a.rows}?`}},
		{"unknown output without suggestion", `pipeline p {
  image "a"
  step a { run ["x"] }
  step b { run ["${a.zzzzz}"] }
}`, []string{`4:18: step "a" has no output "zzzzz" | hint: declare it in step a: output zzzzz = file("/tmp/zzzzz")`}},
		{"bare step", `pipeline p {
  image "a"
  step a { run ["x"] }
  step b { run ["${a}"] }
}`, []string{`4:18: ${a} refers to step "a"; name one of its outputs, such as ${a.result}`}},
		{"own output", `pipeline p {
  image "a"
  step a { run ["${a.result}"] }
}`, []string{`3:18: step "a" cannot use its own output ${a.result}`}},
		{"parameter field", `pipeline p {
  image "a"
  param d = "x"
  step a { run ["${d.x}"] }
}`, []string{`4:18: ${d.x}: parameter "d" has no fields`}},
		{"retry parameters", `pipeline p {
  image "a"
  step a { run ["${run_id}"] }
}`, []string{`3:18: ${run_id}: the retry parameters are given to every container as the environment variables RETRY_RUN_ID and RETRY_INDICATOR`}},
		{"unknown Argo variable", `pipeline p {
  image "a"
  step a { run ["${workflow.nam}"] }
}`, []string{`3:18: unknown Argo variable ${workflow.nam} | hint: did you mean ${workflow.name}?`}},
		{"workflow.status outside handlers", `pipeline p {
  image "a"
  step a { run ["${workflow.status}"] }
}`, []string{`3:18: ${workflow.status} is only known in exit and failure handlers`}},
		{"unclosed and empty references", `pipeline p {
  image "a"
  step a { run ["${x", "${}"] }
}`, []string{`3:18: unclosed ${: a reference ends with } | hint: write $${ for a literal ${`, `3:25: empty reference ${}`}},
		{"pipeline image may use only Argo variables", `pipeline p {
  param tag = "1"
  image "a:${tag}"
  step a { run ["x"] }
}`, []string{`3:12: an image cannot use ${tag}: only Argo's workflow variables are available here`}},
		{"loop variable: unknown key", `pipeline p {
  image "a"
  step a for t in [{name: "x"}, {name: "y", size: 1}] { run ["${t.size}", "${t.nme}"] }
}`, []string{
			`3:63: ${t.size}: not every loop item has the key "size" | hint: the keys are: name`,
			`3:76: ${t.nme}: not every loop item has the key "nme" | hint: did you mean ${t.name}?`}},
		{"loop variable: map used whole, scalar with field", `pipeline p {
  image "a"
  step a for t in [{name: "x"}] { run ["${t}"] }
  step b for s in ["x"] { run ["${s.name}"] }
}`, []string{
			`3:41: ${t} is a map; use one of its keys | hint: for example ${t.name}`,
			`4:33: ${s.name}: the items of this loop are not maps | hint: use ${s}`}},
		{"loop variable outside its step", `pipeline p {
  image "a"
  step a for item in ["x"] { run ["${item}"] }
  step b { run ["${item}"] }
}`, []string{`4:18: unknown reference ${item}: no parameter, step or loop variable "item"`}},
		{"template sees only its parameters", `template t(msg: string) { run ["${msg}", "${mgs}", "${date}"] }
pipeline p {
  image "a"
  param date = "x"
  step a uses t(msg = "hi")
}`, []string{
			`1:43: unknown reference ${mgs} in template "t" | hint: did you mean ${msg}?`,
			`1:53: unknown reference ${date} in template "t" | hint: a template sees only its own parameters (msg) and Argo's variables; pass values as arguments`}},
		{"handler output in a main step", `pipeline p {
  image "a"
  step a { run ["${h.result}"] }
  on exit step h { run ["x"] }
}`, []string{`3:18: ${h.result}: exit and failure handlers run after the main steps and cannot exchange outputs with them`}},
		{"main step output in a handler", `pipeline p {
  image "a"
  step a { run ["x"] }
  on failure step h { run ["${a.result}"] }
}`, []string{`4:29: ${a.result}: exit and failure handlers run after the main steps and cannot exchange outputs with them`}},
		{"after a handler", `pipeline p {
  image "a"
  step a after h { run ["x"] }
  on exit step h { run ["x"] }
}`, []string{`3:16: step "a" cannot depend on "h": exit and failure handlers run after the main steps, separately`}},
		{"unknown step in after", `pipeline p {
  image "a"
  step extract { run ["x"] }
  step b after extrat { run ["y"] }
}`, []string{`4:16: unknown step "extrat" | hint: did you mean "extract"?`}},
		{"after itself", `pipeline p {
  image "a"
  step a after a { run ["x"] }
}`, []string{`3:16: step "a" cannot run after itself`}},
		{"unknown volume", `pipeline p {
  image "a"
  volume data = empty_dir()
  step a { run ["x"] mount dta at "/d" mount x at "rel" }
}`, []string{
			`4:28: unknown volume "dta" | hint: did you mean "data"?`,
			`4:46: unknown volume "x" | hint: declare it in the pipeline: volume x = pvc("claim-name")`,
			`4:51: mount path "rel" must be absolute`}},
		{"unknown template", `template train() { run ["x"] }
pipeline p {
  image "a"
  step a uses trian()
  step b uses nothing()
}`, []string{`4:15: unknown template "trian" | hint: did you mean "train"?`, `5:15: unknown template "nothing"`}},
	})
}

func TestCheckCycles(t *testing.T) {
	runCkCases(t, []ckCase{
		{"two steps", `pipeline p {
  image "a"
  step a after b { run ["x"] }
  step b after a { run ["y"] }
}`, []string{`4:16: dependency cycle: a -> b -> a | hint: a step cannot (even indirectly) wait for itself`}},
		{"through an output", `pipeline p {
  image "a"
  step a after c { run ["x"] }
  step b after a { run ["y"] }
  step c { run ["${b.result}"] }
}`, []string{`4:16: dependency cycle: a -> c -> b -> a`}},
		{"two separate cycles", `pipeline p {
  image "a"
  step a after b { run ["x"] }
  step b after a { run ["y"] }
  step c after d { run ["x"] }
  step d after c { run ["y"] }
}`, []string{`4:16: dependency cycle: a -> b -> a`, `6:16: dependency cycle: c -> d -> c`}},
	})
}

func TestCheckValues(t *testing.T) {
	runCkCases(t, []ckCase{
		{"durations", `pipeline p {
  image "a"
  timeout 10
  ttl "1h"
  step a { run ["x"] timeout 0s }
}`, []string{
			`3:11: expected a duration, got int | hint: write 10s for seconds or 10m for minutes`,
			`4:7: expected a duration, got string | hint: write it without quotes: 1h`,
			`5:30: a duration must be greater than zero`}},
		{"retry limit", `pipeline p {
  image "a"
  retry -1
  step a { run ["x"] retry many }
  step b { run ["x"] retry 2.5 }
}`, []string{
			`3:9: the retry limit must be 0 or more, got -1`,
			`4:28: the retry limit must be a whole number, got reference`,
			`5:28: the retry limit must be a whole number, got float`}},
		{"retry backoff and factor", `pipeline p {
  image "a"
  step a { run ["x"] retry 3 backoff 1 }
  step f { run ["x"] retry 3 backoff 1s cap 1.5 }
  step b { run ["x"] retry 3 backoff 10s factor 0 }
  step e { run ["x"] retry 3 backoff 10s factor 1.5 }
  step c { run ["x"] retry 3 backoff 10s backoff 20s }
}`, []string{
			`3:38: expected a duration, got int | hint: write 1s for seconds or 1m for minutes`,
			`4:45: expected a duration, got float | hint: write it with a unit: 30s, 5m, 2h or 1d`,
			`5:49: the backoff factor must be at least 1, got 0`,
			`6:49: the backoff factor must be a whole number: Argo rejects 1.5 | hint: use 2 or 3`,
			`7:42: retry option "backoff" is given twice`}},
		{"retry options need a backoff", `pipeline p {
  image "a"
  step a { run ["x"] retry 3 max 5m cap 1m factor 2 }
}`, []string{
			`3:22: retry factor needs a backoff duration | hint: add backoff 10s`,
			`3:30: retry max needs a backoff: Argo fails at run time on a backoff without a duration`,
			`3:37: retry cap needs a backoff`}},
		{"retry policy and when", `pipeline p {
  image "a"
  step a { run ["x"] retry 3 policy on_failur }
  step b { run ["x"] retry 3 policy "always" }
  step c { run ["x"] retry 3 when lastRetry }
  step d { run ["x"] retry 3 when " " }
}`, []string{
			`3:37: unknown retry policy "on_failur" | hint: did you mean "on_failure"?`,
			`4:37: the retry policy must be one of: always, on_error, on_failure, on_transient_error`,
			`5:35: retry when takes an Argo expression in quotes, got reference`,
			`6:8: step "d" is not memoized: its retry has a when expression`,
			`6:35: the retry expression is empty`}},
		{"memoize", `pipeline p {
  image "a"
  memoize off max_age 1h
  step a { run ["x"] memoize max_age 10 }
  on exit step h { run ["x"] memoize on }
}`, []string{
			`3:23: max_age has no effect when memoization is off`,
			`4:38: expected a duration, got int`,
			`5:30: exit and failure handlers and hooks are never memoized: they must run every time their event happens`}},
		{"param types", `pipeline p {
  image "a"
  param n: int = "3"
  param f: float = true
  param b: bool = 1
  param s = 3
  param k: widget = "x"
  param m = "a" one_of ["b", "c"]
  param e: int = 1 one_of [1, "2"]
  step a { run ["x"] }
}`, []string{
			`3:18: the default of n must be of type int, got string`,
			`4:20: the default of f must be of type float, got bool`,
			`5:19: the default of b must be of type bool, got int`,
			`6:13: the default of s must be a string, got int | hint: quote it, or give the parameter a type: param s: int = 3`,
			`7:12: unknown parameter type "widget" | hint: one of: bool, float, int, json, string`,
			`8:13: default "a" is not one of the allowed values b, c`,
			`9:31: a value of e must be of type int, got string`}},
		{"template arguments", `template t(n: int, s: string, b: bool = false) { run ["${n}", "${s}", "${b}"] }
pipeline p {
  image "a"
  step a uses t(n = "x", s = 1, extra = 2)
  step b uses t(s = "x")
  step c uses t(n = 1, s = "x", n = 2)
  step d uses t(n = 1.5, s = "x", b = "yes")
}`, []string{
			`4:21: argument "n" of template "t" must be of type int, got string`,
			`4:30: argument "s" of template "t" must be a string, got int`,
			`4:33: template "t" has no parameter "extra"`,
			`5:15: template "t" needs argument "n" (int) | hint: add n = ... to the call`,
			`6:33: argument "n" is given twice`,
			`7:21: argument "n" of template "t" must be of type int, got float`,
			`7:39: argument "b" of template "t" must be of type bool, got string`}},
		{"unknown template parameter type", `template t(n: integer) { run ["${n}"] }
pipeline p {
  image "a"
  step a uses t(n = 1)
  step b uses t(n = 2)
}`, []string{
			// Reported once; the arguments are not checked against an unknown type.
			`1:15: unknown parameter type "integer" | hint: one of: bool, float, int, json, string`}},
		{"words", `pipeline p {
  image "a"
  pod_gc on_success
  kind cron
  toleration "k" exists effect no_sched
  volume v = nfs("x")
  step a { run ["x"] script ruby2 "x" }
}`, []string{
			`3:10: unknown pod_gc strategy "on_success"`,
			`4:8: unknown kind "cron"`,
			`5:32: unknown toleration effect "no_sched" | hint: did you mean "no_schedule"?`,
			`6:14: unknown volume source "nfs"`,
			`7:22: step "a" has both run and script; use one`,
			`7:29: unknown script language "ruby2"`}},
		{"quantities and run lists", `pipeline p {
  image "a"
  parallelism 0
  step a { run ["x", 1] cpu "lots" memory 1m }
  step b { run [] gpu 1 limit 2 }
  volume v = new_pvc("big")
}`, []string{
			`3:15: parallelism must be at least 1, got 0`,
			`4:22: run takes strings; quote int | hint: write "1"`,
			`4:29: invalid cpu quantity "lots"`,
			`4:43: a memory quantity must be a whole number of bytes, got 1m | hint: m means thousandths: for mebibytes write 1Mi`,
			`5:8: step "b" has nothing to run`,
			`5:16: run needs at least one element`,
			`5:31: a gpu count is already a limit`,
			`6:10: volume "v" is a claim made for every run (spec.volumeClaimTemplates), but no step mounts it | hint: mount it in the steps that share it: mount v at "/work"; or remove it`,
			`6:22: invalid size "big"`}},
		{"schedules", `pipeline p {
  image "a"
  schedule "every day"
  schedule "0 3 * * *" timezone "UTC"
  schedule "0 4 * * *" timezone "Europe/Paris"
  param req
  step a { run ["x"] }
}`, []string{
			`3:12: invalid schedule "every day": expected exactly 5 fields, found 2: [every day]`,
			`5:33: all schedules of a pipeline share one timezone`,
			`6:3: parameter "req" has no value, but a scheduled pipeline runs unattended | hint: give it a default: param req = "..."`}},
		{"schedule and workflow_template", `pipeline p {
  image "a"
  kind workflow_template
  schedule "0 2 * * *"
  step a { run ["x"] }
}`, []string{`3:3: a pipeline with a schedule is a CronWorkflow; it cannot also be a workflow_template`}},
		{"cluster_workflow_template with a namespace", `pipeline p {
  namespace "etl"
  kind cluster_workflow_template
  image "a" step a { run ["x"] }
}`, []string{`3:3: a cluster_workflow_template belongs to the whole cluster; it cannot have a namespace | hint: remove the namespace statement, or use kind workflow_template`}},
		{"loops", `pipeline p {
  image "a"
  step a for x in [] { run ["x"] }
  step b for x in range(3, 3) { run ["${x}"] }
  step c for x in [{k: "v"}, "s"] { run ["${x}"] }
  step d for x in range(1, 2, 3) { run ["${x}"] }
  step e for x in rnge(3) { run ["${x}"] }
  step f for x in true { run ["${x}"] }
  step g for x in z { run ["${x}"] }
  step z { run ["x"] }
}`, []string{
			`3:19: the loop list is empty: the step would never run`,
			`4:19: range(3, 3) is empty: the end is excluded`,
			`5:30: loop item 2 is a string but earlier items are maps: all items must be of one kind`,
			`6:19: range takes (end), (start, end), (start, through = last) or (start, count = n), got 3 arguments`,
			`7:19: unknown loop source "rnge"`,
			`8:19: cannot loop over bool`,
			`9:19: step "z" does not loop; loop over one of its outputs instead, such as z.result`}},
		{"ranges", `pipeline p {
  image "a"
  param n: int = 3
  step a for i in range(1, n) { run ["${i}"] }
  step b for i in range(1, through = n, format = "x%s") { run ["${i}"] }
  step c for i in range(count = 0) { run ["${i}"] }
  step d for i in range(0) { run ["${i}"] }
  step e for i in range(1, thru = 4) { run ["${i}"] }
  step f for i in range(1, count = 4, through = 3) { run ["${i}"] }
  step g for i in range(1, through = nope, format = "a%db%d") { run ["${i}"] }
  step h for i in range(1, 2, through = 3) { run ["${i}"] }
  step k for i in range(count = n, format = "\"%d") { run ["${i}"] }
  step ok1 for i in range(5, -1) { run ["${i}"] }
  step ok2 for i in range(g.result, through = 0, format = "%03X") { run ["${i}"] }
  step ok3 for i in range("${n}") { run ["${i}"] }
}`, []string{
			`4:28: range(start, end) excludes its end, which Argo cannot compute from a reference`,
			`5:50: format "x%s": %s does not format a whole number`,
			`6:33: range(count = 0) is empty`,
			`7:19: range(0) is empty`,
			`8:28: unknown argument of range "thru"`,
			`9:28: range takes through or count, not both`,
			`10:38: unknown reference ${nope}`,
			`10:53: format "a%db%d" must have exactly one verb for the number, has 2`,
			`11:28: range(start, through = ...) takes one positional bound, the start`,
			`12:45: format "\"%d" writes "\"0", which Argo cannot read back as an item`}},
		{"steps without body or image", `pipeline p {
  step a
  step b { env X = "1" }
  step c { run ["x"] }
}`, []string{
			`2:8: step "a" has nothing to run`,
			`3:8: step "b" has no image`,
			`3:8: step "b" has nothing to run`,
			`4:8: step "c" has no image | hint: set image "..." in the step, or a default image in the pipeline`}},
		{"ref step with a body", `pipeline p {
  step a uses ref("wt", "t") { run ["x"] }
}`, []string{`2:32: a step that uses ref(...) runs the referenced template as it is; it cannot have a body`}},
		{"env sources", `pipeline p {
  image "a"
  step a { run ["x"] env A = secret("s") env B = vault("s", "k") env C = [1] env A = "2" }
}`, []string{
			`3:30: secret() takes a name and a key: secret("name", "key")`,
			`3:50: unknown env source "vault"`,
			`3:74: an env value must be a string, secret(...) or config_map(...), got list`}},
	})
}

// Several errors in one file come back in source order, across parse and
// check errors.
func TestCheckSeveralErrorsInOrder(t *testing.T) {
	_, got := ckCompile(map[string]string{"p.pipe": `pipeline p {
  image "a"
  step a { runn ["x"] }
  step b { run ["${zz}"] }
  timeout 5
  step c after nope { run ["x"] }
}`}, "p.pipe")
	want := []string{`3:12: unknown statement "runn" in a step`, `4:18: unknown reference ${zz}`, `5:11: expected a duration`, `6:16: unknown step "nope"`}
	if len(got) != len(want) {
		t.Fatalf("got:\n\t%s", strings.Join(got, "\n\t"))
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("diagnostic %d: %s, want %s", i, got[i], want[i])
		}
	}
}

func TestCheckImports(t *testing.T) {
	runCkFilesCases(t, []ckFilesCase{
		{ckCase{"missing import", `import "lib.pipe"
pipeline p { image "a" step a { run ["x"] } }`, []string{`1:8: cannot read imported file lib.pipe: file does not exist`}}, nil},
		{ckCase{"not a .pipe file", `import "lib"
pipeline p { image "a" step a { run ["x"] } }`, []string{`1:8: import "lib": only .pipe files can be imported | hint: write import "lib.pipe"`}}, nil},
		{ckCase{"self import", `import "p.pipe"
pipeline p { image "a" step a { run ["x"] } }`, []string{`1:8: a file cannot import itself`}}, nil},
		{ckCase{"import cycle", `import "a.pipe"
pipeline p { image "a" step s uses t() }`, []string{`b.pipe:1:8: import cycle: a.pipe -> b.pipe -> a.pipe`}},
			map[string]string{"a.pipe": "import \"b.pipe\"\ntemplate t() { run [\"x\"] }\n", "b.pipe": "import \"a.pipe\"\n"}},
		{ckCase{"template from an import", `import "lib/t.pipe"
pipeline p { image "a" step s uses t(x = "1") step u uses hidden() }`, []string{`2:59: unknown template "hidden"`}},
			map[string]string{"lib/t.pipe": "template t(x: string) { run [\"${x}\"] }\n"}},
		{ckCase{"errors in an imported file", `import "lib.pipe"
pipeline p { image "a" step s uses t() }`, []string{`lib.pipe:1:16: unknown statement "rn" in a step | hint: did you mean "run"?`}},
			map[string]string{"lib.pipe": "template t() { rn [\"x\"] }\n"}},
	})
}

func TestCheckParamOverrides(t *testing.T) {
	src := `pipeline p {
  image "a"
  param region
  param count: int = 1
  param mode = "fast" one_of ["fast", "full"]
  step a { run ["${region}", "${count}", "${mode}"] }
}`
	tests := []struct {
		params []KV
		want   []string
	}{
		{[]KV{{"count", "2"}}, []string{`3:9: required parameter "region" has no value | hint: add -p region=VALUE`}},
		{[]KV{{"regon", "eu"}}, []string{`-p: unknown parameter "regon" | hint: did you mean -p region=eu?`, `3:9: required parameter "region" has no value`}},
		{[]KV{{"region", "eu"}, {"count", "x"}, {"mode", "slow"}}, []string{`-p: parameter "count": "x" is not an int`, `-p: parameter "mode": "slow" is not one of fast, full`}},
		{[]KV{{"region", "eu"}, {"run_id", "r1"}}, nil},
	}
	for _, tt := range tests {
		res, got := ckCompile(map[string]string{"p.pipe": src}, "p.pipe", tt.params...)
		for i := range got {
			got[i] = strings.TrimPrefix(got[i], "0:0: ")
			if strings.HasPrefix(got[i], "-p:0:0: ") {
				got[i] = "-p: " + strings.TrimPrefix(got[i], "-p:0:0: ")
			}
		}
		ok := len(got) == len(tt.want)
		for i := 0; ok && i < len(got); i++ {
			ok = strings.Contains(got[i], tt.want[i])
		}
		if !ok {
			t.Errorf("-p %v: diagnostics\n\t%s\nwant\n\t%s", tt.params, strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
		}
		if tt.want == nil && len(res.Outputs) != 1 {
			t.Errorf("-p %v: no output", tt.params)
		}
	}
}

func TestCheckRaw(t *testing.T) {
	runCkCases(t, []ckCase{
		{"unknown field in a pipeline fragment", "pipeline p {\n  image \"a\"\n  raw \"\"\"\nhostNetwrk: true\n\"\"\"\n  step a { run [\"x\"] }\n}\n",
			[]string{`4:1: raw: unknown field "hostNetwrk" | hint: a pipeline's raw fragment is merged into the workflow spec`}},
		{"unknown field in a step fragment", "pipeline p {\n  image \"a\"\n  step a {\n    run [\"x\"]\n    raw `podSpecPatsh: x`\n  }\n}\n",
			[]string{`5:10: raw: unknown field "podSpecPatsh" | hint: a step's raw fragment is merged into its Argo template`}},
		{"a CronWorkflow field without a schedule", "pipeline p {\n  image \"a\"\n  raw \"\"\"\nconcurrencyPolicy: Forbid\n\"\"\"\n  step a { run [\"x\"] }\n}\n",
			[]string{`4:1: raw: unknown field "concurrencyPolicy" | hint: concurrencyPolicy is a field of a CronWorkflow's spec: it applies to a scheduled pipeline (add a schedule)`}},
		{"references in a pipeline fragment", "pipeline p {\n  image \"a\"\n  param n = \"1\"\n  raw \"\"\"\npodMetadata: {labels: {n: \"${n}\", s: \"${a.result}\", u: \"${nope}\"}}\n\"\"\"\n  step a { run [\"x\"] }\n}\n",
			[]string{`5:39: ${a.result}: a pipeline's raw fragment is merged into the workflow spec, where only parameters and Argo variables are known`, `5:57: unknown reference ${nope}`}},
		{"Argo rejects a raw field", "pipeline p {\n  image \"a\"\n  step a {\n    run [\"x\"]\n    raw \"\"\"\nparallelism: 2\nactiveDeadlineSeconds: \"x\"\n\"\"\"\n  }\n}\n",
			[]string{`7:1: Argo rejects the compiled Workflow: templates.main.tasks.a templates.a.activeDeadlineSeconds must be a positive integer`}},
		{"invalid YAML", "pipeline p {\n  image \"a\"\n  raw `a: [`\n  step a { run [\"x\"] }\n}\n",
			[]string{`3:7: raw: invalid YAML`}},
		{"empty fragment", "pipeline p {\n  image \"a\"\n  raw \"\"\"\n\"\"\"\n  step a { run [\"x\"] }\n}\n",
			[]string{`3:7: raw: the fragment is empty`}},
	})
}

// The volume of empty_dir() keeps its source in the YAML: "emptyDir: {}"
// is not noise to prune.
func TestEmitKeepsEmptyDir(t *testing.T) {
	res, diags := ckCompile(map[string]string{"p.pipe": `pipeline p {
  image "a"
  volume scratch = empty_dir()
  step a { run ["x"] mount scratch at "/s" }
}`}, "p.pipe")
	if len(diags) > 0 || len(res.Outputs) != 1 {
		t.Fatalf("diagnostics: %v", diags)
	}
	if y := string(res.Outputs[0].YAML); !strings.Contains(y, "- emptyDir: {}\n    name: scratch\n") {
		t.Errorf("no emptyDir source in:\n%s", y)
	}
}

// ${...} in raw: a step's fragment makes them inputs of its template (and
// of its memo key), a pipeline's names parameters; $${ is a literal ${; in
// a scheduled pipeline, a CronWorkflow-only field reaches its spec.
func TestLowerRawInterpolation(t *testing.T) {
	obj := compileOne(t, `
pipeline p {
  image "alpine"
  param zone = "eu"
  schedule "0 2 * * *"
  raw """
podMetadata:
  labels:
    zone: "${zone}"
concurrencyPolicy: Forbid
"""
  step a for part in ["1", "2"] {
    run ["echo", "$${HOME}"]
    raw """
nodeSelector:
  zone: "${zone}"
  part: "${part}"
  home: "$${HOME}"
"""
  }
}
`)
	cw := obj.CronWorkflow
	if cw == nil || cw.Spec.ConcurrencyPolicy != "Forbid" {
		t.Fatalf("the CronWorkflow's concurrencyPolicy is not set: %+v", cw)
	}
	spec := obj.Spec()
	if got := spec.PodMetadata.Labels["zone"]; got != "{{workflow.parameters.zone}}" {
		t.Errorf("pipeline raw label: %q", got)
	}
	a := template(t, spec, "a")
	ns := a.NodeSelector
	if ns["home"] != "${HOME}" || !strings.HasPrefix(ns["zone"], "{{inputs.parameters.") || !strings.HasPrefix(ns["part"], "{{inputs.parameters.") {
		t.Errorf("step raw nodeSelector: %v", ns)
	}
	ins := map[string]bool{}
	for _, p := range a.Inputs.Parameters {
		ins["{{inputs.parameters."+p.Name+"}}"] = true
	}
	if !ins[ns["zone"]] || !ins[ns["part"]] {
		t.Errorf("the raw references are not inputs of the template: %v, inputs %v", ns, ins)
	}
	if k := a.Memoize.Key; !strings.Contains(k, strings.TrimSuffix(strings.TrimPrefix(ns["zone"], "{{"), "}}")[len("inputs.parameters."):]) {
		t.Errorf("the memo key does not cover the raw reference: %s", k)
	}
}
