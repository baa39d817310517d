package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"gloss/shared/protocol"
)

// TestOutageKeepsSessions: when the database cannot be reached (here the
// SQLite store is closed under the running server), a valid session or
// token gets 503 with a retryable error, not 401, and a websocket closes
// with 4001 (reconnect), not 4401 (log in): an outage logs no one out.
func TestOutageKeepsSessions(t *testing.T) {
	f := newFixture(t)
	alice := f.as("annotator")
	script := f.token("alice")
	if err := f.st.Close(); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*client{"session": alice, "token": script} {
		st, data := c.do("GET", "/api/me", nil)
		var e struct{ Code string }
		json.Unmarshal(data, &e)
		if st != http.StatusServiceUnavailable || e.Code != "unavailable" {
			t.Errorf("%s during an outage: %d %s, want 503 unavailable", name, st, data)
		}
		conn, resp, err := c.ws(nil)
		if err != nil {
			t.Fatalf("%s websocket: %v %v", name, resp, err)
		}
		if code := awaitClose(t, conn); code != protocol.CloseRestart {
			t.Errorf("%s websocket during an outage: close %d, want %d (reconnect)", name, code, protocol.CloseRestart)
		}
		conn.Close()
	}
	if st, _ := alice.do("POST", "/api/logout", nil); st != http.StatusServiceUnavailable {
		t.Errorf("logout during an outage: %d, want 503", st)
	}
	// Without credentials it is still 401: nothing to keep.
	if st, _ := newClient(t, f.srv.URL).do("GET", "/api/me", nil); st != http.StatusUnauthorized {
		t.Errorf("no credentials during an outage: %d, want 401", st)
	}
	for _, h := range []string{"Retry-After"} {
		req, _ := http.NewRequest("GET", f.srv.URL+"/api/me", nil)
		req.Header.Set("Authorization", "Bearer "+script.bearer)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get(h) == "" {
			t.Errorf("503 without %s", h)
		}
	}
}
