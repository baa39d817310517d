package docstate

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/textpos"
)

// reviewBase is a document where alice tagged "at least 40 people died" a
// figure and bob a claim (a label disagreement), and alice also has "CNN
// reported" as an attribution. Gold is empty; nothing is reviewed.
func reviewBase() *State {
	s := New()
	s.Reset(5, []model.Annotation{
		{ID: "a1", Layer: "alice", Label: "attribution", Start: 0, End: 12, Quote: "CNN reported", Author: "alice", Version: 1},
		{ID: "a2", Layer: "alice", Label: "figure", Start: 18, End: 41, Quote: "at least 40 people died", Author: "alice", Version: 2},
		{ID: "b2", Layer: "bob", Label: "claim", Start: 18, End: 41, Quote: "at least 40 people died", Author: "bob", Version: 1},
	}, nil)
	return s
}

var (
	reviewText = textpos.New("CNN reported that at least 40 people died.")
	rita       = Actor{User: "rita", Role: model.RoleReviewer}
	boss       = Actor{User: "boss", Role: model.RoleAdmin}
	alice      = Actor{User: "alice", Role: model.RoleAnnotator}
	vic        = Actor{User: "vic", Role: model.RoleViewer}
	t1         = time.UnixMilli(1_800_000_000_000).UTC()
)

func acceptOp(target string, version int64, id, label string) protocol.Op {
	return protocol.Op{ID: "op-" + id, Kind: protocol.KindAccept, Target: target, Version: version,
		Ann: &model.Annotation{ID: id, Label: label, Start: 18, End: 41, Quote: "at least 40 people died"}}
}

func reviewOp(target string, version int64, status model.ReviewStatus) protocol.Op {
	return protocol.Op{ID: "op-r-" + target, Kind: protocol.KindReview, Target: target, Version: version, Status: string(status)}
}

func commentOp(id, target, text string) protocol.Op {
	return protocol.Op{ID: "op-" + id, Kind: protocol.KindComment, Comment: &model.Comment{ID: id, Target: target, Text: text}}
}

// apply resolves and applies op, failing the test on a refusal.
func apply(t *testing.T, s *State, op protocol.Op, who Actor, now time.Time) protocol.Op {
	t.Helper()
	out, err := s.Resolve(op, reviewText, model.DefaultSchema(), 9, who, now)
	if err != nil {
		t.Fatalf("%s by %s: %v", op.Kind, who.User, err)
	}
	out.Seq = s.Seq + 1
	s.Apply(out)
	return out
}

// TestResolveReviewRights is the role table of the review ops: who may
// accept, reject, comment, delete a comment and set the document status,
// and the refusals of ops that do not apply.
func TestResolveReviewRights(t *testing.T) {
	withComment := func() *State {
		s := reviewBase()
		apply(t, s, commentOp("c1", "a2", "Is this a figure?"), rita, t1)
		return s
	}
	withGold := func() *State {
		s := reviewBase()
		apply(t, s, acceptOp("a2", 2, "g1", "figure"), rita, t1)
		return s
	}
	long := make([]rune, model.MaxComment+1)
	for i := range long {
		long[i] = 'é'
	}
	tests := []struct {
		name  string
		state func() *State
		who   Actor
		op    protocol.Op
		code  string
	}{
		{"reviewer accepts", reviewBase, rita, acceptOp("a2", 2, "g1", "figure"), ""},
		{"admin accepts", reviewBase, boss, acceptOp("a2", 2, "g1", "figure"), ""},
		{"annotator may not accept", reviewBase, alice, acceptOp("b2", 1, "g1", "claim"), protocol.CodeForbidden},
		{"viewer may not accept", reviewBase, vic, acceptOp("b2", 1, "g1", "claim"), protocol.CodeForbidden},
		{"reviewer rejects", reviewBase, rita, reviewOp("b2", 1, model.ReviewRejected), ""},
		{"annotator may not reject", reviewBase, alice, reviewOp("b2", 1, model.ReviewRejected), protocol.CodeForbidden},
		{"annotator may not reject own", reviewBase, alice, reviewOp("a2", 2, model.ReviewRejected), protocol.CodeForbidden},
		{"accept into another layer", reviewBase, boss, func() protocol.Op {
			op := acceptOp("a2", 2, "g1", "figure")
			op.Ann.Layer = "boss"
			return op
		}(), protocol.CodeForbidden},
		{"accept at an old version", reviewBase, rita, acceptOp("a2", 1, "g1", "figure"), protocol.CodeConflict},
		{"reject at an old version", reviewBase, rita, reviewOp("a2", 1, model.ReviewRejected), protocol.CodeConflict},
		{"accept a missing span", reviewBase, rita, acceptOp("zz", 1, "g1", "figure"), protocol.CodeNotFound},
		{"accept a gold span", withGold, rita, acceptOp("g1", 1, "g2", "figure"), protocol.CodeBadTarget},
		{"accept twice", withGold, boss, acceptOp("a2", 2, "g2", "figure"), protocol.CodeAlreadyAccepted},
		{"reject what is in gold", withGold, rita, reviewOp("a2", 2, model.ReviewRejected), protocol.CodeAlreadyAccepted},
		{"accept with a taken id", reviewBase, rita, acceptOp("b2", 1, "a2", "claim"), protocol.CodeDuplicateID},
		{"accept with a wrong quote", reviewBase, rita, func() protocol.Op {
			op := acceptOp("b2", 1, "g1", "claim")
			op.Ann.Quote = "at most 40 people died"
			return op
		}(), model.CodeQuoteMismatch},
		{"accept with an unknown label", reviewBase, rita, acceptOp("b2", 1, "g1", "opinion"), model.CodeUnknownLabel},
		{"annotator comments on another's span", reviewBase, alice, commentOp("c1", "b2", "I read it as a figure."), ""},
		{"reviewer comments", reviewBase, rita, commentOp("c1", "a2", "Why a figure?"), ""},
		{"viewer may not comment", reviewBase, vic, commentOp("c1", "a2", "Hm."), protocol.CodeForbidden},
		{"comment on a missing span", reviewBase, rita, commentOp("c1", "zz", "?"), protocol.CodeNotFound},
		{"empty comment", reviewBase, rita, commentOp("c1", "a2", " \n\t"), model.CodeCommentEmpty},
		{"long comment", reviewBase, rita, commentOp("c1", "a2", string(long)), model.CodeCommentTooLong},
		{"comment with a bad id", reviewBase, rita, commentOp(`x"><b>`, "a2", "hi"), model.CodeBadID},
		{"comment with a taken id", withComment, alice, commentOp("c1", "a2", "again"), protocol.CodeDuplicateID},
		{"author deletes a comment", withComment, rita, protocol.Op{ID: "d", Kind: protocol.KindDeleteComment, Target: "c1"}, ""},
		{"admin deletes a comment", withComment, boss, protocol.Op{ID: "d", Kind: protocol.KindDeleteComment, Target: "c1"}, ""},
		{"others may not delete a comment", withComment, alice, protocol.Op{ID: "d", Kind: protocol.KindDeleteComment, Target: "c1"}, protocol.CodeForbidden},
		{"delete a missing comment", withComment, rita, protocol.Op{ID: "d", Kind: protocol.KindDeleteComment, Target: "zz"}, protocol.CodeNotFound},
		{"reviewer sets the status", reviewBase, rita, protocol.Op{ID: "d", Kind: protocol.KindDocStatus, Status: string(model.DocAdjudicated)}, ""},
		{"annotator may not set the status", reviewBase, alice, protocol.Op{ID: "d", Kind: protocol.KindDocStatus, Status: string(model.DocAdjudicated)}, protocol.CodeForbidden},
		{"annotator may not write gold", reviewBase, alice, protocol.Op{ID: "d", Kind: protocol.KindAdd, Ann: &model.Annotation{ID: "n", Layer: model.GoldLayer, Label: "claim", Start: 0, End: 12, Quote: "CNN reported"}}, protocol.CodeForbidden},
		{"annotator may not edit gold", withGold, alice, protocol.Op{ID: "d", Kind: protocol.KindUpdate, Version: 1, Ann: &model.Annotation{ID: "g1", Label: "claim", Start: 18, End: 41, Quote: "at least 40 people died"}}, protocol.CodeForbidden},
		{"reviewer writes gold", reviewBase, rita, protocol.Op{ID: "d", Kind: protocol.KindAdd, Ann: &model.Annotation{ID: "n", Label: "claim", Start: 0, End: 12, Quote: "CNN reported"}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.state()
			before := s.Clone()
			out, err := s.Resolve(tc.op, reviewText, model.DefaultSchema(), 9, tc.who, t1)
			if !reflect.DeepEqual(s, before) {
				t.Fatal("Resolve changed the state")
			}
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				out.Seq = s.Seq + 1
				s.Apply(out)
				return
			}
			var rej *Rejection
			if !errors.As(err, &rej) || rej.Code != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
			if (tc.code == protocol.CodeConflict || tc.code == protocol.CodeAlreadyAccepted) && rej.Current == nil {
				t.Errorf("%s without the current state", tc.code)
			}
		})
	}
}

// TestAdjudication follows one disagreement through its life: accept with
// provenance, the document going into review, an edit of the gold copy,
// a delete of it that makes the source unreviewed again, and the cascade
// of deleting a commented, reviewed span.
func TestAdjudication(t *testing.T) {
	s := reviewBase()
	t2, t3 := t1.Add(time.Minute), t1.Add(2*time.Minute)

	out := apply(t, s, acceptOp("a2", 2, "g1", "figure"), rita, t1)
	if out.Ann == nil || out.Ann.Layer != model.GoldLayer || out.Ann.Author != "rita" || out.Ann.Version != 1 || out.Target != "a2" {
		t.Fatalf("accept resolved to %+v", out)
	}
	wantGold := model.Review{Annotation: "g1", Status: model.ReviewAccepted, Reviewer: "rita", Time: t1, Source: "a2", Proposer: "alice"}
	wantSrc := model.Review{Annotation: "a2", Status: model.ReviewAccepted, Reviewer: "rita", Time: t1, Gold: "g1"}
	if s.Reviews["g1"] != wantGold || s.Reviews["a2"] != wantSrc {
		t.Errorf("after accept: gold %+v, source %+v", s.Reviews["g1"], s.Reviews["a2"])
	}
	if s.DocReview != (model.DocReview{Status: model.DocInReview, Reviewer: "rita", Time: t1}) {
		t.Errorf("document status %+v, want in review", s.DocReview)
	}
	// The second action leaves the document's status alone.
	if out := apply(t, s, reviewOp("b2", 1, model.ReviewRejected), rita, t2); out.DocReview != nil {
		t.Errorf("a second review moved the document to %+v", out.DocReview)
	}
	if r := s.Reviews["b2"]; r.Status != model.ReviewRejected || r.Reviewer != "rita" || !r.Time.Equal(t2) {
		t.Errorf("rejected b2: %+v", r)
	}

	// Editing the gold copy marks it and its source edited; who accepted
	// it and when stay.
	g := s.Anns["g1"]
	g.Label = "claim"
	apply(t, s, protocol.Op{ID: "e1", Kind: protocol.KindUpdate, Version: 1, Ann: &g}, boss, t2)
	wantGold.Status, wantSrc.Status = model.ReviewEdited, model.ReviewEdited
	if s.Reviews["g1"] != wantGold || s.Reviews["a2"] != wantSrc {
		t.Errorf("after edit: gold %+v, source %+v", s.Reviews["g1"], s.Reviews["a2"])
	}

	// Accepting with other boundaries (or label) is an edit at once.
	apply(t, s, acceptOp("a1", 1, "g2", "attribution"), rita, t2)
	if st := s.Reviews["a1"].Status; st != model.ReviewEdited {
		t.Errorf("accepting a1 onto another span: status %s, want edited", st)
	}
	// Resetting a verdict is a review too.
	apply(t, s, reviewOp("b2", 1, model.ReviewUnreviewed), rita, t2)
	if st := s.Reviews["b2"].Status; st != model.ReviewUnreviewed {
		t.Errorf("b2 after reset: %s", st)
	}

	// Deleting the gold copy makes its source unreviewed again, so that it
	// can be accepted anew.
	out = apply(t, s, protocol.Op{ID: "d1", Kind: protocol.KindDelete, Target: "g1", Version: 2}, rita, t3)
	if r := s.Reviews["a2"]; r.Status != model.ReviewUnreviewed || r.Gold != "" {
		t.Errorf("source after deleting its gold copy: %+v", r)
	}
	if _, ok := s.Reviews["g1"]; ok {
		t.Error("the deleted gold span kept its provenance")
	}
	apply(t, s, acceptOp("a2", 2, "g3", "figure"), rita, t3)

	// Deleting a span drops its review record and its thread, and nothing
	// else.
	apply(t, s, commentOp("c1", "a2", "Good catch."), rita, t3)
	apply(t, s, commentOp("c2", "b2", "No."), alice, t3)
	apply(t, s, protocol.Op{ID: "d2", Kind: protocol.KindDelete, Target: "a2", Version: 2}, alice, t3)
	if _, ok := s.Reviews["a2"]; ok {
		t.Error("deleted a2 kept its review")
	}
	if _, ok := s.Comments["c1"]; ok || len(s.Comments) != 1 {
		t.Errorf("comments after deleting a2: %+v", s.Comments)
	}
	if s.Reviews["g3"].Source != "a2" {
		t.Error("the gold copy lost its provenance when its source was deleted")
	}

	// A replay of the resolved ops gives the same state (what the store's
	// checkReplay relies on); Clone copies every part.
	c := s.Clone()
	if !reflect.DeepEqual(c, s) {
		t.Error("Clone differs")
	}
	if got := c.SortedComments(); len(got) != 1 || got[0].ID != "c2" || got[0].Author != "alice" || got[0].Document != 9 {
		t.Errorf("SortedComments = %+v", got)
	}
}

func TestSetReview(t *testing.T) {
	s := New()
	s.SetReview([]model.Review{{Annotation: "b", Status: model.ReviewRejected}, {Annotation: "a", Status: model.ReviewAccepted}},
		[]model.Comment{{ID: "y", Created: t1.Add(time.Second)}, {ID: "z", Created: t1}, {ID: "x", Created: t1}},
		model.DocReview{Status: model.DocAdjudicated})
	var ids string
	for _, r := range s.SortedReviews() {
		ids += r.Annotation
	}
	for _, c := range s.SortedComments() {
		ids += c.ID
	}
	if ids != "abxzy" || s.DocReview.State() != model.DocAdjudicated {
		t.Errorf("order %s, status %s", ids, s.DocReview.State())
	}
	s.Reset(0, nil, nil)
	if len(s.Reviews)+len(s.Comments) != 0 || s.DocReview.State() != model.DocNotReviewed {
		t.Error("Reset kept review state")
	}
}

// TestAcceptIntoEqualGold (issue 13, bug 13): when both annotators tagged
// the same span alike, accepting A copies it into gold and a review op
// records B's equal span as accepted into that same gold span; editing
// the gold span marks both edited; a span with no equal gold span is
// refused.
func TestAcceptIntoEqualGold(t *testing.T) {
	s := reviewBase()
	b := s.Anns["b2"]
	b.Label = "figure" // bob now agrees with alice
	s.Anns["b2"] = b
	if _, err := s.Resolve(reviewOp("b2", 1, model.ReviewAccepted), reviewText, model.DefaultSchema(), 9, rita, t1); err == nil {
		t.Fatal("accepting b2 with no gold span was allowed")
	} else if rj := new(Rejection); !errors.As(err, &rj) || rj.Code != protocol.CodeBadTarget {
		t.Fatalf("refusal %v, want %s", err, protocol.CodeBadTarget)
	}
	apply(t, s, acceptOp("a2", 2, "g1", "figure"), rita, t1)
	out := apply(t, s, reviewOp("b2", 1, model.ReviewAccepted), rita, t1)
	want := model.Review{Annotation: "b2", Status: model.ReviewAccepted, Reviewer: "rita", Time: t1, Gold: "g1"}
	if len(out.Reviews) != 1 || out.Reviews[0] != want || s.Reviews["b2"] != want {
		t.Fatalf("b2's review: op %+v, state %+v; want %+v", out.Reviews, s.Reviews["b2"], want)
	}
	if r := s.Reviews["a2"]; r.Status != model.ReviewAccepted || r.Gold != "g1" {
		t.Errorf("a2's review changed: %+v", r)
	}
	// A second accept of b2 is refused: it is in gold already.
	if _, err := s.Resolve(reviewOp("b2", 1, model.ReviewAccepted), reviewText, model.DefaultSchema(), 9, rita, t1); err == nil {
		t.Error("b2 accepted twice")
	}
	g := s.Anns["g1"]
	g.Label = "claim"
	apply(t, s, protocol.Op{ID: "e1", Kind: protocol.KindUpdate, Version: 1, Ann: &g}, boss, t1)
	for _, id := range []string{"g1", "a2", "b2"} {
		if st := s.Reviews[id].Status; st != model.ReviewEdited {
			t.Errorf("%s after editing gold: %s, want edited", id, st)
		}
	}
	// Deleting the gold span makes both unreviewed again.
	apply(t, s, protocol.Op{ID: "d1", Kind: protocol.KindDelete, Target: "g1", Version: 2}, rita, t1)
	for _, id := range []string{"a2", "b2"} {
		if r := s.Reviews[id]; r.Status != model.ReviewUnreviewed || r.Gold != "" {
			t.Errorf("%s after deleting gold: %+v", id, r)
		}
	}
}

// TestRefusalWording (issue 13, item 14): refusals speak to the user in
// their terms: "an annotator", whose annotations, no "(role)" or layer
// jargon.
func TestRefusalWording(t *testing.T) {
	bob := Actor{User: "bob", Role: model.RoleAnnotator}
	tests := []struct {
		name string
		who  Actor
		op   protocol.Op
		want string
	}{
		{"another's span", bob, protocol.Op{ID: "x", Kind: protocol.KindDelete, Target: "a1", Version: 1},
			"these are alice's annotations: as an annotator you can change only your own"},
		{"gold", alice, protocol.Op{ID: "x", Kind: protocol.KindAdd, Ann: &model.Annotation{ID: "n", Layer: model.GoldLayer, Label: "claim", Start: 0, End: 12, Quote: "CNN reported"}},
			"only reviewers and admins can change the gold annotations"},
		{"review", alice, reviewOp("b2", 1, model.ReviewRejected), "only reviewers and admins can review annotations; you are an annotator here"},
		{"viewer", vic, protocol.Op{ID: "x", Kind: protocol.KindAdd, Ann: &model.Annotation{ID: "n", Label: "claim", Start: 0, End: 12, Quote: "CNN reported"}},
			"as a viewer you can read this document but not annotate it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := reviewBase().Resolve(tt.op, reviewText, model.DefaultSchema(), 9, tt.who, t1)
			var rj *Rejection
			if !errors.As(err, &rj) || rj.Code != protocol.CodeForbidden || rj.Message != tt.want {
				t.Errorf("refusal = %v, want %q", err, tt.want)
			}
		})
	}
}
