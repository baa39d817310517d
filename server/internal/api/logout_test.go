package api_test

import (
	"net/http"
	"testing"

	"gloss/shared/model"
	"gloss/shared/protocol"
)

// TestLogoutEndsWebsockets: logging out closes the session's open desks
// (two tabs share the session); reconnecting with the ended session is
// refused with 4401, so no op is committed as the logged-out user. The
// user's other login reconnects and keeps working.
func TestLogoutEndsWebsockets(t *testing.T) {
	f := newFixture(t)
	alice, phone := f.as("annotator"), f.as("annotator")
	tabs := []*client{alice, alice}
	open := func(c *client) func() int {
		conn, _, err := c.ws(nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		if m, err := hello(conn, f.doc); err != nil || m.Type != protocol.TypeWelcome {
			t.Fatalf("hello: %+v %v", m, err)
		}
		return func() int { return awaitClose(t, conn) }
	}
	var waits []func() int
	for _, c := range tabs {
		waits = append(waits, open(c))
	}
	phoneWait := open(phone)
	if st, _ := alice.do("POST", "/api/logout", nil); st != http.StatusNoContent {
		t.Fatalf("logout: %d", st)
	}
	for i, wait := range waits {
		if code := wait(); code != protocol.CloseRestart {
			t.Errorf("tab %d: close %d, want %d", i+1, code, protocol.CloseRestart)
		}
	}
	conn, _, err := alice.ws(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if code := awaitClose(t, conn); code != protocol.CloseUnauthenticated {
		t.Errorf("reconnect with the ended session: close %d, want %d", code, protocol.CloseUnauthenticated)
	}
	// The other login was told to reconnect, and can.
	if code := phoneWait(); code != protocol.CloseRestart {
		t.Errorf("other session: close %d", code)
	}
	again, _, err := phone.ws(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, err := hello(again, f.doc); err != nil {
		t.Fatal(err)
	}
	a := protocol.Op{ID: "after-logout", Kind: protocol.KindAdd, Ann: &model.Annotation{ID: "a9", Layer: "alice", Label: "figure",
		Start: 24, End: 26, Quote: "40"}}
	if m, err := send(again, a); err != nil || m.Type != protocol.TypeAck {
		t.Errorf("the other session after reconnecting: %+v %v", m, err)
	}
}
