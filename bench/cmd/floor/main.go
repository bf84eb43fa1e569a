// Command floor is the whole-process floor of scripts/bench-process.sh
// (issue 14's "a Go program that only builds the same Argo objects and
// marshals them"): for bench.Pipeline's generated pipeline of n steps it
// builds, in plain Go with no parsing, checking or validation, the Argo
// Workflow that `pipec build` writes for it, and writes it as YAML with
// encoding/json and internal/yamlenc, pipec's pruning rules included. The
// test beside it holds its output byte for byte to pipec's, so the floor
// does exactly the work of producing pipec's bytes and nothing else
// (definition hashes of the memo keys included).
//
// -json argojson marshals with pipec's own generated encoder
// (internal/argojson: encoding/json's bytes without reflection) instead:
// a stricter floor, the least this work costs with the fastest encoders at
// hand.
//
//	floor -n 1000 -o out.yaml
//	floor -n 1000 -json argojson -o out.yaml
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/pipec/pipec/internal/argojson"
	"github.com/pipec/pipec/internal/argojson/argoshape"
	"github.com/pipec/pipec/internal/yamlenc"
)

func main() {
	n := flag.Int("n", 1000, "number of steps (as genpipe -n)")
	out := flag.String("o", "", "output file (default standard output)")
	enc := flag.String("json", "encoding/json", "JSON encoder: encoding/json or argojson")
	flag.Parse()
	if err := run(*n, *enc, *out); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(n int, enc, out string) error {
	if n < 1 {
		return fmt.Errorf("-n must be at least 1")
	}
	marshal, ok := encoders[enc]
	if !ok {
		return fmt.Errorf("-json %q: want encoding/json or argojson", enc)
	}
	y, err := render(n, marshal)
	if err != nil {
		return err
	}
	if out == "" {
		_, err = os.Stdout.Write(y)
		return err
	}
	return os.WriteFile(out, y, 0o644)
}

// encoders are the JSON encoders of -json.
var encoders = map[string]func(any) ([]byte, error){
	"encoding/json": json.Marshal,
	"argojson":      argojson.Marshal,
}

// render builds the workflow of n steps and marshals it to YAML.
func render(n int, marshal func(any) ([]byte, error)) ([]byte, error) {
	wf, err := workflow(n, marshal)
	if err != nil {
		return nil, err
	}
	j, err := marshal(wf)
	if err != nil {
		return nil, err
	}
	return yamlenc.FromJSON(make([]byte, 0, len(j)), j, yamlenc.Options{Prune: true})
}

const (
	runIDExpr     = "sprig.replace('{'+'{workflow.name}'+'}', workflow.name, sprig.replace('{'+'{workflow.uid}'+'}', workflow.uid, (workflow.parameters.retry_run_id != '' ? workflow.parameters.retry_run_id : (workflow.parameters.run_id != '' ? workflow.parameters.run_id : workflow.uid))))"
	image         = "ghcr.io/acme/etl:1.4"
	wrapperSuffix = "-with-retry"
)

// workflow is the Workflow of genpipe -n n, as pipec lowers it for Argo 4
// (memoize blocks in argoshape's v4 shape).
func workflow(n int, marshal func(any) ([]byte, error)) (*argoshape.WorkflowV4, error) {
	name := "gen-" + strconv.Itoa(n)
	b := &builder{
		marshal:   marshal,
		cacheName: "pipec-memo-" + name + "-{{=sprig.substr(0, 12, sprig.sha256sum(workflow.namespace + '/' + " + runIDExpr + "))}}",
		memos:     map[int]*argoshape.MemoizeV4{},
	}
	main := wfv1.Template{Name: "main", DAG: &wfv1.DAGTemplate{Tasks: make([]wfv1.DAGTask, 0, n)}}
	b.tmpls = make([]wfv1.Template, 2, 2*n+4)
	for i := 0; i < n; i++ {
		task, err := b.step(i)
		if err != nil {
			return nil, err
		}
		main.DAG.Tasks = append(main.DAG.Tasks, task)
	}
	b.tmpls[0] = main
	b.tmpls[1] = wfv1.Template{Name: "exit-handler", DAG: &wfv1.DAGTemplate{Tasks: []wfv1.DAGTask{
		{Name: "cleanup", Template: "cleanup"},
		{Name: "alert", Template: "alert", When: "{{workflow.status}} != Succeeded"},
	}}}
	b.tmpls = append(b.tmpls,
		handler("cleanup", []string{"sh", "-c", "echo {{workflow.status}} > /tmp/status"}, nil),
		handler("alert", []string{"notify.sh", "{{workflow.name}}", "{{workflow.failures}}"},
			[]apiv1.EnvVar{secretEnv("WEBHOOK", "alerts", "url")}))
	deadline, ttl := int64(21600), int32(86400)
	parallelism := int64(50)
	wf := &wfv1.Workflow{
		TypeMeta: metav1.TypeMeta{APIVersion: "argoproj.io/v1alpha1", Kind: "Workflow"},
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: name + "-",
			Labels:       map[string]string{"pipec.dev/pipeline": name, "team": "data"},
			Annotations:  map[string]string{"workflows.argoproj.io/description": "A generated pipeline for benchmarks."},
		},
		Spec: wfv1.WorkflowSpec{
			Entrypoint:            "main",
			OnExit:                "exit-handler",
			Parallelism:           &parallelism,
			ActiveDeadlineSeconds: &deadline,
			TTLStrategy:           &wfv1.TTLStrategy{SecondsAfterSuccess: &ttl},
			Arguments:             wfv1.Arguments{Parameters: workflowParameters()},
			Templates:             b.tmpls,
		},
	}
	tv4 := make([]argoshape.TemplateV4, len(b.tmpls))
	for i := range b.tmpls {
		tv4[i] = argoshape.TemplateV4{Template: &b.tmpls[i], Memoize: b.memos[i]}
	}
	return &argoshape.WorkflowV4{Workflow: wf, Spec: argoshape.SpecV4{WorkflowSpec: &wf.Spec, Templates: tv4}}, nil
}

func workflowParameters() []wfv1.Parameter {
	return []wfv1.Parameter{
		{Name: "date", Value: wfv1.AnyStringPtr("2024-01-01"), Description: wfv1.AnyStringPtr("The day to process.")},
		{Name: "shards", Value: wfv1.AnyStringPtr("4")},
		{Name: "mode", Value: wfv1.AnyStringPtr("full"), Enum: []wfv1.AnyString{"full", "delta"}},
		{Name: "run_id", Value: wfv1.AnyStringPtr(""), Description: wfv1.AnyStringPtr("Identity of this run for memoization; empty means the workflow's UID. Submit again with the same run_id to reuse the steps that succeeded.")},
		{Name: "retry_run_id", Value: wfv1.AnyStringPtr(""), Description: wfv1.AnyStringPtr("When resuming, the run_id of the run to resume; it takes precedence over run_id.")},
		{Name: "retry_indicator", Value: wfv1.AnyStringPtr(""), Description: wfv1.AnyStringPtr("Free-form retry marker (for example the attempt number), passed to every container as RETRY_INDICATOR.")},
	}
}

// A builder collects the templates of the steps (each a retry wrapper and
// its leaf) and the leaves' memoize blocks by template index.
type builder struct {
	marshal   func(any) ([]byte, error)
	cacheName string
	tmpls     []wfv1.Template
	memos     map[int]*argoshape.MemoizeV4
}

// A stepShape is what one generated step is made of: its task's
// arguments (name → value in the DAG) and the leaf's inputs, outputs
// and body.
type stepShape struct {
	args    []wfv1.Parameter // the task's arguments
	outputs []string         // output parameters, passed on by the wrapper
	leaf    wfv1.Template    // without name, inputs, memoize and RETRY_* env
	retry   *wfv1.RetryStrategy
	maxAge  string
}

// step adds step i's wrapper and leaf and returns its DAG task.
func (b *builder) step(i int) (wfv1.DAGTask, error) {
	name := "s" + strconv.Itoa(i)
	task := wfv1.DAGTask{Name: name, Template: name + wrapperSuffix}
	var s stepShape
	s.retry, s.maxAge = pipelineRetry(), "168h"
	switch i % 5 {
	case 0:
		s = producer(i, s)
	case 1:
		p := "s" + strconv.Itoa(i-1)
		task.Depends = p
		s = consumer(p, s)
	case 2:
		task.Depends = "s" + strconv.Itoa(i-1) + " && s" + strconv.Itoa(i-2)
		task.When = "{{workflow.parameters.mode}} == full"
		task.WithItems = []wfv1.Item{
			{Value: json.RawMessage(`{"region":"eu","size":1}`)},
			{Value: json.RawMessage(`{"region":"us","size":2}`)},
			{Value: json.RawMessage(`{"region":"ap","size":3}`)},
		}
		s = fanOut(s)
	case 3:
		p := "s" + strconv.Itoa(i-3)
		task.Depends = p
		task.WithSequence = &wfv1.Sequence{Start: intOrStr(0), End: intOrStr(3)}
		s = rangeScript(p, s)
	case 4:
		task.Depends = "s" + strconv.Itoa(i-1) + " && (s" + strconv.Itoa(i-2) + ".Succeeded || s" + strconv.Itoa(i-2) +
			".Failed || s" + strconv.Itoa(i-2) + ".Errored) && s" + strconv.Itoa(i-3)
		s.leaf = wfv1.Template{Container: &apiv1.Container{Image: image, Command: []string{"sh", "-c", "echo done " + strconv.Itoa(i)}}}
		s.maxAge = "24h"
	}
	if len(s.args) > 0 {
		task.Arguments.Parameters = s.args
	}
	return task, b.add(name, s)
}

// add appends a step's wrapper and leaf templates.
func (b *builder) add(name string, s stepShape) error {
	var ins []wfv1.Parameter
	var wrapArgs []wfv1.Parameter
	for _, a := range s.args {
		ins = append(ins, wfv1.Parameter{Name: a.Name})
		wrapArgs = append(wrapArgs, wfv1.Parameter{Name: a.Name, Value: wfv1.AnyStringPtr("{{inputs.parameters." + a.Name + "}}")})
	}
	wrapper := wfv1.Template{Name: name + wrapperSuffix, RetryStrategy: s.retry,
		Steps: []wfv1.ParallelSteps{{Steps: []wfv1.WorkflowStep{{Name: "run", Template: name, Arguments: wfv1.Arguments{Parameters: wrapArgs}}}}}}
	wrapper.Inputs.Parameters = ins
	for _, o := range s.outputs {
		wrapper.Outputs.Parameters = append(wrapper.Outputs.Parameters,
			wfv1.Parameter{Name: o, ValueFrom: &wfv1.ValueFrom{Parameter: "{{steps.run.outputs.parameters." + o + "}}"}})
	}
	leaf := s.leaf
	leaf.Name = name
	leaf.Inputs.Parameters = ins
	c := leaf.Container
	if leaf.Script != nil {
		c = &leaf.Script.Container
	}
	c.Env = append([]apiv1.EnvVar{secretEnv("API_TOKEN", "api", "token"), {Name: "LOG_LEVEL", Value: "info"}}, c.Env...)
	j, err := b.marshal(&leaf)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(j)
	key := name + "-" + hex.EncodeToString(sum[:5]) + "-{{=sprig.substr(0, 20, sprig.sha256sum(toJson([" + runIDExpr
	for _, in := range ins {
		key += ", inputs.parameters['" + in.Name + "']"
	}
	memo := &argoshape.MemoizeV4{Key: key + "])))}}", MaxAge: s.maxAge}
	memo.Cache = &struct {
		ConfigMap *apiv1.LocalObjectReference `json:"configMap"`
	}{ConfigMap: &apiv1.LocalObjectReference{Name: b.cacheName}}
	c.Env = append(c.Env, retryEnv()...)
	b.tmpls = append(b.tmpls, wrapper, leaf)
	b.memos[len(b.tmpls)-1] = memo
	return nil
}

func producer(i int, s stepShape) stepShape {
	s.args = []wfv1.Parameter{
		{Name: "date", Value: wfv1.AnyStringPtr("{{workflow.parameters.date}}")},
		{Name: "mode", Value: wfv1.AnyStringPtr("{{workflow.parameters.mode}}")},
	}
	s.outputs = []string{"rows", "path"}
	s.leaf = wfv1.Template{
		ActiveDeadlineSeconds: intOrStr(1800),
		Container: &apiv1.Container{
			Image:   image,
			Command: []string{"python", "extract.py", "--date", "{{inputs.parameters.date}}", "--part", strconv.Itoa(i), "--mode", "{{inputs.parameters.mode}}"},
			Env:     []apiv1.EnvVar{{Name: "PART", Value: strconv.Itoa(i)}},
			Resources: apiv1.ResourceRequirements{
				Limits:   apiv1.ResourceList{apiv1.ResourceCPU: resource.MustParse("1"), apiv1.ResourceMemory: resource.MustParse("1Gi")},
				Requests: apiv1.ResourceList{apiv1.ResourceCPU: resource.MustParse("500m"), apiv1.ResourceMemory: resource.MustParse("256Mi")},
			},
		},
	}
	s.leaf.Outputs.Parameters = []wfv1.Parameter{
		{Name: "rows", ValueFrom: &wfv1.ValueFrom{Path: "/tmp/rows.txt"}},
		{Name: "path", ValueFrom: &wfv1.ValueFrom{Path: "/tmp/path.txt", Default: wfv1.AnyStringPtr("none")}},
	}
	return s
}

func consumer(p string, s stepShape) stepShape {
	s.args = []wfv1.Parameter{
		{Name: p + "-rows", Value: wfv1.AnyStringPtr("{{tasks." + p + ".outputs.parameters.rows}}")},
		{Name: p + "-path", Value: wfv1.AnyStringPtr("{{tasks." + p + ".outputs.parameters.path}}")},
	}
	s.retry = &wfv1.RetryStrategy{Limit: intOrStr(5), Backoff: &wfv1.Backoff{Duration: "5s"}}
	s.leaf = wfv1.Template{Container: &apiv1.Container{
		Image:   "ghcr.io/acme/transform:2.0",
		Command: []string{"python", "transform.py", "{{inputs.parameters." + p + "-rows}}", "{{inputs.parameters." + p + "-path}}"},
		Env:     []apiv1.EnvVar{{Name: "INPUT", Value: "{{inputs.parameters." + p + "-path}}/in"}},
	}}
	return s
}

func fanOut(s stepShape) stepShape {
	s.args = []wfv1.Parameter{
		{Name: "r-region", Value: wfv1.AnyStringPtr("{{item.region}}")},
		{Name: "r-size", Value: wfv1.AnyStringPtr("{{item.size}}")},
		{Name: "date", Value: wfv1.AnyStringPtr("{{workflow.parameters.date}}")},
		{Name: "pipec-item", Value: wfv1.AnyStringPtr("{{item}}")},
	}
	s.leaf = wfv1.Template{Container: &apiv1.Container{
		Image:     image,
		Command:   []string{"python", "shard.py", "{{inputs.parameters.r-region}}", "{{inputs.parameters.r-size}}", "{{inputs.parameters.date}}"},
		Resources: apiv1.ResourceRequirements{Requests: apiv1.ResourceList{apiv1.ResourceMemory: resource.MustParse("128Mi")}},
	}}
	return s
}

func rangeScript(p string, s stepShape) stepShape {
	s.args = []wfv1.Parameter{
		{Name: "k", Value: wfv1.AnyStringPtr("{{item}}")},
		{Name: p + "-rows", Value: wfv1.AnyStringPtr("{{tasks." + p + ".outputs.parameters.rows}}")},
		{Name: "shards", Value: wfv1.AnyStringPtr("{{workflow.parameters.shards}}")},
	}
	s.leaf = wfv1.Template{Script: &wfv1.ScriptTemplate{
		Container: apiv1.Container{
			Image:     image,
			Command:   []string{"python"},
			Resources: apiv1.ResourceRequirements{Requests: apiv1.ResourceList{apiv1.ResourceCPU: resource.MustParse("250m")}},
		},
		Source: "\nimport sys\nprint(\"{{inputs.parameters.k}}\", \"{{inputs.parameters." + p + "-rows}}\", \"{{inputs.parameters.shards}}\")\n",
	}}
	return s
}

// handler is an exit handler's template: the pipeline's retry and env,
// no memoization.
func handler(name string, command []string, env []apiv1.EnvVar) wfv1.Template {
	env = append(append([]apiv1.EnvVar{secretEnv("API_TOKEN", "api", "token"), {Name: "LOG_LEVEL", Value: "info"}}, env...), retryEnv()...)
	return wfv1.Template{Name: name, RetryStrategy: pipelineRetry(), Container: &apiv1.Container{Image: image, Command: command, Env: env}}
}

func pipelineRetry() *wfv1.RetryStrategy {
	return &wfv1.RetryStrategy{Limit: intOrStr(3), Backoff: &wfv1.Backoff{Duration: "10s", Factor: intOrStr(2), MaxDuration: "5m"}}
}

func retryEnv() []apiv1.EnvVar {
	return []apiv1.EnvVar{
		{Name: "RETRY_RUN_ID", Value: "{{=" + runIDExpr + "}}"},
		{Name: "RETRY_INDICATOR", Value: "{{workflow.parameters.retry_indicator}}"},
	}
}

func secretEnv(name, secret, key string) apiv1.EnvVar {
	return apiv1.EnvVar{Name: name, ValueFrom: &apiv1.EnvVarSource{SecretKeyRef: &apiv1.SecretKeySelector{
		LocalObjectReference: apiv1.LocalObjectReference{Name: secret}, Key: key}}}
}

func intOrStr(n int) *intstr.IntOrString {
	v := intstr.FromString(strconv.Itoa(n))
	return &v
}
