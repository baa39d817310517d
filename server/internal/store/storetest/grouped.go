package storetest

import (
	"fmt"
	"testing"

	"gloss/server/internal/store"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// testGroupedCommit commits batches that only add, update and delete
// annotations, each a different one, which a store may run as one
// statement per kind of row rather than one per op: the deletes must
// still take along every relation, review and comment of each deleted
// annotation and nothing else, and batches longer than one statement's
// rows (adds, updates, deletes) must commit whole.
func testGroupedCommit(t *testing.T, s store.Store) {
	const annotator, reviewer = model.RoleAnnotator, model.RoleReviewer
	// batch resolves ops one after the other, as a room does, and
	// commits them in one Commit.
	batch := func(d *reviewDoc, user string, role model.Role, ops ...protocol.Op) {
		t.Helper()
		var out []protocol.Op
		for _, op := range ops {
			r := d.resolve(op, user, role)
			d.state.Apply(r)
			out = append(out, r)
		}
		commit(t, s, d.id, out...)
		checkReplay(t, s, d.id)
	}
	add := func(id string, start int) protocol.Op {
		return protocol.Op{Kind: protocol.KindAdd, Ann: spanAt(id, "claim", start, start+3)}
	}

	t.Run("deletes with dependents", func(t *testing.T) {
		d := newReviewDoc(t, s)
		for i, id := range []string{"k1", "k2", "k3", "k4", "k5"} {
			d.do(add(id, 4*i), "alice", annotator)
		}
		d.do(protocol.Op{Kind: protocol.KindAddRelation, Rel: &model.Relation{ID: "r12", Type: "source", From: "k1", To: "k2"}}, "alice", annotator)
		d.do(protocol.Op{Kind: protocol.KindAddRelation, Rel: &model.Relation{ID: "r54", Type: "source", From: "k5", To: "k4"}}, "alice", annotator)
		d.do(protocol.Op{Kind: protocol.KindReview, Target: "k2", Version: 1, Status: string(model.ReviewRejected)}, "rita", reviewer)
		d.do(protocol.Op{Kind: protocol.KindReview, Target: "k5", Version: 1, Status: string(model.ReviewRejected)}, "rita", reviewer)
		d.do(protocol.Op{Kind: protocol.KindComment, Comment: &model.Comment{ID: "c3", Target: "k3", Text: "why?"}}, "rita", reviewer)
		d.do(protocol.Op{Kind: protocol.KindComment, Comment: &model.Comment{ID: "c5", Target: "k5", Text: "fine"}}, "rita", reviewer)

		batch(d, "alice", annotator,
			add("n1", 24),
			protocol.Op{Kind: protocol.KindDelete, Target: "k1", Version: 1},
			protocol.Op{Kind: protocol.KindUpdate, Version: 1, Ann: spanAt("k5", "figure", 16, 19)},
			protocol.Op{Kind: protocol.KindDelete, Target: "k2", Version: 1},
			add("n2", 28),
			protocol.Op{Kind: protocol.KindDelete, Target: "k3", Version: 1},
		)
		snap := snapshot(t, s, d.id)
		if len(snap.Relations) != 1 || snap.Relations[0].ID != "r54" {
			t.Errorf("relations %+v, want only r54", snap.Relations)
		}
		if len(snap.Reviews) != 1 || snap.Reviews[0].Annotation != "k5" {
			t.Errorf("reviews %+v, want only k5's", snap.Reviews)
		}
		if len(snap.Comments) != 1 || snap.Comments[0].ID != "c5" {
			t.Errorf("comments %+v, want only c5", snap.Comments)
		}
		if len(snap.Annotations) != 4 {
			t.Errorf("annotations %+v, want k4, k5, n1, n2", snap.Annotations)
		}
	})

	t.Run("more rows than a statement takes", func(t *testing.T) {
		d := newReviewDoc(t, s)
		const n = 75
		var ops []protocol.Op
		for i := range n {
			ops = append(ops, add(fmt.Sprintf("a%d", i), i%30))
		}
		batch(d, "alice", annotator, ops...)
		ops = ops[:0]
		for i := range n { // every one moved and relabelled: the replay checks each row's values
			start := (i + 7) % 30
			ops = append(ops, protocol.Op{Kind: protocol.KindUpdate, Version: 1, Ann: spanAt(fmt.Sprintf("a%d", i), "figure", start, start+3)})
		}
		batch(d, "alice", annotator, ops...)
		if snap := snapshot(t, s, d.id); len(snap.Annotations) != n || snap.Annotations[0].Label != "figure" || snap.Annotations[0].Version != 2 {
			t.Errorf("after the updates: %d annotations, first %+v; want %d, relabelled, at version 2", len(snap.Annotations), snap.Annotations[0], n)
		}
		ops = ops[:0]
		for i := range n {
			ops = append(ops, protocol.Op{Kind: protocol.KindDelete, Target: fmt.Sprintf("a%d", i), Version: 2})
			if i%10 == 0 {
				ops = append(ops, add(fmt.Sprintf("b%d", i), i%30))
			}
		}
		batch(d, "alice", annotator, ops...)
		if snap := snapshot(t, s, d.id); len(snap.Annotations) != 8 {
			t.Errorf("%d annotations after the deletes, want 8", len(snap.Annotations))
		}
	})
}
