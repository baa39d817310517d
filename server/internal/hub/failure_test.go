package hub_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"gloss/server/internal/hub"
	"gloss/server/internal/store"
	"gloss/server/internal/synctest"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// flakyStore is a store whose database can go away: with dieInCommit
// the next commit fails and the database stays down, so that every read
// and commit fails until it is up again; with loseAnswer, the next commit
// is written but its answer is lost (the connection broke after COMMIT).
type flakyStore struct {
	store.Store
	mu          sync.Mutex
	down        bool
	dieInCommit bool
	loseAnswer  bool
}

var errDown = errors.New("database is down")

func (f *flakyStore) isDown() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.down
}

func (f *flakyStore) set(dieInCommit, loseAnswer bool) {
	f.mu.Lock()
	f.down, f.dieInCommit, f.loseAnswer = false, dieInCommit, loseAnswer
	f.mu.Unlock()
}

func (f *flakyStore) Commit(ctx context.Context, doc int64, ops []protocol.Op) (int64, error) {
	f.mu.Lock()
	if f.dieInCommit {
		f.down, f.dieInCommit = true, false
	}
	down, lose := f.down, f.loseAnswer
	f.loseAnswer = false
	f.mu.Unlock()
	if down {
		return 0, errDown
	}
	first, err := f.Store.Commit(ctx, doc, ops)
	if err == nil && lose {
		return 0, fmt.Errorf("commit: %w", errDown)
	}
	return first, err
}

func (f *flakyStore) Snapshot(ctx context.Context, doc int64) (store.Snapshot, error) {
	if f.isDown() {
		return store.Snapshot{}, errDown
	}
	return f.Store.Snapshot(ctx, doc)
}

func (f *flakyStore) OpsSince(ctx context.Context, doc, since int64, limit int) ([]protocol.Op, error) {
	if f.isDown() {
		return nil, errDown
	}
	return f.Store.OpsSince(ctx, doc, since, limit)
}

func (f *flakyStore) OpSeqs(ctx context.Context, doc int64, ids []string) (map[string]int64, error) {
	if f.isDown() {
		return nil, errDown
	}
	return f.Store.OpSeqs(ctx, doc, ids)
}

// TestCommitFails has the database fail under a commit. Nothing of the
// op stays in the room: the sender gets "internal", nobody sees the op,
// the connection stays open, and the same op re-sent once the database
// is back is applied (not refused as a duplicate or stale). When only the
// commit's answer is lost, the retry gets the original ack, seq and
// version, after the op's broadcast.
func TestCommitFails(t *testing.T) {
	fs := &flakyStore{}
	s := synctest.NewServer(t, synctest.Options{WrapStore: func(st store.Store) store.Store { fs.Store = st; return fs }})
	text, doc, a, b := twoAnnotators(t, s)
	first := mustAck(t, a, synctest.Add("add1", "ann1", "claim", text, 0, 9))

	cases := []struct {
		name string
		op   protocol.Message
	}{
		{"add", synctest.Add("add2", "ann2", "claim", text, 10, 20)},
		{"update", synctest.Update("upd1", "ann1", first.Version, "figure", text, 0, 12)},
		{"delete", synctest.Delete("del1", "ann1", 2)},
	}
	for _, tc := range cases {
		t.Run(tc.name+"/down", func(t *testing.T) {
			before := s.Snapshot(doc)
			fs.set(true, false)
			r := send(t, a, tc.op)
			if r.Type != protocol.TypeError || r.Code != protocol.CodeInternal {
				t.Fatalf("op during the outage: got %s %s, want error %s", r.Type, r.Code, protocol.CodeInternal)
			}
			fs.set(false, false)
			if d := unchanged(before, s.Snapshot(doc)); d != "" {
				t.Fatal(d)
			}
			ack := mustAck(t, a, tc.op) // the client's retry, as PROTOCOL.md tells it
			if ack.Seq != before.Seq+1 {
				t.Fatalf("retry acked with seq %d, want %d", ack.Seq, before.Seq+1)
			}
			checkSameAsStore(t, s, doc, a, b)
		})
	}
	t.Run("answer lost", func(t *testing.T) {
		before := s.Snapshot(doc)
		fs.set(false, true)
		op := synctest.Add("add3", "ann3", "figure", text, 30, 40)
		if r := send(t, a, op); r.Type != protocol.TypeError || r.Code != protocol.CodeInternal {
			t.Fatalf("op whose commit answer was lost: got %s %s, want error %s", r.Type, r.Code, protocol.CodeInternal)
		}
		ack := mustAck(t, a, op) // mustAck checks the broadcast came first
		if ack.Seq != before.Seq+1 || ack.Version != 1 {
			t.Fatalf("retry acked with seq %d version %d, want seq %d version 1", ack.Seq, ack.Version, before.Seq+1)
		}
		checkSameAsStore(t, s, doc, a, b)
	})
}

// TestRetryAck re-sends an op that was committed (its ack lost): the
// answer is the original ack, version included, whether the room still
// runs or was closed and loaded again.
func TestRetryAck(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{})
	s.AddUser("alice", model.RoleAnnotator)
	text, doc := s.Doc.Text, s.Doc.ID
	a := connect(t, s, "alice", doc)
	mustAck(t, a, synctest.Add("add1", "ann1", "claim", text, 0, 9))
	upd := synctest.Update("upd1", "ann1", 1, "figure", text, 0, 9)
	orig := mustAck(t, a, upd)
	if orig.Version != 2 {
		t.Fatalf("update acked with version %d, want 2", orig.Version)
	}
	b := connect(t, s, "alice", doc)
	if r := mustAck(t, b, upd); r.Seq != orig.Seq || r.Version != orig.Version {
		t.Fatalf("retry in a running room: ack seq %d version %d, want %d %d", r.Seq, r.Version, orig.Seq, orig.Version)
	}
	a.Close()
	b.Close()
	a.AwaitClose(wait)
	b.AwaitClose(wait)
	c := connect(t, s, "alice", doc) // the room may be new; either way
	if r := mustAck(t, c, upd); r.Seq != orig.Seq || r.Version != orig.Version {
		t.Fatalf("retry after the room closed: ack seq %d version %d, want %d %d", r.Seq, r.Version, orig.Seq, orig.Version)
	}
	if r := mustAck(t, c, upd); r.Seq != orig.Seq || r.Version != orig.Version {
		t.Fatalf("second retry: ack seq %d version %d, want %d %d", r.Seq, r.Version, orig.Seq, orig.Version)
	}
}

// TestReusedOpID sends a new op under the id of a committed one: it is
// refused, not acked as if it were stored — whether the room remembers
// the id or must ask the store, and within one batch too.
func TestReusedOpID(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{Hub: hub.Config{RecentOps: 1}})
	s.AddUser("alice", model.RoleAnnotator)
	text, doc := s.Doc.Text, s.Doc.ID
	a := connect(t, s, "alice", doc)
	mustAck(t, a, synctest.Add("x", "ann1", "claim", text, 0, 5))
	mustAck(t, a, synctest.Add("y", "ann2", "claim", text, 6, 9)) // pushes x out of the room's memory (RecentOps 1)
	for _, tc := range []struct {
		name string
		op   protocol.Message
	}{
		{"in memory", synctest.Add("y", "ann3", "figure", text, 10, 20)},
		{"in the store", synctest.Add("x", "ann4", "figure", text, 10, 20)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := send(t, a, tc.op)
			if r.Type != protocol.TypeError || r.Code != protocol.CodeDuplicateID {
				t.Fatalf("op reusing id %s: got %s %s, want error %s", tc.op.Op.ID, r.Type, r.Code, protocol.CodeDuplicateID)
			}
		})
	}
	if snap := s.Snapshot(doc); len(snap.Annotations) != 2 {
		t.Fatalf("store has %d annotations, want 2", len(snap.Annotations))
	}
	// The true retries are still acked.
	mustAck(t, a, synctest.Add("x", "ann1", "claim", text, 0, 5))
	mustAck(t, a, synctest.Add("y", "ann2", "claim", text, 6, 9))
}

// TestSelectionOutsideText sends selections that are not places in the
// text: they are not relayed to the others.
func TestSelectionOutsideText(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{})
	s.AddUser("alice", model.RoleAnnotator)
	s.AddUser("bob", model.RoleAnnotator)
	doc := s.Doc.ID
	a := connect(t, s, "alice", doc)
	b := connect(t, s, "bob", doc)
	n := len([]rune(s.Doc.Text))
	for _, bad := range [][2]int{{-5, 3}, {10, 5}, {0, n + 1}, {n + 100, n + 200}} {
		if err := a.Send(protocol.Message{Type: protocol.TypeSelect, Start: bad[0], End: bad[1]}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Send(protocol.Message{Type: protocol.TypeSelect, Start: 3, End: n}); err != nil {
		t.Fatal(err)
	}
	await(t, b, "alice's good selection", func(m protocol.Message) bool {
		for _, mem := range m.Members {
			if mem.User != "alice" {
				continue
			}
			if mem.Start < 0 || mem.End < mem.Start || mem.End > n {
				t.Fatalf("relayed a selection outside the text: %d–%d", mem.Start, mem.End)
			}
			return mem.Start == 3 && mem.End == n
		}
		return false
	})
}
