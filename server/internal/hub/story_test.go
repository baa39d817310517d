package hub_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"gloss/server/internal/hub"
	"gloss/server/internal/store"
	"gloss/server/internal/synctest"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// storyClient is a story socket as the story view holds one: a replica
// per document, each fed the messages tagged with it, failing on a gap or
// a repeat (synctest.Replica).
type storyClient struct {
	t       testing.TB
	conn    *websocket.Conn
	docs    map[int64]*synctest.Replica
	welcome protocol.Message // the story's
	// welcomes holds each document's welcome, as it came.
	welcomes map[int64]protocol.Message
	guard    func(raw []byte) // sees every message as sent, if set
}

// watchStory dials as user and says hello for story with the seqs of
// the snapshots in have (the state the page loaded), primed into the
// replicas. It returns once the story's welcome came; the documents'
// come after it (awaitWelcomes).
func watchStory(t testing.TB, s *synctest.Server, user string, story int64, have map[int64]store.Snapshot, guard func([]byte)) (*storyClient, error) {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial(s.URL(user), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &storyClient{t: t, conn: conn, docs: map[int64]*synctest.Replica{}, welcomes: map[int64]protocol.Message{}, guard: guard}
	seqs := map[int64]int64{}
	for doc, snap := range have {
		r := synctest.NewReplica()
		r.State.Reset(snap.Seq, snap.Annotations, snap.Relations)
		c.docs[doc] = r
		seqs[doc] = snap.Seq
	}
	if err := c.send(protocol.Message{Type: protocol.TypeHello, Proto: protocol.Version, Story: story, Seqs: seqs}); err != nil {
		t.Fatal(err)
	}
	m, err := c.next()
	if err != nil {
		return c, err
	}
	if m.Type == protocol.TypeError {
		return c, &synctest.ServerError{Msg: m}
	}
	if m.Type != protocol.TypeWelcome || m.Story != story {
		t.Fatalf("first message %+v, want the story's welcome", m)
	}
	c.welcome = m
	return c, nil
}

func (c *storyClient) send(m protocol.Message) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	c.conn.SetWriteDeadline(time.Now().Add(wait))
	return c.conn.WriteMessage(websocket.TextMessage, data)
}

// next reads one message and applies it to its document's replica.
func (c *storyClient) next() (protocol.Message, error) {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(wait))
	_, data, err := c.conn.ReadMessage()
	if err != nil {
		return protocol.Message{}, err
	}
	if c.guard != nil {
		c.guard(data)
	}
	var m protocol.Message
	if err := json.Unmarshal(data, &m); err != nil {
		c.t.Fatalf("undecodable %q: %v", data, err)
	}
	switch m.Type {
	case protocol.TypeWelcome, protocol.TypeOp:
		if m.Doc == 0 {
			if m.Story != 0 {
				return m, nil
			}
			c.t.Fatalf("untagged %s on a story socket: %s", m.Type, data)
		}
		if m.Type == protocol.TypeWelcome {
			if _, dup := c.welcomes[m.Doc]; dup {
				c.t.Fatalf("second welcome for document %d", m.Doc)
			}
			c.welcomes[m.Doc] = m
		}
		r := c.docs[m.Doc]
		if r == nil {
			r = synctest.NewReplica()
			c.docs[m.Doc] = r
		}
		if err := r.Observe(m); err != nil {
			c.t.Fatalf("document %d: %v", m.Doc, err)
		}
	case protocol.TypePresence:
		c.t.Fatalf("presence on a story socket: %s", data)
	}
	return m, nil
}

// await reads until match.
func (c *storyClient) await(what string, match func(protocol.Message) bool) protocol.Message {
	c.t.Helper()
	for {
		m, err := c.next()
		if err != nil {
			c.t.Fatalf("awaiting %s: %v", what, err)
		}
		if match(m) {
			return m
		}
	}
}

// awaitWelcomes reads until every one of docs was welcomed.
func (c *storyClient) awaitWelcomes(docs []int64) {
	c.t.Helper()
	c.await("the documents' welcomes", func(protocol.Message) bool {
		for _, d := range docs {
			if _, ok := c.welcomes[d]; !ok {
				return false
			}
		}
		return true
	})
}

// awaitClose reads until the connection ends and returns its close code.
func (c *storyClient) awaitClose() int {
	c.t.Helper()
	for {
		if _, err := c.next(); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code
			}
			c.t.Fatalf("connection ended without a close frame: %v", err)
		}
	}
}

// sameAsStore checks that every document's replica has the store's state.
func (c *storyClient) sameAsStore(s *synctest.Server, docs []int64) {
	c.t.Helper()
	for _, d := range docs {
		snap := s.Snapshot(d)
		r := c.docs[d]
		if r == nil {
			c.t.Fatalf("document %d: nothing received", d)
		}
		for r.State.Seq < snap.Seq {
			if _, err := c.next(); err != nil {
				c.t.Fatalf("document %d at seq %d, store at %d: %v", d, r.State.Seq, snap.Seq, err)
			}
		}
		if diff := r.Diff(snap); diff != "" {
			c.t.Fatalf("document %d differs from the store: %s", d, diff)
		}
	}
}

// storyOf makes a story of n documents (the server's first and n-1 new
// ones) in the server's project.
func storyOf(t testing.TB, s *synctest.Server, n int) (store.Story, []model.Document) {
	t.Helper()
	docs := []model.Document{s.Doc}
	for len(docs) < n {
		docs = append(docs, s.AddDocument(s.Doc.Text))
	}
	ids := make([]int64, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	st, err := s.Store.CreateStory(context.Background(), s.Project.ID, "story", ids)
	if err != nil {
		t.Fatal(err)
	}
	return st, docs
}

func docIDs(docs []model.Document) []int64 {
	ids := make([]int64, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids
}

// TestStorySocket follows a 50-document story on one socket under the
// default cap of 32 sockets per user: the watcher resumes each document
// from the seq it loaded (an op committed after that read included, none
// twice), then receives every document's ops, tagged; it may not send
// ops; and it counts once toward the cap.
func TestStorySocket(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{Hub: hub.Config{MaxConnsPerUser: 32}})
	ctx := context.Background()
	s.AddUser("alice", model.RoleAnnotator)
	s.AddUser("rita", model.RoleReviewer)
	st, docs := storyOf(t, s, 50)
	ids := docIDs(docs)
	text := s.Doc.Text
	first, last := docs[0], docs[len(docs)-1]

	// Some history before the page loads.
	for i, d := range []model.Document{first, docs[7], last} {
		if _, err := s.Store.Commit(ctx, d.ID, []protocol.Op{remoteAdd(fmt.Sprintf("h%d", i), d, 0, 5)}); err != nil {
			t.Fatal(err)
		}
	}
	// The page's state read…
	have := map[int64]store.Snapshot{}
	for _, id := range ids {
		have[id] = s.Snapshot(id)
	}
	// …then an op committed before the page's hello.
	if _, err := s.Store.Commit(ctx, last.ID, []protocol.Op{remoteAdd("between", last, 10, 15)}); err != nil {
		t.Fatal(err)
	}

	w, err := watchStory(t, s, "rita", st.ID, have, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w.welcome.You == nil || w.welcome.You.User != "rita" || w.welcome.Epoch == "" {
		t.Fatalf("story welcome %+v", w.welcome)
	}
	w.awaitWelcomes(ids)
	for _, id := range ids {
		m := w.welcomes[id]
		if m.Snapshot {
			t.Fatalf("document %d: snapshot, want a resume from the seq the page had", id)
		}
		want := 0
		if id == last.ID {
			want = 1
		}
		if len(m.Ops) != want {
			t.Fatalf("document %d: resumed with %d ops, want %d", id, len(m.Ops), want)
		}
	}
	if op := w.welcomes[last.ID].Ops[0]; op.ID != "between" {
		t.Fatalf("the last document resumed with op %q, want the one committed between read and hello", op.ID)
	}
	// A watcher, not one of the document's clients (nor in its presence).
	if n, k := s.Hub.Watchers(last.ID), s.Hub.Clients(last.ID); n != 1 || k != 0 {
		t.Fatalf("the last document has %d watchers and %d clients, want 1 and 0", n, k)
	}

	// Live: alice tags the first and the last document; the watcher gets
	// both, tagged (its replicas would fail on a stray op).
	a0 := connect(t, s, "alice", first.ID)
	a1 := connect(t, s, "alice", last.ID)
	mustAck(t, a0, synctest.Add("f1", "f1", "figure", text, 41, 59))
	mustAck(t, a1, synctest.Add("l1", "l1", "figure", text, 41, 59))
	mustAck(t, a1, synctest.Delete("l1-del", "l1", 1))
	w.sameAsStore(s, ids)

	t.Run("read only", func(t *testing.T) {
		before := s.Snapshot(first.ID)
		m := synctest.Add("w1", "w1", "claim", text, 0, 9)
		m.Doc = first.ID
		if err := w.send(m); err != nil {
			t.Fatal(err)
		}
		e := w.await("the refusal", func(m protocol.Message) bool { return m.Type == protocol.TypeError })
		if e.Code != protocol.CodeReadOnly || e.OpID != "w1" {
			t.Fatalf("got %s %q for op %q, want %s", e.Type, e.Code, e.OpID, protocol.CodeReadOnly)
		}
		if d := unchanged(before, s.Snapshot(first.ID)); d != "" {
			t.Fatal(d)
		}
	})

	t.Run("counts once toward the cap", func(t *testing.T) {
		// Rita's story socket and 31 document sockets make 32.
		for i := 0; i < 31; i++ {
			connect(t, s, "rita", ids[i])
		}
		extra := dial(t, s.URL("rita"), nil)
		if code, err := extra.AwaitClose(wait); err != nil || code != protocol.CloseTooMany {
			t.Fatalf("the 33rd socket ended with %d %v, want %d", code, err, protocol.CloseTooMany)
		}
		// The story socket still follows all 50.
		mustAck(t, a1, synctest.Add("l2", "l2", "claim", text, 0, 9))
		w.sameAsStore(s, ids)
	})

}

// TestStoryRefused: a story socket is for members of the story's project.
func TestStoryRefused(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{})
	ctx := context.Background()
	s.AddUser("alice", model.RoleAnnotator)
	s.AddUser("nemo", "")
	st, _ := storyOf(t, s, 2)
	p2, err := s.Store.CreateProject(ctx, "other", model.DefaultSchema())
	if err != nil {
		t.Fatal(err)
	}
	d2, err := s.Store.AddDocuments(ctx, p2.ID, []model.Document{{Name: "secret", Text: "The other project's text."}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.Store.CreateStory(ctx, p2.ID, "other", []int64{d2[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		user  string
		story int64
		code  int
	}{
		{"another project's story", "alice", other.ID, protocol.CloseForbidden},
		{"not a member", "nemo", st.ID, protocol.CloseForbidden},
		{"no such story", "alice", other.ID + 100, protocol.CloseNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, err := watchStory(t, s, tc.user, tc.story, nil, func(raw []byte) {
				if strings.Contains(string(raw), "other project") {
					t.Errorf("refused socket got the text: %s", raw)
				}
			})
			var se *synctest.ServerError
			if !errors.As(err, &se) {
				t.Fatalf("hello answered %+v %v, want a refusal", w.welcome, err)
			}
			if code := w.awaitClose(); code != tc.code {
				t.Fatalf("closed with %d, want %d", code, tc.code)
			}
		})
	}
}

// TestStoryBlind: under blind annotation a story socket sees each
// document as the user's document socket would — their own layer, the
// others' ops as hidden ones — and is closed (to reconnect) when a
// document's review status changes what they see.
func TestStoryBlind(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{})
	ctx := context.Background()
	s.AddUser("alice", model.RoleAnnotator)
	s.AddUser("bob", model.RoleAnnotator)
	s.AddUser("rita", model.RoleReviewer)
	if err := s.Store.SetProjectSettings(ctx, s.Project.ID, model.Settings{Blind: true}); err != nil {
		t.Fatal(err)
	}
	st, docs := storyOf(t, s, 3)
	ids := docIDs(docs)
	text, d := s.Doc.Text, docs[1]
	if _, err := s.Store.Commit(ctx, d.ID, []protocol.Op{layerAdd("a0", "alice", d, 0, 9), layerAdd("b0", "bob", d, 13, 19)}); err != nil {
		t.Fatal(err)
	}
	guard := func(raw []byte) {
		for _, secret := range []string{"alice", `"a0"`, `"a1"`} {
			if strings.Contains(string(raw), secret) {
				t.Errorf("bob's story socket got %s: %s", secret, raw)
			}
		}
	}
	w, err := watchStory(t, s, "bob", st.ID, nil, guard)
	if err != nil {
		t.Fatal(err)
	}
	w.awaitWelcomes(ids)
	if m := w.welcomes[d.ID]; !m.Snapshot || m.You == nil || !m.You.Blind || !strings.HasSuffix(m.Epoch, "/blind") {
		t.Fatalf("bob's welcome of document %d: snapshot %v you %+v epoch %q, want a blind snapshot", d.ID, m.Snapshot, m.You, m.Epoch)
	}
	if anns := w.docs[d.ID].State.Anns; len(anns) != 1 || anns["b0"].ID != "b0" {
		t.Fatalf("bob's story sees %v, want only his b0", anns)
	}

	a := connect(t, s, "alice", d.ID)
	b := connect(t, s, "bob", d.ID)
	mustAck(t, a, synctest.Add("a1-op", "a1", "figure", text, 41, 59))
	mustAck(t, b, synctest.Add("b1-op", "b1", "figure", text, 41, 59))
	m := w.await("alice's op, hidden", func(m protocol.Message) bool { return m.Type == protocol.TypeOp && m.Doc == d.ID })
	if m.Op.Kind != protocol.KindHidden || m.Op.Seq != 3 {
		t.Fatalf("bob's story got %+v for alice's op, want a hidden op at seq 3", m.Op)
	}
	m = w.await("bob's op", func(m protocol.Message) bool { return m.Type == protocol.TypeOp && m.Doc == d.ID })
	if m.Op.Kind != protocol.KindAdd || m.Op.Ann.ID != "b1" || m.Op.Seq != 4 {
		t.Fatalf("bob's story got %+v, want his add at seq 4", m.Op)
	}

	// Rita opens the document for review: bob's view of it changes.
	r := connect(t, s, "rita", d.ID)
	mustAck(t, r, opMsg(protocol.Op{ID: "st", Kind: protocol.KindDocStatus, Status: string(model.DocInReview)}))
	if code := w.awaitClose(); code != protocol.CloseRestart {
		t.Fatalf("bob's story socket closed with %d, want %d", code, protocol.CloseRestart)
	}
}

// TestStoryInstancesPostgres: a story socket on one instance follows the
// ops committed on another, as a document socket does (the rooms hear of
// them through the notifications; the poll is off).
func TestStoryInstancesPostgres(t *testing.T) {
	_, a, b := pgInstances(t)
	a.AddUser("alice", model.RoleAnnotator)
	a.AddUser("rita", model.RoleReviewer)
	st, docs := storyOf(t, a, 5)
	ids := docIDs(docs)
	have := map[int64]store.Snapshot{}
	for _, id := range ids {
		have[id] = a.Snapshot(id)
	}
	last := docs[len(docs)-1]
	// Committed on instance a between the page's read and its hello to b.
	ca := connect(t, a, "alice", last.ID)
	mustAck(t, ca, synctest.Add("between", "between", "claim", a.Doc.Text, 0, 9))

	w, err := watchStory(t, b, "rita", st.ID, have, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.awaitWelcomes(ids)
	for i, d := range docs {
		c := ca
		if d.ID != last.ID {
			c = connect(t, a, "alice", d.ID)
		}
		mustAck(t, c, synctest.Add(fmt.Sprintf("op%d", i), fmt.Sprintf("ann%d", i), "figure", a.Doc.Text, 41, 59))
	}
	w.sameAsStore(a, ids)
}

// TestStoryRightsChange: a story socket's rights are checked again when
// they change, as a document socket's are: removed from the project,
// downgraded, logged out — each ends the watch with its close code, and
// nothing more of the documents reaches it.
func TestStoryRightsChange(t *testing.T) {
	for _, tc := range rightsChanges {
		t.Run(tc.name, func(t *testing.T) {
			s := synctest.NewServer(t, synctest.Options{Hub: hub.Config{Poll: 20 * time.Millisecond}})
			u := s.AddUser("mallory", model.RoleAnnotator)
			s.AddUser("alice", model.RoleAnnotator)
			st, docs := storyOf(t, s, 3)
			w, err := watchStory(t, s, "mallory", st.ID, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			w.awaitWelcomes(docIDs(docs))
			if err := tc.change(s, u); err != nil {
				t.Fatal(err)
			}
			s.Hub.ProjectChanged(s.Project.ID)
			if code := w.awaitClose(); code != tc.code {
				t.Fatalf("story socket closed with %d, want %d", code, tc.code)
			}
		})
	}
}
