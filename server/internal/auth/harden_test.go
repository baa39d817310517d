package auth

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// TestLimiterForgets: buckets are forgotten once full again (they used to
// be stored after every attempt and never evicted), and a spray of keys
// does not grow the limiter past its bound.
func TestLimiterForgets(t *testing.T) {
	now := time.Unix(0, 0)
	l := NewLimiter(3, time.Minute)
	l.now = func() time.Time { return now }
	l.maxKeys = 1000
	for i := range 500 {
		l.Allow(fmt.Sprintf("ip%d|alice", i))
	}
	l.Allow("ip|alice")
	l.Allow("ip|alice")
	l.Allow("ip|alice")
	if ok, _ := l.Allow("ip|alice"); ok {
		t.Fatal("4th attempt allowed")
	}
	// Half a refill period later the empty bucket is remembered.
	now = now.Add(90 * time.Second)
	if ok, _ := l.Allow("ip|alice"); !ok {
		t.Fatal("refilled token refused")
	}
	if ok, _ := l.Allow("ip|alice"); ok {
		t.Fatal("bucket forgotten too soon")
	}
	// Two refill periods later everything is full and forgotten.
	now = now.Add(6 * time.Minute)
	l.Allow("x")
	now = now.Add(3 * time.Minute)
	l.Allow("y")
	if n := l.keys(); n > 2 {
		t.Errorf("%d buckets kept after every bucket filled up, want ≤ 2", n)
	}
	for i := range 10_000 {
		l.Allow(fmt.Sprintf("spray%d", i))
	}
	if n := l.keys(); n > 2*l.maxKeys {
		t.Errorf("%d buckets after a spray of 10,000 keys, want ≤ %d", n, 2*l.maxKeys)
	}
}

func TestLimiterRefund(t *testing.T) {
	l := NewLimiter(2, time.Hour)
	for range 5 {
		if ok, _ := l.Allow("k"); !ok {
			t.Fatal("a refunded attempt counted")
		}
		l.Refund("k")
	}
}

// TestBackoff: free failures, then doubling waits capped at Max, and
// forgotten after Forget.
func TestBackoff(t *testing.T) {
	now := time.Unix(0, 0)
	b := NewBackoff(3, time.Second, 8*time.Second, time.Hour)
	b.now = func() time.Time { return now }
	var waits []time.Duration
	for range 7 {
		waits = append(waits, b.Wait("alice"))
		b.Fail("alice")
	}
	waits = append(waits, b.Wait("alice"))
	want := []time.Duration{0, 0, 0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	if fmt.Sprint(waits) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
	for range 40 { // far past the doubling: still capped, no overflow
		b.Fail("alice")
	}
	if w := b.Wait("alice"); w != 8*time.Second {
		t.Errorf("after 47 failures: wait %v, want the 8s cap", w)
	}
	if b.Wait("bob") != 0 {
		t.Error("another account waits")
	}
	now = now.Add(time.Hour)
	if w := b.Wait("alice"); w != 0 {
		t.Errorf("after an hour without failures: wait %v", w)
	}
	b.Fail("alice")
	if w := b.Wait("alice"); w != 0 {
		t.Errorf("failures not forgotten: wait %v", w)
	}
}

func TestDeviceToken(t *testing.T) {
	// Any two hashes do; bcrypt's cost is not what is tested here.
	h1, h2 := []byte("$2a$04$hash-of-password-one"), []byte("$2a$04$hash-of-password-two")
	tok := DeviceToken("alice", h1)
	if !CheckDeviceToken(tok, "alice", h1) {
		t.Fatal("own token refused")
	}
	for name, c := range map[string]struct {
		tok, name string
		hash      []byte
	}{
		"other user":       {tok, "bob", h1},
		"new password":     {tok, "alice", h2},
		"forged":           {strings.Split(tok, ".")[0] + ".AAAA", "alice", h1},
		"empty":            {"", "alice", h1},
		"other nonce":      {"x" + tok, "alice", h1},
		"no mac separator": {strings.ReplaceAll(tok, ".", ""), "alice", h1},
	} {
		if CheckDeviceToken(c.tok, c.name, c.hash) {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestLongPasswordRefused: bcrypt reads 72 bytes; a longer password that
// starts with the right 72 must not match.
func TestLongPasswordRefused(t *testing.T) {
	pw := strings.Repeat("p", 72)
	defer func(c int) { Cost = c }(Cost)
	Cost = bcrypt.MinCost
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, pw) {
		t.Fatal("the 72-byte password refused")
	}
	if CheckPassword(h, pw+"anything") {
		t.Error("the password plus more bytes matched")
	}
}

func TestReservedUserNames(t *testing.T) {
	for _, name := range []string{"gold", "import", "Import", "suggest", "machine", "human"} {
		if err := CheckUserName(name); err == nil {
			t.Errorf("CheckUserName(%q) accepted", name)
		}
	}
}
