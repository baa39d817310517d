package hub_test

import (
	"testing"

	"gloss/server/internal/synctest"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

func opMsg(op protocol.Op) protocol.Message { return protocol.Message{Type: protocol.TypeOp, Op: &op} }

// TestLiveReview: two annotators tag the same span differently; the
// reviewer accepts one into gold, rejects the other and comments on it;
// everyone on the document sees each step live, the annotator answers
// the comment, an annotator's attempt to accept is refused, and a client
// joining later gets it all in its snapshot, equal to the store.
func TestLiveReview(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{})
	s.AddUser("alice", model.RoleAnnotator)
	s.AddUser("bob", model.RoleAnnotator)
	s.AddUser("rita", model.RoleReviewer)
	text, doc := s.Doc.Text, s.Doc.ID
	a := connect(t, s, "alice", doc)
	b := connect(t, s, "bob", doc)
	r := connect(t, s, "rita", doc)

	mustAck(t, a, synctest.Add("a-op", "a1", "figure", text, 41, 59))
	mustAck(t, b, synctest.Add("b-op", "b1", "claim", text, 41, 59))
	if err := r.AwaitSeq(2, wait); err != nil {
		t.Fatal(err)
	}

	// An annotator may not adjudicate, not even their own span.
	if m := send(t, a, opMsg(protocol.Op{ID: "a-accept", Kind: protocol.KindAccept, Target: "a1", Version: 1,
		Ann: &model.Annotation{ID: "g0", Label: "figure", Start: 41, End: 59, Quote: synctest.Quote(text, 41, 59)}})); m.Code != protocol.CodeForbidden {
		t.Fatalf("annotator's accept: %s %s, want forbidden", m.Type, m.Code)
	}

	mustAck(t, r, opMsg(protocol.Op{ID: "r-accept", Kind: protocol.KindAccept, Target: "a1", Version: 1,
		Ann: &model.Annotation{ID: "g1", Label: "figure", Start: 41, End: 59, Quote: synctest.Quote(text, 41, 59)}}))
	m := await(t, b, "the accept at bob", func(m protocol.Message) bool { return m.Type == protocol.TypeOp && m.Op.ID == "r-accept" })
	if op := m.Op; op.Ann == nil || op.Ann.Layer != model.GoldLayer || len(op.Reviews) != 2 || op.DocReview == nil || op.DocReview.Status != model.DocInReview {
		t.Fatalf("bob got the accept as %+v", op)
	}
	mustAck(t, r, opMsg(protocol.Op{ID: "r-reject", Kind: protocol.KindReview, Target: "b1", Version: 1, Status: string(model.ReviewRejected)}))
	mustAck(t, r, opMsg(protocol.Op{ID: "r-comment", Kind: protocol.KindComment, Comment: &model.Comment{ID: "c1", Target: "b1", Text: "40 is a figure, not a claim."}}))
	m = await(t, b, "the comment at bob", func(m protocol.Message) bool { return m.Type == protocol.TypeOp && m.Op.ID == "r-comment" })
	if c := m.Op.Comment; c == nil || c.Author != "rita" || c.Target != "b1" || c.Created.IsZero() {
		t.Fatalf("bob got the comment as %+v", m.Op)
	}
	mustAck(t, b, opMsg(protocol.Op{ID: "b-reply", Kind: protocol.KindComment, Comment: &model.Comment{ID: "c2", Target: "b1", Text: "Agreed."}}))
	mustAck(t, r, opMsg(protocol.Op{ID: "r-done", Kind: protocol.KindDocStatus, Status: string(model.DocAdjudicated)}))

	late := connect(t, s, "alice", doc)
	if got := late.Replica.State; len(got.Comments) != 2 || got.Reviews["b1"].Status != model.ReviewRejected ||
		got.Reviews["g1"].Source != "a1" || got.DocReview.Status != model.DocAdjudicated {
		t.Fatalf("late joiner's snapshot: reviews %+v comments %+v status %+v", got.Reviews, got.Comments, got.DocReview)
	}
	checkSameAsStore(t, s, doc, a, b, r, late)
}
