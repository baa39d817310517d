package hub_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"testing"

	"github.com/gorilla/websocket"

	"gloss/server/internal/store"
	"gloss/server/internal/synctest"
	"gloss/shared/protocol"
)

// gatedStore is SQLite whose syncs of unsynced commits wait for the test:
// started says one is waiting, release answers it (nil: sync for real).
// Once a sync has failed, every sync and unsynced commit fails, as
// store.UnsyncedCommitter says.
type gatedStore struct {
	*store.SQLite
	started chan struct{}
	release chan error
	mu      sync.Mutex
	failed  error
}

func (g *gatedStore) err() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.failed
}

func (g *gatedStore) CommitUnsynced(ctx context.Context, doc int64, ops []protocol.Op, rights int64) (int64, error) {
	if err := g.err(); err != nil {
		return 0, err
	}
	return g.SQLite.CommitUnsynced(ctx, doc, ops, rights)
}

func (g *gatedStore) SyncCommits() error {
	if err := g.err(); err != nil {
		return err
	}
	g.started <- struct{}{}
	if err := <-g.release; err != nil {
		g.mu.Lock()
		g.failed = err
		g.mu.Unlock()
		return err
	}
	return g.SQLite.SyncCommits()
}

// TestAckAfterSync holds the disk's sync of a committed op: the op is in
// the store, but neither its sender nor anyone else hears of it (a
// presence broadcast sent meanwhile arrives first) until the sync
// returns; then both get it, in order. When the sync fails, nothing of
// the op is acknowledged: its sender is sent away to reconnect and finds
// the document unavailable (the store refuses commits until a restart).
func TestAckAfterSync(t *testing.T) {
	g := &gatedStore{started: make(chan struct{}), release: make(chan error)}
	s := synctest.NewServer(t, synctest.Options{WrapStore: func(st store.Store) store.Store {
		g.SQLite = st.(*store.SQLite)
		return g
	}})
	text, doc, a, b := twoAnnotators(t, s)

	op := synctest.Add("add1", "ann1", "claim", text, 0, 9)
	if err := a.Send(op); err != nil {
		t.Fatal(err)
	}
	<-g.started // committed, not yet on disk
	if n := s.Snapshot(doc).Seq; n != 1 {
		t.Fatalf("store at seq %d while the sync waits, want 1 (the commit is made)", n)
	}
	if err := b.Send(protocol.Message{Type: protocol.TypeSelect, Start: 2, End: 5}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*synctest.Client{a, b} {
		_, err := c.Await(wait, func(m protocol.Message) (bool, error) {
			if m.Type == protocol.TypeOp || m.Type == protocol.TypeAck {
				return false, fmt.Errorf("%s of %s before its sync returned", m.Type, op.Op.ID)
			}
			for _, p := range m.Members {
				if m.Type == protocol.TypePresence && p.User == "bob" && p.Start == 2 {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	g.release <- nil
	ack := await(t, a, "ack of add1", func(m protocol.Message) bool { return synctest.IsAck(m, "add1") })
	if a.Replica.State.Seq != ack.Seq {
		t.Fatalf("ack with seq %d, the sender's replica at %d: the op must come first", ack.Seq, a.Replica.State.Seq)
	}
	checkSameAsStore(t, s, doc, a, b)

	failed := synctest.Add("add2", "ann2", "claim", text, 10, 20)
	if err := a.Send(failed); err != nil {
		t.Fatal(err)
	}
	<-g.started
	g.release <- fmt.Errorf("fsync: %w", syscall.EIO)
	for _, c := range []*synctest.Client{a, b} {
		neverAcked(t, c, failed.Op.ID)
	}
	// Back again, the client re-sends the op: the document is
	// unavailable, or it opens (the op log has the op) and the retry is
	// refused or the connection closed; never acknowledged.
	c := dial(t, s.URL("alice"), nil)
	if _, err := c.Hello(doc, "", 0, wait); err != nil {
		var ce *websocket.CloseError
		var se *synctest.ServerError
		if !errors.As(err, &ce) && !errors.As(err, &se) {
			t.Fatalf("hello after the failed sync: %v", err)
		}
		return
	}
	if err := c.Send(failed); err != nil {
		t.Fatal(err)
	}
	neverAcked(t, c, failed.Op.ID)
}

// neverAcked takes c's messages until its connection ends, which must be
// the server's close asking it to reconnect, and fails on an ack or a
// broadcast of op id.
func neverAcked(t *testing.T, c *synctest.Client, id string) {
	t.Helper()
	_, err := c.Await(wait, func(m protocol.Message) (bool, error) {
		if (m.Type == protocol.TypeAck && m.OpID == id) || (m.Type == protocol.TypeOp && m.Op.ID == id) {
			return false, fmt.Errorf("%s of %s after its sync failed", m.Type, id)
		}
		return false, nil
	})
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != protocol.CloseRestart {
		t.Fatalf("after the failed sync: %v, want the connection closed with %d", err, protocol.CloseRestart)
	}
}
