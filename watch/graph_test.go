package watch

import (
	"reflect"
	"testing"
)

func TestGraphReverseEdges(t *testing.T) {
	g := NewGraph()
	g.Set("a.pipe", []string{"lib/x.pipe", "lib/y.pipe"})
	g.Set("b.pipe", []string{"lib/x.pipe"})
	g.Set("lib/x.pipe", nil)

	if got, want := g.Importers("lib/x.pipe"), []string{"a.pipe", "b.pipe"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Importers(lib/x.pipe) = %v, want %v", got, want)
	}
	if got, want := g.Importers("lib/y.pipe"), []string{"a.pipe"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Importers(lib/y.pipe) = %v, want %v", got, want)
	}
	if got := g.Importers("a.pipe"); len(got) != 0 {
		t.Errorf("Importers(a.pipe) = %v, want none", got)
	}
	if got, want := g.Imports("a.pipe"), []string{"lib/x.pipe", "lib/y.pipe"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Imports(a.pipe) = %v, want %v", got, want)
	}
	// lib/y.pipe was never Set, but is known because a.pipe imports it.
	for _, f := range []string{"a.pipe", "b.pipe", "lib/x.pipe", "lib/y.pipe"} {
		if !g.Known(f) {
			t.Errorf("Known(%s) = false", f)
		}
	}
	if g.Known("c.pipe") {
		t.Error("Known(c.pipe) = true")
	}
	if got, want := g.Files(), []string{"a.pipe", "b.pipe", "lib/x.pipe", "lib/y.pipe"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Files() = %v, want %v", got, want)
	}

	// Set replaces: b no longer imports x, now imports y (twice: once kept).
	g.Set("b.pipe", []string{"lib/y.pipe", "lib/y.pipe"})
	if got, want := g.Importers("lib/x.pipe"), []string{"a.pipe"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after Set: Importers(lib/x.pipe) = %v, want %v", got, want)
	}
	if got, want := g.Importers("lib/y.pipe"), []string{"a.pipe", "b.pipe"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after Set: Importers(lib/y.pipe) = %v, want %v", got, want)
	}
	if got, want := g.Imports("b.pipe"), []string{"lib/y.pipe"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after Set: Imports(b.pipe) = %v, want %v", got, want)
	}
}

func TestGraphAffected(t *testing.T) {
	g := NewGraph()
	// app1 -> mid -> base; app2 -> base; other alone; c1 <-> c2 a cycle.
	g.Set("app1.pipe", []string{"mid.pipe"})
	g.Set("mid.pipe", []string{"base.pipe"})
	g.Set("app2.pipe", []string{"base.pipe"})
	g.Set("base.pipe", nil)
	g.Set("other.pipe", nil)
	g.Set("c1.pipe", []string{"c2.pipe"})
	g.Set("c2.pipe", []string{"c1.pipe"})

	tests := []struct {
		files []string
		want  []string
	}{
		{[]string{"base.pipe"}, []string{"app1.pipe", "app2.pipe", "base.pipe", "mid.pipe"}},
		{[]string{"mid.pipe"}, []string{"app1.pipe", "mid.pipe"}},
		{[]string{"app1.pipe"}, []string{"app1.pipe"}},
		{[]string{"other.pipe", "mid.pipe"}, []string{"app1.pipe", "mid.pipe", "other.pipe"}},
		{[]string{"c1.pipe"}, []string{"c1.pipe", "c2.pipe"}},
		{[]string{"unknown.pipe"}, []string{"unknown.pipe"}},
		{nil, []string{}},
	}
	for _, tt := range tests {
		if got := g.Affected(tt.files...); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Affected(%v) = %v, want %v", tt.files, got, tt.want)
		}
	}
	if got, want := g.Closure("app1.pipe"), map[string]bool{"app1.pipe": true, "mid.pipe": true, "base.pipe": true}; !reflect.DeepEqual(got, want) {
		t.Errorf("Closure(app1.pipe) = %v, want %v", got, want)
	}
}

func TestGraphRemove(t *testing.T) {
	g := NewGraph()
	g.Set("app.pipe", []string{"mid.pipe"})
	g.Set("mid.pipe", []string{"base.pipe"})
	g.Set("base.pipe", nil)

	// mid.pipe is deleted: it imports nothing any more, so a change to
	// base.pipe no longer reaches app.pipe through it...
	g.Remove("mid.pipe")
	if got, want := g.Affected("base.pipe"), []string{"base.pipe"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after Remove: Affected(base.pipe) = %v, want %v", got, want)
	}
	if got := g.Importers("base.pipe"); len(got) != 0 {
		t.Errorf("after Remove: Importers(base.pipe) = %v, want none", got)
	}
	// ...but app.pipe still imports it, and must be rebuilt when it
	// comes back (or now, to report it missing).
	if got, want := g.Affected("mid.pipe"), []string{"app.pipe", "mid.pipe"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after Remove: Affected(mid.pipe) = %v, want %v", got, want)
	}
	if !g.Known("mid.pipe") {
		t.Error("after Remove: mid.pipe, still imported, is not known")
	}

	// Once nothing imports it, it is gone.
	g.Set("app.pipe", nil)
	if g.Known("mid.pipe") {
		t.Error("mid.pipe is known though nothing imports it")
	}
	g.Remove("app.pipe")
	g.Remove("base.pipe")
	if got := g.Files(); len(got) != 0 {
		t.Errorf("Files() = %v after removing everything", got)
	}
}
