package agreement

import "gloss/shared/model"

// Span is one labelled range of one annotator: [Start, End) in Unicode code
// points, as in model.Annotation.
type Span struct {
	Start, End int
	Label      string
}

// SpansByLayer groups annotations by layer, i.e. by annotator. The result
// includes model.GoldLayer if present; delete it to compare annotators
// only. An annotator who finished a document without marking anything has
// no annotations, so add an empty entry for them, or Compute treats them as
// not having annotated the document at all.
func SpansByLayer(anns []model.Annotation) map[string][]Span {
	layers := map[string][]Span{}
	for _, a := range anns {
		layers[a.Layer] = append(layers[a.Layer], Span{Start: a.Start, End: a.End, Label: a.Label})
	}
	return layers
}

// Match says when a span of one annotator matches a span of another. Both
// modes require the same label and pair spans one to one.
type Match int

const (
	// Exact matches spans with the same start and end.
	Exact Match = iota
	// Overlap matches spans that share at least one code point. Among the
	// possible one-to-one pairings it takes one with the most pairs, so the
	// count does not depend on span order or on a greedy choice.
	Overlap
)

// SpanCounts are the matching counts of one annotator's spans (B) against
// another's (A, the reference). Counts add up across documents and pairs,
// which gives micro-averaged precision, recall and F1.
type SpanCounts struct {
	TP int // matched pairs
	FP int // spans of B left unmatched
	FN int // spans of A left unmatched
}

// Add returns the sum of c and d.
func (c SpanCounts) Add(d SpanCounts) SpanCounts {
	return SpanCounts{TP: c.TP + d.TP, FP: c.FP + d.FP, FN: c.FN + d.FN}
}

// Precision is TP/(TP+FP); undefined when B marked nothing.
func (c SpanCounts) Precision() Score { return ratio(float64(c.TP), float64(c.TP+c.FP)) }

// Recall is TP/(TP+FN); undefined when A marked nothing.
func (c SpanCounts) Recall() Score { return ratio(float64(c.TP), float64(c.TP+c.FN)) }

// F1 is 2TP/(2TP+FP+FN). It is symmetric in A and B, so it serves as an
// agreement measure; undefined when neither marked anything.
func (c SpanCounts) F1() Score { return ratio(float64(2*c.TP), float64(2*c.TP+c.FP+c.FN)) }

// SpanF1 matches b against a under m and returns the counts over all
// labels and for each label that occurs in a or b.
func SpanF1(a, b []Span, m Match) (total SpanCounts, byLabel map[string]SpanCounts) {
	ga, gb := groupByLabel(a), groupByLabel(b)
	byLabel = map[string]SpanCounts{}
	for _, g := range []map[string][]Span{ga, gb} {
		for l := range g {
			if _, done := byLabel[l]; !done {
				byLabel[l] = matchLabel(ga[l], gb[l], m)
				total = total.Add(byLabel[l])
			}
		}
	}
	return total, byLabel
}

func groupByLabel(spans []Span) map[string][]Span {
	g := map[string][]Span{}
	for _, s := range spans {
		g[s.Label] = append(g[s.Label], s)
	}
	return g
}

// matchLabel counts matches between spans that all have the same label:
// the size of a maximum one-to-one matching (Kuhn's augmenting paths), so
// a span marked twice by A and once by B matches once. Spans of one label
// in one document are few, so O(V·E) is plenty.
func matchLabel(a, b []Span, m Match) SpanCounts {
	adj := make([][]int, len(a))
	for i, x := range a {
		for j, y := range b {
			if x == y || m == Overlap && x.Start < y.End && y.Start < x.End {
				adj[i] = append(adj[i], j)
			}
		}
	}
	owner := make([]int, len(b)) // owner[j] is the a-span matched to b[j], or -1
	for j := range owner {
		owner[j] = -1
	}
	var augment func(i int, seen []bool) bool
	augment = func(i int, seen []bool) bool {
		for _, j := range adj[i] {
			if seen[j] {
				continue
			}
			seen[j] = true
			if owner[j] < 0 || augment(owner[j], seen) {
				owner[j] = i
				return true
			}
		}
		return false
	}
	tp := 0
	for i := range a {
		if augment(i, make([]bool, len(b))) {
			tp++
		}
	}
	return SpanCounts{TP: tp, FP: len(b) - tp, FN: len(a) - tp}
}
