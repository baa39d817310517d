package hub_test

import (
	"fmt"
	"testing"

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
			for attempt := 0; ; attempt++ {
				c := dial(t, s.URL(tc.users[last]), nil)
				if _, err := c.Hello(s.Doc.ID, "", 0, wait); err == nil {
					break
				} else if code, _ := closeCode(err); code != protocol.CloseTooMany || attempt == 100 {
					t.Fatalf("after a socket closed: %v", err)
				}
			}
		})
	}
}
