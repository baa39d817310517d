package suggest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The evaluation sets in testdata are news-style sentences written for
// Gloss (not taken from any corpus) with their gold figures and
// attributions. TestEval scores Extract on them and fails below the floors
// the issue sets; `make eval` runs it and prints the table.

type goldFigure struct {
	lo, hi float64 // equal for a single value
	qual   string
}

type goldAttr struct {
	src, cue [2]int // code points in the sentence
}

type evalCase struct {
	line     int
	text     string
	figures  []goldFigure
	attribs  []goldAttr
	hasFigs  bool // the set scores figures
	hasAttrs bool // the set scores attributions
}

func parseEval(path string, figs, attrs bool) ([]evalCase, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	var cases []evalCase
	for n, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tag, rest, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("%s:%d: no tag", path, n+1)
		}
		rest = strings.TrimSpace(rest)
		if tag == "S" {
			cases = append(cases, evalCase{line: n + 1, text: rest, hasFigs: figs, hasAttrs: attrs})
			continue
		}
		if len(cases) == 0 {
			return nil, fmt.Errorf("%s:%d: %s before any sentence", path, n+1, tag)
		}
		c := &cases[len(cases)-1]
		a, q, _ := strings.Cut(rest, "|")
		a, q = strings.TrimSpace(a), strings.TrimSpace(q)
		switch tag {
		case "F":
			lo, hi, isRange := strings.Cut(a, "..")
			l, err1 := strconv.ParseFloat(lo, 64)
			h := l
			var err2 error
			if isRange {
				h, err2 = strconv.ParseFloat(hi, 64)
			}
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("%s:%d: bad value %q", path, n+1, a)
			}
			c.figures = append(c.figures, goldFigure{lo: l, hi: h, qual: q})
		case "A":
			src, cue := runeIndex(c.text, a), runeIndex(c.text, q)
			if src[1] == 0 || cue[1] == 0 {
				return nil, fmt.Errorf("%s:%d: %q or %q not in the sentence", path, n+1, a, q)
			}
			c.attribs = append(c.attribs, goldAttr{src: src, cue: cue})
		default:
			return nil, fmt.Errorf("%s:%d: unknown tag %q", path, n+1, tag)
		}
	}
	return cases, nil
}

// runeIndex returns the code point range of the first occurrence of sub in s;
// "said#2" is the second occurrence.
func runeIndex(s, sub string) [2]int {
	nth := 1
	if b, n, ok := strings.Cut(sub, "#"); ok {
		sub = b
		nth, _ = strconv.Atoi(n)
	}
	i, off := -1, 0
	for ; nth > 0; nth-- {
		k := strings.Index(s[off:], sub)
		if k < 0 {
			return [2]int{}
		}
		i, off = off+k, off+k+len(sub)
	}
	if i < 0 || sub == "" {
		return [2]int{}
	}
	st := len([]rune(s[:i]))
	return [2]int{st, st + len([]rune(sub))}
}

// prf counts true positives over predictions and gold items.
type prf struct{ tp, pred, gold, tpGold int }

func (p prf) scores() (float64, float64, float64) {
	pr, rc := ratio(p.tp, p.pred), ratio(p.tpGold, p.gold)
	f := 0.0
	if pr+rc > 0 {
		f = 2 * pr * rc / (pr + rc)
	}
	return pr, rc, f
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

type scores struct {
	value, valueQual, cue, source prf
	misses                        []string
}

func overlaps(a, b [2]int) bool { return a[0] < b[1] && b[0] < a[1] }

func evaluate(cases []evalCase) scores {
	var sc scores
	for _, c := range cases {
		res := Extract(c.text)
		if c.hasFigs {
			var pred []goldFigure
			for _, s := range res.Spans {
				if s.Label != LabelFigure {
					continue
				}
				g := goldFigure{qual: s.Attrs.Qualifier}
				if s.Attrs.Value != nil {
					g.lo, g.hi = *s.Attrs.Value, *s.Attrs.Value
				} else {
					g.lo, g.hi = *s.Attrs.Low, *s.Attrs.High
				}
				pred = append(pred, g)
			}
			for _, withQual := range []bool{false, true} {
				tp := matchFigures(pred, c.figures, withQual)
				p := &sc.value
				if withQual {
					p = &sc.valueQual
				}
				p.tp += tp
				p.tpGold += tp
				p.pred += len(pred)
				p.gold += len(c.figures)
				if !withQual && (tp < len(pred) || tp < len(c.figures)) {
					sc.misses = append(sc.misses, fmt.Sprintf("figures line %d: %q gold %v pred %v", c.line, c.text, c.figures, pred))
				}
			}
		}
		if c.hasAttrs {
			var pred []goldAttr
			for _, s := range res.Spans {
				if s.Label == LabelAttribution {
					pred = append(pred, goldAttr{src: s.Source, cue: *s.Attrs.Cue})
				}
			}
			for k, get := range []func(goldAttr) [2]int{func(a goldAttr) [2]int { return a.cue }, func(a goldAttr) [2]int { return a.src }} {
				p := &sc.cue
				if k == 1 {
					p = &sc.source
				}
				p.pred += len(pred)
				p.gold += len(c.attribs)
				for _, a := range pred {
					if hasOverlap(get(a), c.attribs, get) {
						p.tp++
					}
				}
				for _, g := range c.attribs {
					if hasOverlap(get(g), pred, get) {
						p.tpGold++
					}
				}
			}
			if len(pred) != len(c.attribs) || !allMatched(pred, c.attribs) {
				var got []string
				for _, a := range pred {
					got = append(got, fmt.Sprintf("%q/%q", slice(c.text, a.src), slice(c.text, a.cue)))
				}
				sc.misses = append(sc.misses, fmt.Sprintf("attributions line %d: %q gold %d pred %v", c.line, c.text, len(c.attribs), got))
			}
		}
	}
	return sc
}

func allMatched(pred, gold []goldAttr) bool {
	for _, a := range pred {
		if !hasOverlap(a.cue, gold, func(g goldAttr) [2]int { return g.cue }) {
			return false
		}
	}
	return true
}

func slice(s string, r [2]int) string { return string([]rune(s)[r[0]:r[1]]) }

func hasOverlap(x [2]int, in []goldAttr, get func(goldAttr) [2]int) bool {
	for _, g := range in {
		if overlaps(x, get(g)) {
			return true
		}
	}
	return false
}

// matchFigures counts predicted figures matched one to one with gold
// figures of the same sentence by value (and qualifier).
func matchFigures(pred, gold []goldFigure, withQual bool) int {
	used := make([]bool, len(gold))
	tp := 0
	for _, p := range pred {
		for k, g := range gold {
			if used[k] || !near(p.lo, g.lo) || !near(p.hi, g.hi) || withQual && p.qual != g.qual {
				continue
			}
			used[k] = true
			tp++
			break
		}
	}
	return tp
}

func near(a, b float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	return d <= 1e-9*max(1, a, -a)
}

func TestEval(t *testing.T) {
	for _, set := range []struct{ name, figures, attributions string }{
		{"development (rules tuned on it)", "testdata/figures.eval", "testdata/attributions.eval"},
		{"held-out (never tuned on)", "testdata/heldout_figures.eval", "testdata/heldout_attributions.eval"},
	} {
		t.Run(set.name, func(t *testing.T) {
			evalSet(t, set.figures, set.attributions, strings.HasPrefix(set.name, "development"))
		})
	}
}

func evalSet(t *testing.T, figures, attributions string, full bool) {
	figCases, err := parseEval(figures, true, false)
	if err != nil {
		t.Fatal(err)
	}
	attrCases, err := parseEval(attributions, false, true)
	if err != nil {
		t.Fatal(err)
	}
	sc := evaluate(append(figCases, attrCases...))
	if testing.Verbose() {
		for _, m := range sc.misses {
			t.Log(m)
		}
	}
	var out strings.Builder
	fmt.Fprintf(&out, "%d figure sentences (%d gold figures), %d attribution sentences (%d gold attributions)\n",
		len(figCases), sc.value.gold, len(attrCases), sc.cue.gold)
	fmt.Fprintf(&out, "%-24s %9s %9s %9s\n", "", "precision", "recall", "F1")
	for _, r := range []struct {
		name string
		p    prf
	}{{"figure value", sc.value}, {"figure value+qualifier", sc.valueQual}, {"attribution cue", sc.cue}, {"attribution source", sc.source}} {
		p, rc, f := r.p.scores()
		fmt.Fprintf(&out, "%-24s %9.3f %9.3f %9.3f\n", r.name, p, rc, f)
	}
	t.Log("\n" + out.String())
	if full && (sc.value.gold < 300 || sc.cue.gold < 200) {
		t.Errorf("eval sets too small: %d figures, %d attributions", sc.value.gold, sc.cue.gold)
	}
	if _, _, f := sc.value.scores(); f < 0.90 {
		t.Errorf("figure value F1 %.3f < 0.90", f)
	}
	if p, r, _ := sc.cue.scores(); p < 0.90 || r < 0.75 {
		t.Errorf("attribution cue precision %.3f (floor 0.90), recall %.3f (floor 0.75)", p, r)
	}
	if p, _, _ := sc.source.scores(); p < 0.90 {
		t.Errorf("attribution source precision %.3f < 0.90", p)
	}
}
