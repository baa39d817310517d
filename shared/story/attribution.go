package story

import (
	"cmp"
	"slices"
	"sort"
	"strings"

	"gloss/shared/model"
)

// Attribution keeps Attributed's answer for a document that changes a
// few annotations and relations at a time (an op, an echo, an ack), so
// that a view of 5,000 spans does not work it out again for all of them
// on every change. Update recomputes only the claims and figures whose
// answer can have changed: the annotations that changed, the ones a
// source relation now points at or no longer does, and the ones inside a
// sourced claim that appeared, disappeared or moved. Not safe for
// concurrent use.
type Attribution struct {
	anns   []model.Annotation // the last Update's annotations (the caller's slice)
	byID   map[string]annKey
	direct map[string]bool // what a source relation that counts points at
	// The spans of sourced claims, sorted: human (sourced by a relation
	// outside the suggest layer) and machine (by a suggestion).
	human, machine []claimSpan
	status         map[string]bool // every claim and figure: attributed
}

// annKey is what an annotation's attribution depends on besides the
// relations.
type annKey struct {
	label, layer string
	start, end   int
}

type claimSpan struct{ start, end int }

func keyOf(a *model.Annotation) annKey {
	return annKey{a.Label, a.Layer, a.Start, a.End}
}

// NewAttribution returns an Attribution of an empty document.
func NewAttribution() *Attribution {
	return &Attribution{byID: map[string]annKey{}, direct: map[string]bool{}, status: map[string]bool{}}
}

// Attributed reports whether claim or figure id is attributed (see
// Attributed); counted is false for an annotation that is no claim or
// figure, or is not there.
func (t *Attribution) Attributed(id string) (attributed, counted bool) {
	attributed, counted = t.status[id]
	return attributed, counted
}

// Layer is the layer of annotation id ("" if it is not there).
func (t *Attribution) Layer(id string) string {
	return t.byID[id].layer
}

// Len is the number of claims and figures.
func (t *Attribution) Len() int { return len(t.status) }

// Update brings t to the document's state anns and rels and returns the
// IDs of the claims and figures (then or now) whose attribution, or
// whose own label, span or layer, changed. anns must be in reading order
// (model.ReadingOrder), as a session lists them, and is kept until the
// next Update: the caller must not modify it in place.
func (t *Attribution) Update(anns []model.Annotation, rels []model.Relation) []string {
	// The annotations that changed: a merge of the two lists in reading
	// order, comparing structs, is far cheaper than hashing 5,000 IDs.
	if t.anns == nil {
		return t.rebuild(anns, rels)
	}
	changed := map[string]bool{}
	var gone []string
	var came []*model.Annotation
	if !sameSlice(t.anns, anns) && !diffAnns(t.anns, anns, &gone, &came) {
		return t.rebuild(anns, rels) // not in reading order: start over
	}
	for _, id := range gone {
		delete(t.byID, id)
		changed[id] = true
	}
	for _, a := range came {
		t.byID[a.ID] = keyOf(a)
		changed[a.ID] = true
	}
	t.anns = anns
	direct, human, machine := t.sourced(rels)
	// Everything whose answer can have changed.
	affected := changed
	for id := range direct {
		if !t.direct[id] {
			affected[id] = true
		}
	}
	for id := range t.direct {
		if !direct[id] {
			affected[id] = true
		}
	}
	for _, s := range symmetricDiff(t.human, human) {
		t.inside(s, affected)
	}
	for _, s := range symmetricDiff(t.machine, machine) {
		t.inside(s, affected)
	}
	t.direct, t.human, t.machine = direct, human, machine
	var out []string
	for id := range affected {
		k, ok := t.byID[id]
		was, had := t.status[id]
		if !ok || (k.label != LabelClaim && k.label != LabelFigure) {
			if had {
				delete(t.status, id)
				out = append(out, id)
			}
			continue
		}
		now := t.attributed(id, k)
		t.status[id] = now
		if !had || was != now || changed[id] {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// rebuild works everything out again and reports every claim and figure,
// then or now, as changed.
func (t *Attribution) rebuild(anns []model.Annotation, rels []model.Relation) []string {
	old := t.status
	if !slices.IsSortedFunc(anns, model.ReadingOrder) {
		anns = slices.Clone(anns)
		slices.SortFunc(anns, model.ReadingOrder)
	}
	if anns == nil {
		anns = []model.Annotation{} // not nil: the next Update diffs against it
	}
	t.anns = anns
	t.byID = make(map[string]annKey, len(anns))
	for i := range anns {
		t.byID[anns[i].ID] = keyOf(&anns[i])
	}
	t.direct, t.human, t.machine = t.sourced(rels)
	t.status = make(map[string]bool, len(old))
	var out []string
	for id, k := range t.byID {
		if k.label == LabelClaim || k.label == LabelFigure {
			t.status[id] = t.attributed(id, k)
			out = append(out, id)
		}
	}
	for id := range old {
		if _, ok := t.status[id]; !ok {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// attributed is Attributed's rule for one claim or figure.
func (t *Attribution) attributed(id string, k annKey) bool {
	return t.direct[id] || within(t.human, k) || (k.layer == SuggestLayer && within(t.machine, k))
}

// sourced reads the relations as Attributed does: the annotations a
// source relation that counts points at, and the spans of the claims it
// sources.
func (t *Attribution) sourced(rels []model.Relation) (direct map[string]bool, human, machine []claimSpan) {
	direct = map[string]bool{}
	for _, r := range rels {
		if r.Type != RelationSource {
			continue
		}
		_, okFrom := t.byID[r.From]
		to, okTo := t.byID[r.To]
		if !okFrom || !okTo {
			continue
		}
		suggested := r.Layer == SuggestLayer
		if suggested && to.layer != SuggestLayer {
			continue
		}
		direct[r.To] = true
		if to.label == LabelClaim {
			if suggested {
				machine = append(machine, claimSpan{to.start, to.end})
			} else {
				human = append(human, claimSpan{to.start, to.end})
			}
		}
	}
	slices.SortFunc(human, compareClaimSpans)
	slices.SortFunc(machine, compareClaimSpans)
	return direct, human, machine
}

func compareClaimSpans(a, b claimSpan) int {
	return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.end, b.end))
}

// within reports whether one of the sorted spans contains k's span.
func within(spans []claimSpan, k annKey) bool {
	n := sort.Search(len(spans), func(i int) bool { return spans[i].start > k.start })
	for _, c := range spans[:n] {
		if c.end >= k.end {
			return true
		}
	}
	return false
}

// inside adds the annotations within s to set: the current list is in
// reading order, so they follow the first one starting at s.start.
func (t *Attribution) inside(s claimSpan, set map[string]bool) {
	i := sort.Search(len(t.anns), func(i int) bool { return t.anns[i].Start >= s.start })
	for ; i < len(t.anns) && t.anns[i].Start <= s.end; i++ {
		if t.anns[i].End <= s.end {
			set[t.anns[i].ID] = true
		}
	}
}

// symmetricDiff returns the spans in one sorted list and not the other
// (counting repeats).
func symmetricDiff(a, b []claimSpan) []claimSpan {
	var out []claimSpan
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		c := 0
		switch {
		case i == len(a):
			c = 1
		case j == len(b):
			c = -1
		default:
			c = compareClaimSpans(a[i], b[j])
		}
		switch {
		case c < 0:
			out = append(out, a[i])
			i++
		case c > 0:
			out = append(out, b[j])
			j++
		default:
			i, j = i+1, j+1
		}
	}
	return out
}

// diffAnns merges two lists in reading order: what is only in old is
// gone, what is only in now (or changed label or layer) came. A moved
// annotation is both. It reports false if now is not in reading order.
func diffAnns(old, now []model.Annotation, gone *[]string, came *[]*model.Annotation) bool {
	i, j := 0, 0
	check := false // now[j] must be checked against now[j-1]
	for i < len(old) || j < len(now) {
		// Most annotations are where they were: the same span and ID,
		// compared without the full ordering.
		if i < len(old) && j < len(now) && old[i].Start == now[j].Start && old[i].End == now[j].End && old[i].ID == now[j].ID {
			if check && j > 0 && readingOrder(&now[j-1], &now[j]) >= 0 {
				return false
			}
			if old[i].Label != now[j].Label || old[i].Layer != now[j].Layer {
				*came = append(*came, &now[j])
			}
			// The next one follows a match of old, which was in
			// order: it need not be checked if it matches too.
			i, j, check = i+1, j+1, false
			continue
		}
		if j > 0 && j < len(now) && readingOrder(&now[j-1], &now[j]) >= 0 {
			return false
		}
		c := 0
		switch {
		case i == len(old):
			c = 1
		case j == len(now):
			c = -1
		default:
			c = readingOrder(&old[i], &now[j])
		}
		switch {
		case c < 0:
			*gone = append(*gone, old[i].ID)
			i++
		case c > 0:
			*came = append(*came, &now[j])
			j, check = j+1, true
		default:
			if old[i].Label != now[j].Label || old[i].Layer != now[j].Layer {
				*came = append(*came, &now[j])
			}
			i, j, check = i+1, j+1, false
		}
	}
	return true
}

// readingOrder is model.ReadingOrder without copying the annotations.
func readingOrder(a, b *model.Annotation) int {
	return cmp.Or(model.CompareSpans(a.Start, a.End, b.Start, b.End), strings.Compare(a.ID, b.ID))
}

// sameSlice says whether a and b are the same slice (not merely equal).
func sameSlice[T any](a, b []T) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
