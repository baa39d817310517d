package api_test

import (
	"net/http"
	"strings"
	"testing"

	"gloss/server/internal/api"
)

// TestOriginScheme: the Origin check compares the scheme as well as the
// host, for state-changing requests and websockets alike.
func TestOriginScheme(t *testing.T) {
	for _, tc := range []struct {
		name  string
		proxy bool   // behind a TLS-terminating proxy that says so
		good  string // scheme that is same-origin
	}{
		{"plain http", false, "http"},
		{"behind a TLS proxy", true, "https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			host := strings.TrimPrefix(f.srv.URL, "http://")
			alice := newClient(t, f.srv.URL)
			alice.origin = tc.good + "://" + host
			if tc.proxy {
				alice.header = http.Header{"X-Forwarded-Proto": {"https"}}
			}
			if st, loc := alice.postLogin("alice", password, ""); st != http.StatusSeeOther || loc != "/" {
				t.Fatalf("login from %s: %d %s", alice.origin, st, loc)
			}
			var me api.Me
			alice.getJSON("/api/me", &me)
			alice.csrf = me.CSRF
			bad := map[string]string{"http": "https", "https": "http"}[tc.good]
			for _, c := range []struct {
				origin string
				want   int
			}{
				{tc.good + "://" + host, http.StatusCreated},
				{bad + "://" + host, http.StatusForbidden},
			} {
				alice.origin = c.origin
				if st, data := alice.do("POST", "/api/tokens", map[string]string{"label": "x"}); st != c.want {
					t.Errorf("Origin %s: %d %s, want %d", c.origin, st, data, c.want)
				}
				conn, resp, err := alice.ws(http.Header{"Origin": {c.origin}})
				if c.want == http.StatusForbidden {
					if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
						t.Errorf("websocket from %s: %v, want 403", c.origin, err)
					}
				} else if err != nil {
					t.Errorf("websocket from %s: %v", c.origin, err)
				}
				if conn != nil {
					conn.Close()
				}
			}
		})
	}
}
