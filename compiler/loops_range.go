// Ranges: `for i in range(...)`, Argo's withSequence.

package compiler

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/pipec/pipec/dsl"
)

// Sequence is a range loop as Argo runs it (withSequence): from Start
// (0 when nil) to End inclusive, counting down when End is below Start, or
// Count numbers from Start. Each number is written with Format (Argo's
// printf verb for an integer; %d when empty).
type Sequence struct {
	Start, End, Count *Bound
	Format            string
}

// Bound is one number of a range: a literal, or a reference resolved at
// run time (a parameter, an earlier step's output, a composite's input).
type Bound struct {
	N    *int
	Text *Text
}

// Len is the number of items of a range whose bounds are all literals, or
// -1 when a bound is known only at run time.
func (s *Sequence) Len() int {
	start := 0
	if s.Start != nil {
		if s.Start.N == nil {
			return -1
		}
		start = *s.Start.N
	}
	switch {
	case s.End != nil && s.End.N != nil:
		if *s.End.N >= start {
			return *s.End.N - start + 1
		}
		return start - *s.End.N + 1
	case s.Count != nil && s.Count.N != nil:
		return *s.Count.N
	}
	return -1
}

// rangeArgs are the named arguments range takes.
var rangeArgs = []string{"through", "count", "format"}

const rangeHint = "range(end) or range(start, end) with literal numbers (end excluded, counting down when end < start); " +
	"range(start, through = last) or range(start, count = n) where a bound is a parameter or a step's output; format = \"%02d\" writes each number"

// sequence checks a range(...) loop source.
func (c *checker) sequence(sc *scope, call *dsl.Call) *Sequence {
	seq := c.sequences.new()
	ok := true
	for _, a := range call.Named {
		if !contains(rangeArgs, a.Name.Name) {
			c.unknownWord(a.Name, "argument of range", rangeArgs)
			ok = false
		}
	}
	through, count := call.NamedArg("through"), call.NamedArg("count")
	if f := call.NamedArg("format"); f != nil {
		seq.Format = c.rangeFormat(f.Value)
		ok = ok && seq.Format != ""
	}
	var bounds []*Bound
	for _, a := range call.Args {
		b := c.bound(sc, a)
		if b == nil {
			ok = false
		}
		bounds = append(bounds, b)
	}
	named := through != nil || count != nil
	switch {
	case through != nil && count != nil:
		c.errorf(count, "range takes through or count, not both").WithHint("%s", rangeHint)
		return nil
	case named && len(call.Args) > 1:
		kw := "count"
		if through != nil {
			kw = "through"
		}
		c.errorf(call.Args[1], "range(start, %s = ...) takes one positional bound, the start", kw).WithHint("%s", rangeHint)
		return nil
	case !named && (len(call.Args) == 0 || len(call.Args) > 2):
		c.errorf(call, "range takes (end), (start, end), (start, through = last) or (start, count = n), got %d arguments", len(call.Args)).WithHint("%s", rangeHint)
		return nil
	}
	if named {
		if len(bounds) == 1 {
			seq.Start = bounds[0]
		}
		if through != nil {
			seq.End = c.bound(sc, through.Value)
			return okSeq(seq, ok && seq.End != nil)
		}
		seq.Count = c.bound(sc, count.Value)
		if seq.Count != nil && seq.Count.N != nil && *seq.Count.N <= 0 {
			c.errorf(count.Value, "range(count = %d) is empty: the step would never run", *seq.Count.N).WithHint("count is the number of items, at least 1")
			return nil
		}
		return okSeq(seq, ok && seq.Count != nil)
	}
	if !ok {
		return nil
	}
	if len(bounds) == 1 {
		end := bounds[0]
		if end.N == nil {
			// range(n) is n items from 0: Argo's count.
			seq.Count = end
			return seq
		}
		if *end.N <= 0 {
			c.errorf(call, "range(%d) is empty: the end is excluded and must be greater than 0", *end.N).WithHint("%s", rangeHint)
			return nil
		}
		seq.Start, seq.End = c.numBound(0), c.numBound(*end.N-1)
		return seq
	}
	start, end := bounds[0], bounds[1]
	if start.N == nil || end.N == nil {
		at := call.Args[1]
		if end.N != nil {
			at = call.Args[0]
		}
		c.errorf(at, "range(start, end) excludes its end, which Argo cannot compute from a reference").
			WithHint("write range(start, through = last) for an inclusive last number, or range(start, count = n)")
		return nil
	}
	last := *end.N - 1
	switch {
	case *end.N == *start.N:
		c.errorf(call, "range(%d, %d) is empty: the end is excluded", *start.N, *end.N).WithHint("%s", rangeHint)
		return nil
	case *end.N < *start.N:
		last = *end.N + 1 // counting down: the end is still excluded
	}
	seq.Start, seq.End = start, c.numBound(last)
	return seq
}

// A numBound is a literal Bound and the number it points to, allocated
// together.
type numBound struct {
	bound Bound
	n     int
}

// numBound returns a Bound of the number n.
func (c *checker) numBound(n int) *Bound {
	nb := c.numBounds.new()
	nb.n = n
	nb.bound.N = &nb.n
	return &nb.bound
}

func okSeq(s *Sequence, ok bool) *Sequence {
	if !ok {
		return nil
	}
	return s
}

// bound checks one number of a range: a whole number, a reference
// (n, gen.count) or a string holding one ("${n}").
func (c *checker) bound(sc *scope, v *dsl.Value) *Bound {
	switch {
	case v.Int != nil:
		n, ok := c.intValue(v, "a range bound")
		if !ok {
			return nil
		}
		return c.numBound(n)
	case v.Path != nil:
		path := v.Path.String()
		lit := &dsl.StringLit{Span: v.Span, Raw: `"${` + path + `}"`}
		t := &Text{Value: "${" + path + "}", Lit: lit}
		ref := c.resolve(sc, path, v.Range())
		if ref == nil {
			return nil
		}
		t.setRef(path, ref)
		c.use(sc, ref, v.Range())
		return &Bound{Text: t}
	case v.Str != nil:
		t := c.text(sc, v.Str)
		if t == nil {
			return nil
		}
		if len(t.Refs) == 0 {
			n, err := strconv.Atoi(t.Value)
			if err != nil {
				c.errorf(v, "a range bound must be a whole number or a reference, got %q", t.Value).WithHint("%s", rangeHint)
				return nil
			}
			return c.numBound(n)
		}
		return &Bound{Text: t}
	}
	c.errorf(v, "a range bound must be a whole number or a reference, got %s", v.Kind()).WithHint("%s", rangeHint)
	return nil
}

// printfVerbRE is one printf verb that formats an integer.
var printfVerbRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?([a-zA-Z%])`) })

// rangeFormat checks range's format: text with exactly one printf verb
// that formats an integer, as Argo's withSequence applies it
// (fmt.Sprintf(format, i)). It returns "" after reporting an error.
func (c *checker) rangeFormat(v *dsl.Value) string {
	if v.Str == nil {
		c.errorf(v, "format must be a string such as \"%%02d\", got %s", v.Kind())
		return ""
	}
	f := v.Str.Value()
	verbs := 0
	for _, m := range printfVerbRE().FindAllStringSubmatch(f, -1) {
		switch {
		case m[2] == "%":
		case strings.ContainsAny(m[2], "dboxXcqUv"):
			verbs++
		default:
			c.errorf(v.Str, "format %q: %%%s does not format a whole number", f, m[2]).WithHint("use %%d, %%x, %%X, %%o or %%b, with flags and a width such as %%02d")
			return ""
		}
	}
	if verbs != 1 {
		c.errorf(v.Str, "format %q must have exactly one verb for the number, has %d", f, verbs).WithHint("for example \"shard-%%02d\"")
		return ""
	}
	if s := fmt.Sprintf(f, 0); strings.ContainsAny(s, "\"\\\n\t") || strings.Contains(s, "%!") {
		c.errorf(v.Str, "format %q writes %q, which Argo cannot read back as an item", f, s).WithHint("leave out quotes, backslashes and control characters")
		return ""
	}
	return f
}

// lowerSequence is the withSequence of a range.
func (l *lowerer) lowerSequence(s *Sequence) *wfv1.Sequence {
	return &wfv1.Sequence{Start: l.boundValue(s.Start), End: l.boundValue(s.End), Count: l.boundValue(s.Count), Format: s.Format}
}

func (l *lowerer) boundValue(b *Bound) *intstr.IntOrString {
	switch {
	case b == nil:
		return nil
	case b.N != nil:
		return intOrStr(*b.N)
	}
	v := intstr.FromString(l.taskText(b.Text))
	return &v
}

// Describe says in words which numbers a range runs over (for hover).
func (s *Sequence) Describe() string {
	b := func(x *Bound) string {
		if x.N != nil {
			return strconv.Itoa(*x.N)
		}
		return "`" + x.Text.Value + "`"
	}
	start := "0"
	if s.Start != nil {
		start = b(s.Start)
	}
	var out string
	if s.End != nil {
		out = "the numbers from " + start + " through " + b(s.End)
	} else {
		out = b(s.Count) + " numbers from " + start
	}
	if s.Format != "" {
		out += ", each written as `" + s.Format + "`"
	}
	return out
}
