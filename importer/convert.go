package importer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/internal/jsontree"
)

// conv converts one Argo object to the text of one pipeline (and the
// templates it declares).
type conv struct {
	file     string
	d        *doc
	obj      *Object
	kind     string
	specPath []any
	spec     map[string]any
	// verbatim keeps the templates whole in raw.
	verbatim bool
	// rawSettings keeps the spec fields without a one-to-one statement
	// of their own in raw (when their setting statements do not compile).
	rawSettings bool
	// templateRef: the spec's workflowTemplateRef is a setting.
	templateRef bool
	// fixedName is a Workflow's metadata.name (the name setting).
	fixedName string

	templates map[string]map[string]any
	tmplIndex map[string]int
	params    map[string]bool
	stepNames map[string]string // Argo task name -> pipec step name
	uses      map[string]int    // leaf template -> number of tasks calling it
	alias     map[string]string // Argo template -> the pipec template written for it
	names     map[string]bool   // pipeline and template names used in the file
	image     string            // the pipeline's default image
	volumes   bool              // volumes are declared natively
	volNames  map[string]bool   // the volumes declared natively

	// taken are the pipeline names of the other files imported with this
	// one (Options.Taken); renamed is set when a Workflow's name was taken.
	taken   map[string]string
	renamed *renaming

	// commented are the YAML nodes whose comments are written
	// (comments.go).
	commented map[commentSlot]bool
	// inlinePaths are the YAML paths of the tasks' inline templates, by
	// their stand-in names (inline.go).
	inlinePaths map[string][]any
	// artifactGC is the pipeline's artifact_gc strategy (Argo's name).
	artifactGC string
	// scopeArts are the input artifacts of the scope being converted: the
	// workflow's (spec.arguments.artifacts), or a composite template's
	// (artifacts.go).
	scopeArts map[string]bool
	tmplVols  []string // of volNames, the template's being converted (containers.go)
	// inlineOnly are templates called by several tasks that are inlined
	// in each.
	inlineOnly map[string]bool

	// entryStmts are the settings of the entrypoint DAG (hooks.go).
	entryStmts []string
	// entryOutputs converts the entrypoint DAG's outputs, once the steps
	// are named (hooks.go); nil when it has none.
	entryOutputs func() ([]string, error)

	notes []note
	top   []string // template declarations
	// shared are the declarations of other pipelines of the file that
	// this one uses (the round trip builds the pipeline with them).
	shared []string
}

// note is one construct kept in raw (or not expressible at all).
type note struct {
	path          []any
	what          string
	inexpressible bool
	verbatim      bool // the reason the templates are kept verbatim
}

func (c *conv) raw(what string, path ...any) {
	c.notes = append(c.notes, note{path: path, what: what})
}

// dropNote forgets a raw note (the field found a statement after all).
func (c *conv) dropNote(what string) {
	keep := c.notes[:0]
	for _, n := range c.notes {
		if n.what != what || n.inexpressible || n.verbatim {
			keep = append(keep, n)
		}
	}
	c.notes = keep
}

func (c *conv) inexpressible(what string, path ...any) {
	c.notes = append(c.notes, note{path: path, what: what, inexpressible: true})
}

func newConv(file string, d *doc, obj *Object, verbatim bool) *conv {
	c := &conv{file: file, d: d, obj: obj, kind: obj.Kind, verbatim: verbatim,
		templates: map[string]map[string]any{}, tmplIndex: map[string]int{}, params: map[string]bool{},
		stepNames: map[string]string{}, uses: map[string]int{}, alias: map[string]string{}, volNames: map[string]bool{}, inlineOnly: map[string]bool{}}
	spec, _ := jsontree.Copy(d.value["spec"]).(map[string]any)
	c.specPath = []any{"spec"}
	if obj.Kind == "CronWorkflow" {
		spec, _ = spec["workflowSpec"].(map[string]any)
		c.specPath = []any{"spec", "workflowSpec"}
	}
	if spec == nil {
		spec = map[string]any{}
	}
	c.spec = spec
	for i, t := range jsontree.List(spec["templates"]) {
		if tm, ok := t.(map[string]any); ok {
			name, _ := tm["name"].(string)
			c.templates[name] = tm
			c.tmplIndex[name] = i
		}
	}
	return c
}

func (c *conv) sp(path ...any) []any { return append(append([]any{}, c.specPath...), path...) }

func (c *conv) tp(name string, path ...any) []any {
	if p, ok := c.inlinePaths[name]; ok {
		return append(append([]any{}, p...), path...)
	}
	return c.sp(append([]any{"templates", c.tmplIndex[name]}, path...)...)
}

// pipeline returns the pipeline's text, or a *notNative error when the
// object's structure has no pipec form (then it is imported verbatim).
func (c *conv) pipeline(names map[string]bool) (string, error) {
	c.names = names
	var head, body []string
	md, _ := c.d.value["metadata"].(map[string]any)
	name := c.objectName(md, names)
	c.obj.Name = name
	annotations, _ := md["annotations"].(map[string]any)
	desc, _ := annotations["workflows.argoproj.io/description"].(string)
	for _, k := range sortedKeys(md) {
		switch k {
		case "name", "generateName", "annotations", "labels", "namespace":
		default:
			c.inexpressible("metadata."+k, "metadata", k)
		}
	}
	switch c.kind {
	case "WorkflowTemplate":
		head = append(head, "kind workflow_template")
	case "ClusterWorkflowTemplate":
		head = append(head, "kind cluster_workflow_template")
	case "CronWorkflow":
		head = append(head, c.cron()...)
	}
	if c.fixedName != "" {
		head = append(head, "name "+quote(c.fixedName))
	}
	if ns, ok := md["namespace"].(string); ok && ns != "" {
		head = append(head, "namespace "+quote(ns))
	}
	labels, _ := md["labels"].(map[string]any)
	for _, k := range sortedKeys(labels) {
		v, _ := scalarText(labels[k])
		head = append(head, c.entryComment([]any{"metadata", "labels"}, k)+"label "+key(k)+" = "+quote(v))
	}
	for _, k := range sortedKeys(annotations) {
		if k == "workflows.argoproj.io/description" {
			continue
		}
		v, _ := scalarText(annotations[k])
		head = append(head, c.entryComment([]any{"metadata", "annotations"}, k)+"annotation "+key(k)+" = "+quote(v))
	}
	settings, err := c.settings()
	if err != nil {
		return "", err
	}
	head = append(head, settings...)
	params, err := c.paramStmts()
	if err != nil {
		if !c.verbatim {
			return "", err
		}
		// Verbatim: the parameters stay in the raw spec.
		params = nil
		c.raw("spec.arguments: "+err.Error(), c.sp("arguments")...)
	}
	var steps []string
	if c.verbatim {
		steps, err = c.verbatimSteps()
	} else {
		steps, err = c.steps()
	}
	if err != nil {
		return "", err
	}
	if c.image != "" {
		head = append(head, "image "+quote(c.image))
	}
	head = append(head, c.entryStmts...)
	body = append(append(append(body, head...), params...), steps...)
	if rest := c.leftoverSpec(); len(rest) > 0 {
		r, err := c.rawBlock(rest, c.specPath...)
		if err != nil {
			return "", &notNative{what: "raw: " + err.Error()}
		}
		body = append(body, r)
	}
	var b strings.Builder
	// The YAML's own comment: apart from the doc comment (which is the
	// description).
	if yc := commentText(c.d.comment, ""); yc != "" {
		b.WriteString(yc + "\n")
	}
	if s := c.strayComments(); s != "" {
		b.WriteString(s + "\n")
	}
	if n := c.wiringNote(); n != "" {
		b.WriteString(n + "\n")
	}
	if desc != "" {
		b.WriteString(docComment(desc, ""))
	}
	b.WriteString("pipeline " + name + " {\n")
	for _, l := range body {
		b.WriteString(l + "\n")
	}
	b.WriteString("}\n")
	for _, t := range c.top {
		b.WriteString("\n" + t)
	}
	return b.String(), nil
}

// objectName picks the pipeline name: the object's name, or its
// generateName without the trailing '-'.
func (c *conv) objectName(md map[string]any, names map[string]bool) string {
	gen, _ := md["generateName"].(string)
	fixed, _ := md["name"].(string)
	name := strings.TrimSuffix(gen, "-")
	if c.kind == "Workflow" && fixed != "" {
		if gen == "" {
			name = fixed
			c.fixedName = fixed
		} else {
			c.inexpressible("metadata.name next to metadata.generateName", "metadata", "name")
		}
	} else if c.kind != "Workflow" {
		if fixed != "" {
			name = fixed
		}
		if gen != "" {
			c.inexpressible("metadata.generateName of a "+c.kind, "metadata", "generateName")
		}
	} else if gen != "" && !strings.HasSuffix(gen, "-") {
		c.inexpressible("metadata.generateName without a trailing '-'", "metadata", "generateName")
	}
	if name == "" {
		name = strings.TrimSuffix(strings.TrimSuffix(baseName(c.file), extOf(c.file)), "-")
		c.inexpressible("metadata without a name or generateName", "metadata")
	}
	clean := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, name)
	if clean != name {
		c.inexpressible(fmt.Sprintf("the name %q (pipeline names are lower case letters, digits and '-')", name), "metadata")
	}
	limit := 63
	if c.kind == "CronWorkflow" {
		limit = 52
	}
	if len(clean) > limit {
		c.inexpressible(fmt.Sprintf("the name %q (longer than pipec's %d characters)", name, limit), "metadata")
		clean = strings.TrimRight(clean[:limit], "-")
	}
	base := clean
	// A Workflow named by generateName can take another name when another
	// imported file has it (Kubernetes names of the other kinds are kept:
	// a templateRef names them).
	renamable := c.kind == "Workflow" && c.fixedName == ""
	for i := 2; names[clean] || (renamable && c.taken[clean] != ""); i++ {
		clean = fmt.Sprintf("%s-%d", base, i)
	}
	if clean != base && !names[base] {
		c.renamed = &renaming{from: base, to: clean, file: c.taken[base]}
	}
	names[clean] = true
	return clean
}

// renaming is a Workflow named apart from one of another imported file.
type renaming struct{ from, to, file string }

var cronNative = map[string]bool{"schedule": true, "schedules": true, "timezone": true, "workflowSpec": true}

func (c *conv) cron() []string {
	spec, _ := c.d.value["spec"].(map[string]any)
	var out []string
	var scheds []string
	if s, ok := spec["schedule"].(string); ok && s != "" {
		scheds = append(scheds, s)
	}
	for _, s := range jsontree.List(spec["schedules"]) {
		if str, ok := s.(string); ok {
			scheds = append(scheds, str)
		}
	}
	tz, _ := spec["timezone"].(string)
	for i, s := range scheds {
		line := "schedule " + quote(s)
		if i == 0 {
			line = c.fieldComment("spec", "schedule") + c.fieldComment("spec", "schedules") + c.fieldComment("spec", "timezone") + line
		}
		if i == 0 && tz != "" {
			line += " timezone " + quote(tz)
		}
		out = append(out, line)
	}
	done := map[string]bool{}
	if !c.rawSettings {
		out = append(out, c.cronSettingStmts(spec, done)...)
	}
	for _, k := range sortedKeys(spec) {
		if !cronNative[k] && !done[k] {
			c.inexpressible("CronWorkflow spec."+k, "spec", k)
		}
	}
	return out
}

var podGCStrategies = map[string]string{"OnPodCompletion": "on_pod_completion", "OnPodSuccess": "on_pod_success",
	"OnWorkflowCompletion": "on_workflow_completion", "OnWorkflowSuccess": "on_workflow_success"}

// settings converts the spec fields that map one to one to pipeline
// settings, consuming them from c.spec.
func (c *conv) settings() ([]string, error) {
	var out []string
	s := c.spec
	if v, ok := s["serviceAccountName"].(string); ok {
		out = append(out, c.fieldComment(c.sp("serviceAccountName")...)+"service_account "+quote(v))
		delete(s, "serviceAccountName")
	}
	for _, f := range []struct{ field, stmt string }{{"parallelism", "parallelism"}, {"priority", "priority"}} {
		if n, ok := intValue(s[f.field]); ok {
			out = append(out, c.fieldComment(c.sp(f.field)...)+fmt.Sprintf("%s %d", f.stmt, n))
			delete(s, f.field)
		}
	}
	if n, ok := s["activeDeadlineSeconds"].(float64); ok && n > 0 {
		if d, ok := duration(n); ok {
			out = append(out, "timeout "+d)
			delete(s, "activeDeadlineSeconds")
		}
	}
	if gc, ok := s["podGC"].(map[string]any); ok {
		if line, ok := c.podGC(gc); ok {
			out = append(out, c.fieldComment(c.sp("podGC")...)+c.fieldComment(c.sp("podGC", "strategy")...)+c.fieldComment(c.sp("podGC", "deleteDelayDuration")...)+c.treeComments(c.sp("podGC")...)+line)
			delete(s, "podGC")
		}
	}
	if ttl, ok := s["ttlStrategy"].(map[string]any); ok {
		var lines, fields []string
		for _, f := range []struct{ field, when string }{{"secondsAfterCompletion", ""}, {"secondsAfterSuccess", " success"}, {"secondsAfterFailure", " failure"}} {
			if v, ok := ttl[f.field]; ok {
				if d, ok := duration(v); ok {
					lines = append(lines, "ttl"+f.when+" "+d)
					fields = append(fields, f.field)
				}
			}
		}
		if len(lines) == len(ttl) {
			for i, f := range fields {
				lines[i] = c.entryComment(c.sp("ttlStrategy"), f) + lines[i]
			}
			out = append(out, lines...)
			delete(s, "ttlStrategy")
		}
	}
	if ns, ok := s["nodeSelector"].(map[string]any); ok {
		for _, k := range sortedKeys(ns) {
			v, _ := scalarText(ns[k])
			out = append(out, c.entryComment(c.sp("nodeSelector"), k)+"node_selector "+key(k)+" = "+quote(v))
		}
		delete(s, "nodeSelector")
	}
	if tl, ok := tolerations(s["tolerations"]); ok {
		out = append(out, c.listComments(tl, c.sp("tolerations")...)...)
		delete(s, "tolerations")
	}
	if ps := jsontree.List(s["imagePullSecrets"]); len(ps) > 0 {
		var lines []string
		for _, p := range ps {
			pm, _ := p.(map[string]any)
			if n, ok := pm["name"].(string); ok && len(pm) == 1 {
				lines = append(lines, "image_pull_secret "+quote(n))
			}
		}
		if len(lines) == len(ps) {
			out = append(out, c.listComments(lines, c.sp("imagePullSecrets")...)...)
			delete(s, "imagePullSecrets")
		}
	}
	if !c.rawSettings {
		out = append(out, c.settingStmts()...)
	}
	if !c.verbatim {
		vl, ok := c.volumeStmts()
		if ok {
			out = append(out, vl...)
		}
	}
	return out, nil
}

func tolerations(v any) ([]string, bool) {
	list := jsontree.List(v)
	if len(list) == 0 {
		return nil, false
	}
	effects := map[string]string{"NoSchedule": "no_schedule", "PreferNoSchedule": "prefer_no_schedule", "NoExecute": "no_execute"}
	var out []string
	for _, t := range list {
		tm, _ := t.(map[string]any)
		k, _ := tm["key"].(string)
		line := "toleration " + quote(k)
		switch tm["operator"] {
		case "Equal":
			v, _ := tm["value"].(string)
			line += " = " + quote(v)
		case "Exists":
			if _, ok := tm["value"]; ok {
				return nil, false
			}
			line += " exists"
		default:
			return nil, false
		}
		if e, ok := tm["effect"].(string); ok {
			if effects[e] == "" {
				return nil, false
			}
			line += " effect " + effects[e]
		}
		for f := range tm {
			switch f {
			case "key", "operator", "value", "effect":
			default:
				return nil, false
			}
		}
		out = append(out, line)
	}
	return out, true
}

// volumeStmts converts spec.volumes and spec.volumeClaimTemplates when
// every one of them has a pipec form.
func (c *conv) volumeStmts() ([]string, bool) {
	var vols, claims []string
	for _, v := range jsontree.List(c.spec["volumes"]) {
		line, name, ok := volumeStmt(v)
		if !ok {
			return nil, false
		}
		vols = append(vols, line)
		c.volNames[name] = true
	}
	for _, v := range jsontree.List(c.spec["volumeClaimTemplates"]) {
		line, name, ok := claimStmt(v)
		if !ok {
			return nil, false
		}
		claims = append(claims, line)
		c.volNames[name] = true
	}
	out := append(c.listComments(vols, c.sp("volumes")...), c.listComments(claims, c.sp("volumeClaimTemplates")...)...)
	delete(c.spec, "volumes")
	delete(c.spec, "volumeClaimTemplates")
	c.volumes = true
	return out, true
}

// paramStmts converts the workflow parameters.
func (c *conv) paramStmts() ([]string, error) {
	args, _ := c.spec["arguments"].(map[string]any)
	ps := jsontree.List(args["parameters"])
	var out []string
	for i, p := range ps {
		pm, _ := p.(map[string]any)
		name, _ := pm["name"].(string)
		path := c.sp("arguments", "parameters", i)
		if !validParamName(name) || name == "run_id" || name == "retry_run_id" || name == "retry_indicator" {
			return nil, &notNative{path: path, what: fmt.Sprintf("the parameter name %q (pipec parameter names are letters, digits and _)", name)}
		}
		line := "param " + name
		var note string
		if v, ok := pm["value"]; ok {
			s, ok := scalarText(v)
			if !ok {
				// Argo reads a list or map value as empty text (AnyString).
				if s, ok = notTextValue(v); !ok {
					return nil, &notNative{path: path, what: "a parameter value that is not text"}
				}
				y, _ := literal(v)
				note = " // " + y + " in the YAML, which Argo reads as \"\""
			}
			line += " = " + quote(s)
		}
		if vf, ok := pm["valueFrom"]; ok {
			cm, ok := configMapCall(vf)
			if !ok {
				return nil, &notNative{path: append(path, "valueFrom"), what: "parameter valueFrom"}
			}
			line += " = " + cm
		}
		if en := jsontree.List(pm["enum"]); len(en) > 0 {
			var vals []string
			for _, e := range en {
				s, _ := scalarText(e)
				vals = append(vals, quote(s))
			}
			line += " one_of [" + strings.Join(vals, ", ") + "]"
		}
		for k := range pm {
			switch k {
			case "name", "value", "enum", "description":
			case "valueFrom":
				if pm["value"] != nil || pm["enum"] != nil {
					return nil, &notNative{path: append(path, k), what: "parameter valueFrom beside a value"}
				}
			default:
				return nil, &notNative{path: append(path, k), what: "parameter " + k}
			}
		}
		// The item's comments (the first's with the list's), apart from the
		// doc comment (the description).
		cm := c.treeComments(path...)
		if i == 0 {
			cm = c.fieldComment(c.sp("arguments")...) + c.fieldComment(c.sp("arguments", "parameters")...) + cm
		}
		if cm != "" {
			out = append(out, cm)
		}
		if d, ok := pm["description"].(string); ok && d != "" {
			out = append(out, strings.TrimRight(docComment(d, ""), "\n"))
		}
		out = append(out, line+note)
		c.params[name] = true
	}
	delete(args, "parameters")
	if arts, ok := args["artifacts"]; ok && languageHas(featArtifacts) {
		lines, err := c.workflowArtifacts(jsontree.List(arts))
		if err != nil {
			return nil, err
		}
		out = append(out, lines...)
		delete(args, "artifacts")
	}
	if len(args) == 0 {
		delete(c.spec, "arguments")
	} else {
		for _, k := range sortedKeys(args) {
			c.raw("spec.arguments."+k, c.sp("arguments", k)...)
		}
	}
	return out, nil
}

// leftoverSpec is what remains of the spec once converted: it goes to the
// pipeline's raw block.
func (c *conv) leftoverSpec() map[string]any {
	rest := map[string]any{}
	if c.verbatim && c.spec["entrypoint"] == nil {
		rest["entrypoint"] = nil // a library of templates: no entrypoint
	}

	for _, k := range sortedKeys(c.spec) {
		rest[k] = c.spec[k]
		if !c.verbatim || (k != "templates" && k != "entrypoint" && k != "onExit") {
			if k != "arguments" {
				c.raw("spec."+k, c.sp(k)...)
			}
		}
	}
	return rest
}

// wiringNote is the comment that says what pipec's retry wiring changes
// in a workflow that has retries or memoization of its own.
func (c *conv) wiringNote() string {
	var retries, memo bool
	for _, t := range c.templates {
		if t["retryStrategy"] != nil {
			retries = true
		}
		if t["memoize"] != nil {
			memo = true
		}
	}
	if c.spec["retryStrategy"] != nil {
		retries = true
	}
	if !retries && !memo {
		return ""
	}
	var b strings.Builder
	b.WriteString("// pipec adds its two-tier retry wiring: the run_id, retry_run_id and\n")
	b.WriteString("// retry_indicator parameters, RETRY_* environment variables and a memo key\n")
	b.WriteString("// per step (memoize off to opt out).\n")
	if retries {
		b.WriteString("// The original's retryStrategy is kept as retry.\n")
	}
	if memo {
		b.WriteString("// Its own memoize blocks are replaced by pipec's memo keys (their maxAge\n")
		b.WriteString("// is kept as memoize max_age; a step's cache hits are pipec's own).\n")
	}
	return b.String()
}

// verbatimSteps keeps the whole template structure in the pipeline's raw
// block; the language needs a step, which the raw templates replace.
func (c *conv) verbatimSteps() ([]string, error) {
	return []string{
		"// The templates are kept verbatim in raw below: the language cannot",
		"// express them yet. This step only stands in for them.",
		`step pipec-verbatim { image "busybox" run ["true"] memoize off }`,
	}, nil
}

// warnings turns the notes into diagnostics.
func (c *conv) warnings(diags *diag.Diagnostics, strict bool) {
	sort.SliceStable(c.notes, func(i, j int) bool { return false })
	seen := map[string]bool{}
	for _, n := range c.notes {
		at := keyAt(c.d.node, n.path...)
		r := rangeOf(c.file, at)
		id := fmt.Sprint(r.Start, n.what)
		if seen[id] {
			continue
		}
		seen[id] = true
		switch {
		case n.inexpressible:
			c.obj.Inexpressible = append(c.obj.Inexpressible, n.what)
			if strict {
				diags.Errorf(r, "%s cannot be expressed in pipec", n.what)
			} else {
				diags.Warnf(r, "%s cannot be expressed in pipec; the imported pipeline differs here", n.what)
			}
		case n.verbatim:
			c.obj.Raw = append(c.obj.Raw, "the templates: "+n.what)
			if strict {
				diags.Errorf(r, "%s: the language cannot express these templates", n.what)
			} else {
				diags.Warnf(r, "%s: the language cannot express these templates yet; they are kept verbatim in raw", n.what)
			}
		default:
			c.obj.Raw = append(c.obj.Raw, n.what)
			if strict {
				diags.Errorf(r, "%s has no pipec syntax (pipec import would keep it in raw)", n.what)
			} else {
				diags.Warnf(r, "%s has no pipec syntax yet: kept in raw", n.what)
			}
		}
	}
}
