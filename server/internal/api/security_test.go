package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"gloss/server/internal/api"
	"gloss/server/internal/auth"
)

// TestCSRF: a state-changing request made with the session cookie needs
// the session's CSRF token; a refused one changes nothing. API tokens are
// exempt, since a browser never adds them by itself.
func TestCSRF(t *testing.T) {
	f := newFixture(t)
	alice := f.as("annotator")
	other := f.as("reviewer")
	body := map[string]string{"label": "ci"}
	tests := []struct {
		name   string
		header http.Header
		token  string
		want   int
	}{
		{"no token", nil, "", http.StatusForbidden},
		{"wrong token", nil, "forged", http.StatusForbidden},
		{"another session's token", nil, other.csrf, http.StatusForbidden},
		{"the session's token from another origin", http.Header{"Origin": {"http://evil.example"}}, alice.csrf, http.StatusForbidden},
		{"the session's token", nil, alice.csrf, http.StatusCreated},
	}
	for _, tc := range tests {
		before := f.state()
		alice.csrf = tc.token
		st, data := alice.request("POST", "/api/tokens", body, tc.header)
		if st != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, st, data, tc.want)
		}
		if st == http.StatusForbidden {
			if f.state() != before {
				t.Errorf("%s: a refused request changed the data", tc.name)
			}
			if !strings.Contains(string(data), `"code":"csrf"`) && !strings.Contains(string(data), `"code":"cross_origin"`) {
				t.Errorf("%s: refusal %s", tc.name, data)
			}
		}
	}
	// Every state-changing method is covered, not only POST.
	alice.csrf = ""
	for _, m := range []struct{ method, path string }{{"PUT", "/api/projects/1/schema"}, {"DELETE", "/api/tokens/1"}, {"POST", "/api/documents/1/done"}} {
		if st, data := alice.do(m.method, m.path, map[string]any{}); st != http.StatusForbidden || !strings.Contains(string(data), "csrf") {
			t.Errorf("%s %s without a CSRF token: %d %s", m.method, m.path, st, data)
		}
	}
	// Reads need no token.
	var me api.Me
	alice.getJSON("/api/me", &me)

	// A script with an API token sends neither Origin nor CSRF token.
	script := f.token("alice")
	if st, data := script.do("POST", "/api/tokens", body); st != http.StatusCreated {
		t.Errorf("API token request: %d %s", st, data)
	}
	var scriptMe api.Me
	script.getJSON("/api/me", &scriptMe)
	if scriptMe.CSRF != "" || scriptMe.User.Name != "alice" {
		t.Errorf("/api/me with a token = %+v, want alice and no CSRF token", scriptMe)
	}
	// A malformed or unknown token is not authenticated, and does not
	// fall back to the cookie.
	alice.csrf = me.CSRF
	for _, h := range []string{"Bearer nope", "Basic YWxpY2U6eA==", "Bearer "} {
		if st, _ := alice.request("GET", "/api/me", nil, http.Header{"Authorization": {h}}); st != http.StatusUnauthorized {
			t.Errorf("Authorization %q: %d, want 401", h, st)
		}
	}
}

// TestLogout: logging out needs the CSRF token (so another site cannot log
// users out) and ends the session.
func TestLogout(t *testing.T) {
	f := newFixture(t)
	alice := f.as("annotator")
	token := alice.csrf
	alice.csrf = ""
	if st, _ := alice.do("POST", "/api/logout", nil); st != http.StatusForbidden {
		t.Errorf("logout without the CSRF token: %d", st)
	}
	if st, _ := alice.do("GET", "/api/me", nil); st != http.StatusOK {
		t.Errorf("the refused logout ended the session: %d", st)
	}
	alice.csrf = token
	if st, _ := alice.do("POST", "/api/logout", nil); st != http.StatusNoContent {
		t.Errorf("logout: %d", st)
	}
	if st, _ := alice.do("GET", "/api/me", nil); st != http.StatusUnauthorized {
		t.Errorf("after logout: %d, want 401", st)
	}
	// Without a session, logout just clears the cookie.
	if st, _ := newClient(t, f.srv.URL).do("POST", "/api/logout", nil); st != http.StatusSeeOther {
		t.Errorf("logout without a session: %d", st)
	}
}

// TestLoginRateLimit: after five failed attempts for one name from one
// address, even the right password is refused for a while; other names
// are not affected.
func TestLoginRateLimit(t *testing.T) {
	f := newFixture(t)
	c := newClient(t, f.srv.URL)
	for i := range 5 {
		if st, loc := c.postLogin("alice", "wrong-password", ""); st != http.StatusSeeOther || !strings.Contains(loc, "error=bad_credentials") {
			t.Fatalf("attempt %d: %d %s", i+1, st, loc)
		}
	}
	if st, loc := c.postLogin("alice", password, ""); !strings.Contains(loc, "error=rate_limited") {
		t.Errorf("6th attempt with the right password: %d %s, want rate_limited", st, loc)
	}
	if st, _ := c.postLogin("alice", password, "application/json"); st != http.StatusTooManyRequests {
		t.Errorf("rate-limited JSON login: %d, want 429", st)
	}
	if st, _ := c.do("GET", "/api/me", nil); st != http.StatusUnauthorized {
		t.Errorf("a rate-limited login set a session: %d", st)
	}
	if st, loc := c.postLogin("bob", password, ""); st != http.StatusSeeOther || loc != "/" {
		t.Errorf("another user from the same address: %d %s", st, loc)
	}
	// Unknown users are limited too, and told the same as known ones.
	for range 5 {
		if _, loc := c.postLogin("nobody", "x", ""); !strings.Contains(loc, "bad_credentials") {
			t.Errorf("unknown user: %s", loc)
		}
	}
	if _, loc := c.postLogin("nobody", "x", ""); !strings.Contains(loc, "rate_limited") {
		t.Errorf("unknown user not rate-limited: %s", loc)
	}
	// The login form is protected by the Origin check.
	req, _ := http.NewRequest("POST", f.srv.URL+"/api/login", strings.NewReader("name=bob&password="+password))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin login: %d, want 403", resp.StatusCode)
	}
}

// TestPasswordChange: the current password is required; the change ends
// every session of the user but the one that made it, which gets a new
// CSRF token.
func TestPasswordChange(t *testing.T) {
	f := newFixture(t)
	alice, elsewhere := f.as("annotator"), f.as("annotator")
	if st, _ := alice.do("POST", "/api/me/password", map[string]string{"current": "wrong", "new": "new-password-1"}); st != http.StatusForbidden {
		t.Errorf("wrong current password: %d", st)
	}
	if st, _ := alice.do("POST", "/api/me/password", map[string]string{"current": password, "new": "short"}); st != http.StatusBadRequest {
		t.Errorf("too short a password: %d", st)
	}
	oldCSRF := alice.csrf
	st, data := alice.do("POST", "/api/me/password", map[string]string{"current": password, "new": "new-password-1"})
	if st != http.StatusOK {
		t.Fatalf("password change: %d %s", st, data)
	}
	var res struct{ CSRF string }
	json.Unmarshal(data, &res)
	if res.CSRF == "" || res.CSRF == oldCSRF {
		t.Errorf("new CSRF token %q", res.CSRF)
	}
	if st, _ := elsewhere.do("GET", "/api/me", nil); st != http.StatusUnauthorized {
		t.Errorf("the other session survived the password change: %d", st)
	}
	alice.csrf = oldCSRF
	if st, _ := alice.do("POST", "/api/tokens", map[string]string{"label": "x"}); st != http.StatusForbidden {
		t.Errorf("the old CSRF token still works: %d", st)
	}
	alice.csrf = res.CSRF
	if st, _ := alice.do("POST", "/api/tokens", map[string]string{"label": "x"}); st != http.StatusCreated {
		t.Errorf("this browser's new session: %d", st)
	}
	_, hash, _ := f.st.UserByName(context.Background(), "alice")
	if !auth.CheckPassword(hash, "new-password-1") {
		t.Error("the new password was not stored")
	}
	c := newClient(t, f.srv.URL)
	if _, loc := c.postLogin("alice", "new-password-1", ""); loc != "/" {
		t.Errorf("login with the new password: %s", loc)
	}
}

// TestTokens: created once, listed without the secret, revocable, and
// then refused.
func TestTokens(t *testing.T) {
	f := newFixture(t)
	alice := f.as("annotator")
	st, data := alice.do("POST", "/api/tokens", map[string]string{"label": "nightly export"})
	if st != http.StatusCreated {
		t.Fatalf("create: %d %s", st, data)
	}
	var nt api.NewToken
	json.Unmarshal(data, &nt)
	script := newClient(t, f.srv.URL)
	script.bearer = nt.Token
	var me api.Me
	script.getJSON("/api/me", &me)
	if me.User.Name != "alice" || len(me.Projects) != 1 {
		t.Errorf("token's /api/me = %+v", me)
	}
	_, list := alice.do("GET", "/api/tokens", nil)
	if strings.Contains(string(list), nt.Token) || !strings.Contains(string(list), "nightly export") {
		t.Errorf("token list %s", list)
	}
	if st, _ := alice.do("POST", "/api/tokens", map[string]string{"label": "  "}); st != http.StatusBadRequest {
		t.Errorf("blank label: %d", st)
	}
	if st, _ := script.do("DELETE", "/api/tokens/"+strconv.FormatInt(nt.ID, 10), nil); st != http.StatusNoContent {
		t.Errorf("revoke: %d", st)
	}
	if st, _ := script.do("GET", "/api/me", nil); st != http.StatusUnauthorized {
		t.Errorf("revoked token: %d, want 401", st)
	}
}
