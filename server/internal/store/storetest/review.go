package storetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"gloss/server/internal/store"
	"gloss/shared/docstate"
	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/textpos"
)

// checkReviewReplay is checkReplay's review part: the snapshot's review
// records, comments and document status equal the op log's replay.
func checkReviewReplay(t *testing.T, snap store.Snapshot, st *docstate.State) {
	t.Helper()
	if want := st.SortedReviews(); !equalSlices(snap.Reviews, want) {
		t.Errorf("snapshot reviews differ from the op log's replay:\n got %+v\nwant %+v", snap.Reviews, want)
	}
	if want := st.SortedComments(); !equalSlices(snap.Comments, want) {
		t.Errorf("snapshot comments differ from the op log's replay:\n got %+v\nwant %+v", snap.Comments, want)
	}
	if !reflect.DeepEqual(snap.DocReview, st.DocReview) {
		t.Errorf("snapshot document review %+v, the op log's replay %+v", snap.DocReview, st.DocReview)
	}
}

// reviewDoc is a document and a docstate that resolves ops against it, so
// that the suite commits review ops exactly as the hub would.
type reviewDoc struct {
	t     *testing.T
	s     store.Store
	id    int64
	text  *textpos.Text
	state *docstate.State
	n     int
}

const reviewText = "CNN reported that at least 40 people died."

func newReviewDoc(t *testing.T, s store.Store) *reviewDoc {
	return &reviewDoc{t: t, s: s, id: newDoc(t, s, reviewText), text: textpos.New(reviewText), state: docstate.New()}
}

// resolve resolves op as user with role, at a time that grows by a
// millisecond per op (the stores' precision).
func (d *reviewDoc) resolve(op protocol.Op, user string, role model.Role) protocol.Op {
	d.t.Helper()
	d.n++
	if op.ID == "" {
		op.ID = fmt.Sprintf("op%d", d.n)
	}
	out, err := d.state.Resolve(op, d.text, model.DefaultSchema(), d.id, docstate.Actor{User: user, Role: role}, t0.Add(time.Duration(d.n)*time.Millisecond))
	if err != nil {
		d.t.Fatalf("resolve %s: %v", op.Kind, err)
	}
	return out
}

// do resolves and commits one op and applies it to the state.
func (d *reviewDoc) do(op protocol.Op, user string, role model.Role) protocol.Op {
	d.t.Helper()
	out := d.resolve(op, user, role)
	commit(d.t, d.s, d.id, out)
	d.state.Apply(out)
	return out
}

func spanAt(id, label string, start, end int) *model.Annotation {
	return &model.Annotation{ID: id, Label: label, Start: start, End: end, Quote: reviewText[start:end]}
}

// testReview commits every review op kind, resolved by docstate, and
// checks after each step that the snapshot is the op log's replay; then
// that the delete cascades and the provenance came through.
func testReview(t *testing.T, s store.Store) {
	d := newReviewDoc(t, s)
	const (
		annotator = model.RoleAnnotator
		reviewer  = model.RoleReviewer
		admin     = model.RoleAdmin
	)
	steps := []struct {
		user string
		role model.Role
		op   protocol.Op
	}{
		{"alice", annotator, protocol.Op{Kind: protocol.KindAdd, Ann: spanAt("a1", "figure", 18, 41)}},
		{"bob", annotator, protocol.Op{Kind: protocol.KindAdd, Ann: spanAt("b1", "claim", 18, 41)}},
		{"bob", annotator, protocol.Op{Kind: protocol.KindAdd, Ann: spanAt("b2", "attribution", 0, 12)}},
		{"rita", reviewer, protocol.Op{Kind: protocol.KindAccept, Target: "a1", Version: 1, Ann: spanAt("g1", "figure", 18, 41)}},
		{"rita", reviewer, protocol.Op{Kind: protocol.KindReview, Target: "b1", Version: 1, Status: string(model.ReviewRejected)}},
		// Bytes a text column might not keep: NUL, emoji, markup.
		{"rita", reviewer, protocol.Op{Kind: protocol.KindComment, Comment: &model.Comment{ID: "c1", Target: "b1", Text: "Not a claim:\x00 a figure 😀 <b>"}}},
		{"bob", annotator, protocol.Op{Kind: protocol.KindComment, Comment: &model.Comment{ID: "c2", Target: "b1", Text: "Fair."}}},
		{"alice", annotator, protocol.Op{Kind: protocol.KindComment, Comment: &model.Comment{ID: "c3", Target: "a1", Text: "Thanks"}}},
		{"rita", reviewer, protocol.Op{Kind: protocol.KindAccept, Target: "b2", Version: 1, Ann: spanAt("g2", "attribution", 0, 3)}},
		{"admin", admin, protocol.Op{Kind: protocol.KindUpdate, Version: 1, Ann: spanAt("g1", "claim", 18, 41)}},
		{"alice", annotator, protocol.Op{Kind: protocol.KindDeleteComment, Target: "c3"}},
		{"rita", reviewer, protocol.Op{Kind: protocol.KindDocStatus, Status: string(model.DocAdjudicated)}},
	}
	for _, st := range steps {
		d.do(st.op, st.user, st.role)
		checkReplay(t, s, d.id)
	}
	snap := snapshot(t, s, d.id)
	byAnn := map[string]model.Review{}
	for _, r := range snap.Reviews {
		byAnn[r.Annotation] = r
	}
	if g := byAnn["g1"]; g.Source != "a1" || g.Proposer != "alice" || g.Reviewer != "rita" || g.Status != model.ReviewEdited {
		t.Errorf("provenance of g1 = %+v", g)
	}
	if r := byAnn["b2"]; r.Status != model.ReviewEdited || r.Gold != "g2" {
		t.Errorf("review of b2 (accepted onto other boundaries) = %+v", r)
	}
	if len(snap.Comments) != 2 || snap.Comments[0].ID != "c1" || snap.Comments[0].Text != "Not a claim:\x00 a figure 😀 <b>" || snap.Comments[0].Author != "rita" {
		t.Errorf("comments = %+v", snap.Comments)
	}
	if snap.DocReview.Status != model.DocAdjudicated || snap.DocReview.Reviewer != "rita" {
		t.Errorf("document review = %+v", snap.DocReview)
	}

	// Deleting b1 takes its verdict and thread along; deleting the gold
	// copy g1 makes a1 unreviewed again.
	d.do(protocol.Op{Kind: protocol.KindDelete, Target: "b1", Version: 1}, "bob", annotator)
	d.do(protocol.Op{Kind: protocol.KindDelete, Target: "g1", Version: 2}, "rita", reviewer)
	checkReplay(t, s, d.id)
	snap = snapshot(t, s, d.id)
	byAnn = map[string]model.Review{}
	for _, r := range snap.Reviews {
		byAnn[r.Annotation] = r
	}
	if _, ok := byAnn["b1"]; ok || len(snap.Comments) != 0 {
		t.Errorf("after deleting b1: reviews %+v, comments %+v", snap.Reviews, snap.Comments)
	}
	if r := byAnn["a1"]; r.Status != model.ReviewUnreviewed || r.Gold != "" {
		t.Errorf("a1 after its gold copy was deleted: %+v", r)
	}
}

// testReviewStale commits review ops that must be refused as a whole
// (they cannot come from Resolve, but another instance's commit can make
// a cache's resolution stale): nothing of the batch may be written.
func testReviewStale(t *testing.T, s store.Store) {
	d := newReviewDoc(t, s)
	d.do(protocol.Op{Kind: protocol.KindAdd, Ann: spanAt("a1", "figure", 18, 41)}, "alice", model.RoleAnnotator)
	d.do(protocol.Op{Kind: protocol.KindComment, Comment: &model.Comment{ID: "c1", Target: "a1", Text: "hm"}}, "rita", model.RoleReviewer)
	valid := d.resolve(protocol.Op{ID: "fine", Kind: protocol.KindAccept, Target: "a1", Version: 1, Ann: spanAt("g1", "figure", 18, 41)}, "rita", model.RoleReviewer)
	dupComment := d.resolve(protocol.Op{ID: "c", Kind: protocol.KindComment, Comment: &model.Comment{ID: "c2", Target: "a1", Text: "x"}}, "rita", model.RoleReviewer)
	dupComment.Comment.ID = "c1"
	tests := []struct {
		name string
		ops  []protocol.Op
	}{
		{"comment with an existing id", []protocol.Op{valid, dupComment}},
		{"delete of a missing comment", []protocol.Op{valid, {ID: "dc", Kind: protocol.KindDeleteComment, Target: "nope", User: "rita", Time: t0.UnixMilli()}}},
		{"accept onto an existing id", []protocol.Op{func() protocol.Op {
			op := valid
			a := *op.Ann
			a.ID = "a1"
			op.Ann = &a
			return op
		}()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, opsBefore := snapshot(t, s, d.id), allOps(t, s, d.id)
			_, err := s.Commit(t.Context(), d.id, tc.ops)
			wantErr(t, "Commit", err, store.ErrStale)
			if after := snapshot(t, s, d.id); !reflect.DeepEqual(after, before) {
				t.Errorf("snapshot changed:\n got %+v\nwant %+v", after, before)
			}
			if got := allOps(t, s, d.id); !reflect.DeepEqual(got, opsBefore) {
				t.Errorf("op log changed")
			}
		})
	}
	checkReplay(t, s, d.id)
}
