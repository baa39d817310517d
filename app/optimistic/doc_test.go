package optimistic

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"gloss/shared/docstate"
	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/textpos"
)

// The text mixes what breaks offset code: emoji (astral), CJK, a
// combining mark and U+00A0.
const text = "At least 40 people 🙂 dead, CNN reported.\u00a0Officials said 115 were hospitalised; 東京 café\u0301 noted."

// sim is one client (alice) against a server that resolves ops with the
// rules it really uses (docstate), with a second user (bob) writing
// straight to the server. The client's messages arrive in order; the
// server answers each of alice's ops with its broadcast and an ack, or a
// refusal.
type sim struct {
	t      testing.TB
	r      *rand.Rand
	text   *textpos.Text
	schema model.Schema
	srv    *docstate.State
	doc    *Doc
	inbox  []protocol.Op // alice's ops the server has not read yet
	seq    int64
	now    time.Time
	n      int
}

func newSim(t testing.TB, seed uint64) *sim {
	s := &sim{t: t, r: rand.New(rand.NewPCG(seed, 7)), text: textpos.New(text), schema: model.DefaultSchema(),
		srv: docstate.New(), doc: New(1), now: time.UnixMilli(1_700_000_000_000).UTC()}
	doc := model.Document{ID: 1, Name: "a.txt", Text: text}
	if err := s.doc.Welcome(protocol.Message{Type: protocol.TypeWelcome, Snapshot: true, Document: &doc,
		You: &protocol.You{User: "alice", Role: model.RoleAnnotator, Layer: "alice"}}); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *sim) id(prefix string) string { s.n++; return fmt.Sprintf("%s%d", prefix, s.n) }

// span picks a non-empty span of the text and its quote.
func (s *sim) span() (int, int, string) {
	n := s.text.Len()
	a := s.r.IntN(n - 1)
	b := a + 1 + s.r.IntN(min(12, n-a-1)+1)
	b = min(b, n)
	q, err := s.text.Slice(a, b)
	if err != nil {
		s.t.Fatal(err)
	}
	return a, b, q
}

func (s *sim) label() string { return s.schema.Labels[s.r.IntN(len(s.schema.Labels))].Name }

func (s *sim) attrs() *model.Attrs {
	switch s.r.IntN(3) {
	case 0:
		return nil
	case 1:
		return &model.Attrs{} // clears
	}
	v := float64(s.r.IntN(200))
	return &model.Attrs{Value: &v, Qualifier: "at least", Quantity: "dead"}
}

// pick returns a random element of the view, or false.
func pick[T any](r *rand.Rand, xs []T) (T, bool) {
	var zero T
	if len(xs) == 0 {
		return zero, false
	}
	return xs[r.IntN(len(xs))], true
}

// edit makes one op as the desk would: against the optimistic view.
func (s *sim) edit(user string, view []model.Annotation, rels []model.Relation) (protocol.Op, bool) {
	mine := func(a model.Annotation) bool { return a.Layer == user }
	var own []model.Annotation
	for _, a := range view {
		if mine(a) {
			own = append(own, a)
		}
	}
	switch s.r.IntN(6) {
	case 0, 1:
		a, b, q := s.span()
		return protocol.Op{ID: s.id("op"), Kind: protocol.KindAdd, Ann: &model.Annotation{ID: s.id(user[:1]), Label: s.label(), Start: a, End: b, Quote: q, Attrs: s.attrs()}}, true
	case 2:
		a, ok := pick(s.r, own)
		if !ok {
			return protocol.Op{}, false
		}
		next := a
		next.Label, next.Attrs = s.label(), s.attrs()
		if s.r.IntN(2) == 0 {
			next.Start, next.End, next.Quote = s.span()
		}
		return protocol.Op{ID: s.id("op"), Kind: protocol.KindUpdate, Ann: &next, Version: a.Version}, true
	case 3:
		a, ok := pick(s.r, own)
		if !ok {
			return protocol.Op{}, false
		}
		return protocol.Op{ID: s.id("op"), Kind: protocol.KindDelete, Target: a.ID, Version: a.Version}, true
	case 4:
		a, ok1 := pick(s.r, own)
		b, ok2 := pick(s.r, view)
		if !ok1 || !ok2 || a.ID == b.ID {
			return protocol.Op{}, false
		}
		return protocol.Op{ID: s.id("op"), Kind: protocol.KindAddRelation, Rel: &model.Relation{ID: s.id("r"), Type: "source", From: a.ID, To: b.ID}}, true
	default:
		var own []model.Relation
		for _, r := range rels {
			if r.Layer == user {
				own = append(own, r)
			}
		}
		r, ok := pick(s.r, own)
		if !ok {
			return protocol.Op{}, false
		}
		return protocol.Op{ID: s.id("op"), Kind: protocol.KindDeleteRelation, Target: r.ID, Version: r.Version}, true
	}
}

// commit resolves op on the server as who and broadcasts it; it reports
// the refusal, if any.
func (s *sim) commit(op protocol.Op, who string) (protocol.Op, error) {
	s.now = s.now.Add(time.Millisecond)
	out, err := s.srv.Resolve(op, s.text, s.schema, 1, docstate.Actor{User: who, Role: model.RoleAnnotator}, s.now)
	if err != nil {
		return out, err
	}
	s.seq++
	out.Seq = s.seq
	s.srv.Apply(out)
	return out, nil
}

// step does one random thing.
func (s *sim) step() {
	switch k := s.r.IntN(10); {
	case k < 4: // alice edits
		if op, ok := s.edit("alice", s.doc.Annotations(), s.doc.Relations()); ok {
			s.doc.Submit(op)
			s.inbox = append(s.inbox, op)
		}
	case k < 6: // bob edits on the server
		if op, ok := s.edit("bob", s.srv.Annotations(), s.srv.Relations()); ok {
			if out, err := s.commit(op, "bob"); err == nil {
				s.deliver(out)
			}
		}
	default:
		s.serveOne()
	}
}

// serveOne lets the server read alice's oldest op.
func (s *sim) serveOne() {
	if len(s.inbox) == 0 {
		return
	}
	op := s.inbox[0]
	s.inbox = s.inbox[1:]
	out, err := s.commit(op, "alice")
	if err != nil {
		if !s.doc.Ack(op.ID) { // a refusal retires the edit
			s.t.Fatalf("refused op %s was not pending", op.ID)
		}
		return
	}
	s.deliver(out)
	if s.doc.Ack(op.ID) {
		s.t.Fatalf("op %s still pending after its echo", op.ID)
	}
}

func (s *sim) deliver(op protocol.Op) {
	if !s.doc.Confirm(op) {
		s.t.Fatalf("op seq %d after %d: a gap where there is none", op.Seq, s.doc.Seq())
	}
}

// visible is what a view shows of an annotation, without the times only
// the server stamps.
type visible struct {
	ID, Layer, Label, Quote, Author string
	Start, End                      int
	Version                         int64
	Attrs                           string
}

func vis(as []model.Annotation) []visible {
	out := make([]visible, 0, len(as))
	for _, a := range as {
		at, _ := json.Marshal(a.Attrs)
		out = append(out, visible{a.ID, a.Layer, a.Label, a.Quote, a.Author, a.Start, a.End, a.Version, string(at)})
	}
	return out
}

type visRel struct{ ID, Layer, Type, From, To, Author string }

func visRels(rs []model.Relation) []visRel {
	out := make([]visRel, 0, len(rs))
	for _, r := range rs {
		out = append(out, visRel{r.ID, r.Layer, r.Type, r.From, r.To, r.Author})
	}
	return out
}

// check compares the client's view with what the server will hold once
// it has read alice's pending ops: the optimistic view must be that
// future, whenever the server is caught up with everything else.
func (s *sim) check(when string) {
	future := s.srv.Clone()
	at := s.now
	for _, op := range s.inbox {
		at = at.Add(time.Millisecond)
		if out, err := future.Resolve(op, s.text, s.schema, 1, docstate.Actor{User: "alice", Role: model.RoleAnnotator}, at); err == nil {
			future.Apply(out)
		} else {
			return // a pending op will be refused: the view may show it until then
		}
	}
	if got, want := vis(s.doc.Annotations()), vis(future.Annotations()); !reflect.DeepEqual(got, want) {
		s.t.Fatalf("%s: annotations in view\n%+v\nwant\n%+v", when, got, want)
	}
	if got, want := visRels(s.doc.Relations()), visRels(future.Relations()); !reflect.DeepEqual(got, want) {
		s.t.Fatalf("%s: relations in view\n%+v\nwant\n%+v", when, got, want)
	}
}

func (s *sim) run(steps int) {
	for i := 0; i < steps; i++ {
		s.step()
		s.check(fmt.Sprintf("step %d", i))
	}
	for len(s.inbox) > 0 {
		s.serveOne()
	}
	if len(s.doc.PendingOps()) != 0 {
		s.t.Fatalf("%d ops pending after the server read them all", len(s.doc.PendingOps()))
	}
	// Drained, the view is the server's state to the letter.
	if got, want := s.doc.Annotations(), s.srv.Annotations(); !reflect.DeepEqual(got, want) {
		s.t.Fatalf("drained: annotations differ\n%+v\n%+v", got, want)
	}
	if got, want := s.doc.Relations(), s.srv.Relations(); !reflect.DeepEqual(got, want) && (len(got) > 0 || len(want) > 0) {
		s.t.Fatalf("drained: relations differ\n%+v\n%+v", got, want)
	}
}

// TestViewIsTheFuture: the optimistic view shows exactly what the server
// will hold once it has read the pending ops, through random edits by
// alice (pending) and bob (committed meanwhile), refusals included.
func TestViewIsTheFuture(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { newSim(t, seed).run(120) })
	}
}

func FuzzViewIsTheFuture(f *testing.F) {
	f.Add(uint64(1), uint8(50))
	f.Add(uint64(99), uint8(200))
	f.Fuzz(func(t *testing.T, seed uint64, steps uint8) {
		newSim(t, seed).run(int(steps))
	})
}

// TestConfirmGap: an op that does not follow the confirmed seq changes
// nothing and is reported, so the session resumes.
func TestConfirmGap(t *testing.T) {
	s := newSim(t, 1)
	op, _ := s.commit(protocol.Op{ID: "x", Kind: protocol.KindAdd, Ann: &model.Annotation{ID: "a1", Label: "claim", Start: 0, End: 2, Quote: "At"}}, "bob")
	op.Seq = 2
	if s.doc.Confirm(op) {
		t.Fatal("a gap was confirmed")
	}
	if len(s.doc.Annotations()) != 0 || s.doc.Seq() != 0 {
		t.Fatalf("a refused gap changed the view: seq %d, %d annotations", s.doc.Seq(), len(s.doc.Annotations()))
	}
}

// TestDirty: an op marks what it touches, a welcome everything.
func TestDirty(t *testing.T) {
	s := newSim(t, 1)
	if _, all := s.doc.TakeDirty(); !all {
		t.Fatal("a snapshot did not mark everything")
	}
	s.doc.Submit(protocol.Op{ID: "o1", Kind: protocol.KindAdd, Ann: &model.Annotation{ID: "a1", Label: "claim", Start: 0, End: 2, Quote: "At"}})
	ids, all := s.doc.TakeDirty()
	if all || !reflect.DeepEqual(ids, []string{"a1"}) {
		t.Fatalf("dirty = %v, %v; want [a1], false", ids, all)
	}
	if !s.doc.Unsaved("a1") {
		t.Fatal("a pending add is not unsaved")
	}
	s.inbox = append(s.inbox, s.doc.PendingOps()...)
	s.serveOne()
	if s.doc.Unsaved("a1") {
		t.Fatal("an acked add is still unsaved")
	}
}

// TestSnapshotOrder: a snapshot's annotations show in reading order
// whatever order they came in, and stay right after later edits.
func TestSnapshotOrder(t *testing.T) {
	in := []model.Annotation{
		{ID: "b", Layer: "bob", Label: "claim", Start: 5, End: 9, Version: 1},
		{ID: "a", Layer: "bob", Label: "claim", Start: 0, End: 4, Version: 1},
		{ID: "c", Layer: "bob", Label: "figure", Start: 0, End: 9, Version: 1},
	}
	for _, tc := range []struct {
		name string
		anns []model.Annotation
	}{
		{"sorted", []model.Annotation{in[2], in[1], in[0]}},
		{"unsorted", in},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := New(1)
			doc := model.Document{ID: 1, Text: text}
			if err := d.Welcome(protocol.Message{Snapshot: true, Seq: 3, Document: &doc, Annotations: tc.anns, You: &protocol.You{User: "alice", Layer: "alice"}}); err != nil {
				t.Fatal(err)
			}
			ids := func() (out []string) {
				for _, a := range d.Annotations() {
					out = append(out, a.ID)
				}
				return out
			}
			if got := ids(); !reflect.DeepEqual(got, []string{"c", "a", "b"}) {
				t.Fatalf("order %v", got)
			}
			d.Confirm(protocol.Op{Seq: 4, Kind: protocol.KindDelete, Target: "c"})
			if got := ids(); !reflect.DeepEqual(got, []string{"a", "b"}) {
				t.Fatalf("after a delete: %v", got)
			}
		})
	}
}
