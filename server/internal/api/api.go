// Package api is Gloss's HTTP surface: login, the JSON API, the websocket
// endpoint, exports, and the go-app pages. Every route that reads or
// writes project data checks the user's role in that project here, on the
// server; the UI hiding a button is never the protection.
package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gloss/server/internal/auth"
	"gloss/server/internal/hub"
	"gloss/server/internal/store"
	"gloss/shared/model"
)

// Config is the API's share of the server configuration.
type Config struct {
	// SecureCookies marks the session cookie Secure; set when serving TLS
	// (directly or behind a TLS-terminating proxy).
	SecureCookies bool
	// AllowedOrigins lists extra origins (scheme://host:port) allowed to
	// open websockets and send state-changing requests, besides the
	// request's own host.
	AllowedOrigins []string
	// SessionTTL is how long a login lasts.
	SessionTTL time.Duration
	// ToolVersion is reported in exports' dataset cards.
	ToolVersion string
}

// Server holds the API's dependencies.
type Server struct {
	store store.Store
	hub   *hub.Hub
	log   *slog.Logger
	cfg   Config
	pages http.Handler
	login *auth.Limiter
}

// New returns the API. pages serves everything the API does not: the
// go-app handler with the app's routes and static assets.
func New(st store.Store, h *hub.Hub, log *slog.Logger, cfg Config, pages http.Handler) *Server {
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 14 * 24 * time.Hour
	}
	return &Server{store: st, hub: h, log: log, cfg: cfg, pages: pages, login: auth.NewLimiter(5, 20*time.Second)}
}

// Handler returns the routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/login", s.handleLogin)
	mux.HandleFunc("POST /api/logout", s.handleLogout)
	mux.HandleFunc("GET /api/me", s.authed(s.handleMe))
	mux.HandleFunc("GET /api/projects/{id}/documents", s.authed(s.handleDocuments))
	mux.HandleFunc("GET /api/projects/{id}/export", s.authed(s.handleExport))
	mux.HandleFunc("GET /ws", s.handleWS)
	mux.Handle("/", s.pages)
	return s.securityHeaders(s.checkOrigin(mux))
}

// securityHeaders sets headers that make injected markup harmless even if
// escaping ever failed: no inline scripts from elsewhere, no framing.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// checkOrigin refuses cross-site state-changing requests (CSRF): a
// browser always sends Origin on POST/PUT/PATCH/DELETE, and Sec-Fetch-Site
// in every modern browser, so a request from another site is recognisable.
// Requests with neither header come from non-browser clients, which cannot
// carry a victim's cookies; they must authenticate explicitly.
func (s *Server) checkOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if !s.sameOrigin(r) {
				writeError(w, http.StatusForbidden, "cross_origin", "cross-origin request refused")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// sameOrigin reports whether r comes from a page of this site (or an
// allowed origin). Also used for the websocket upgrade.
func (s *Server) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		site := r.Header.Get("Sec-Fetch-Site")
		return site == "" || site == "same-origin" || site == "none"
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, o := range s.cfg.AllowedOrigins {
		if strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeError answers with the same error shape the websocket uses.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"type": "error", "code": code, "message": msg})
}

// projectRole parses {id} and returns the project and the user's role in
// it. Non-members get 404, not 403, so project IDs do not leak.
func (s *Server) projectRole(w http.ResponseWriter, r *http.Request, u model.User) (model.Project, model.Role, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "project id must be a number")
		return model.Project{}, "", false
	}
	role, err := s.store.Role(r.Context(), id, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no such project")
		return model.Project{}, "", false
	}
	if err != nil {
		s.log.Error("api: role", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "internal error")
		return model.Project{}, "", false
	}
	p, err := s.store.Project(r.Context(), id)
	if err != nil {
		s.log.Error("api: project", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "internal error")
		return model.Project{}, "", false
	}
	return p, role, true
}
