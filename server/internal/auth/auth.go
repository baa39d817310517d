// Package auth hashes passwords, mints session tokens and limits login
// attempts. It holds no state about who is logged in; the store does.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// MinPasswordLen is the shortest password accepted for a new account.
const MinPasswordLen = 8

// MaxUserNameLen bounds user names, which also name annotation layers.
const MaxUserNameLen = 40

// CheckUserName says why name cannot be a user name, or nil. A user name
// is also the name of the user's annotation layer, so it has the
// characters of an ID, and it cannot be the reviewers' "gold".
func CheckUserName(name string) error {
	if name == "" || len(name) > MaxUserNameLen {
		return fmt.Errorf("auth: a user name is 1–%d characters", MaxUserNameLen)
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("auth: user name %q may hold only letters a–z, digits, '-' and '_'", name)
		}
	}
	if strings.EqualFold(name, "gold") {
		return errors.New(`auth: "gold" is the reviewers' layer, not a user name`)
	}
	return nil
}

// Cost is bcrypt's work factor: about 50 ms per hash on a small server,
// cheap for a login, expensive for an offline guesser.
var Cost = bcrypt.DefaultCost

// HashPassword returns the bcrypt hash of password.
func HashPassword(password string) ([]byte, error) {
	if len(password) < MinPasswordLen {
		return nil, fmt.Errorf("auth: password must be at least %d characters", MinPasswordLen)
	}
	if len(password) > 72 {
		// bcrypt ignores bytes past 72; refusing is more honest than truncating.
		return nil, errors.New("auth: password must be at most 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), Cost)
	if err != nil {
		return nil, fmt.Errorf("auth: hash password: %w", err)
	}
	return h, nil
}

// CheckPassword reports whether password matches hash.
func CheckPassword(hash []byte, password string) bool {
	return bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
}

// dummyHash makes a login for an unknown user cost as much as one for a
// known user, so response time does not reveal which names exist.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a real password"), bcrypt.DefaultCost)

// BurnTime spends the time of one password check.
func BurnTime(password string) { bcrypt.CompareHashAndPassword(dummyHash, []byte(password)) }

// NewToken returns a fresh random session or API token and the hash the
// store keeps; a stolen database does not yield usable tokens.
func NewToken() (token string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, TokenHash(token)
}

// TokenHash is the stored form of a token.
func TokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CSRFToken is the anti-CSRF token of a login session: a hash of the
// session token under its own label. Only someone who holds the session
// token (HttpOnly, so not even the page's scripts) or is told the CSRF
// token by the server (GET /api/me, which another site cannot read) can
// produce it, and nothing needs to be stored for it. It changes with every
// login.
func CSRFToken(sessionToken string) string {
	h := sha256.Sum256([]byte("gloss-csrf\x00" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// CheckCSRF reports whether got is the CSRF token of sessionToken, in
// constant time.
func CheckCSRF(sessionToken, got string) bool {
	want := CSRFToken(sessionToken)
	return got != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// Limiter allows a burst of attempts per key and then one attempt per
// interval: a token bucket per key. Keys are e.g. client IP + user name.
type Limiter struct {
	Burst    int
	Interval time.Duration

	mu      sync.Mutex
	buckets map[string]bucket
	now     func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewLimiter returns a limiter of burst attempts refilled one per interval.
func NewLimiter(burst int, interval time.Duration) *Limiter {
	return &Limiter{Burst: burst, Interval: interval, buckets: map[string]bucket{}, now: time.Now}
}

// Allow reports whether an attempt for key may go ahead now, and if not,
// how long until one may.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		b = bucket{tokens: float64(l.Burst), last: now}
	}
	b.tokens += float64(now.Sub(b.last)) / float64(l.Interval)
	if b.tokens > float64(l.Burst) {
		b.tokens = float64(l.Burst)
	}
	b.last = now
	if len(l.buckets) > 100_000 {
		// Bound memory under a spray of keys: forget full buckets.
		for k, v := range l.buckets {
			if v.tokens >= float64(l.Burst) {
				delete(l.buckets, k)
			}
		}
	}
	if b.tokens < 1 {
		l.buckets[key] = b
		return false, time.Duration((1 - b.tokens) * float64(l.Interval))
	}
	b.tokens--
	l.buckets[key] = b
	return true, 0
}
