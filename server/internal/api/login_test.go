package api_test

import (
	"context"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"gloss/server/internal/api"
	"gloss/server/internal/auth"
)

// clientFrom is a browser at the loopback address ip (127.0.0.x), so that
// tests can log in from several addresses.
func clientFrom(t *testing.T, base, ip string) *client {
	c := newClient(t, base)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c.hc.Transport = &http.Transport{DialContext: d.DialContext}
	return c
}

// TestLoginAccountLimit: wrong passwords for one account from several
// addresses (each under the per-address limit) slow the account down for
// new browsers, with Retry-After; the owner's browser, which logged in
// before, still logs in; failures and limits are logged.
func TestLoginAccountLimit(t *testing.T) {
	f := newFixture(t)
	owner := clientFrom(t, f.srv.URL, "127.0.0.9")
	if st, loc := owner.postLogin("alice", password, ""); st != http.StatusSeeOther || loc != "/" {
		t.Fatalf("owner's first login: %d %s", st, loc)
	}
	for _, ip := range []string{"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"} {
		c := clientFrom(t, f.srv.URL, ip)
		for i := range 3 {
			// The first ten failures are free; then the account waits.
			if _, loc := c.postLogin("alice", "guess-"+ip, ""); !strings.Contains(loc, "bad_credentials") && !strings.Contains(loc, "rate_limited") {
				t.Fatalf("guess %d from %s: %s", i+1, ip, loc)
			}
		}
	}
	fresh := clientFrom(t, f.srv.URL, "127.0.0.6")
	if _, loc := fresh.postLogin("alice", password, ""); !strings.Contains(loc, "rate_limited") {
		t.Errorf("a new browser after 12 failures from 4 addresses: %s, want rate_limited", loc)
	}
	req, _ := http.NewRequest("POST", f.srv.URL+"/api/login", strings.NewReader("name=alice&password="+password))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", f.srv.URL)
	req.Header.Set("Accept", "application/json")
	resp, err := fresh.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("limited JSON login: %d Retry-After %q, want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Other accounts are not slowed down.
	if _, loc := fresh.postLogin("bob", password, ""); loc != "/" {
		t.Errorf("another account: %s", loc)
	}
	// The owner's browser is recognised and not locked out.
	owner.do("POST", "/api/logout", nil)
	if _, loc := owner.postLogin("alice", password, ""); loc != "/" {
		t.Errorf("the owner's browser during the attack: %s, want logged in", loc)
	}
	// A forged device cookie does not pass.
	jar, _ := cookiejar.New(nil)
	fresh.hc.Jar = jar
	req, _ = http.NewRequest("POST", f.srv.URL+"/api/login", strings.NewReader("name=alice&password="+password))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", f.srv.URL)
	req.AddCookie(&http.Cookie{Name: api.DeviceCookie, Value: "bm9uY2U.forged"})
	resp, err = fresh.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "rate_limited") {
		t.Errorf("forged device cookie: %s", loc)
	}
	logs := f.logs.String()
	for _, want := range []string{"login failed", "user=alice", "addr=127.0.0.3", "login limited", "by=account"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %q", want)
		}
	}
}

// TestLoginLongPassword: a password over 72 bytes is refused at login,
// as it is when set, even when its first 72 bytes are the password.
func TestLoginLongPassword(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("p", 72)
	hash, err := auth.HashPassword(long)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.SetPassword(context.Background(), f.users["bob"].ID, hash); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, f.srv.URL)
	if _, loc := c.postLogin("bob", long+"-and-more", ""); !strings.Contains(loc, "bad_credentials") {
		t.Errorf("73+ bytes starting with the password: %s, want bad_credentials", loc)
	}
	if _, loc := c.postLogin("bob", long, ""); loc != "/" {
		t.Errorf("the 72-byte password: %s", loc)
	}
}

// TestExpiredSessionsDeleted: a login sweeps sessions that have expired.
func TestExpiredSessionsDeleted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, th := auth.NewToken()
	if err := f.st.CreateSession(ctx, th, f.users["bob"].ID, timeAgo()); err != nil {
		t.Fatal(err)
	}
	f.login("alice")
	if n, err := f.st.DeleteExpiredSessions(ctx, timeNow()); err != nil || n != 0 {
		t.Errorf("after a login, %d expired sessions were left (%v)", n, err)
	}
}

func timeNow() time.Time { return time.Now() }
func timeAgo() time.Time { return time.Now().Add(-time.Hour) }
