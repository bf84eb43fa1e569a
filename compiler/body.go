// Step bodies: the statements of a step or template body (run, script,
// image, env, resources, mounts, outputs, ...), checked into a Body.

package compiler

import (
	"strings"

	apiv1 "k8s.io/api/core/v1"

	"github.com/pipec/pipec/diag"
	"github.com/pipec/pipec/dsl"
)

func hasEnv(list []*EnvVar, name string) bool {
	for _, e := range list {
		if e.Name == name {
			return true
		}
	}
	return false
}

func (c *checker) body(sc *scope, st *Step, items []*dsl.StepItem) {
	b := st.Body
	once := map[string]dsl.Node{}
	single := func(key string, n dsl.Node) bool {
		if prev, ok := once[key]; ok {
			c.errorf(n, "%s is set twice in step %q (first at %s)", key, st.Name, prev.Range())
			return false
		}
		once[key] = n
		return true
	}
	for _, it := range items {
		switch s := it.Stmt.(type) {
		case *dsl.ImageStmt:
			if single("image", s) {
				b.Image = c.text(sc, s.Image)
			}
		case *dsl.RunStmt:
			if !single(s.Kind, s) {
				continue
			}
			var list []*Text
			if len(s.List.Elems) > 0 {
				list = c.textLists.make(len(s.List.Elems))
			}
			for _, e := range s.List.Elems {
				if e.Str == nil {
					if e.Int != nil || e.Float != nil {
						c.errorf(e, "%s takes strings; quote %s", s.Kind, e.Kind()).WithHint(`write "%s"`, literalString(e))
					} else {
						c.errorf(e, "%s takes a list of strings, got %s", s.Kind, e.Kind())
					}
					continue
				}
				list = append(list, c.text(sc, e.Str))
			}
			if len(s.List.Elems) == 0 {
				c.errorf(s.List, "%s needs at least one element", s.Kind)
			} else if e := s.List.Elems[0]; s.Kind == "run" && e.Str != nil && e.Str.Value() == "" {
				c.errorf(e, "the command cannot be empty: the container would fail to start").WithHint(`the first element of run is the program: run ["sh", "-c", "..."]`)
			}
			if s.Kind == "run" {
				b.Command = list
			} else {
				b.Args = list
			}
		case *dsl.ScriptStmt:
			if !single("script", s) {
				continue
			}
			sc2 := c.scripts.new()
			sc2.Source = c.text(sc, s.Source)
			if s.Lang != nil {
				cmd, ok := scriptCommands[s.Lang.Name]
				if !ok {
					d := c.unknownWord(s.Lang, "script language", keys(scriptCommands))
					d.Hint += `; or give the interpreter: script ["perl"] """..."""`
				}
				sc2.Command = cmd
			} else {
				for _, e := range s.Command.Elems {
					if e.Str == nil {
						c.errorf(e, "the script command must be a list of strings")
						continue
					}
					sc2.Command = append(sc2.Command, e.Str.Value())
				}
			}
			b.Script = sc2
		case *dsl.EnvStmt:
			if ev := c.env(s, sc); ev != nil {
				if hasEnv(b.Env, ev.Name) {
					c.errorf(s.Name, "environment variable %q is set twice", ev.Name)
					continue
				}
				if b.Env == nil {
					b.Env = c.envLists.make(countEnv(items))
				}
				b.Env = append(b.Env, ev)
			}
		case *dsl.ResourceStmt:
			if !single(s.Kind, s) {
				continue
			}
			name := s.Kind
			if name == "gpu" {
				name = "nvidia.com/gpu"
			}
			if s.LimitOnly != nil {
				c.limitOnly(sc, b, s, name)
				continue
			}
			if c.dynResource(sc, b, name, s.Kind == "gpu", s.Request) {
				if s.Limit != nil && !c.dynResource(sc, b, name, true, s.Limit) {
					if q, _, ok := c.quantity(s.Limit, limitWhat(s.Kind)); ok {
						b.Limits = c.appendKV(b.Limits, KV{name, q})
					}
				}
				continue
			}
			req, reqQty, reqOK := c.quantity(s.Request, s.Kind)
			reqOK = reqOK && c.resourceQuantity(s.Request, s.Kind, req, reqQty)
			if q, ok := req, reqOK; ok {
				if s.Kind == "gpu" {
					b.Limits = c.appendKV(b.Limits, KV{name, q})
				} else {
					b.Requests = c.appendKV(b.Requests, KV{name, q})
				}
			}
			if s.Limit != nil {
				if s.Kind == "gpu" {
					c.errorf(s.Limit, "a gpu count is already a limit")
				} else if q, qty, ok := c.quantity(s.Limit, limitWhat(s.Kind)); ok && c.resourceQuantity(s.Limit, s.Kind, q, qty) {
					if reqOK {
						c.limitNotBelow(s.Limit, s.Kind, req, q, reqQty, qty)
					}
					b.Limits = c.appendKV(b.Limits, KV{name, q})
				}
			}
		case *dsl.StepSettingStmt:
			if !single(s.Name, s) {
				continue
			}
			if s.Name == "pod_spec_patch" && s.Value.Str != nil && strings.Contains(s.Value.Str.Value(), "${") {
				b.extra().PodSpecPatch = c.text(sc, s.Value.Str) // resolved by Argo before it makes the pod
				continue
			}
			if s.Name == "display_name" {
				c.displayName(sc, b, s)
				continue
			}
			if s.Name == "metrics" {
				c.stepMetrics(sc, b, s)
				continue
			}
			c.stepSetting(b, s)
		case *dsl.SyncStmt:
			c.sync(&b.extra().Sync, s)
		case *dsl.OutputStmt:
			name := s.Name.Name
			for _, o := range st.Outputs {
				if o.Name == name {
					c.errorf(s.Name, "output %q is declared twice in step %q", name, st.Name)
				}
			}
			if _, ok := stepFields[name]; ok {
				c.errorf(s.Name, "output name %q is reserved: ${%s.%s} is a field of every step", name, st.Name, name).WithHint("choose another name")
				continue
			}
			out := c.outputs.new()
			out.Name, out.Decl, out.Source = name, s, "file"
			if it.Doc != nil {
				out.Description = it.Doc.Text()
			}
			if s.Default != nil {
				v := s.Default.Value()
				out.Default = &v
			}
			if c.kindOutput(sc, s, out) {
				// a source of another template kind
			} else if s.Source.Name.Name != "file" {
				c.unknownWord(s.Source.Name, "output source", keys(outputSourceKind)).WithHint(`output %s = file("/tmp/%s.txt")`, name, name)
			} else if len(s.Source.Args) != 1 || s.Source.Args[0].Str == nil {
				c.errorf(s.Source, `file() takes one path in quotes, e.g. file("/tmp/%s.txt")`, name)
			} else {
				out.Path = c.text(sc, s.Source.Args[0].Str)
				if !strings.HasPrefix(out.Path.Value, "/") {
					c.errorf(s.Source.Args[0], "output path %q must be absolute", out.Path.Value)
				}
			}
			if s.Enum != nil && out.Source == "file" {
				c.errorf(s.Enum, "one_of applies only to supplied() outputs")
			}
			c.outputGlobal(out, s)
			if st.Outputs == nil {
				st.Outputs = c.outLists.make(countOutputs(items))
			}
			st.Outputs = append(st.Outputs, out)
		case *dsl.MountStmt:
			vol := argoName(s.Volume.Name)
			found := false
			var names []string
			for _, v := range sc.p.Volumes {
				names = append(names, v.Name)
				if v.Name == vol {
					found = true
					v.Mounted = true
				}
			}
			names = append(names, c.stepVols...)
			found = found || contains(c.stepVols, vol)
			if !found {
				dd := c.errorf(s.Volume, "unknown volume %q", s.Volume.Name)
				if sug := diag.Suggest(vol, names); sug != "" {
					dd.WithHint("did you mean %q?", sug)
				} else {
					dd.WithHint(`declare it in the pipeline: volume %s = pvc("claim-name")`, s.Volume.Name)
				}
			}
			if !strings.HasPrefix(s.Path.Value(), "/") {
				c.errorf(s.Path, "mount path %q must be absolute", s.Path.Value())
			}
			m := &Mount{Volume: vol, Path: s.Path.Value(), ReadOnly: s.ReadOnly}
			if s.SubPath != nil {
				m.SubPath = s.SubPath.Value()
			}
			b.extra().Mounts = append(b.Mounts, m)
		case *dsl.WorkdirStmt:
			if single("workdir", s) {
				b.extra().Workdir = c.text(sc, s.Dir)
			}
		case *dsl.TimeoutStmt:
			if !single("timeout", s) {
				continue
			}
			if s.Value != nil && s.Value.Str != nil {
				// timeout "${t}": a duration known at run time (templates_kinds.go)
				b.TimeoutText = c.runtimeDuration(sc, s.Value.Str, "timeout")
			} else {
				if d, ok := c.duration(s.Value); ok {
					secs := c.seconds.new()
					*secs = int64(d.Seconds())
					if *secs < 1 {
						c.errorf(s.Value, "a step timeout must be at least 1s")
					}
					b.Timeout = secs
				}
			}
		case *dsl.RetryStmt:
			if single("retry", s) {
				st.Retry = c.retry(sc, s)
			}
		case *dsl.MemoizeStmt:
			if !single("memoize", s) {
				continue
			}
			on, maxAge := c.memoize(s)
			if st.Handler != "" && on && s.Mode == "on" {
				c.errorf(s, "exit and failure handlers and hooks are never memoized: they must run every time their event happens")
				continue
			}
			if s.Mode != "" {
				st.Memoize = on && st.Handler == ""
				st.MemoizeExplicit = true
			}
			if maxAge != "" {
				st.MaxAge = maxAge
			}
		case *dsl.NodeSelectorStmt:
			t := c.text(sc, s.Value)
			c.nodeSelector(s, t)
			b.extra().NodeSelector = append(b.NodeSelector, &TextKV{s.Key.Value(), t})
		case *dsl.TolerationStmt:
			b.extra().Tolerations = append(b.Tolerations, c.toleration(s))
		case *dsl.LabelStmt:
			kv := KV{s.Key.Value(), c.literalOnly(s.Value, "a "+s.Kind)}
			c.labelKV(s, kv.Value)
			if s.Kind == "label" {
				b.extra().Labels = append(b.Labels, kv)
			} else {
				b.extra().Annotations = append(b.Annotations, kv)
			}
		case *dsl.RawStmt:
			b.extra().Raw = append(b.Raw, s)
			b.extra().RawText = append(b.RawText, c.rawText(sc, s, false))
		case *dsl.InputStmt, *dsl.ArtifactStmt:
			c.artifactStmt(sc, st, s)
		case *dsl.SubStep, *dsl.SubStage:
			c.nestedSteps(st, it)
		case *dsl.ContainerDecl:
			c.containerDecl(sc, st, s)
		case *dsl.VolumeStmt:
			c.stepVolume(sc, st, s)
		case *dsl.ContainerRetryStmt:
			if single("retry_containers", s) {
				c.containerRetry(b, s)
			}
		case *dsl.MirrorStmt:
			c.errorf(s, "mirror_volume_mounts applies only in a sidecar or init block").WithHint("sidecar NAME { ... mirror_volume_mounts }")
		case *dsl.StepParallelismStmt:
			c.errorf(s, "step_parallelism applies to a pipeline or a template with steps, not to one step").
				WithHint("to limit a loop, move the step into a template with steps and call it: template t(...) { step_parallelism 2  step %s for ... }", st.Name)
		default:
			if !c.behaviourStmt(st, it.Stmt, single) {
				c.kindStmt(sc, st, it.Stmt, single)
			}
		}
	}
	if b.Script != nil && len(b.Command) > 0 {
		c.errorf(once["script"], "step %q has both run and script; use one", st.Name)
	}
}

func (c *checker) env(s *dsl.EnvStmt, sc *scope) *EnvVar {
	name := s.Name.Value()
	if name == EnvRetryRunID || name == EnvRetryIndicator {
		c.errorf(s.Name, "environment variable %q is set by pipec in every container", name).WithHint("see docs/retries.md")
		return nil
	}
	if !isEnvName(name) {
		c.errorf(s.Name, "invalid environment variable name %q", name)
		return nil
	}
	ev := c.envVars.new()
	ev.Name, ev.Range = name, s.Range()
	v := s.Value
	switch {
	case v.Str != nil:
		if sc == nil {
			ev.Value = c.plainText(v.Str, "a pipeline-wide env value")
		} else {
			ev.Value = c.text(sc, v.Str)
		}
	case v.Int != nil || v.Float != nil || v.Bool != nil:
		s := literalString(v)
		ev.Value = &Text{Value: s}
	case v.Call != nil && (v.Call.Name.Name == "secret" || v.Call.Name.Name == "config_map"):
		args := c.stringArgs(v.Call)
		if len(args) != 2 {
			c.errorf(v.Call, `%s() takes a name and a key: %s("name", "key")`, v.Call.Name.Name, v.Call.Name.Name)
			return nil
		}
		if v.Call.Name.Name == "secret" {
			ev.SecretRef = &apiv1.SecretKeySelector{LocalObjectReference: apiv1.LocalObjectReference{Name: args[0]}, Key: args[1]}
		} else {
			ev.ConfigRef = &apiv1.ConfigMapKeySelector{LocalObjectReference: apiv1.LocalObjectReference{Name: args[0]}, Key: args[1]}
		}
	case v.Call != nil:
		c.unknownWord(v.Call.Name, "env source", []string{"secret", "config_map"})
		return nil
	default:
		c.errorf(v, "an env value must be a string, secret(...) or config_map(...), got %s", v.Kind())
		return nil
	}
	return ev
}

// appendKV appends a resource to a body's requests or limits, the first
// in a slice with room for two (a step's requests are about always cpu
// and memory).
func (c *checker) appendKV(list []KV, kv KV) []KV {
	if list == nil {
		list = c.kvLists.make(2)
	}
	return append(list, kv)
}

// limitWhat names a resource's limit in messages: kind + " limit", without
// building the string for the usual kinds.
func limitWhat(kind string) string {
	switch kind {
	case "cpu":
		return "cpu limit"
	case "memory":
		return "memory limit"
	}
	return kind + " limit"
}

// countEnv is the number of env statements among a body's items.
func countEnv(items []*dsl.StepItem) int {
	n := 0
	for _, it := range items {
		if _, ok := it.Stmt.(*dsl.EnvStmt); ok {
			n++
		}
	}
	return n
}

// countOutputs is the number of output statements among a body's items.
func countOutputs(items []*dsl.StepItem) int {
	n := 0
	for _, it := range items {
		if _, ok := it.Stmt.(*dsl.OutputStmt); ok {
			n++
		}
	}
	return n
}

// limitOnly checks a resource limit without a request (`memory limit 32Mi`).
func (c *checker) limitOnly(sc *scope, b *Body, s *dsl.ResourceStmt, name string) {
	if s.Kind == "gpu" {
		c.errorf(s.LimitOnly, "a gpu count is already a limit: write gpu N")
		return
	}
	if c.dynResource(sc, b, name, true, s.LimitOnly) {
		return
	}
	if q, qty, ok := c.quantity(s.LimitOnly, limitWhat(s.Kind)); ok && c.resourceQuantity(s.LimitOnly, s.Kind, q, qty) {
		b.Limits = c.appendKV(b.Limits, KV{name, q})
	}
}
