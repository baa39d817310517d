// Package review works out where two annotators' layers of a document
// disagree, and whether the reviewer has settled each disagreement yet. It
// is pure computation over model types (no I/O, no DOM), so the review page
// runs it in the browser and tests run it natively.
//
// Two layers A and B are matched span by span, in this order, each span
// used once:
//
//  1. same span, same label: agreement (not a disagreement);
//  2. same span, different labels: KindLabel;
//  3. overlapping spans with different boundaries, same label first, then
//     any label: KindBoundary (the labels may differ too);
//  4. whatever is left: KindOnlyA or KindOnlyB.
//
// A disagreement is resolved when gold settles it: one side's gold copy
// (an accept; an accept with changes counts as gold's own version), a gold
// span exactly on either side's boundaries, or a gold span with a side's
// label overlapping every side (the reviewer's own boundaries); or when
// the reviewer rejected every side of it.
package review

import (
	"cmp"
	"slices"
	"sort"
	"strings"

	"gloss/shared/model"
)

// Kind is what two layers disagree about.
type Kind string

// Kinds of disagreement, and of agreement.
const (
	KindLabel    Kind = "label"    // same span, different labels
	KindBoundary Kind = "boundary" // overlapping spans, different boundaries
	KindOnlyA    Kind = "only_a"   // a span of layer A that B has nothing like
	KindOnlyB    Kind = "only_b"   // a span of layer B that A has nothing like
	KindAgree    Kind = "agree"    // same span, same label (Result.Agreed)
)

// Resolution is how a disagreement was settled.
type Resolution string

// Resolutions. Open is the zero value.
const (
	Open             Resolution = ""
	ResolvedA        Resolution = "a"        // A's version is in gold as it is
	ResolvedB        Resolution = "b"        // B's version is in gold as it is
	ResolvedGold     Resolution = "gold"     // gold holds a version of its own there (edited, or made by the reviewer)
	ResolvedRejected Resolution = "rejected" // the reviewer rejected every side
)

// Disagreement is one place where the layers differ: a pair of spans, or
// one span that only one layer has.
type Disagreement struct {
	Kind Kind
	// A and B are the two sides; one is nil for KindOnlyA / KindOnlyB.
	A, B *model.Annotation
	// Start and End cover both sides, for ordering and scrolling.
	Start, End int
	Resolution Resolution
	// Gold is the gold span that settles it, if one does.
	Gold *model.Annotation
}

// Resolved reports whether the disagreement is settled.
func (d Disagreement) Resolved() bool { return d.Resolution != Open }

// Key identifies the disagreement by its sides' IDs: it stays the same
// while the reviewer settles it, so a view can keep its place.
func (d Disagreement) Key() string {
	k := ""
	if d.A != nil {
		k = d.A.ID
	}
	k += "|"
	if d.B != nil {
		k += d.B.ID
	}
	return k
}

// Result is the comparison of two layers.
type Result struct {
	// Disagreements in reading order (start, longer first, then key).
	Disagreements []Disagreement
	// Agreed are the pairs both layers have exactly (Kind KindAgree), in
	// reading order; their Resolution says whether gold has them yet.
	Agreed []Disagreement
}

// Open counts the disagreements not yet resolved.
func (r Result) Open() int {
	n := 0
	for _, d := range r.Disagreements {
		if !d.Resolved() {
			n++
		}
	}
	return n
}

// Compare compares layers a and b (the annotations of each, any order)
// against gold and the review records by annotation ID.
func Compare(a, b, gold []model.Annotation, reviews map[string]model.Review) Result {
	as, bs := sorted(a), sorted(b)
	usedA, usedB := make([]bool, len(as)), make([]bool, len(bs))
	var res Result
	pair := func(kind Kind, i, j int) {
		usedA[i], usedB[j] = true, true
		d := Disagreement{Kind: kind, A: &as[i], B: &bs[j], Start: min(as[i].Start, bs[j].Start), End: max(as[i].End, bs[j].End)}
		if kind == KindAgree {
			res.Agreed = append(res.Agreed, d)
		} else {
			res.Disagreements = append(res.Disagreements, d)
		}
	}
	// 1 and 2: the same span, same label first.
	for _, sameLabel := range []bool{true, false} {
		for i := range as {
			if usedA[i] {
				continue
			}
			for j := range bs {
				if !usedB[j] && as[i].Start == bs[j].Start && as[i].End == bs[j].End && (as[i].Label == bs[j].Label) == sameLabel {
					kind := KindLabel
					if sameLabel {
						kind = KindAgree
					}
					pair(kind, i, j)
					break
				}
			}
		}
	}
	// 3: overlapping spans, the largest overlap first; same label first.
	for _, sameLabel := range []bool{true, false} {
		for i := range as {
			if usedA[i] {
				continue
			}
			best, bestOverlap := -1, 0
			for j := range bs {
				if usedB[j] || sameLabel && as[i].Label != bs[j].Label {
					continue
				}
				if o := min(as[i].End, bs[j].End) - max(as[i].Start, bs[j].Start); o > bestOverlap {
					best, bestOverlap = j, o
				}
			}
			if best >= 0 {
				pair(KindBoundary, i, best)
			}
		}
	}
	// 4: the rest.
	for i := range as {
		if !usedA[i] {
			res.Disagreements = append(res.Disagreements, Disagreement{Kind: KindOnlyA, A: &as[i], Start: as[i].Start, End: as[i].End})
		}
	}
	for j := range bs {
		if !usedB[j] {
			res.Disagreements = append(res.Disagreements, Disagreement{Kind: KindOnlyB, B: &bs[j], Start: bs[j].Start, End: bs[j].End})
		}
	}
	goldByID := make(map[string]*model.Annotation, len(gold))
	gs := sorted(gold)
	for i := range gs {
		goldByID[gs[i].ID] = &gs[i]
	}
	for _, list := range [][]Disagreement{res.Disagreements, res.Agreed} {
		for i := range list {
			resolve(&list[i], gs, goldByID, reviews)
		}
		sortDisagreements(list)
	}
	return res
}

// resolve works out d's resolution.
func resolve(d *Disagreement, gold []model.Annotation, goldByID map[string]*model.Annotation, reviews map[string]model.Review) {
	for _, side := range []struct {
		ann *model.Annotation
		res Resolution
	}{{d.A, ResolvedA}, {d.B, ResolvedB}} {
		if side.ann == nil {
			continue
		}
		r, ok := reviews[side.ann.ID]
		if !ok || r.Gold == "" {
			continue
		}
		if g, ok := goldByID[r.Gold]; ok {
			d.Gold, d.Resolution = g, side.res
			if r.Status == model.ReviewEdited {
				d.Resolution = ResolvedGold
			}
			return
		}
	}
	for i := range gold {
		g := &gold[i]
		for _, side := range []*model.Annotation{d.A, d.B} {
			if side != nil && g.Start == side.Start && g.End == side.End {
				d.Gold, d.Resolution = g, ResolvedGold
				// A gold span that equals one side is that side's version.
				if g.Label == side.Label {
					if side == d.A {
						d.Resolution = ResolvedA
					} else {
						d.Resolution = ResolvedB
					}
				}
				return
			}
		}
	}
	// A gold span of a side's label overlapping every side: the
	// reviewer's own boundaries.
	for i := range gold {
		g := &gold[i]
		same, all := false, true
		for _, side := range []*model.Annotation{d.A, d.B} {
			if side == nil {
				continue
			}
			same = same || g.Label == side.Label
			all = all && g.Start < side.End && side.Start < g.End
		}
		if same && all {
			d.Gold, d.Resolution = g, ResolvedGold
			return
		}
	}
	for _, side := range []*model.Annotation{d.A, d.B} {
		if side != nil && reviews[side.ID].Status != model.ReviewRejected {
			return
		}
	}
	d.Resolution = ResolvedRejected
}

func sorted(as []model.Annotation) []model.Annotation {
	out := append([]model.Annotation(nil), as...)
	slices.SortFunc(out, model.ReadingOrder)
	return out
}

func sortDisagreements(ds []Disagreement) {
	slices.SortStableFunc(ds, func(a, b Disagreement) int {
		return cmp.Or(model.CompareSpans(a.Start, a.End, b.Start, b.End), strings.Compare(a.Key(), b.Key()))
	})
}

// Layers returns the annotator layers of anns (every layer but gold),
// sorted, and the annotations by layer.
func Layers(anns []model.Annotation) ([]string, map[string][]model.Annotation) {
	by := map[string][]model.Annotation{}
	for _, a := range anns {
		by[a.Layer] = append(by[a.Layer], a)
	}
	var names []string
	for l := range by {
		if l != model.GoldLayer {
			names = append(names, l)
		}
	}
	sort.Strings(names)
	return names, by
}
