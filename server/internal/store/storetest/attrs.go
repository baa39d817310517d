package storetest

import (
	"reflect"
	"testing"

	"gloss/server/internal/store"
	"gloss/shared/model"
)

func f64(v float64) *float64 { return &v }

// testAttrs: a figure's and an attribution's structured fields survive
// the commit, the snapshot, an update that changes them and one that
// clears them, and the op log's replay.
func testAttrs(t *testing.T, s store.Store) {
	d := newDoc(t, s, "At least 40 people died, CNN reported.")
	fig := ann(d, "f", "figure", 0, 23, "At least 40 people died")
	fig.Attrs = &model.Attrs{Value: f64(40), Qualifier: "at least", Unit: "people", Quantity: "dead"}
	att := ann(d, "a", "attribution", 25, 37, "CNN reported")
	att.Attrs = &model.Attrs{Cue: &[2]int{29, 37}, From: "suggest"}
	addFig, addAtt := addOp("o1", fig), addOp("o2", att)
	commit(t, s, d, addFig, addAtt)
	snap := snapshot(t, s, d)
	got := map[string]*model.Attrs{}
	for _, a := range snap.Annotations {
		got[a.ID] = a.Attrs
	}
	if !reflect.DeepEqual(got["f"], fig.Attrs) || !reflect.DeepEqual(got["a"], att.Attrs) {
		t.Fatalf("snapshot attrs = %+v / %+v, want %+v / %+v", got["f"], got["a"], fig.Attrs, att.Attrs)
	}
	up := updateOp("o3", *addFig.Ann, "figure")
	up.Ann.Attrs = &model.Attrs{Low: f64(40), High: f64(60), Unit: "people", Quantity: "dead"}
	commit(t, s, d, up)
	clear := updateOp("o4", *addAtt.Ann, "attribution")
	clear.Ann.Attrs = nil
	commit(t, s, d, clear)
	snap = snapshot(t, s, d)
	for _, a := range snap.Annotations {
		switch a.ID {
		case "f":
			if !reflect.DeepEqual(a.Attrs, up.Ann.Attrs) {
				t.Errorf("after update, figure attrs = %+v, want %+v", a.Attrs, up.Ann.Attrs)
			}
		case "a":
			if a.Attrs != nil {
				t.Errorf("after clearing, attribution attrs = %+v, want none", a.Attrs)
			}
		}
	}
	checkReplay(t, s, d)
}
