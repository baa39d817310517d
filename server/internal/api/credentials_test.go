package api_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"testing"

	"github.com/gorilla/websocket"

	"gloss/server/internal/api"
	"gloss/shared/protocol"
)

// awaitClose reads until the server closes conn and returns the code.
func awaitClose(t *testing.T, conn *websocket.Conn) int {
	t.Helper()
	for {
		if _, err := read(conn); err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) {
				t.Fatalf("connection ended without a close frame: %v", err)
			}
			return ce.Code
		}
	}
}

// TestRevokedTokenEndsWebsocket: a script's open websocket does not
// outlive its revoked token; reconnecting with it is refused.
func TestRevokedTokenEndsWebsocket(t *testing.T) {
	f := newFixture(t)
	alice := f.as("annotator")
	st, data := alice.do("POST", "/api/tokens", map[string]string{"label": "bot"})
	if st != http.StatusCreated {
		t.Fatalf("create: %d %s", st, data)
	}
	var nt api.NewToken
	json.Unmarshal(data, &nt)
	script := newClient(t, f.srv.URL)
	script.bearer = nt.Token
	conn, _, err := script.ws(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if m, err := hello(conn, f.doc); err != nil || m.Type != protocol.TypeWelcome {
		t.Fatalf("hello: %v %v", m, err)
	}
	// Someone else on the document stays connected.
	bob := f.login("bob")
	other, _, err := bob.ws(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := hello(other, f.doc); err != nil {
		t.Fatal(err)
	}

	if st, _ := alice.do("DELETE", "/api/tokens/"+strconv.FormatInt(nt.ID, 10), nil); st != http.StatusNoContent {
		t.Fatalf("revoke: %d", st)
	}
	if code := awaitClose(t, conn); code != protocol.CloseRestart {
		t.Fatalf("close code %d, want %d", code, protocol.CloseRestart)
	}
	again, resp, err := script.ws(nil)
	if err == nil {
		// The upgrade may succeed and then close with 4401.
		if code := awaitClose(t, again); code != protocol.CloseUnauthenticated {
			t.Fatalf("reconnect with a revoked token: close %d", code)
		}
	} else if resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("reconnect with a revoked token: %v %v", resp, err)
	}
	// Bob's connection still works.
	if m, err := send(other, protocol.Op{ID: "b-op", Kind: protocol.KindDelete, Target: "b1", Version: 1}); err != nil || m.Type != protocol.TypeAck {
		t.Fatalf("bob after alice's revoke: %+v %v", m, err)
	}
}
