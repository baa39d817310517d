// Package suggest proposes figures, attributions and the claims they
// source in news text, with rules and word lists instead of a model, so
// that Gloss can pre-annotate a document instantly, offline and in the
// browser as well as on the server. It does no I/O.
//
// Offsets are Unicode code points, end exclusive, like every span in
// Gloss. Extract works sentence by sentence: a figure is a number with its
// qualifier, counted noun or unit and, when the sentence says it, what
// happened to what it counts ("at least 40 people dead"); an attribution
// is a source with its cue ("the New York Times reported", "according to
// US officials") linked by a source relation to the claim it introduces.
package suggest

import (
	"slices"

	"gloss/shared/model"
)

// Labels of the suggested spans.
const (
	LabelFigure      = "figure"
	LabelAttribution = "attribution"
	LabelClaim       = "claim"
)

// RelationSource is the type of the relation from an attribution to its claim.
const RelationSource = "source"

// Span is one suggested span. Start and End are code point offsets, end
// exclusive; Text is the text between them. Attrs carries a figure's value,
// qualifier, unit and quantity, or an attribution's cue. Source is, on an
// attribution, the code point range of who is speaking (inside the span),
// for evaluation; it is not part of the exported shape.
type Span struct {
	Start, End int
	Label      string
	Text       string
	Attrs      model.Attrs
	Source     [2]int
}

// Relation links two spans by their indexes in Result.Spans.
type Relation struct {
	Type     string
	From, To int
}

// Result is what Extract suggests for one text: spans in reading order
// (start, then longer first) and relations between them.
type Result struct {
	Spans     []Span
	Relations []Relation
}

// Extract suggests the figures, attributions and claims of text.
func Extract(text string) Result {
	r := []rune(text)
	toks := tokenize(r)
	var spans []Span
	var rels [][2]int          // indexes into spans before sorting
	claims := map[[2]int]int{} // claim offsets → index, so one claim serves several attributions
	for _, sb := range sentences(toks) {
		st := toks[sb[0]:sb[1]]
		for _, f := range figures(st) {
			spans = append(spans, f.span(r))
		}
		for _, a := range attributions(st) {
			ai := len(spans)
			sp := Span{Start: st[a.src[0]].s, End: st[a.src[1]-1].e, Label: LabelAttribution}
			cs, ce := st[a.cue[0]].s, st[a.cue[1]-1].e
			sp.Start, sp.End = min(sp.Start, cs), max(sp.End, ce)
			if a.rec[1] > a.rec[0] {
				sp.Start, sp.End = min(sp.Start, st[a.rec[0]].s), max(sp.End, st[a.rec[1]-1].e)
			}
			sp.Attrs.Cue = &[2]int{cs, ce}
			sp.Source = [2]int{st[a.src[0]].s, st[a.src[1]-1].e}
			sp.Text = string(r[sp.Start:sp.End])
			spans = append(spans, sp)
			cl := Span{Start: st[a.claim[0]].s, End: st[a.claim[1]-1].e, Label: LabelClaim}
			if a.openBefore {
				if q := quoteStart(toks, sb[0]); q >= 0 {
					cl.Start = toks[q].s
				}
			}
			cl.Text = string(r[cl.Start:cl.End])
			ci, ok := claims[[2]int{cl.Start, cl.End}]
			if !ok {
				ci = len(spans)
				claims[[2]int{cl.Start, cl.End}] = ci
				spans = append(spans, cl)
			}
			rels = append(rels, [2]int{ai, ci})
		}
	}
	order := make([]int, len(spans))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		x, y := spans[a], spans[b]
		if x.Start != y.Start {
			return x.Start - y.Start
		}
		return y.End - x.End
	})
	pos := make([]int, len(spans))
	res := Result{Spans: make([]Span, len(spans))}
	for k, i := range order {
		pos[i] = k
		res.Spans[k] = spans[i]
	}
	for _, rl := range rels {
		res.Relations = append(res.Relations, Relation{Type: RelationSource, From: pos[rl[0]], To: pos[rl[1]]})
	}
	slices.SortFunc(res.Relations, func(a, b Relation) int {
		if a.From != b.From {
			return a.From - b.From
		}
		return a.To - b.To
	})
	return res
}
