// Package agreement measures inter-annotator agreement: span-level F1 with
// exact and overlap matching, Cohen's kappa and Krippendorff's nominal alpha
// over token units, per annotator pair, per label and overall. It does no
// I/O so that the server, the browser and tests can all run it on plain
// values; a per-document report is Compute over one document, a project
// report Compute over all of them.
package agreement

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"

	"gloss/shared/textpos"
)

// ErrInvalidSpan reports a span that is empty, outside its document or
// unlabelled; counting it would skew every score that involves it.
var ErrInvalidSpan = errors.New("invalid span")

// Document is one document's text and, for each annotator who annotated it,
// their spans. An annotator with a key but no spans marked nothing; one
// without a key did not annotate the document and is left out of its pairs
// and its alpha units, rather than counted as disagreeing everywhere.
type Document struct {
	Text   string
	Layers map[string][]Span
}

// Pair is the agreement of two annotators, A < B by name. Span counts take
// A as the reference; F1 and kappa are symmetric anyway.
type Pair struct {
	A, B   string
	Docs   int // documents both annotated; 0 means the scores say nothing
	Tokens int // token units in those documents
	// Exact counts one-to-one matches of same-label spans with equal bounds.
	Exact SpanCounts
	// Overlap counts one-to-one matches of same-label spans that overlap.
	Overlap SpanCounts
	// Kappa is Cohen's kappa over the tokens of the shared documents.
	Kappa Score
}

// Summary is agreement over all labels (Label == None) or for one label.
// For one label, spans of other labels are ignored and kappa and alpha are
// binary: a token is the label or None. Over all labels, a token's category
// is the label of the shortest span sharing a code point with it, ties going
// to the label that sorts first, or None if no span touches it.
type Summary struct {
	Label string
	Pairs []Pair // every pair of Report.Annotators, sorted by A then B
	// Exact and Overlap are summed over pairs: micro-averaged pairwise F1.
	Exact, Overlap SpanCounts
	// Alpha is Krippendorff's nominal alpha with tokens as units and all
	// annotators as coders, each token coded by those who annotated its
	// document.
	Alpha Score
}

// Report is the agreement over a set of documents. Counts are summed over
// documents and coefficients computed over their concatenated tokens, so
// a long document weighs more than a short one.
type Report struct {
	Annotators []string // sorted
	Docs       int
	Tokens     int
	All        Summary
	Labels     []Summary // one per label any annotator used, sorted
}

// pairKey names one pair's accumulator for one label, None for all labels.
type pairKey struct{ label, a, b string }

// pairAcc accumulates one pair's agreement across documents.
type pairAcc struct {
	docs, tokens   int
	exact, overlap SpanCounts
	kappa          contingency
}

// Compute measures agreement over docs. It returns an error wrapping
// ErrInvalidSpan, naming the document index and layer, if any span is
// empty, lies outside its text or has no label.
func Compute(docs []Document) (Report, error) {
	names, labels := map[string]bool{}, map[string]bool{}
	for d, doc := range docs {
		n := textpos.CodePointLen(doc.Text)
		for layer, spans := range doc.Layers {
			names[layer] = true
			for _, s := range spans {
				if s.Label == None || s.Start < 0 || s.End <= s.Start || s.End > n {
					return Report{}, fmt.Errorf("agreement: document %d, layer %q: span [%d,%d) %q in %d code points: %w",
						d, layer, s.Start, s.End, s.Label, n, ErrInvalidSpan)
				}
				labels[s.Label] = true
			}
		}
	}
	// The overall summary is computed like a label's, under the name None.
	cats := append([]string{None}, slices.Sorted(maps.Keys(labels))...)
	pairs := map[pairKey]*pairAcc{}
	alphas := map[string]*coincidence{}
	for _, l := range cats {
		alphas[l] = &coincidence{}
	}
	r := Report{Annotators: slices.Sorted(maps.Keys(names)), Docs: len(docs)}
	for _, doc := range docs {
		toks := Tokenize(doc.Text)
		r.Tokens += len(toks)
		present := slices.Sorted(maps.Keys(doc.Layers))
		tl := make([]tokenLabels, len(present))
		for i, name := range present {
			tl[i] = labelTokens(toks, doc.Layers[name])
		}
		for i, a := range present {
			for j := i + 1; j < len(present); j++ {
				b := present[j]
				exact, exactBy := SpanF1(doc.Layers[a], doc.Layers[b], Exact)
				overlap, overlapBy := SpanF1(doc.Layers[a], doc.Layers[b], Overlap)
				exactBy[None], overlapBy[None] = exact, overlap
				for _, l := range cats {
					p := pairs[pairKey{l, a, b}]
					if p == nil {
						p = &pairAcc{}
						pairs[pairKey{l, a, b}] = p
					}
					p.docs++
					p.tokens += len(toks)
					p.exact, p.overlap = p.exact.Add(exactBy[l]), p.overlap.Add(overlapBy[l])
					for t := range toks {
						p.kappa.add(tl[i].category(l, t), tl[j].category(l, t))
					}
				}
			}
		}
		values := make([]string, len(present))
		for t := range toks {
			for _, l := range cats {
				for i := range present {
					values[i] = tl[i].category(l, t)
				}
				alphas[l].addUnit(values)
			}
		}
	}
	for _, l := range cats {
		// Every pair is listed, including pairs who never shared a
		// document, so that a table of pairs has no holes.
		s := Summary{Label: l, Alpha: alphas[l].alpha()}
		for i, a := range r.Annotators {
			for _, b := range r.Annotators[i+1:] {
				p := cmp.Or(pairs[pairKey{l, a, b}], &pairAcc{})
				s.Pairs = append(s.Pairs, Pair{A: a, B: b, Docs: p.docs, Tokens: p.tokens,
					Exact: p.exact, Overlap: p.overlap, Kappa: p.kappa.kappa()})
				s.Exact, s.Overlap = s.Exact.Add(p.exact), s.Overlap.Add(p.overlap)
			}
		}
		if l == None {
			r.All = s
		} else {
			r.Labels = append(r.Labels, s)
		}
	}
	return r, nil
}
