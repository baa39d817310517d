package hub

import (
	"reflect"
	"testing"
	"time"

	"gloss/shared/docstate"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// TestJournalRollback applies every kind of resolved op to a state under
// a journal and rolls back: the state is exactly what it was.
func TestJournalRollback(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000).UTC()
	ann := func(id string, v int64) model.Annotation {
		return model.Annotation{ID: id, Document: 1, Layer: "alice", Label: "claim", Start: 0, End: 3, Quote: "abc", Author: "alice", Version: v, Created: now, Updated: now}
	}
	base := func() *docstate.State {
		s := docstate.New()
		s.Reset(10, []model.Annotation{ann("a1", 1), ann("a2", 2), ann("a3", 1)},
			[]model.Relation{{ID: "r1", Document: 1, Layer: "alice", Type: "source", From: "a1", To: "a2", Version: 1}, {ID: "r2", Document: 1, Type: "source", From: "a2", To: "a3", Version: 1}})
		s.SetReview([]model.Review{{Annotation: "a1", Status: model.ReviewAccepted, Reviewer: "rita", Time: now}},
			[]model.Comment{{ID: "c1", Document: 1, Target: "a1", Text: "hm", Author: "rita", Created: now}, {ID: "c2", Document: 1, Target: "a2", Text: "ok", Author: "rita", Created: now}},
			model.DocReview{Status: model.DocInReview, Reviewer: "rita", Time: now})
		return s
	}
	a4, a2v3 := ann("a4", 1), ann("a2", 3)
	ops := []protocol.Op{
		{ID: "o1", Kind: protocol.KindAdd, Ann: &a4, Seq: 11},
		{ID: "o2", Kind: protocol.KindUpdate, Ann: &a2v3, Version: 2, Seq: 12},
		{ID: "o3", Kind: protocol.KindDelete, Target: "a1", Version: 1, Seq: 13,
			Reviews: []model.Review{{Annotation: "a3", Status: model.ReviewUnreviewed, Reviewer: "rita", Time: now}}},
		{ID: "o4", Kind: protocol.KindAddRelation, Rel: &model.Relation{ID: "r3", Document: 1, Type: "source", From: "a4", To: "a3", Version: 1}, Seq: 14},
		{ID: "o5", Kind: protocol.KindDeleteRelation, Target: "r2", Version: 1, Seq: 15},
		{ID: "o6", Kind: protocol.KindComment, Comment: &model.Comment{ID: "c3", Document: 1, Target: "a4", Text: "new", Author: "bob", Created: now}, Seq: 16},
		{ID: "o7", Kind: protocol.KindDeleteComment, Target: "c2", Seq: 17},
		{ID: "o8", Kind: protocol.KindDocStatus, Status: "adjudicated", Seq: 18,
			DocReview: &model.DocReview{Status: model.DocAdjudicated, Reviewer: "rita", Time: now}},
		{ID: "o9", Kind: protocol.KindDelete, Target: "a4", Version: 1, Seq: 19},
	}
	for n := 1; n <= len(ops); n++ {
		s, want := base(), base()
		var j journal
		j.begin(s)
		for _, op := range ops[:n] {
			j.record(s, op)
			s.Apply(op)
		}
		if reflect.DeepEqual(s, want) {
			t.Fatalf("%d ops changed nothing; the test is not testing", n)
		}
		j.rollback(s)
		if !reflect.DeepEqual(s, want) {
			t.Fatalf("after %d ops and a rollback:\n got %+v\nwant %+v", n, s, want)
		}
	}
}
