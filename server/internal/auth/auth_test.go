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
