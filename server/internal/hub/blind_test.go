package hub_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gloss/server/internal/hub"
	"gloss/server/internal/synctest"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// layerAdd is an add op to layer as the store commits it (resolved).
func layerAdd(id, layer string, doc model.Document, start, end int) protocol.Op {
	op := remoteAdd(id, doc, start, end)
	op.User, op.Ann.Layer, op.Ann.Author = layer, layer, layer
	return op
}

// wireGuard fails the test if any message c receives mentions one of
// secrets, as it arrived on the wire (re-encoded from what was decoded:
// every field of the protocol survives the round trip).
func wireGuard(t *testing.T, who string, secrets ...string) func(protocol.Message) {
	return func(m protocol.Message) {
		t.Helper()
		b, _ := json.Marshal(m)
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Errorf("%s received %q in a %s message", who, s, m.Type)
			}
		}
	}
}

// awaitAll takes c's messages until match, passing each to check.
func awaitAll(t *testing.T, c *synctest.Client, what string, check func(protocol.Message), match func(protocol.Message) bool) protocol.Message {
	t.Helper()
	return await(t, c, what, func(m protocol.Message) bool {
		check(m)
		return match(m)
	})
}

// guarded reads a client's messages only through check, so that a wire
// check sees every message the client receives.
type guarded struct {
	t     *testing.T
	c     *synctest.Client
	check func(protocol.Message)
}

// send sends an op and returns the answer to it (ack or error).
func (g guarded) send(m protocol.Message) protocol.Message {
	g.t.Helper()
	if err := g.c.Send(m); err != nil {
		g.t.Fatal(err)
	}
	return awaitAll(g.t, g.c, "answer to "+m.Op.ID, g.check, func(r protocol.Message) bool {
		return (r.Type == protocol.TypeAck || r.Type == protocol.TypeError) && r.OpID == m.Op.ID
	})
}

// awaitClose takes messages until the connection ends and returns the
// close code.
func (g guarded) awaitClose() int {
	g.t.Helper()
	for {
		m, err := g.c.Next(wait)
		if err != nil {
			code, ok := closeCode(err)
			if !ok {
				g.t.Fatalf("connection ended with %v, not a close", err)
			}
			return code
		}
		g.check(m)
	}
}

func annIDs(c *synctest.Client) map[string]bool {
	out := map[string]bool{}
	for id := range c.Replica.State.Anns {
		out[id] = true
	}
	return out
}

func wantIDs(t *testing.T, who string, c *synctest.Client, ids ...string) {
	t.Helper()
	got := annIDs(c)
	if len(got) != len(ids) {
		t.Fatalf("%s holds %v, want %v", who, got, ids)
	}
	for _, id := range ids {
		if !got[id] {
			t.Fatalf("%s holds %v, want %v", who, got, ids)
		}
	}
}

// TestBlindAnnotation: with blind annotation on, an annotator's welcome
// holds only their own layer and the suggestions; the others' ops reach
// them as hidden ops (seq only), their presence shows them alone, and an
// op naming a hidden annotation is refused as if it did not exist. The
// reviewer sees everything. Marking done (with no word to the hub but the
// rights epoch's, as from another instance) closes the annotator's socket
// and the reconnect's snapshot holds every layer; a reviewer putting the
// document in review does the same for the others.
func TestBlindAnnotation(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{Hub: hub.Config{Poll: 20 * time.Millisecond}})
	ctx := context.Background()
	s.AddUser("alice", model.RoleAnnotator)
	bobU := s.AddUser("bob", model.RoleAnnotator)
	s.AddUser("rita", model.RoleReviewer)
	text, doc := s.Doc.Text, s.Doc.ID
	if strings.Contains(text, "alice") || strings.Contains(text, "gold") {
		t.Fatal("the test text must not contain the names the test looks for")
	}
	if err := s.Store.SetProjectSettings(ctx, s.Project.ID, model.Settings{Blind: true, BlindSuggestions: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.Store.SetAssigned(ctx, doc, bobU.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.Commit(ctx, doc, []protocol.Op{layerAdd("a0", "alice", s.Doc, 0, 9),
		layerAdd("g0", model.GoldLayer, s.Doc, 0, 9), layerAdd("s0", model.SuggestLayer, s.Doc, 13, 19)}); err != nil {
		t.Fatal(err)
	}

	a := connect(t, s, "alice", doc)
	r := connect(t, s, "rita", doc)
	wire := wireGuard(t, "bob", "alice", "gold", `"a0"`, `"a1"`, `"g0"`, "ar1", "rc1", "Why a claim")
	presences := 0
	bguard := func(m protocol.Message) {
		t.Helper()
		wire(m)
		if m.Type == protocol.TypePresence {
			presences++ // bob is shown alone
			if len(m.Members) != 1 || m.Members[0].User != "bob" {
				t.Errorf("bob's presence lists %+v", m.Members)
			}
		}
	}
	b := dial(t, s.URL("bob"), nil)
	w, err := b.Hello(doc, "", 0, wait)
	if err != nil {
		t.Fatal(err)
	}
	bguard(w)
	if w.You == nil || !w.You.Blind || !w.Snapshot || !strings.HasSuffix(w.Epoch, "/blind") {
		t.Fatalf("bob's welcome: you %+v snapshot %v epoch %q, want blind, a snapshot, a blind epoch", w.You, w.Snapshot, w.Epoch)
	}
	wantIDs(t, "bob's welcome", b, "s0")
	wantIDs(t, "rita's welcome", r, "a0", "g0", "s0")

	mustAck(t, a, synctest.Add("a1-op", "a1", "claim", text, 20, 30))
	bg := guarded{t, b, bguard}
	if m := bg.send(synctest.Add("b1-op", "b1", "figure", text, 20, 30)); m.Type != protocol.TypeAck {
		t.Fatalf("bob's add: %s %s", m.Type, m.Code)
	}
	// Alice dismisses the suggestion: bob sees it go, not who did it.
	mustAck(t, a, synctest.Delete("a-dismiss", "s0", 1))
	// A relation in alice's layer, and rita's comment on alice's span.
	mustAck(t, a, opMsg(protocol.Op{ID: "a-rel", Kind: protocol.KindAddRelation, Rel: &model.Relation{ID: "ar1", Type: "source", From: "a0", To: "a1"}}))
	mustAck(t, r, opMsg(protocol.Op{ID: "r-comment", Kind: protocol.KindComment, Comment: &model.Comment{ID: "rc1", Target: "a1", Text: "Why a claim?"}}))
	awaitAll(t, b, "bob at seq 8", bguard, func(protocol.Message) bool { return b.Replica.State.Seq >= 8 })
	if err := r.AwaitSeq(8, wait); err != nil {
		t.Fatal(err)
	}
	if err := a.AwaitSeq(8, wait); err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "bob", b, "b1")
	wantIDs(t, "alice", a, "a0", "a1")
	wantIDs(t, "rita", r, "a0", "a1", "b1", "g0")
	if len(b.Replica.State.Rels) != 0 || len(b.Replica.State.Comments) != 0 {
		t.Fatalf("bob holds relations %v, comments %v", b.Replica.State.Rels, b.Replica.State.Comments)
	}
	if len(a.Replica.State.Rels) != 1 || len(a.Replica.State.Comments) != 1 {
		t.Fatalf("alice holds relations %v, comments %v; want her relation and rita's comment", a.Replica.State.Rels, a.Replica.State.Comments)
	}

	// Probing alice's span by id: as if it did not exist.
	for _, m := range []protocol.Message{synctest.Delete("b-probe", "a1", 1),
		opMsg(protocol.Op{ID: "b-comment", Kind: protocol.KindComment, Comment: &model.Comment{ID: "c9", Target: "a0", Text: "?"}})} {
		if got := bg.send(m); got.Type != protocol.TypeError || got.Code != protocol.CodeNotFound || got.Current != nil {
			t.Fatalf("bob's %s on alice's span: %s %s, want not_found", m.Op.ID, got.Type, got.Code)
		}
	}
	if presences == 0 { // coalesced: it may come after the ops
		awaitAll(t, b, "bob's presence", bguard, func(m protocol.Message) bool { return m.Type == protocol.TypePresence })
	}

	// A blind client never resumes: a snapshot of its view, always.
	b2 := dial(t, s.URL("bob"), nil)
	w2, err := b2.Hello(doc, w.Epoch, b.Replica.State.Seq, wait)
	if err != nil {
		t.Fatal(err)
	}
	bguard(w2)
	if !w2.Snapshot || len(w2.Ops) != 0 {
		t.Fatalf("blind resume: snapshot %v with %d ops, want a snapshot", w2.Snapshot, len(w2.Ops))
	}
	b2.Close()

	// Bob marks done: in the store only, the rights epoch carries it.
	if err := s.Store.MarkDone(ctx, doc, bobU.ID, true); err != nil {
		t.Fatal(err)
	}
	if code := bg.awaitClose(); code != protocol.CloseRestart {
		t.Fatalf("bob's socket after done: %d, want %d", code, protocol.CloseRestart)
	}

	b = dial(t, s.URL("bob"), b.Replica)
	if w, err = b.Hello(doc, w.Epoch, b.Replica.State.Seq, wait); err != nil {
		t.Fatal(err)
	}
	if w.You.Blind || !w.Snapshot {
		t.Fatalf("bob's welcome after done: blind %v snapshot %v, want neither blind nor a resume", w.You.Blind, w.Snapshot)
	}
	wantIDs(t, "bob after done", b, "a0", "a1", "b1", "g0")

	// Rita puts the document in review: alice is blind no more either.
	mustAck(t, r, opMsg(protocol.Op{ID: "r-status", Kind: protocol.KindDocStatus, Status: string(model.DocInReview)}))
	if code, err := a.AwaitClose(wait); code != protocol.CloseRestart {
		t.Fatalf("alice's socket after review: %d %v, want %d", code, err, protocol.CloseRestart)
	}
	a = connect(t, s, "alice", doc)
	wantIDs(t, "alice in review", a, "a0", "a1", "b1", "g0")
	checkSameAsStore(t, s, doc, a, b, r)
}

// TestBlindSettings: the suggestions are shown to blind annotators only
// if the project allows, and switching blind annotation off (or on)
// closes exactly the sockets whose view changes.
func TestBlindSettings(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{Hub: hub.Config{Poll: -1}})
	ctx := context.Background()
	s.AddUser("alice", model.RoleAnnotator)
	s.AddUser("rita", model.RoleReviewer)
	doc := s.Doc.ID
	set := func(st model.Settings) {
		t.Helper()
		if err := s.Store.SetProjectSettings(ctx, s.Project.ID, st); err != nil {
			t.Fatal(err)
		}
		s.Hub.ProjectChanged(s.Project.ID)
	}
	if _, err := s.Store.Commit(ctx, doc, []protocol.Op{layerAdd("s0", model.SuggestLayer, s.Doc, 13, 19),
		layerAdd("c0", "carol", s.Doc, 0, 9)}); err != nil {
		t.Fatal(err)
	}
	set(model.Settings{Blind: true})
	a := connect(t, s, "alice", doc)
	r := connect(t, s, "rita", doc)
	wantIDs(t, "alice without suggestions", a)

	set(model.Settings{Blind: true, BlindSuggestions: true})
	if code, err := a.AwaitClose(wait); code != protocol.CloseRestart {
		t.Fatalf("alice's socket after allowing suggestions: %d %v", code, err)
	}
	a = connect(t, s, "alice", doc)
	wantIDs(t, "alice with suggestions", a, "s0")

	set(model.Settings{})
	if code, err := a.AwaitClose(wait); code != protocol.CloseRestart {
		t.Fatalf("alice's socket after blind off: %d %v", code, err)
	}
	a = connect(t, s, "alice", doc)
	wantIDs(t, "alice, blind off", a, "c0", "s0")
	// Rita's view never changed: her socket is still open and works.
	mustAck(t, r, opMsg(protocol.Op{ID: "r-status", Kind: protocol.KindDocStatus, Status: string(model.DocInReview)}))
	checkSameAsStore(t, s, doc, a, r)
}
