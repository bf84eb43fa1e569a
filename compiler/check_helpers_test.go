package compiler

import (
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// TestSplitPathMatchesSplit checks splitPath against strings.Split.
func TestSplitPathMatchesSplit(t *testing.T) {
	for _, path := range []string{"a", "a.b", "a.b.c", "a.b.c.d.e.f", ".", "a.", ".a", "..", "workflow.name", "s1.rows"} {
		var buf [4]string
		if got, want := splitPath(buf[:0], path), strings.Split(path, "."); !reflect.DeepEqual(got, want) {
			t.Errorf("splitPath(%q) = %q, want %q", path, got, want)
		}
	}
}

// TestWithPipelineEnvMatchesPrepending checks withPipelineEnv against
// what it replaces: prepending each pipeline variable the environment
// does not have yet, in turn.
func TestWithPipelineEnvMatchesPrepending(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	vars := func(n int, prefix string) []*EnvVar {
		out := make([]*EnvVar, n)
		for i := range out {
			out[i] = &EnvVar{Name: fmt.Sprintf("V%d", rng.Intn(5)), Value: &Text{Value: fmt.Sprintf("%s%d", prefix, i)}}
		}
		return out
	}
	for i := 0; i < 2000; i++ {
		pipeline, env := vars(rng.Intn(5), "p"), vars(rng.Intn(4), "s")
		want := env
		for _, ev := range pipeline {
			if !hasEnv(want, ev.Name) {
				want = append([]*EnvVar{ev}, want...)
			}
		}
		if got := withPipelineEnv(&sliceSlab[*EnvVar]{}, pipeline, env); !reflect.DeepEqual(got, want) {
			t.Fatalf("pipeline %v, step %v: got %v, want %v", names(pipeline), names(env), names(got), names(want))
		}
	}
}

func names(env []*EnvVar) []string {
	var out []string
	for _, ev := range env {
		out = append(out, ev.Name+"="+ev.Value.Value)
	}
	return out
}
