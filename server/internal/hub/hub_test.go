package hub_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"gloss/server/internal/hub"
	"gloss/server/internal/store"
	"gloss/server/internal/synctest"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// wait bounds every wait for a message; nothing here sleeps.
const wait = 30 * time.Second

// connect dials as user and says hello for doc with no resume position.
func connect(t testing.TB, s *synctest.Server, user string, doc int64) *synctest.Client {
	t.Helper()
	c := dial(t, s.URL(user), nil)
	if _, err := c.Hello(doc, "", 0, wait); err != nil {
		t.Fatalf("%s: hello: %v", user, err)
	}
	return c
}

// twoAnnotators adds the annotators alice and bob to s and connects both
// to its document.
func twoAnnotators(t testing.TB, s *synctest.Server) (text string, doc int64, a, b *synctest.Client) {
	t.Helper()
	s.AddUser("alice", model.RoleAnnotator)
	s.AddUser("bob", model.RoleAnnotator)
	a = connect(t, s, "alice", s.Doc.ID)
	b = connect(t, s, "bob", s.Doc.ID)
	return s.Doc.Text, s.Doc.ID, a, b
}

func dial(t testing.TB, url string, r *synctest.Replica) *synctest.Client {
	t.Helper()
	c, err := synctest.Dial(context.Background(), url, synctest.DialOptions{Replica: r})
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(c.Drop)
	return c
}

// await takes c's messages until one matches.
func await(t testing.TB, c *synctest.Client, what string, match func(protocol.Message) bool) protocol.Message {
	t.Helper()
	m, err := c.Await(wait, func(m protocol.Message) (bool, error) { return match(m), nil })
	if err != nil {
		t.Fatalf("awaiting %s: %v", what, err)
	}
	return m
}

// send sends m and returns what the sender gets for it: the ack, or the
// error. It checks that the broadcast of an accepted op reached the sender
// before its ack.
func send(t testing.TB, c *synctest.Client, m protocol.Message) protocol.Message {
	t.Helper()
	if err := c.Send(m); err != nil {
		t.Fatal(err)
	}
	id := m.Op.ID
	r := await(t, c, "answer to "+id, func(r protocol.Message) bool {
		return (r.Type == protocol.TypeAck || r.Type == protocol.TypeError) && r.OpID == id
	})
	if r.Type == protocol.TypeAck && c.Replica.State.Seq < r.Seq {
		t.Fatalf("ack of %s with seq %d came before the op (replica at %d)", id, r.Seq, c.Replica.State.Seq)
	}
	return r
}

func mustAck(t testing.TB, c *synctest.Client, m protocol.Message) protocol.Message {
	t.Helper()
	r := send(t, c, m)
	if r.Type != protocol.TypeAck {
		t.Fatalf("op %s: got %s %s (%s), want ack", m.Op.ID, r.Type, r.Code, r.Text)
	}
	return r
}

func checkSameAsStore(t testing.TB, s *synctest.Server, doc int64, clients ...*synctest.Client) {
	t.Helper()
	snap := s.Snapshot(doc)
	for i, c := range clients {
		if err := c.AwaitSeq(snap.Seq, wait); err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		if d := c.Replica.Diff(snap); d != "" {
			t.Fatalf("client %d differs from the store: %s", i, d)
		}
	}
}

// TestLiveEdit follows one user's edits to another's screen: every op
// arrives live with the next seq, the author gets acks, and a reload shows
// exactly the acknowledged state.
func TestLiveEdit(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{})
	text, doc, a, b := twoAnnotators(t, s)
	await(t, a, "presence of both", func(m protocol.Message) bool {
		return m.Type == protocol.TypePresence && len(m.Members) == 2
	})

	steps := []struct {
		name string
		msg  func() protocol.Message
		want func(op protocol.Op) error
	}{
		{"add", func() protocol.Message { return synctest.Add("op1", "a1", "claim", text, 0, 9) },
			func(op protocol.Op) error {
				return expect(op.Kind == protocol.KindAdd && op.Ann.Label == "claim" && op.Ann.Layer == "alice" &&
					op.Ann.Author == "alice" && op.Ann.Version == 1 && op.User == "alice")
			}},
		{"add another", func() protocol.Message { return synctest.Add("op2", "a2", "figure", text, 41, 59) },
			func(op protocol.Op) error { return expect(op.Ann.ID == "a2" && op.Ann.Quote == "at least 40 people") }},
		{"relabel", func() protocol.Message { return synctest.Relabel("op3", a.Replica.State.Anns["a1"], "attribution") },
			func(op protocol.Op) error {
				return expect(op.Kind == protocol.KindUpdate && op.Ann.Label == "attribution" && op.Ann.Version == 2 && op.Version == 1)
			}},
		{"move span", func() protocol.Message { return synctest.Update("op4", "a2", 1, "figure", text, 50, 59) },
			func(op protocol.Op) error { return expect(op.Ann.Quote == "40 people" && op.Ann.Version == 2) }},
		{"delete", func() protocol.Message { return synctest.Delete("op5", "a1", 2) },
			func(op protocol.Op) error { return expect(op.Kind == protocol.KindDelete && op.Target == "a1") }},
	}
	for i, st := range steps {
		seq := int64(i + 1)
		ack := mustAck(t, a, st.msg())
		if ack.Seq != seq {
			t.Fatalf("%s: ack seq %d, want %d", st.name, ack.Seq, seq)
		}
		m := await(t, b, st.name+" at bob", func(m protocol.Message) bool { return m.Type == protocol.TypeOp })
		if m.Op.Seq != seq || m.Op.ID != fmt.Sprintf("op%d", seq) {
			t.Fatalf("%s: bob got op %s seq %d, want op%d seq %d", st.name, m.Op.ID, m.Op.Seq, seq, seq)
		}
		if err := st.want(*m.Op); err != nil {
			t.Fatalf("%s: bob got %+v: %v", st.name, m.Op, err)
		}
	}

	reload := connect(t, s, "alice", doc)
	if d := reload.Replica.Document; d == nil || d.ID != doc || d.Text != text || reload.Replica.Schema == nil || len(reload.Replica.Schema.Labels) != 3 {
		t.Fatalf("reload: welcome without the document and schema")
	}
	if you := reload.Replica.You; you == nil || you.User != "alice" || you.Layer != "alice" || you.Role != model.RoleAnnotator {
		t.Fatalf("reload: you = %+v", you)
	}
	checkSameAsStore(t, s, doc, a, b, reload)
	if n := len(reload.Replica.State.Anns); n != 1 {
		t.Fatalf("reload shows %d annotations, want 1", n)
	}
}

// unchanged describes how after differs from before, or returns "".
func unchanged(before, after store.Snapshot) string {
	r := synctest.NewReplica()
	r.State.Reset(before.Seq, before.Annotations, before.Relations)
	return r.Diff(after)
}

func expect(ok bool) error {
	if !ok {
		return errors.New("unexpected op")
	}
	return nil
}

// TestResume drops a connection and resumes it: the welcome carries
// exactly the missed ops unless the position cannot be trusted, in which
// case it is a snapshot.
func TestResume(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{Hub: hub.Config{ResumeLimit: 10}})
	s.AddUser("alice", model.RoleAnnotator)
	s.AddUser("bob", model.RoleAnnotator)
	text, doc := s.Doc.Text, s.Doc.ID
	a := connect(t, s, "alice", doc)
	n := 0
	edit := func(k int) {
		for range k {
			n++
			mustAck(t, a, synctest.Add(fmt.Sprintf("op%d", n), fmt.Sprintf("a%d", n), "claim", text, n, n+5))
		}
	}
	edit(3)
	epoch := a.Replica.Epoch

	cases := []struct {
		name     string
		epoch    string
		since    func(seq int64) int64
		missed   int // ops made while disconnected
		snapshot bool
	}{
		{"missed ops", epoch, func(seq int64) int64 { return seq }, 4, false},
		{"nothing missed", epoch, func(seq int64) int64 { return seq }, 0, false},
		{"other epoch", "0123456789abcdef", func(seq int64) int64 { return seq }, 2, true},
		{"since ahead of the document", epoch, func(seq int64) int64 { return seq + 5 }, 1, true},
		{"too far behind", epoch, func(seq int64) int64 { return seq }, 11, true},
		{"no position", epoch, func(int64) int64 { return 0 }, 1, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := connect(t, s, "bob", doc)
			checkSameAsStore(t, s, doc, b)
			b.Drop() // forced: no close frame
			edit(tc.missed)
			at := b.Replica.State.Seq
			r := b.Replica
			if tc.snapshot {
				r = synctest.NewReplica()
			}
			b2 := dial(t, s.URL("bob"), r)
			w, err := b2.Hello(doc, tc.epoch, tc.since(at), wait)
			if err != nil {
				t.Fatal(err)
			}
			if w.Snapshot != tc.snapshot {
				t.Fatalf("welcome snapshot = %v, want %v", w.Snapshot, tc.snapshot)
			}
			if !tc.snapshot {
				if len(w.Ops) != tc.missed {
					t.Fatalf("resume sent %d ops, want the %d missed", len(w.Ops), tc.missed)
				}
				if w.Document != nil || w.Annotations != nil {
					t.Fatalf("resume also sent a snapshot")
				}
			}
			// The replica checked that the ops follow on with no gap or
			// repeat; live ops continue from there.
			edit(1)
			checkSameAsStore(t, s, doc, a, b2)
		})
	}
}

// TestRetries checks what a retrying or outdated client gets: a re-sent
// op is answered with its original ack and applied once; an edit against
// an old version is refused with the current state and changes nothing.
func TestRetries(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{})
	s.AddUser("alice", model.RoleAnnotator)
	text, doc := s.Doc.Text, s.Doc.ID
	a := connect(t, s, "alice", doc)
	tab := connect(t, s, "alice", doc) // the same user in a second tab
	first := mustAck(t, a, synctest.Add("add1", "x", "claim", text, 0, 9))
	mustAck(t, a, synctest.Add("add2", "y", "claim", text, 10, 12))

	t.Run("duplicate op ids", func(t *testing.T) {
		before := s.Snapshot(doc)
		retry := synctest.Add("add1", "x", "claim", text, 0, 9)
		for _, c := range []*synctest.Client{a, tab, connect(t, s, "alice", doc)} {
			r := send(t, c, retry)
			if r.Type != protocol.TypeAck || r.Seq != first.Seq {
				t.Fatalf("retry got %s seq %d (%s), want the original ack with seq %d", r.Type, r.Seq, r.Code, first.Seq)
			}
		}
		// Back to back, the copies may share a commit batch: both still
		// get the ack of the one op applied.
		twice := synctest.Add("add3", "z", "figure", text, 20, 30)
		for range 2 {
			if err := a.Send(twice); err != nil {
				t.Fatal(err)
			}
		}
		var seqs []int64
		await(t, a, "two acks of add3", func(m protocol.Message) bool {
			if m.Type == protocol.TypeError {
				t.Fatalf("got error %s %s: %s", m.OpID, m.Code, m.Text)
			}
			if synctest.IsAck(m, "add3") {
				seqs = append(seqs, m.Seq)
			}
			return len(seqs) == 2
		})
		if seqs[0] != seqs[1] || seqs[0] != before.Seq+1 {
			t.Fatalf("acks of add3 have seqs %v, want both %d", seqs, before.Seq+1)
		}
		checkSameAsStore(t, s, doc, a, tab)
		log, err := s.Store.OpsSince(context.Background(), doc, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != int(before.Seq)+1 {
			t.Fatalf("op log has %d ops, want %d", len(log), before.Seq+1)
		}
	})

	t.Run("stale versions", func(t *testing.T) {
		checkSameAsStore(t, s, doc, a, tab)
		x := tab.Replica.State.Anns["x"]
		mustAck(t, a, synctest.Relabel("relabel-x", x, "figure")) // x is now at version 2
		y := tab.Replica.State.Anns["y"]
		mustAck(t, a, synctest.Delete("delete-y", "y", y.Version))
		before := s.Snapshot(doc)

		cases := []struct {
			name    string
			msg     protocol.Message
			code    string
			current int64 // version of the current state sent back, 0 for none
			deleted bool
		}{
			{"update", synctest.Relabel("stale-update", x, "attribution"), protocol.CodeConflict, 2, false},
			{"move", synctest.Update("stale-move", "x", 1, "claim", text, 1, 9), protocol.CodeConflict, 2, false},
			{"delete", synctest.Delete("stale-delete", "x", 1), protocol.CodeConflict, 2, false},
			{"update deleted", synctest.Relabel("gone-update", y, "figure"), protocol.CodeNotFound, 0, true},
			{"delete deleted", synctest.Delete("gone-delete", "y", y.Version), protocol.CodeNotFound, 0, true},
			{"add existing id", synctest.Add("dup-ann", "x", "claim", text, 0, 3), protocol.CodeDuplicateID, 0, false},
		}
		for _, tc := range cases {
			r := send(t, tab, tc.msg)
			if r.Type != protocol.TypeError || r.Code != tc.code {
				t.Fatalf("%s: got %s %s, want error %s", tc.name, r.Type, r.Code, tc.code)
			}
			if tc.current == 0 && r.Current != nil || tc.current != 0 && (r.Current == nil || r.Current.Version != tc.current || r.Current.Label != "figure") {
				t.Fatalf("%s: current = %+v, want version %d", tc.name, r.Current, tc.current)
			}
			if r.Deleted != tc.deleted {
				t.Fatalf("%s: deleted = %v", tc.name, r.Deleted)
			}
		}
		if d := unchanged(before, s.Snapshot(doc)); d != "" {
			t.Fatalf("refused edits changed the document: %s", d)
		}
	})
}

// TestBadInput sends what a broken or hostile client might: each gets its
// own error code, nothing changes, and the connection survives unless the
// message made going on unsafe.
func TestBadInput(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{})
	s.AddUser("alice", model.RoleAnnotator)
	s.AddUser("bob", model.RoleAnnotator)
	s.AddUser("vera", model.RoleViewer)
	s.AddUser("mallory", "")
	text, doc := s.Doc.Text, s.Doc.ID
	other := s.AddDocument("Another article.")
	mustAck(t, connect(t, s, "bob", doc), synctest.Add("bob1", "bobs", "claim", text, 0, 9))
	n := len([]rune(text))

	opWith := func(f func(*protocol.Op)) []byte {
		m := synctest.Add("bad", "b1", "claim", text, 0, 9)
		f(m.Op)
		return raw(m)
	}
	cases := []struct {
		name  string
		user  string
		hello bool   // say hello first
		send  []byte // the bad message
		code  string // error code expected, "" for none
		opID  string // the error's opId
		close int    // close code expected, 0 if the connection survives
	}{
		{"bad json", "alice", true, []byte(`{"type":"op","op":{`), protocol.CodeBadJSON, "", 0},
		{"not an object", "alice", true, []byte(`[1,2]`), protocol.CodeBadJSON, "", 0},
		{"trailing data", "alice", true, []byte(`{"type":"select"} {}`), protocol.CodeBadJSON, "", 0},
		{"unknown type", "alice", true, []byte(`{"type":"dance"}`), protocol.CodeUnknownType, "", 0},
		{"no type", "alice", true, []byte(`{"doc":1}`), protocol.CodeUnknownType, "", 0},
		{"unknown op kind", "alice", true, opWith(func(op *protocol.Op) { op.Kind = "move" }), protocol.CodeUnknownKind, "bad", 0},
		{"update without version", "alice", true, opWith(func(op *protocol.Op) { op.Kind = protocol.KindUpdate }), protocol.CodeBadJSON, "bad", 0},
		{"bad op id", "alice", true, opWith(func(op *protocol.Op) { op.ID = "no spaces" }), model.CodeBadID, "", 0},
		{"bad annotation id", "alice", true, opWith(func(op *protocol.Op) { op.Ann.ID = "<b>" }), model.CodeBadID, "bad", 0},
		{"span out of range", "alice", true, opWith(func(op *protocol.Op) { op.Ann.Start, op.Ann.End = n-2, n+3 }), model.CodeSpanOutOfRange, "bad", 0},
		{"empty span", "alice", true, opWith(func(op *protocol.Op) { op.Ann.End = op.Ann.Start }), model.CodeSpanEmpty, "bad", 0},
		{"quote mismatch", "alice", true, opWith(func(op *protocol.Op) { op.Ann.Quote = "Officialz" }), model.CodeQuoteMismatch, "bad", 0},
		{"unknown label", "alice", true, opWith(func(op *protocol.Op) { op.Ann.Label = "opinion" }), model.CodeUnknownLabel, "bad", 0},
		{"another user's layer", "alice", true, opWith(func(op *protocol.Op) { op.Ann.Layer = "bob" }), protocol.CodeForbidden, "bad", 0},
		{"gold layer", "alice", true, opWith(func(op *protocol.Op) { op.Ann.Layer = model.GoldLayer }), protocol.CodeForbidden, "bad", 0},
		{"another user's annotation", "alice", true, raw(synctest.Delete("bad", "bobs", 1)), protocol.CodeForbidden, "bad", 0},
		{"viewer writes", "vera", true, raw(synctest.Add("bad", "b1", "claim", text, 0, 9)), protocol.CodeForbidden, "bad", 0},
		{"wrong document", "alice", true, opWith(func(op *protocol.Op) { op.Ann.Document = other.ID }), protocol.CodeWrongDocument, "bad", 0},
		{"second hello", "alice", true, raw(hello(other.ID)), protocol.CodeWrongDocument, "", 0},
		{"op before hello", "alice", false, raw(synctest.Add("bad", "b1", "claim", text, 0, 9)), protocol.CodeNoHello, "bad", 0},
		{"oversized", "alice", true, oversized(), "", "", websocket.CloseMessageTooBig},
		{"protocol version", "alice", false, raw(protocol.Message{Type: protocol.TypeHello, Proto: 2, Doc: doc}), protocol.CodeProtoVersion, "", protocol.CloseProtocol},
		{"not a member", "mallory", false, raw(hello(doc)), protocol.CodeForbidden, "", protocol.CloseForbidden},
		{"no such document", "alice", false, raw(hello(other.ID + 100)), protocol.CodeNotFound, "", protocol.CloseNotFound},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := s.Snapshot(doc)
			c := dial(t, s.URL(tc.user), nil)
			if tc.hello {
				if _, err := c.Hello(doc, "", 0, wait); err != nil {
					t.Fatal(err)
				}
			}
			if err := c.SendRaw(tc.send); err != nil {
				t.Fatal(err)
			}
			if tc.code != "" {
				m, err := c.Await(wait, func(m protocol.Message) (bool, error) {
					if m.Type == protocol.TypeOp || m.Type == protocol.TypeAck {
						return false, fmt.Errorf("bad input was applied: %+v", m)
					}
					return m.Type == protocol.TypeError, nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if m.Code != tc.code || m.OpID != tc.opID {
					t.Fatalf("got error %q for op %q (%s), want %q for op %q", m.Code, m.OpID, m.Text, tc.code, tc.opID)
				}
				if m.Document != nil || m.Annotations != nil {
					t.Fatalf("error carries document data")
				}
			}
			if tc.close != 0 {
				code, err := c.AwaitClose(wait)
				if err != nil {
					t.Fatal(err)
				}
				if code != tc.close {
					t.Fatalf("closed with %d, want %d", code, tc.close)
				}
			}
			if d := unchanged(before, s.Snapshot(doc)); d != "" {
				t.Fatalf("bad input changed the document: %s", d)
			}
			if tc.close != 0 {
				return
			}
			// The connection goes on: a hello if it had none, then a good op.
			if !tc.hello {
				if _, err := c.Hello(doc, "", 0, wait); err != nil {
					t.Fatal(err)
				}
			}
			if tc.user == "vera" {
				return
			}
			id := fmt.Sprintf("ok%d", i)
			mustAck(t, c, synctest.Add(id, id, "claim", text, 10, 12))
			mustAck(t, c, synctest.Delete(id+"-undo", id, 1))
		})
	}
}

func raw(m protocol.Message) []byte {
	data, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return data
}

func hello(doc int64) protocol.Message {
	return protocol.Message{Type: protocol.TypeHello, Proto: protocol.Version, Doc: doc}
}

func oversized() []byte {
	q := strings.Repeat("x", protocol.MaxMessage)
	return []byte(`{"type":"op","op":{"id":"big","kind":"add","ann":{"id":"big","label":"claim","start":0,"end":1,"quote":"` + q + `"}}}`)
}

// TestClose stops the hub while clients are connected, one of them
// mid-way through a stream of edits: everyone is told to reconnect
// (CloseRestart), and every acknowledged op is in the store.
func TestClose(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{})
	text, doc, a, b := twoAnnotators(t, s)
	idle := dial(t, s.URL("bob"), nil) // connected, no hello yet
	mustAck(t, a, synctest.Add("first", "first", "claim", text, 0, 9))

	// Edits keep coming while the hub closes.
	const n = 1000
	for i := range n {
		if err := a.Send(synctest.Add(fmt.Sprintf("op%d", i), fmt.Sprintf("a%d", i), "claim", text, i, i+3)); err != nil {
			t.Fatal(err)
		}
	}
	await(t, b, "an op of the stream", func(m protocol.Message) bool { return m.Type == protocol.TypeOp && m.Op.ID != "first" })
	done := make(chan struct{})
	go func() { s.Hub.Close(); close(done) }()

	acked := map[string]int64{"first": 1}
	for _, c := range []*synctest.Client{a, b, idle} {
		_, err := c.Await(wait, func(m protocol.Message) (bool, error) {
			if m.Type == protocol.TypeAck {
				acked[m.OpID] = m.Seq
			}
			return false, nil
		})
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != protocol.CloseRestart {
			t.Fatalf("connection ended with %v, want close %d", err, protocol.CloseRestart)
		}
	}
	select {
	case <-done:
	case <-time.After(wait):
		t.Fatal("Close did not return")
	}
	log, err := s.Store.OpsSince(context.Background(), doc, 0, 10*n)
	if err != nil {
		t.Fatal(err)
	}
	inLog := map[string]int64{}
	for i, op := range log {
		if op.Seq != int64(i+1) {
			t.Fatalf("op log has seq %d at position %d", op.Seq, i)
		}
		inLog[op.ID] = op.Seq
	}
	for id, seq := range acked {
		if inLog[id] != seq {
			t.Fatalf("op %s was acknowledged with seq %d, the store has %d", id, seq, inLog[id])
		}
	}
	// The room finished the batch it was committing and flushed its acks
	// before the close frame, so no committed op lacks its ack either.
	if len(acked) != len(log) {
		t.Fatalf("%d ops acknowledged, %d committed", len(acked), len(log))
	}
	t.Logf("%d of %d ops committed and acknowledged before the close", len(acked)-1, n)

	// A closed hub turns new connections away with the same code.
	late := dial(t, s.URL("alice"), nil)
	if code, err := late.AwaitClose(wait); err != nil || code != protocol.CloseRestart {
		t.Fatalf("connection to a closed hub ended with %d %v, want %d", code, err, protocol.CloseRestart)
	}
}

// otherInstance is a store shared with another server instance, which
// commits ops of its own just before the next Commit of this one.
type otherInstance struct {
	store.Store
	mu     sync.Mutex
	before []protocol.Op
}

func (o *otherInstance) Commit(ctx context.Context, doc int64, ops []protocol.Op) (int64, error) {
	o.mu.Lock()
	theirs := o.before
	o.before = nil
	o.mu.Unlock()
	if len(theirs) > 0 {
		if _, err := o.Store.Commit(ctx, doc, theirs); err != nil {
			return 0, err
		}
	}
	return o.Store.Commit(ctx, doc, ops)
}

// remoteAdd is an add op as another instance commits it: resolved.
func remoteAdd(id string, doc model.Document, start, end int) protocol.Op {
	now := time.UnixMilli(time.Now().UnixMilli()).UTC()
	return protocol.Op{ID: id, Kind: protocol.KindAdd, User: "carol", Time: now.UnixMilli(), Ann: &model.Annotation{
		ID: id, Document: doc.ID, Layer: "carol", Label: "claim", Start: start, End: end, Quote: synctest.Quote(doc.Text, start, end),
		Author: "carol", Version: 1, Created: now, Updated: now}}
}

// TestAnotherInstance has a second server instance commit to the same
// document: its ops reach this instance's clients in seq order, with no
// gap, whether they surface in our own commit or through Notify.
func TestAnotherInstance(t *testing.T) {
	other := &otherInstance{}
	s := synctest.NewServer(t, synctest.Options{WrapStore: func(st store.Store) store.Store {
		other.Store = st
		return other
	}})
	text, doc, a, b := twoAnnotators(t, s)

	t.Run("commit in between", func(t *testing.T) {
		other.mu.Lock()
		other.before = []protocol.Op{remoteAdd("r1", s.Doc, 0, 5), remoteAdd("r2", s.Doc, 5, 9)}
		other.mu.Unlock()
		if ack := mustAck(t, a, synctest.Add("mine", "mine", "figure", text, 10, 20)); ack.Seq != 3 {
			t.Fatalf("ack seq %d, want 3 (after the other instance's two ops)", ack.Seq)
		}
		checkSameAsStore(t, s, doc, a, b)
	})
	t.Run("notify", func(t *testing.T) {
		seq, err := s.Store.Commit(context.Background(), doc, []protocol.Op{remoteAdd("r3", s.Doc, 30, 35)})
		if err != nil {
			t.Fatal(err)
		}
		s.Hub.Notify(doc, seq)
		checkSameAsStore(t, s, doc, a, b)
		mustAck(t, b, synctest.Add("after", "after", "claim", text, 40, 45))
		checkSameAsStore(t, s, doc, a, b)
	})
}

// TestPoll has another instance commit without any notification reaching
// this one (as while the notification connection is down): the periodic
// poll finds the ops in the log and broadcasts them in order.
func TestPoll(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{Hub: hub.Config{Poll: 50 * time.Millisecond}})
	s.AddUser("alice", model.RoleAnnotator)
	doc := s.Doc.ID
	a := connect(t, s, "alice", doc)
	if _, err := s.Store.Commit(context.Background(), doc, []protocol.Op{remoteAdd("r1", s.Doc, 0, 5), remoteAdd("r2", s.Doc, 5, 9)}); err != nil {
		t.Fatal(err)
	}
	checkSameAsStore(t, s, doc, a)
}
