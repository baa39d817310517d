package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"gloss/server/internal/auth"
	"gloss/server/internal/store"
	"gloss/shared/httpapi"
	"gloss/shared/model"
)

// CookieName is the session cookie.
const CookieName = "gloss_session"

// CSRFHeader carries the session's CSRF token (auth.CSRFToken, given out
// by GET /api/me) on every state-changing request that a session cookie
// authenticates.
const CSRFHeader = "X-CSRF-Token"

// principal is who a request acts for and how they proved it.
type principal struct {
	user      model.User
	siteAdmin bool
	// session is the session token when a cookie authenticated the
	// request, "" for an API token. Only cookie requests need the CSRF
	// token: a browser adds cookies to cross-site requests on its own, but
	// never an Authorization header.
	session string
}

type principalKey struct{}

// errNoCredentials means the request carries no credential, or one the
// store does not know (a wrong, expired or revoked token): the client
// must log in. Any other error from authenticate is the store failing,
// and the client should keep its credentials and try again.
var errNoCredentials = errors.New("api: not authenticated")

// authenticate finds who r is from: an "Authorization: Bearer" API token
// if the request has that header (and then only from it), else the
// session cookie.
func (s *Server) authenticate(r *http.Request) (principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			return principal{}, errNoCredentials
		}
		sess, err := s.store.SessionByAPIToken(r.Context(), auth.TokenHash(token))
		if errors.Is(err, store.ErrNotFound) {
			return principal{}, errNoCredentials
		}
		if err != nil {
			return principal{}, fmt.Errorf("api: token: %w", err)
		}
		return principal{user: sess.User, siteAdmin: sess.SiteAdmin}, nil
	}
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return principal{}, errNoCredentials
	}
	sess, err := s.store.SessionByToken(r.Context(), auth.TokenHash(c.Value))
	if errors.Is(err, store.ErrNotFound) {
		return principal{}, errNoCredentials
	}
	if err != nil {
		return principal{}, fmt.Errorf("api: session: %w", err)
	}
	return principal{user: sess.User, siteAdmin: sess.SiteAdmin, session: c.Value}, nil
}

// safeMethod reports whether a request of this method changes nothing.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// authed wraps a handler that needs a logged-in user. It also enforces
// the CSRF token on state-changing requests made with the session cookie.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, model.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if errors.Is(err, errNoCredentials) {
			writeError(w, http.StatusUnauthorized, "not_authenticated", "log in first (or send a valid API token)")
			return
		}
		if err != nil {
			// A database outage is no reason to log anyone out.
			s.unavailable(w, "authenticate", err)
			return
		}
		if p.session != "" && !safeMethod(r.Method) && !auth.CheckCSRF(p.session, r.Header.Get(CSRFHeader)) {
			writeError(w, http.StatusForbidden, "csrf", "missing or wrong "+CSRFHeader+" header: reload the page (scripts: use an API token)")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)), p.user)
	}
}

// who returns the principal that authed put in r's context.
func who(r *http.Request) principal {
	p, _ := r.Context().Value(principalKey{}).(principal)
	return p
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func retryAfter(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strings.TrimSuffix((wait+time.Second).Truncate(time.Second).String(), "s"))
}

// handleLogin takes a form post (name, password, next) so the login page
// works before and without the wasm, sets the session cookie and
// redirects. Failures redirect back to /login with an error code.
//
// The login post carries no CSRF token (there is no session yet to derive
// one from): checkOrigin refuses it from other sites, and the cookie it
// sets is SameSite=Lax, so another site can neither log a victim in to
// its own account nor ride the new session.
//
// Guessing is limited three ways, counting failures only (a success gives
// its tokens back): per address and name, per address, and per account
// from anywhere with a doubling wait (auth.Backoff). The account's wait
// does not apply to a browser that logged in to it before (a device
// cookie, auth.DeviceToken), so someone hammering an account slows it
// down for new browsers but cannot lock its owner out.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "could not read the login form")
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	password := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	ip := clientIP(r)
	fail := func(code string) {
		http.Redirect(w, r, "/login?error="+code+"&next="+url.QueryEscape(next), http.StatusSeeOther)
	}
	limited := func(by string, wait time.Duration) {
		s.log.Warn("api: login limited", "user", name, "addr", ip, "by", by, "wait", wait.Round(time.Second))
		retryAfter(w, wait)
		if r.Header.Get("Accept") == "application/json" {
			writeError(w, http.StatusTooManyRequests, "rate_limited", "too many login attempts; wait and try again")
			return
		}
		fail("rate_limited")
	}
	if ok, wait := s.loginAddr.Allow(ip); !ok {
		limited("address", wait)
		return
	}
	if ok, wait := s.login.Allow(ip + "|" + name); !ok {
		limited("address and name", wait)
		return
	}
	refund := func() {
		s.loginAddr.Refund(ip)
		s.login.Refund(ip + "|" + name)
	}
	u, hash, err := s.store.UserByName(r.Context(), name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		refund()
		s.unavailable(w, "user", err)
		return
	}
	known := err == nil
	device, _ := r.Cookie(DeviceCookie)
	if !known || device == nil || !auth.CheckDeviceToken(device.Value, name, hash) {
		if wait := s.loginAccount.Wait(name); wait > 0 {
			refund() // no password was tried
			limited("account", wait)
			return
		}
	}
	if !known {
		auth.BurnTime(password)
	}
	if !known || !auth.CheckPassword(hash, password) {
		s.loginAccount.Fail(name)
		s.log.Warn("api: login failed", "user", name, "addr", ip, "known", known)
		fail("bad_credentials")
		return
	}
	refund()
	if _, err := s.startSession(w, r, u); err != nil {
		s.log.Error("api: create session", "err", err)
		fail("internal")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: DeviceCookie, Value: auth.DeviceToken(name, hash), Path: "/api/login",
		MaxAge: 400 * 24 * 3600, HttpOnly: true, Secure: s.cfg.SecureCookies || r.TLS != nil, SameSite: http.SameSiteLaxMode})
	// Sweep expired sessions now and then; a login is when one is added.
	if n, err := s.store.DeleteExpiredSessions(r.Context(), time.Now()); err != nil {
		s.log.Error("api: delete expired sessions", "err", err)
	} else if n > 0 {
		s.log.Info("api: deleted expired sessions", "n", n)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// DeviceCookie marks a browser that logged in to an account before
// (auth.DeviceToken); it is sent to the login route only.
const DeviceCookie = "gloss_device"

// unavailable answers 503 when the store failed (an outage, not a wrong
// credential): the client keeps its session and retries.
func (s *Server) unavailable(w http.ResponseWriter, what string, err error) {
	s.log.Error("api: "+what, "err", err)
	w.Header().Set("Retry-After", "5")
	writeError(w, http.StatusServiceUnavailable, "unavailable", "the server cannot reach its database; try again shortly")
}

// startSession creates a session for u and sets its cookie; it returns
// the session token.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u model.User) (string, error) {
	token, th := auth.NewToken()
	exp := time.Now().Add(s.cfg.SessionTTL)
	if err := s.store.CreateSession(r.Context(), th, u.ID, exp); err != nil {
		return "", err
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: token, Path: "/", Expires: exp, HttpOnly: true,
		Secure: s.cfg.SecureCookies || r.TLS != nil, SameSite: http.SameSiteLaxMode})
	return token, nil
}

// safeNext keeps post-login redirects on this site: it returns next if
// next is an absolute path of this origin, with an optional query and
// fragment, else "/". It parses rather than pattern-matches, and checks
// the path as the browser will see it once decoded: "/%09/evil.example/"
// decodes to "/\t/evil.example/", which a browser strips of the tab and
// follows to evil.example; "/%2F/x" and "/%5Cx" are "//x" and "/\x".
func safeNext(next string) string {
	const home = "/"
	if next == "" || len(next) > 2048 || !strings.HasPrefix(next, "/") || unsafeInPath(next) {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return home
	}
	if !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || unsafeInPath(u.Path) {
		return home
	}
	return (&url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery, Fragment: u.Fragment}).String()
}

// unsafeInPath reports characters that browsers drop or reinterpret in a
// URL (control characters, tabs and newlines, backslashes) and so may
// turn a path into another host.
func unsafeInPath(s string) bool {
	for _, c := range s {
		if c < 0x20 || c == 0x7f || c == '\\' || c == 0xfffd || (c >= 0x80 && c < 0xa0) {
			return true
		}
	}
	return false
}

// handleLogout ends the session. With a live session it needs the CSRF
// token like any other state change (the UI's button sends it), so that
// another site cannot log users out.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		sess, err := s.store.SessionByToken(r.Context(), auth.TokenHash(c.Value))
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			// Keep the cookie: the session could not be ended.
			s.unavailable(w, "logout", err)
			return
		}
		if err == nil {
			if !auth.CheckCSRF(c.Value, r.Header.Get(CSRFHeader)) {
				writeError(w, http.StatusForbidden, "csrf", "missing or wrong "+CSRFHeader+" header: reload the page")
				return
			}
			if err := s.store.DeleteSession(r.Context(), auth.TokenHash(c.Value)); err != nil {
				s.unavailable(w, "delete session", err)
				return
			}
			// The session's open desks end with it: the user's sockets
			// are closed with 4001, as after a password change, and each
			// reconnects with its own credentials, which this session's
			// sockets no longer have (4401).
			s.credentialsChanged(sess.User.ID)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.cfg.SecureCookies || r.TLS != nil, SameSite: http.SameSiteLaxMode})
	if r.Header.Get(CSRFHeader) != "" || r.Header.Get("Accept") == "application/json" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request, u model.User) {
	ctx := r.Context()
	ms, err := s.store.Memberships(ctx, u.ID)
	if err != nil {
		s.internal(w, "memberships", err)
		return
	}
	p := who(r)
	me := Me{User: u, SiteAdmin: p.siteAdmin, Projects: []MyProject{}}
	if p.session != "" {
		me.CSRF = auth.CSRFToken(p.session)
	}
	for _, m := range ms {
		docs, err := s.store.Documents(ctx, m.Project.ID)
		if err != nil {
			s.internal(w, "documents", err)
			return
		}
		as, err := s.store.Assignments(ctx, m.Project.ID)
		if err != nil {
			s.internal(w, "assignments", err)
			return
		}
		mine := map[int64]store.Assignment{}
		for _, a := range as {
			if a.UserID == u.ID {
				mine[a.Document] = a
			}
		}
		mp := MyProject{Project: m.Project, Role: m.Role, Documents: make([]MyDoc, len(docs))}
		for i, d := range docs {
			a, ok := mine[d.ID]
			mp.Documents[i] = MyDoc{DocumentInfo: documentInfo(d), Assigned: ok, Done: a.Done}
		}
		me.Projects = append(me.Projects, mp)
	}
	writeJSON(w, http.StatusOK, me)
}

// readJSON decodes a JSON request body of at most limit bytes into v,
// answering 400 itself if it cannot.
func readJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) bool {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "the request body is not the JSON expected: "+err.Error())
		return false
	}
	return true
}

// handlePassword changes the user's password. It ends every login session
// of the user (a stolen session dies with the old password) and starts a
// new one for this browser; its CSRF token is in the answer.
func (s *Server) handlePassword(w http.ResponseWriter, r *http.Request, u model.User) {
	var req httpapi.PasswordRequest
	if !readJSON(w, r, 8<<10, &req) {
		return
	}
	if ok, wait := s.login.Allow("password|" + u.Name); !ok {
		retryAfter(w, wait)
		writeError(w, http.StatusTooManyRequests, "rate_limited", "too many attempts; wait and try again")
		return
	}
	_, hash, err := s.store.UserByName(r.Context(), u.Name)
	if err != nil {
		s.internal(w, "user", err)
		return
	}
	if !auth.CheckPassword(hash, req.Current) {
		writeError(w, http.StatusForbidden, "bad_credentials", "the current password is wrong")
		return
	}
	newHash, err := auth.HashPassword(req.New)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_password", strings.TrimPrefix(err.Error(), "auth: "))
		return
	}
	if err := s.rules.SetPassword(r.Context(), u.ID, newHash); err != nil {
		s.internal(w, "set password", err)
		return
	}
	var answer httpapi.PasswordAnswer
	if who(r).session != "" {
		token, err := s.startSession(w, r, u)
		if err != nil {
			s.internal(w, "create session", err)
			return
		}
		answer.CSRF = auth.CSRFToken(token)
	}
	writeJSON(w, http.StatusOK, answer)
}
