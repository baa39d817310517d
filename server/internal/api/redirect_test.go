package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestLoginRedirect: after a login, the browser goes to next only if next
// is a path of this site; anything a browser could read as another host
// goes to "/".
func TestLoginRedirect(t *testing.T) {
	f := newFixture(t)
	tests := []struct{ next, want string }{
		{"/desk/3", "/desk/3"},
		{"/projects/1?doc=2#s1", "/projects/1?doc=2#s1"},
		{"/review/1?q=a%2Fb", "/review/1?q=a%2Fb"},
		{"", "/"},
		{"/%09/evil.example/", "/"},
		{"/\t/evil.example/", "/"},
		{"/%0a/evil.example/", "/"},
		{"/%0d%0aSet-Cookie:x=y", "/"},
		{"/%00", "/"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{"/\\evil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/%2F/evil.example", "/"},
		{"/%2f%2fevil.example", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{" /desk/3", "/"},
		{"\t//evil.example", "/"},
		{"/\u0085/evil.example", "/"},
		{"/%C2%85/evil.example", "/"},
		{"/%zz", "/"},
	}
	for _, tc := range tests {
		t.Run(tc.next, func(t *testing.T) {
			c := newClient(t, f.srv.URL)
			form := url.Values{"name": {"alice"}, "password": {password}, "next": {tc.next}}
			req, _ := http.NewRequest("POST", f.srv.URL+"/api/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", f.srv.URL)
			resp, err := c.hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != tc.want {
				t.Errorf("next=%q: %d Location %q, want %q", tc.next, resp.StatusCode, loc, tc.want)
			}
		})
	}
	// A failed login carries next back to the form, made safe.
	c := newClient(t, f.srv.URL)
	form := url.Values{"name": {"alice"}, "password": {"wrong-password"}, "next": {"/%09/evil.example/"}}
	req, _ := http.NewRequest("POST", f.srv.URL+"/api/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", f.srv.URL)
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); strings.Contains(loc, "evil") {
		t.Errorf("failed login: Location %q carries the unsafe next", loc)
	}
}
