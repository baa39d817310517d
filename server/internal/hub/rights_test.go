package hub_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"gloss/server/internal/hub"
	"gloss/server/internal/synctest"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// rightsChanges are the ways a connected user's rights end or shrink,
// made in the store directly (as the CLI or another instance would), and
// the close code each must bring.
var rightsChanges = []struct {
	name   string
	change func(s *synctest.Server, u model.User) error
	code   int
}{
	{"removed", func(s *synctest.Server, u model.User) error {
		return s.Store.RemoveMember(context.Background(), s.Project.ID, u.ID)
	}, protocol.CloseForbidden},
	{"downgraded", func(s *synctest.Server, u model.User) error {
		return s.Store.SetMember(context.Background(), s.Project.ID, u.ID, model.RoleViewer)
	}, protocol.CloseRestart},
	{"logged out", func(s *synctest.Server, u model.User) error {
		s.Revoke(u.Name)
		return nil
	}, protocol.CloseUnauthenticated},
}

// TestRightsChange changes a connected user's rights in the store
// directly, as the CLI or another instance would, with no word to this
// hub: the socket cannot commit one more op. Its op is not acknowledged
// and the socket closes with the code that says why; with the poll on,
// it closes at once, without waiting for an op. An op the room would
// refuse (a stale version: the refusal shows the span's current state)
// is not answered either.
func TestRightsChange(t *testing.T) {
	after := map[string]func(text string) protocol.Message{
		"add": func(text string) protocol.Message {
			return synctest.Add("after", "after", "claim", text, 10, 15)
		},
		"stale update": func(text string) protocol.Message {
			return synctest.Update("after", "before", 7, "figure", text, 0, 5)
		},
	}
	for _, tc := range rightsChanges {
		for _, sent := range []string{"poll", "add", "stale update"} {
			poll := sent == "poll"
			t.Run(tc.name+"/"+sent, func(t *testing.T) {
				cfg := hub.Config{Poll: -1}
				if poll {
					cfg.Poll = 20 * time.Millisecond
				}
				s := synctest.NewServer(t, synctest.Options{Hub: cfg})
				u := s.AddUser("mallory", model.RoleAnnotator)
				s.AddUser("bob", model.RoleAnnotator)
				text, doc := s.Doc.Text, s.Doc.ID
				m := connect(t, s, "mallory", doc)
				b := connect(t, s, "bob", doc)
				mustAck(t, m, synctest.Add("before", "before", "claim", text, 0, 5))
				if err := tc.change(s, u); err != nil {
					t.Fatal(err)
				}
				if !poll {
					if err := m.Send(after[sent](text)); err != nil {
						t.Fatal(err)
					}
				}
				var answer *protocol.Message
				_, err := m.Await(wait, func(msg protocol.Message) (bool, error) {
					if msg.OpID == "after" && answer == nil {
						answer = &msg
					}
					return false, nil
				})
				code, _ := closeCode(err)
				if answer != nil {
					t.Fatalf("an op sent after the change was answered: %+v", *answer)
				}
				if code != tc.code {
					t.Fatalf("socket ended with %v, want close %d", err, tc.code)
				}
				mustAck(t, b, synctest.Add("bob", "bob", "claim", text, 20, 25)) // the others go on
				if snap := s.Snapshot(doc); len(snap.Annotations) != 2 {
					t.Fatalf("store has %d annotations, want 2", len(snap.Annotations))
				}
			})
		}
	}
}

// TestRightsMoveUnderOps changes another user's role before each of
// alice's ops (the rights epoch moves every time, as in a burst of
// membership changes while analysts work): the room checks its clients
// again and commits, and every op is acknowledged and stored.
func TestRightsMoveUnderOps(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{Hub: hub.Config{Poll: -1}})
	s.AddUser("alice", model.RoleAnnotator)
	carol := s.AddUser("carol", model.RoleAnnotator)
	a := connect(t, s, "alice", s.Doc.ID)
	roles := []model.Role{model.RoleViewer, model.RoleAnnotator}
	const n = 12
	for i := range n {
		if err := s.Store.SetMember(context.Background(), s.Project.ID, carol.ID, roles[i%2]); err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprintf("op%d", i)
		mustAck(t, a, synctest.Add(id, "a"+id, "claim", s.Doc.Text, i, i+3))
	}
	if snap := s.Snapshot(s.Doc.ID); len(snap.Annotations) != n {
		t.Fatalf("store has %d annotations, want %d", len(snap.Annotations), n)
	}
}

// TestHelloRechecks opens a socket, then logs the user out before the
// hello: the hello is refused (4401), not welcomed on the strength of the
// upgrade.
func TestHelloRechecks(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{Hub: hub.Config{Poll: -1}})
	s.AddUser("mallory", model.RoleAnnotator)
	m := dial(t, s.URL("mallory"), nil) // upgraded while valid
	s.Revoke("mallory")
	if _, err := m.Hello(s.Doc.ID, "", 0, wait); err == nil {
		t.Fatal("hello after logout was welcomed")
	}
	if code, err := m.AwaitClose(wait); err != nil || code != protocol.CloseUnauthenticated {
		t.Fatalf("hello after logout: closed with %d %v, want %d", code, err, protocol.CloseUnauthenticated)
	}
}

// closeCode returns the close code in err, if it is a close.
func closeCode(err error) (int, bool) {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code, true
	}
	return 0, false
}
