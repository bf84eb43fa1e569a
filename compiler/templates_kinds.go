// Template kinds: what a step runs. A container or script (body.go), a
// template of a WorkflowTemplate (ref), or one of Argo's other kinds:
// suspend, a Kubernetes resource, an HTTP request; and daemon containers.
// The checker reads their statements here; templates_kinds_lower.go makes
// the Argo template.

package compiler

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	apiv1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/pipec/pipec/dsl"
)

// Step kinds, for messages and checks.
const (
	kindContainer = "container"
	kindRef       = "ref(...)"
	kindSuspend   = "suspend"
	kindResource  = "resource"
	kindHTTP      = "http"
)

// SuspendBody is what a suspend step waits for.
type SuspendBody struct {
	Duration *Text // nil: until resumed
}

// ResourceBody is a step that acts on a Kubernetes object.
type ResourceBody struct {
	Action        string
	Manifest      *Text
	MergeStrategy string
	// stmt is the manifest's statement (checked once the body is known).
	stmt *dsl.ManifestStmt
}

// HTTPBody is a step that sends an HTTP request.
type HTTPBody struct {
	Method string
	URL    *Text
	Body   *Text
}

// HTTPHeader is one request header: a value or a secret's key.
type HTTPHeader struct {
	Name   string
	Value  *Text
	Secret *apiv1.SecretKeySelector
}

// KindOptions are the statements that qualify a step's kind, checked
// against it once the whole body is read.
type KindOptions struct {
	Success, Failure *Text
	Flags            []*Text
	OwnerRef         bool
	Headers          []*HTTPHeader
	Insecure         bool
	// nodes holds where each option was set, by keyword.
	nodes map[string]dsl.Node
	order []string
}

var (
	resourceActions  = []string{"create", "apply", "patch", "replace", "delete", "get"}
	mergeStrategies  = []string{"json", "merge", "strategic"}
	httpMethods      = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
	optionKinds      = map[string][]string{"success": {kindResource, kindHTTP}, "failure": {kindResource}, "flags": {kindResource}, "set_owner_reference": {kindResource}, "merge_strategy": {kindResource}, "header": {kindHTTP}, "body": {kindHTTP}, "insecure_skip_verify": {kindHTTP}, "daemon": {kindContainer}, "ready": {kindContainer}, "filter": {kindData}, "map": {kindData}, "transform": {kindData}}
	outputSourceKind = map[string]string{"file": kindContainer, "supplied": kindSuspend, "json_path": kindResource, "jq_filter": kindResource}
)

// aKind is a kind with its article, for messages: "a suspend", "an HTTP".
func aKind(kind string) string {
	switch kind {
	case kindHTTP:
		return "an HTTP"
	case kindRef:
		return "a ref(...)"
	}
	return "a " + kind
}

// stepItems returns the statements of a step and of the template it uses.
func (c *checker) stepItems(st *Step) []*dsl.StepItem {
	items := st.Decl.Items
	for _, cl := range st.Decl.Clauses {
		if cl.Uses != nil && cl.Uses.Template != nil {
			if t := c.templatesFor(st.Pipeline.File.Name)[cl.Uses.Template.Name]; t != nil {
				items = append(append([]*dsl.StepItem{}, t.Items...), items...)
			}
		}
	}
	return items
}

// stepKind says what kind of template a step runs, from its declaration
// (references may point at steps not checked yet).
func (c *checker) stepKind(st *Step) string {
	if usesRef(st.Decl) {
		return kindRef
	}
	for _, cl := range st.Decl.Clauses {
		if cl.Uses != nil && cl.Uses.Template != nil {
			if t := c.templatesFor(st.Pipeline.File.Name)[cl.Uses.Template.Name]; t != nil && isComposite(t) {
				return kindComposite
			}
		}
	}
	for _, it := range c.stepItems(st) {
		switch it.Stmt.(type) {
		case *dsl.SuspendStmt:
			return kindSuspend
		case *dsl.ManifestStmt:
			return kindResource
		case *dsl.HTTPStmt:
			return kindHTTP
		case *dsl.DataStmt:
			return kindData
		}
	}
	return kindContainer
}

// isDaemon reports whether a step is a daemon step.
func (c *checker) isDaemon(st *Step) bool {
	for _, it := range c.stepItems(st) {
		if s, ok := it.Stmt.(*dsl.SwitchStmt); ok && s.Kind == "daemon" {
			return true
		}
	}
	return false
}

// kindStmt checks one statement of a template kind into the step's body.
func (c *checker) kindStmt(sc *scope, st *Step, n dsl.StepStmt, single func(string, dsl.Node) bool) {
	b := st.Body
	opt := func(key string) bool {
		if b.Options.nodes == nil {
			b.extra().Options.nodes = map[string]dsl.Node{}
		}
		if key != "header" && !single(key, n) {
			return false
		}
		if _, ok := b.Options.nodes[key]; !ok {
			b.extra().Options.order = append(b.Options.order, key)
			b.extra().Options.nodes[key] = n
		}
		return true
	}
	setKind := func(kind, key string) bool {
		if !single(key, n) {
			return false
		}
		if b.Kind != "" {
			c.errorf(n, "step %q is already %s step; a step runs one thing", st.Name, aKind(b.Kind)).WithHint("split it into two steps")
			return false
		}
		b.Kind = kind
		return true
	}
	switch s := n.(type) {
	case *dsl.SuspendStmt:
		if !setKind(kindSuspend, "suspend") {
			return
		}
		b.extra().Suspend = &SuspendBody{}
		switch {
		case s.Duration != nil:
			v := &dsl.Value{Span: s.Span, Duration: s.Duration}
			if d, ok := c.duration(v); ok {
				b.Suspend.Duration = &Text{Value: argoDuration(d)}
			}
		case s.Str != nil:
			b.Suspend.Duration = c.runtimeDuration(sc, s.Str, "suspend")
		}
	case *dsl.ManifestStmt:
		if !setKind(kindResource, "resource") {
			return
		}
		b.extra().Resource = &ResourceBody{Action: s.Action.Name, stmt: s}
		if s.Manifest != nil {
			b.Resource.Manifest = c.text(sc, s.Manifest)
			// A manifest in """...""" starts on the line after the quotes.
			b.Resource.Manifest.Value = strings.TrimLeft(b.Resource.Manifest.Value, "\r\n")
		}
		if !contains(resourceActions, s.Action.Name) {
			c.unknownWord(s.Action, "resource action", resourceActions)
		}
	case *dsl.HTTPStmt:
		if !setKind(kindHTTP, "http") {
			return
		}
		method := strings.ToUpper(s.Method.Name)
		if !contains(httpMethods, method) {
			c.unknownWord(s.Method, "HTTP method", httpMethods)
		}
		b.extra().HTTP = &HTTPBody{Method: method, URL: c.text(sc, s.URL)}
		if u := b.HTTP.URL.Value; !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "${") {
			c.errorf(s.URL, "the URL %q must start with http:// or https://", u)
		}
	case *dsl.DataStmt:
		if setKind(kindData, "data") {
			c.dataSource(sc, st, s)
		}
	case *dsl.TransformStmt:
		c.transform(st, s)
	case *dsl.ConditionStmt:
		if opt(s.Kind) {
			t := c.text(sc, s.Cond)
			if strings.TrimSpace(t.Value) == "" {
				c.errorf(s.Cond, "the %s condition is empty", s.Kind)
			}
			if s.Kind == "success" {
				b.extra().Options.Success = t
			} else {
				b.extra().Options.Failure = t
			}
		}
	case *dsl.FlagsStmt:
		if opt("flags") {
			for _, e := range s.List.Elems {
				if e.Str == nil {
					c.errorf(e, "flags takes a list of strings, got %s", e.Kind())
					continue
				}
				b.extra().Options.Flags = append(b.Options.Flags, c.text(sc, e.Str))
			}
		}
	case *dsl.SwitchStmt:
		if opt(s.Kind) {
			switch s.Kind {
			case "set_owner_reference":
				b.extra().Options.OwnerRef = true
			case "insecure_skip_verify":
				b.extra().Options.Insecure = true
			case "daemon":
				b.extra().Daemon = true
			}
		}
	case *dsl.MergeStrategyStmt:
		if opt("merge_strategy") {
			if !contains(mergeStrategies, s.Strategy.Name) {
				c.unknownWord(s.Strategy, "merge strategy", mergeStrategies)
			}
			b.extra().mergeStrategy = s.Strategy.Name
		}
	case *dsl.HeaderStmt:
		opt("header")
		c.header(sc, b, s)
	case *dsl.BodyStmt:
		if opt("body") {
			b.extra().httpBody = c.text(sc, s.Body)
		}
	case *dsl.ReadyStmt:
		if opt("ready") {
			b.extra().Ready = c.readiness(s)
		}
	}
}

func (c *checker) header(sc *scope, b *Body, s *dsl.HeaderStmt) {
	name := s.Name.Value()
	for _, h := range b.Options.Headers {
		if strings.EqualFold(h.Name, name) {
			c.errorf(s.Name, "header %q is set twice", name)
			return
		}
	}
	h := &HTTPHeader{Name: name}
	v := s.Value
	switch {
	case v.Str != nil:
		h.Value = c.text(sc, v.Str)
	case v.Call != nil && v.Call.Name.Name == "secret":
		args := c.stringArgs(v.Call)
		if len(args) != 2 {
			c.errorf(v.Call, `secret() takes a name and a key: secret("name", "key")`)
			return
		}
		h.Secret = &apiv1.SecretKeySelector{LocalObjectReference: apiv1.LocalObjectReference{Name: args[0]}, Key: args[1]}
	default:
		c.errorf(v, `a header value is a string or secret("name", "key"), got %s`, v.Kind())
		return
	}
	b.extra().Options.Headers = append(b.Options.Headers, h)
}

// checkManifest parses a manifest without references, as Argo would only at
// run time, and checks that it names the object it acts on. A patch whose
// flags name the object (kubectl patch pod NAME) needs only the patch: a
// JSON patch (merge_strategy json) is a list of operations, the others a
// partial object.
func (c *checker) checkManifest(s *dsl.ManifestStmt, r *ResourceBody, flags bool) {
	if s != nil && r.Manifest == nil {
		// kubectl delete or get with the objects named by the flags.
		switch {
		case r.Action != "delete" && r.Action != "get":
			c.errorf(s, "resource %s needs a manifest: the object to %s", r.Action, r.Action).
				WithHint(`give the object's YAML after the action: resource %s """apiVersion: ..."""`, r.Action)
		case !flags:
			c.errorf(s, "resource %s without a manifest needs flags naming the objects", r.Action).
				WithHint(`add flags ["configmap", "--selector", "app=x"] (kubectl %s's arguments), or give the manifest`, r.Action)
		}
		return
	}
	if s == nil || len(r.Manifest.Refs) > 0 || strings.Contains(r.Manifest.Value, "{{") {
		return
	}
	if r.Action == "patch" && r.MergeStrategy == "json" {
		var ops []map[string]any
		if err := yaml.Unmarshal([]byte(r.Manifest.Value), &ops); err != nil {
			c.errorf(s.Manifest, "a JSON patch (merge_strategy json) is a list of operations: %v", err).
				WithHint("write - op: add\n  path: /metadata/labels/x\n  value: y")
		}
		return
	}
	var obj map[string]any
	if err := yaml.Unmarshal([]byte(r.Manifest.Value), &obj); err != nil {
		c.errorf(s.Manifest, "the manifest is not valid YAML: %v", err)
		return
	}
	if r.Action == "patch" && flags {
		return
	}
	var missing []string
	for _, k := range []string{"apiVersion", "kind"} {
		if v, _ := obj[k].(string); v == "" {
			missing = append(missing, k)
		}
	}
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	gen, _ := meta["generateName"].(string)
	if name == "" && (gen == "" || r.Action != "create") {
		if r.Action == "create" {
			missing = append(missing, "metadata.name or metadata.generateName")
		} else {
			missing = append(missing, "metadata.name")
		}
	}
	if len(missing) > 0 {
		c.errorf(s.Manifest, "the manifest has no %s", strings.Join(missing, ", ")).
			WithHint("a %s acts on one object: give its apiVersion, kind and metadata.name", r.Action)
	}
}

// readiness checks a daemon's readiness probe.
func (c *checker) readiness(s *dsl.ReadyStmt) *apiv1.Probe {
	p := &apiv1.Probe{}
	port := 0
	if s.Port != nil {
		port, _ = strconv.Atoi(*s.Port)
		if port < 1 || port > 65535 {
			c.errorf(s, "port %d is not a TCP port (1 to 65535)", port)
		}
	}
	switch s.Kind {
	case "http":
		if s.Path == nil || s.Port == nil || s.Command != nil {
			c.errorf(s, `an HTTP readiness probe takes a path and a port: ready http "/healthz" port 8080`)
			return nil
		}
		p.HTTPGet = &apiv1.HTTPGetAction{Path: s.Path.Value(), Port: intstr.FromInt(port)}
	case "tcp":
		if s.Port == nil || s.Path != nil || s.Command != nil {
			c.errorf(s, `a TCP readiness probe takes a port: ready tcp port 5432`)
			return nil
		}
		p.TCPSocket = &apiv1.TCPSocketAction{Port: intstr.FromInt(port)}
	case "exec":
		if s.Command == nil || s.Path != nil || s.Port != nil {
			c.errorf(s, `an exec readiness probe takes a command: ready exec ["pg_isready"]`)
			return nil
		}
		cmd := &apiv1.ExecAction{}
		for _, e := range s.Command.Elems {
			if e.Str == nil {
				c.errorf(e, "the command is a list of strings, got %s", e.Kind())
				continue
			}
			cmd.Command = append(cmd.Command, e.Str.Value())
		}
		p.Exec = cmd
	}
	secs := func(v *dsl.Value, what string) int32 {
		if v == nil {
			return 0
		}
		d, ok := c.duration(v)
		if !ok {
			return 0
		}
		if d.Seconds() < 1 {
			c.errorf(v, "the %s must be at least 1s", what)
		}
		return int32(d.Seconds())
	}
	p.InitialDelaySeconds = secs(s.Delay, "delay")
	p.PeriodSeconds = secs(s.Period, "period")
	p.TimeoutSeconds = secs(s.Timeout, "timeout")
	return p
}

// containerStmt names a statement that configures a container, or "".
func containerStmt(n dsl.StepStmt) string {
	switch s := n.(type) {
	case *dsl.RunStmt:
		return s.Kind
	case *dsl.ScriptStmt:
		return "script"
	case *dsl.ImageStmt:
		return "image"
	case *dsl.EnvStmt:
		return "env"
	case *dsl.ResourceStmt:
		return s.Kind
	case *dsl.MountStmt:
		return "mount"
	case *dsl.WorkdirStmt:
		return "workdir"
	}
	return ""
}

// finishKind checks a step of a kind other than a container once its body
// is read, and settles its retries and memoization. It reports whether the
// step is of such a kind.
func (c *checker) finishKind(st *Step, items []*dsl.StepItem) bool {
	b := st.Body
	kind := b.Kind
	if kind == "" {
		kind = kindContainer
	}
	for _, key := range b.Options.order {
		if !contains(optionKinds[key], kind) {
			var kinds []string
			for _, k := range optionKinds[key] {
				kinds = append(kinds, aKind(k))
			}
			c.errorf(b.Options.nodes[key], "%s applies only to %s step, and %q is %s step", key, strings.Join(kinds, " or "), st.Name, aKind(kind))
		}
	}
	for _, o := range st.Outputs {
		if want := outputSourceKind[o.Source]; want != kind && o.Decl != nil {
			c.errorf(o.Decl.Source, "%s() outputs are for %s step, and %q is %s step", o.Source, aKind(want), st.Name, aKind(kind)).
				WithHint("%s", outputHint[kind])
		}
	}
	if kind == kindContainer {
		if b.Daemon {
			c.noMemoize(st, "a daemon step", "a cache hit would start no pod for the steps after it to reach")
		}
		return false
	}
	for _, it := range items {
		if it.Stmt == nil {
			continue
		}
		if what := containerStmt(it.Stmt); what != "" {
			c.errorf(it.Stmt, "%s step runs no container of yours: %s does not apply", aKind(kind), what).WithHint("remove it, or make this a step of its own")
		}
		switch it.Stmt.(type) {
		case *dsl.NodeSelectorStmt, *dsl.TolerationStmt:
			if kind != kindResource && kind != kindData {
				c.errorf(it.Stmt, "%s step runs no pod: node_selector and toleration do not apply", aKind(kind))
			}
		}
	}
	if kind == kindResource {
		b.Resource.MergeStrategy = b.mergeStrategy
		if b.mergeStrategy != "" && b.Resource.Action != "patch" {
			c.errorf(b.Options.nodes["merge_strategy"], "merge_strategy applies only to resource patch")
		}
		c.checkManifest(b.Resource.stmt, b.Resource, len(b.Options.Flags) > 0)
	}
	if kind == kindHTTP {
		b.HTTP.Body = b.httpBody
		if b.TimeoutText != nil && b.TimeoutText.Lit != nil {
			c.errorf(b.TimeoutText.Lit, "an HTTP step's timeout is its request's timeoutSeconds, a number fixed at compile time").
				WithHint("write timeout 20s")
		}
	}
	switch kind {
	case kindData:
		c.finishData(st)
		c.noMemoize(st, "a data step", "it lists the files of a store, and a cache hit would not see the files added or removed since")
	case kindSuspend:
		c.noMemoize(st, "a suspend step", "a resumed run must ask again: the answer belongs to the run")
		if st.Retry != nil && st.Retry != st.Pipeline.Retry {
			c.errorf(st.Retry.Stmt, "a suspend step cannot be retried: it does not fail, it waits")
		}
		st.Retry = nil
	case kindResource:
		c.noMemoize(st, "a resource step", "the object lives in the cluster, and a cache hit would not see what happened to it since")
	case kindHTTP:
		c.noMemoize(st, "an HTTP step", "the server's answer may change, and Argo's agent, which sends it, does not consult the cache")
	}
	return true
}

var outputHint = map[string]string{
	kindContainer: `a container step's outputs are files: output x = file("/tmp/x")`,
	kindSuspend:   `a suspend step's outputs are given when it is resumed: output x = supplied()`,
	kindResource:  `a resource step's outputs are read from the object: output x = json_path("{.metadata.name}") or jq_filter(".status")`,
	kindHTTP:      "an HTTP step's output is the response body, ${step.result}",
	kindData:      "a data step's output is its transformed list, ${step.result}",
}

// noMemoize turns memoization off for a step of a kind that must not be
// memoized; memoize on is an error there.
func (c *checker) noMemoize(st *Step, what, why string) {
	if st.MemoizeExplicit && st.Memoize {
		for _, it := range c.stepItems(st) {
			if m, ok := it.Stmt.(*dsl.MemoizeStmt); ok && m.Mode == "on" {
				c.errorf(m, "%s is never memoized: %s", what, why).WithHint("remove memoize on")
			}
		}
	}
	st.Memoize = false
}

// kindOutput reads an output whose source is not a file. It reports
// whether the source was one of these.
func (c *checker) kindOutput(sc *scope, s *dsl.OutputStmt, out *StepOutput) bool {
	src := s.Source.Name.Name
	switch src {
	case "supplied":
		if len(s.Source.Args) != 0 {
			c.errorf(s.Source, "supplied() takes no arguments: the value is given when the step is resumed")
		}
		if s.Enum != nil {
			for _, e := range s.Enum.Elems {
				if e.Str == nil && e.Int == nil && e.Float == nil && e.Bool == nil {
					c.errorf(e, "one_of takes literal values, got %s", e.Kind())
					continue
				}
				out.Enum = append(out.Enum, literalString(e))
			}
			if out.Default != nil && !contains(out.Enum, *out.Default) {
				c.errorf(s.Default, "the default %q is not one of %s", *out.Default, strings.Join(out.Enum, ", "))
			}
		}
	case "json_path", "jq_filter":
		if len(s.Source.Args) != 1 || s.Source.Args[0].Str == nil {
			c.errorf(s.Source, `%s() takes one expression in quotes, e.g. %s`, src, map[string]string{"json_path": `json_path("{.metadata.name}")`, "jq_filter": `jq_filter(".status")`}[src])
		} else {
			out.Expr = c.literalOnly(s.Source.Args[0].Str, "an output expression")
		}
	default:
		return false
	}
	out.Source = src
	if s.Enum != nil && src != "supplied" {
		c.errorf(s.Enum, "one_of applies only to supplied() outputs")
	}
	return true
}

// runtimeDuration checks a duration in quotes, which Argo reads when the
// step runs: `timeout "${t}"` (Argo's template timeout, a Go duration) or
// `suspend "${wait}"` (a Go duration or a number of seconds). What is known
// at compile time is checked now: a literal, or a reference to a template
// argument or a parameter default given as a literal.
func (c *checker) runtimeDuration(sc *scope, s *dsl.StringLit, what string) *Text {
	t := c.text(sc, s)
	valid := func(v string) error {
		if what == "suspend" {
			if n, err := strconv.Atoi(v); err == nil && n >= 0 {
				return nil
			}
		}
		d, err := time.ParseDuration(v)
		if err == nil && d <= 0 {
			err = fmt.Errorf("it must be greater than zero")
		}
		return err
	}
	if len(t.Refs) == 0 && !strings.Contains(t.Value, "{{") {
		if err := valid(t.Value); err != nil {
			c.errorf(s, "%s %q is not a duration", what, t.Value).WithHint("write %s 20s, or %s \"${param}\" to take it from a parameter", what, what)
		} else if what == "timeout" {
			c.errorf(s, "a timeout known at compile time is written without quotes").WithHint("write timeout %s", t.Value)
		}
		return t
	}
	if len(t.Refs) != 1 {
		return t
	}
	for _, tr := range t.Refs {
		path, ref := tr.Path, tr.Ref
		if t.Value != "${"+path+"}" {
			break
		}
		switch {
		case ref.Kind == RefTemplateParam && ref.Arg != nil && len(ref.Arg.Refs) == 0:
			if err := valid(ref.Arg.Value); err != nil {
				at := dsl.Node(s)
				if ref.Arg.Lit != nil {
					at = ref.Arg.Lit
				}
				c.errorf(at, "%q is not a duration, and it is the %s of a step (${%s})", ref.Arg.Value, what, path).
					WithHint("Argo reads it as a Go duration: 20s, 5m, 1h30m")
			}
		case ref.Kind == RefParam && ref.Param != nil && ref.Param.Default != nil && ref.Param.Decl != nil:
			vals := append([]string{*ref.Param.Default}, ref.Param.Enum...)
			for _, v := range vals {
				if err := valid(v); err != nil {
					c.errorf(ref.Param.Decl, "%q is not a duration, and parameter %q is the %s of a step", v, path, what).
						WithHint("Argo reads it as a Go duration: 20s, 5m, 1h30m")
					break
				}
			}
		}
	}
	return t
}
