// Package auth hashes passwords, mints session tokens and limits login
// attempts. It holds no state about who is logged in; the store does.
package auth

import (
	"crypto/hmac"
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

	"gloss/shared/model"
)

// MinPasswordLen is the shortest password accepted for a new account.
const MinPasswordLen = 8

// MaxUserNameLen bounds user names, which also name annotation layers.
const MaxUserNameLen = 40

// CheckUserName says why name cannot be a user name, or nil. A user name
// is also the name of the user's annotation layer, so it has the
// characters of an ID, and it cannot be a machine or reviewers' layer
// (model.ReservedNames: "gold", "import", "suggest", …).
func CheckUserName(name string) error {
	if name == "" || len(name) > MaxUserNameLen {
		return fmt.Errorf("auth: a user name is 1–%d characters", MaxUserNameLen)
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("auth: user name %q may hold only letters a–z, digits, '-' and '_'", name)
		}
	}
	if model.Reserved(name) {
		return fmt.Errorf("auth: %q names a layer of the reviewers or of machines, not a user name", strings.ToLower(name))
	}
	return nil
}

// Cost is bcrypt's work factor: about 50 ms per hash on a small server,
// cheap for a login, expensive for an offline guesser.
var Cost = bcrypt.DefaultCost

// MaxPasswordLen is the longest password in bytes: bcrypt ignores bytes
// past 72.
const MaxPasswordLen = 72

// HashPassword returns the bcrypt hash of password.
func HashPassword(password string) ([]byte, error) {
	if len(password) < MinPasswordLen {
		return nil, fmt.Errorf("auth: password must be at least %d characters", MinPasswordLen)
	}
	if len(password) > MaxPasswordLen {
		// bcrypt ignores bytes past 72; refusing is more honest than truncating.
		return nil, errors.New("auth: password must be at most 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), Cost)
	if err != nil {
		return nil, fmt.Errorf("auth: hash password: %w", err)
	}
	return h, nil
}

// CheckPassword reports whether password matches hash. A password longer
// than MaxPasswordLen never matches: bcrypt would compare its first 72
// bytes only, so "the password plus anything" would log in.
func CheckPassword(hash []byte, password string) bool {
	if len(password) > MaxPasswordLen {
		BurnTime(password[:MaxPasswordLen])
		return false
	}
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
//
// Memory is bounded without scanning: buckets live in two generations,
// and every refill period (the time an empty bucket takes to fill) the
// older one is dropped. A bucket not touched for a whole period is full,
// which is what a missing bucket means, so forgetting it changes nothing.
// Under a spray of new keys the generations also turn over at maxKeys,
// which only forgets buckets sooner.
type Limiter struct {
	Burst    int
	Interval time.Duration

	mu      sync.Mutex
	cur     map[string]bucket
	old     map[string]bucket
	turned  time.Time // when cur was started
	maxKeys int
	now     func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewLimiter returns a limiter of burst attempts refilled one per interval.
func NewLimiter(burst int, interval time.Duration) *Limiter {
	return &Limiter{Burst: burst, Interval: interval, cur: map[string]bucket{}, old: map[string]bucket{}, maxKeys: 100_000, now: time.Now}
}

// period is the time an empty bucket takes to fill.
func (l *Limiter) period() time.Duration { return time.Duration(l.Burst) * l.Interval }

// get returns key's bucket, refilled to now, turning generations over
// first if it is time.
func (l *Limiter) get(key string, now time.Time) bucket {
	if now.Sub(l.turned) >= l.period() || len(l.cur) >= l.maxKeys {
		l.old, l.cur, l.turned = l.cur, make(map[string]bucket, len(l.cur)/2), now
	}
	b, ok := l.cur[key]
	if !ok {
		b, ok = l.old[key]
	}
	if !ok {
		return bucket{tokens: float64(l.Burst), last: now}
	}
	b.tokens = min(float64(l.Burst), b.tokens+float64(now.Sub(b.last))/float64(l.Interval))
	b.last = now
	return b
}

// Allow reports whether an attempt for key may go ahead now, and if not,
// how long until one may. An allowed attempt takes a token.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.get(key, now)
	if b.tokens < 1 {
		l.cur[key] = b
		return false, time.Duration((1 - b.tokens) * float64(l.Interval))
	}
	b.tokens--
	l.cur[key] = b
	return true, 0
}

// Refund gives back the token of an attempt that turned out not to count
// (a successful login), so that only failures use the burst up.
func (l *Limiter) Refund(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.get(key, l.now())
	b.tokens = min(float64(l.Burst), b.tokens+1)
	l.cur[key] = b
}

// keys returns how many buckets the limiter holds, for tests.
func (l *Limiter) keys() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.cur) + len(l.old)
}

// Backoff slows guessing at one key (an account) from anywhere: the
// first Free failures cost nothing, then each failure makes the key wait
// twice as long as the last, from Base up to Max. Failures are forgotten
// after Forget without one. It never refuses for longer than Max, so a
// third party can slow an account down but not lock it; api lets a browser
// the account logged in from before skip the wait (DeviceToken).
type Backoff struct {
	Free      int
	Base, Max time.Duration
	Forget    time.Duration

	mu     sync.Mutex
	cur    map[string]failures
	old    map[string]failures
	turned time.Time
	now    func() time.Time
}

type failures struct {
	n     int
	last  time.Time
	until time.Time
}

// NewBackoff returns a backoff of free failures, then waits from base
// doubling up to max; failures are forgotten after forget.
func NewBackoff(free int, base, max, forget time.Duration) *Backoff {
	return &Backoff{Free: free, Base: base, Max: max, Forget: forget, cur: map[string]failures{}, old: map[string]failures{}, now: time.Now}
}

func (b *Backoff) get(key string, now time.Time) failures {
	// Two generations, as in Limiter: an entry untouched for Forget is
	// forgotten anyway.
	if now.Sub(b.turned) >= b.Forget || len(b.cur) >= 100_000 {
		b.old, b.cur, b.turned = b.cur, map[string]failures{}, now
	}
	f, ok := b.cur[key]
	if !ok {
		f = b.old[key]
	}
	if now.Sub(f.last) >= b.Forget {
		return failures{}
	}
	return f
}

// Wait returns how long key must wait before its next attempt; 0 means
// now.
func (b *Backoff) Wait(key string) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	return max(0, b.get(key, now).until.Sub(now))
}

// Fail records a failed attempt at key.
func (b *Backoff) Fail(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	f := b.get(key, now)
	f.n++
	f.last = now
	if over := f.n - b.Free; over > 0 {
		wait := b.Max
		if over <= 30 && b.Base<<(over-1) < b.Max {
			wait = b.Base << (over - 1)
		}
		f.until = now.Add(wait)
	}
	b.cur[key] = f
}

// DeviceToken is what a browser that logged in as name keeps (a cookie)
// to be recognised at its next login: a random nonce and a MAC of it keyed
// by the account's password hash. It needs no server state or secret, any
// instance can check it, and a password change voids every one.
func DeviceToken(name string, passwordHash []byte) string {
	nonce := make([]byte, 16)
	rand.Read(nonce)
	n := base64.RawURLEncoding.EncodeToString(nonce)
	return n + "." + deviceMAC(name, passwordHash, n)
}

// CheckDeviceToken reports whether token is a DeviceToken of name under
// its current password hash.
func CheckDeviceToken(token, name string, passwordHash []byte) bool {
	n, mac, ok := strings.Cut(token, ".")
	return ok && n != "" && subtle.ConstantTimeCompare([]byte(mac), []byte(deviceMAC(name, passwordHash, n))) == 1
}

func deviceMAC(name string, passwordHash []byte, nonce string) string {
	m := hmac.New(sha256.New, passwordHash)
	m.Write([]byte("gloss-device\x00" + name + "\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
