package hub_test

import (
	"testing"
	"time"

	"gloss/server/internal/store"
	"gloss/server/internal/store/storetest"
	"gloss/server/internal/synctest"
	"gloss/shared/model"
)

// TestWarm: a warmed room has read the document before anyone joins, and
// stays open for its hold after the last client left (a new tab joins it
// without another read); after the hold it closes, and the next join
// reads the document again.
func TestWarm(t *testing.T) {
	var counter *storetest.SnapshotCounter
	s := synctest.NewServer(t, synctest.Options{WrapStore: func(st store.Store) store.Store {
		counter = &storetest.SnapshotCounter{Store: st}
		return counter
	}})
	s.AddUser("alice", model.RoleAnnotator)
	doc := s.Doc.ID
	const hold = 500 * time.Millisecond
	s.Hub.Warm(doc, hold)
	deadline := time.Now().Add(5 * time.Second)
	for counter.Snapshots.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := counter.Snapshots.Load(); got != 1 {
		t.Fatalf("after Warm: %d snapshot reads, want 1 (the room reads the document before any hello)", got)
	}
	a := connect(t, s, "alice", doc)
	a.Drop()
	b := connect(t, s, "alice", doc) // a new tab within the hold
	b.Drop()
	if got := counter.Snapshots.Load(); got != 1 {
		t.Errorf("two joins within the hold: %d snapshot reads, want 1", got)
	}
	// After the hold, with nobody in, the room closes; a join opens it again.
	deadline = time.Now().Add(5 * time.Second)
	for {
		c := connect(t, s, "alice", doc)
		c.Drop()
		if counter.Snapshots.Load() > 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the warmed room never closed after its hold")
		}
		time.Sleep(hold / 5)
	}
}
