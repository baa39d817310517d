package api

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"gloss/server/internal/auth"
	"gloss/server/internal/store"
	"gloss/shared/model"
)

// CookieName is the session cookie.
const CookieName = "gloss_session"

type userKey struct{}

// currentUser returns the user of a valid session cookie.
func (s *Server) currentUser(r *http.Request) (model.User, bool) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return model.User{}, false
	}
	sess, err := s.store.SessionByToken(r.Context(), auth.TokenHash(c.Value))
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Error("api: session", "err", err)
		}
		return model.User{}, false
	}
	return sess.User, true
}

// authed wraps a handler that needs a logged-in user.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, model.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.currentUser(r)
		if !ok {
			writeError(w, http.StatusUnauthorized, "not_authenticated", "log in first")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)), u)
	}
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// handleLogin takes a form post (name, password, next) so the login page
// works before and without the wasm, sets the session cookie and
// redirects. Failures redirect back to /login with an error code.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "could not read the login form")
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	password := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	fail := func(code string) {
		http.Redirect(w, r, "/login?error="+code+"&next="+url.QueryEscape(next), http.StatusSeeOther)
	}
	if ok, wait := s.login.Allow(clientIP(r) + "|" + name); !ok {
		w.Header().Set("Retry-After", strings.TrimSuffix((wait+time.Second).Truncate(time.Second).String(), "s"))
		if r.Header.Get("Accept") == "application/json" {
			writeError(w, http.StatusTooManyRequests, "rate_limited", "too many login attempts; wait and try again")
			return
		}
		fail("rate_limited")
		return
	}
	u, hash, err := s.store.UserByName(r.Context(), name)
	if err != nil {
		auth.BurnTime(password)
		fail("bad_credentials")
		return
	}
	if !auth.CheckPassword(hash, password) {
		fail("bad_credentials")
		return
	}
	token, th := auth.NewToken()
	exp := time.Now().Add(s.cfg.SessionTTL)
	if err := s.store.CreateSession(r.Context(), th, u.ID, exp); err != nil {
		s.log.Error("api: create session", "err", err)
		fail("internal")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: token, Path: "/", Expires: exp, HttpOnly: true,
		Secure: s.cfg.SecureCookies || r.TLS != nil, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// safeNext keeps post-login redirects on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/"
	}
	return next
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(CookieName); err == nil {
		if err := s.store.DeleteSession(r.Context(), auth.TokenHash(c.Value)); err != nil {
			s.log.Error("api: delete session", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// Me is the answer of GET /api/me.
type Me struct {
	User     model.User  `json:"user"`
	Projects []MyProject `json:"projects"`
}

// MyProject is a project the user belongs to, with its documents.
type MyProject struct {
	model.Project
	Role      model.Role           `json:"role"`
	Documents []store.DocumentInfo `json:"documents"`
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request, u model.User) {
	ms, err := s.store.Memberships(r.Context(), u.ID)
	if err != nil {
		s.log.Error("api: memberships", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "internal error")
		return
	}
	me := Me{User: u, Projects: []MyProject{}}
	for _, m := range ms {
		docs, err := s.store.Documents(r.Context(), m.Project.ID)
		if err != nil {
			s.log.Error("api: documents", "err", err)
			writeError(w, http.StatusInternalServerError, "internal", "internal error")
			return
		}
		me.Projects = append(me.Projects, MyProject{Project: m.Project, Role: m.Role, Documents: docs})
	}
	writeJSON(w, http.StatusOK, me)
}

func (s *Server) handleDocuments(w http.ResponseWriter, r *http.Request, u model.User) {
	p, _, ok := s.projectRole(w, r, u)
	if !ok {
		return
	}
	docs, err := s.store.Documents(r.Context(), p.ID)
	if err != nil {
		s.log.Error("api: documents", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "internal error")
		return
	}
	writeJSON(w, http.StatusOK, docs)
}
