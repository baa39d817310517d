package auth

import (
	"bytes"
	"testing"
	"time"
)

func TestPasswords(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "correct horse") || CheckPassword(h, "correct hors") {
		t.Fatal("CheckPassword wrong")
	}
	for _, bad := range []string{"short", string(bytes.Repeat([]byte("x"), 73))} {
		if _, err := HashPassword(bad); err == nil {
			t.Errorf("HashPassword(%d bytes) accepted", len(bad))
		}
	}
}

func TestTokens(t *testing.T) {
	a, ha := NewToken()
	b, _ := NewToken()
	if a == b || len(a) < 40 {
		t.Fatalf("tokens not random or too short: %q %q", a, b)
	}
	if !bytes.Equal(TokenHash(a), ha) {
		t.Fatal("TokenHash differs from NewToken's hash")
	}
}

func TestLimiter(t *testing.T) {
	now := time.Unix(0, 0)
	l := NewLimiter(3, time.Minute)
	l.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("ip|alice"); !ok {
			t.Fatalf("attempt %d refused", i)
		}
	}
	ok, wait := l.Allow("ip|alice")
	if ok || wait <= 0 || wait > time.Minute {
		t.Fatalf("4th attempt: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.Allow("ip|bob"); !ok {
		t.Fatal("other key limited")
	}
	now = now.Add(time.Minute)
	if ok, _ := l.Allow("ip|alice"); !ok {
		t.Fatal("not refilled after interval")
	}
}

func TestCSRF(t *testing.T) {
	a, _ := NewToken()
	b, _ := NewToken()
	ta := CSRFToken(a)
	if ta == a || ta == CSRFToken(b) || len(ta) < 40 {
		t.Fatalf("CSRF token %q of session %q is not distinct", ta, a)
	}
	if !CheckCSRF(a, ta) {
		t.Error("CheckCSRF refused the session's own token")
	}
	for _, bad := range []string{"", CSRFToken(b), a, ta[:len(ta)-1]} {
		if CheckCSRF(a, bad) {
			t.Errorf("CheckCSRF accepted %q", bad)
		}
	}
}

func TestCheckUserName(t *testing.T) {
	for _, ok := range []string{"alice", "Bob_2", "r-1", "admin"} {
		if err := CheckUserName(ok); err != nil {
			t.Errorf("CheckUserName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a b", "gold", "Gold", "zoë", "a/b", "<x>", string(bytes.Repeat([]byte("x"), 41))} {
		if err := CheckUserName(bad); err == nil {
			t.Errorf("CheckUserName(%q) accepted", bad)
		}
	}
}
