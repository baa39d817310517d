package storetest

import (
	"reflect"
	"testing"

	"gloss/server/internal/store"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// testOpLogRoundTrip commits ops of every kind, resolved by docstate with
// every field they can carry, and reads them back from the op log: the
// storage record must give back exactly the ops that were committed.
func testOpLogRoundTrip(t *testing.T, s store.Store) {
	d := newReviewDoc(t, s)
	v := 40.0
	var want []protocol.Op
	for _, st := range []struct {
		user string
		role model.Role
		op   protocol.Op
	}{
		{"alice", model.RoleAnnotator, protocol.Op{Kind: protocol.KindAdd, Ann: &model.Annotation{ID: "a1", Label: "figure", Start: 18, End: 41, Quote: reviewText[18:41], Attrs: &model.Attrs{Value: &v, Unit: "people", Cue: &[2]int{18, 26}}}}},
		{"alice", model.RoleAnnotator, protocol.Op{Kind: protocol.KindAdd, Ann: spanAt("a2", "attribution", 0, 3)}},
		{"alice", model.RoleAnnotator, protocol.Op{Kind: protocol.KindAddRelation, Rel: &model.Relation{ID: "r1", Type: "source", From: "a2", To: "a1"}}},
		{"alice", model.RoleAnnotator, protocol.Op{Kind: protocol.KindUpdate, Version: 1, Ann: spanAt("a2", "attribution", 0, 12)}},
		{"rita", model.RoleReviewer, protocol.Op{Kind: protocol.KindAccept, Target: "a1", Version: 1, Ann: spanAt("g1", "figure", 18, 41)}},
		{"rita", model.RoleReviewer, protocol.Op{Kind: protocol.KindComment, Comment: &model.Comment{ID: "c1", Target: "a1", Text: "ok\x00 😀"}}},
		{"rita", model.RoleReviewer, protocol.Op{Kind: protocol.KindDeleteComment, Target: "c1"}},
		{"rita", model.RoleReviewer, protocol.Op{Kind: protocol.KindDocStatus, Status: string(model.DocInReview)}},
		{"alice", model.RoleAnnotator, protocol.Op{Kind: protocol.KindDeleteRelation, Target: "r1", Version: 1}},
		{"alice", model.RoleAnnotator, protocol.Op{Kind: protocol.KindDelete, Target: "a2", Version: 2}},
	} {
		want = append(want, d.do(st.op, st.user, st.role))
	}
	got := allOps(t, s, d.id)
	if len(got) != len(want) {
		t.Fatalf("%d ops in the log, committed %d", len(got), len(want))
	}
	for i := range want {
		want[i].Seq = int64(i + 1)
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("op %d reads back as\n%+v\nwas committed as\n%+v", i+1, got[i], want[i])
		}
	}
}
