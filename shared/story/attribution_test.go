package story

import (
	"fmt"
	"maps"
	"math/rand"
	"slices"
	"testing"

	"gloss/shared/model"
)

// TestAttributionIncremental checks Attribution against Attributed after
// every step of random sequences of changes: the same answer for every
// claim and figure, and every ID whose answer changed among those Update
// reports.
func TestAttributionIncremental(t *testing.T) {
	labels := []string{LabelClaim, LabelClaim, LabelFigure, LabelFigure, LabelAttribution, "person"}
	layers := []string{"alice", "bob", model.GoldLayer, SuggestLayer}
	for seed := int64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewSource(seed))
		anns := map[string]model.Annotation{}
		rels := map[string]model.Relation{}
		next := 0
		newAnn := func() model.Annotation {
			next++
			start := rng.Intn(60)
			return model.Annotation{ID: fmt.Sprintf("a%d", next), Label: labels[rng.Intn(len(labels))],
				Layer: layers[rng.Intn(len(layers))], Start: start, End: start + 1 + rng.Intn(25)}
		}
		anyAnn := func() string { // sometimes one that is not there
			ids := slices.Sorted(maps.Keys(anns))
			if len(ids) == 0 || rng.Intn(10) == 0 {
				return fmt.Sprintf("a%d", rng.Intn(next+2))
			}
			return ids[rng.Intn(len(ids))]
		}
		for range 10 + rng.Intn(30) {
			a := newAnn()
			anns[a.ID] = a
		}
		tr := NewAttribution()
		var prev map[string]bool
		for step := range 40 {
			switch k := rng.Intn(9); {
			case k == 0:
				a := newAnn()
				anns[a.ID] = a
			case k == 1:
				delete(anns, anyAnn())
			case k == 2, k == 3: // relabel
				if a, ok := anns[anyAnn()]; ok {
					a.Label = labels[rng.Intn(len(labels))]
					anns[a.ID] = a
				}
			case k == 4: // move or resize
				if a, ok := anns[anyAnn()]; ok {
					a.Start = rng.Intn(60)
					a.End = a.Start + 1 + rng.Intn(25)
					anns[a.ID] = a
				}
			case k == 5: // another layer (an accept, an edit of a suggestion)
				if a, ok := anns[anyAnn()]; ok {
					a.Layer = layers[rng.Intn(len(layers))]
					anns[a.ID] = a
				}
			case k == 6, k == 7: // a relation
				typ := RelationSource
				if rng.Intn(4) == 0 {
					typ = "cites"
				}
				id := fmt.Sprintf("r%d", step)
				rels[id] = model.Relation{ID: id, Type: typ, From: anyAnn(), To: anyAnn(), Layer: layers[rng.Intn(len(layers))]}
			case k == 8:
				if ids := slices.Sorted(maps.Keys(rels)); len(ids) > 0 {
					delete(rels, ids[rng.Intn(len(ids))])
				}
			}
			list := slices.Collect(maps.Values(anns))
			slices.SortFunc(list, model.ReadingOrder)
			rlist := slices.Collect(maps.Values(rels))
			changed := tr.Update(list, rlist)
			want := Attributed(list, rlist)
			got := map[string]bool{}
			for id := range anns {
				if ok, counted := tr.Attributed(id); counted {
					got[id] = ok
				}
			}
			if !maps.Equal(got, want) || tr.Len() != len(want) {
				t.Fatalf("seed %d step %d: incremental %v, full %v", seed, step, got, want)
			}
			reported := map[string]bool{}
			for _, id := range changed {
				reported[id] = true
			}
			for id := range want {
				if was, ok := prev[id]; (!ok || was != want[id]) && !reported[id] {
					t.Fatalf("seed %d step %d: %s changed (%v → %v) but was not reported (%v)", seed, step, id, prev[id], want[id], changed)
				}
			}
			for id := range prev {
				if _, ok := want[id]; !ok && !reported[id] {
					t.Fatalf("seed %d step %d: %s is no claim or figure any more but was not reported", seed, step, id)
				}
			}
			prev = want
		}
	}
}

// TestAttributionUnsorted: a list out of reading order is worked out in
// full rather than merged wrongly.
func TestAttributionUnsorted(t *testing.T) {
	anns := []model.Annotation{
		{ID: "c", Label: LabelClaim, Layer: "alice", Start: 0, End: 50},
		{ID: "f", Label: LabelFigure, Layer: "alice", Start: 10, End: 12},
		{ID: "s", Label: LabelAttribution, Layer: "alice", Start: 60, End: 70},
	}
	rels := []model.Relation{{ID: "r", Type: RelationSource, From: "s", To: "c", Layer: "alice"}}
	tr := NewAttribution()
	tr.Update(anns, nil)
	unsorted := []model.Annotation{anns[2], anns[1], anns[0]}
	tr.Update(unsorted, rels)
	for _, id := range []string{"c", "f"} {
		if ok, counted := tr.Attributed(id); !ok || !counted {
			t.Errorf("%s: attributed %v counted %v, want both", id, ok, counted)
		}
	}
}

// benchDoc is a document of n claims, figures and attributions in reading
// order, every tenth claim sourced.
func benchDoc(n int) ([]model.Annotation, []model.Relation) {
	labels := []string{LabelClaim, LabelFigure, LabelAttribution}
	anns := make([]model.Annotation, n)
	for i := range anns {
		anns[i] = model.Annotation{ID: fmt.Sprintf("ann-%06d", i), Label: labels[i%3], Layer: "alice", Start: i * 10, End: i*10 + 8}
	}
	var rels []model.Relation
	for i := 0; i+2 < n; i += 30 {
		rels = append(rels, model.Relation{ID: fmt.Sprintf("rel-%06d", i), Type: RelationSource, From: anns[i+2].ID, To: anns[i].ID, Layer: "alice"})
	}
	return anns, rels
}

// relabelled returns a copy of anns (as a session makes one per change)
// with annotation i's label switched between claim and figure.
func relabelled(anns []model.Annotation, i int) []model.Annotation {
	out := slices.Clone(anns)
	if out[i].Label == LabelClaim {
		out[i].Label = LabelFigure
	} else {
		out[i].Label = LabelClaim
	}
	return out
}

// The desk's cost per change on a 5,000-span document: everything again
// (as before Attribution) against an incremental update.
func BenchmarkAttributionRelabel5000(b *testing.B) {
	anns, rels := benchDoc(5000)
	versions := [][]model.Annotation{relabelled(anns, 2400), anns}
	b.Run("full", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			n := 0
			for _, ok := range Attributed(versions[i%2], rels) {
				if !ok {
					n++
				}
			}
		}
	})
	b.Run("incremental", func(b *testing.B) {
		t := NewAttribution()
		t.Update(anns, rels)
		for i := 0; b.Loop(); i++ {
			t.Update(versions[i%2], rels)
		}
	})
}
