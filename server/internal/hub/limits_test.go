package hub_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"gloss/server/internal/hub"
	"gloss/server/internal/synctest"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// TestOpRate sends ops faster than the per-connection rate: the ops over
// the burst are refused with rate_limited and not applied.
func TestOpRate(t *testing.T) {
	const burst = 5
	s := synctest.NewServer(t, synctest.Options{Hub: hub.Config{OpRate: 0.001, OpBurst: burst}})
	s.AddUser("alice", model.RoleAnnotator)
	text, doc := s.Doc.Text, s.Doc.ID
	a := connect(t, s, "alice", doc)
	acked, limited := 0, 0
	for i := range 2 * burst {
		r := send(t, a, synctest.Add(fmt.Sprintf("op%d", i), fmt.Sprintf("a%d", i), "claim", text, i, i+3))
		switch {
		case r.Type == protocol.TypeAck:
			acked++
		case r.Type == protocol.TypeError && r.Code == protocol.CodeRateLimited:
			limited++
		default:
			t.Fatalf("op%d: got %s %s", i, r.Type, r.Code)
		}
	}
	if acked != burst || limited != burst {
		t.Fatalf("%d acked and %d rate-limited, want %d and %d", acked, limited, burst, burst)
	}
	if n := len(s.Snapshot(doc).Annotations); n != burst {
		t.Fatalf("store has %d annotations, want %d", n, burst)
	}
}

// TestConnectionCaps opens more sockets than one user, then one address,
// may have: the one too many is closed with CloseTooMany, and a socket
// that ends frees its place.
func TestConnectionCaps(t *testing.T) {
	cases := []struct {
		name  string
		cfg   hub.Config
		users []string // who opens the sockets, in order; the last is one too many
	}{
		{"per user", hub.Config{MaxConnsPerUser: 2}, []string{"alice", "alice", "alice"}},
		{"per address", hub.Config{MaxConnsPerAddr: 3}, []string{"alice", "bob", "carol", "dave"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := synctest.NewServer(t, synctest.Options{Hub: tc.cfg})
			for _, u := range []string{"alice", "bob", "carol", "dave"} {
				s.AddUser(u, model.RoleAnnotator)
			}
			var open []*synctest.Client
			last := len(tc.users) - 1
			for _, u := range tc.users[:last] {
				open = append(open, connect(t, s, u, s.Doc.ID))
			}
			extra := dial(t, s.URL(tc.users[last]), nil)
			if code, err := extra.AwaitClose(wait); err != nil || code != protocol.CloseTooMany {
				t.Fatalf("one socket too many: closed with %d %v, want %d", code, err, protocol.CloseTooMany)
			}
			open[0].Close()
			open[0].AwaitClose(wait)
			// The place is freed when the server has seen the close; until
			// then a new socket may still be refused, and the client backs off.
			// Bounded by time, not by a count of attempts: under load a
			// hundred refused dials can come before the server's reader
			// sees the close.
			deadline := time.Now().Add(wait)
			for {
				c := dial(t, s.URL(tc.users[last]), nil)
				if _, err := c.Hello(s.Doc.ID, "", 0, wait); err == nil {
					break
				} else if code, _ := closeCode(err); code != protocol.CloseTooMany || time.Now().After(deadline) {
					t.Fatalf("after a socket closed: %v", err)
				}
			}
		})
	}
}

// TestSharedWelcome has 20 clients join a large document and never
// read: the server keeps one copy of the snapshot for them all, not one
// each (its heap grows by well under 20 copies).
func TestSharedWelcome(t *testing.T) {
	text := strings.Repeat(synctest.Text, 1+(2<<20)/len(synctest.Text)) // ≥ 2 MiB
	s := synctest.NewServer(t, synctest.Options{Text: text})
	s.AddUser("viewer", model.RoleViewer)
	watcher := connect(t, s, "viewer", s.Doc.ID)
	const n = 20
	before := heapInUse()
	for range n {
		c, err := synctest.Dial(context.Background(), s.SlowURL("viewer", 4096), synctest.DialOptions{ReadBuffer: 4096})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Drop)
		if err := c.Send(hello(s.Doc.ID)); err != nil { // and never read
			t.Fatal(err)
		}
	}
	// Presence lists one member per user; wait for the joins another way:
	// each join's presence broadcast reaches the watcher.
	await(t, watcher, "the joins", func(m protocol.Message) bool {
		return m.Type == protocol.TypePresence && s.Hub.Clients(s.Doc.ID) == n+1
	})
	grown := int64(heapInUse()) - int64(before)
	t.Logf("heap grew by %.1f MiB for %d clients of a %.1f MiB document", float64(grown)/(1<<20), n, float64(len(text))/(1<<20))
	if grown > int64(4*len(text)) {
		t.Fatalf("heap grew by %d bytes for %d clients; the snapshot (%d bytes) is not shared", grown, n, len(text))
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
