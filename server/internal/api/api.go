// Package api is Gloss's HTTP surface: login, the JSON API, the websocket
// endpoint, exports, and the go-app pages. Every route that reads or
// writes project data checks the user's role in that project here, on the
// server; the UI hiding a button is never the protection.
//
// Authentication is a session cookie (browsers) or an API token in an
// "Authorization: Bearer" header (scripts). Cross-site request forgery is
// refused twice over for cookie requests: checkOrigin refuses
// state-changing requests from other origins, and authed requires the
// session's CSRF token in the X-CSRF-Token header. The login form, which
// has no session yet, relies on the Origin check and SameSite cookies;
// token requests carry no ambient credential and need neither.
//
// Who may do what (see roles_test.go for the table that checks it):
//   - any member of a project: read it, its documents and exports, and
//     open its documents live (writing only the layers model.CanWrite
//     allows); non-members get 404, as if the project did not exist;
//   - annotators, reviewers, admins: mark documents done for themselves;
//   - reviewers and admins: see the progress of everyone;
//   - admins: change the schema, members, assignments, import documents,
//     create, rename, regroup and delete stories, edit documents' details
//     (title, outlet, publication time; stories.go);
//   - site admins: create accounts and projects, list all projects, and
//     set members of any project (to recover one that lost its admins).
package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"gloss/server/internal/auth"
	"gloss/server/internal/hub"
	"gloss/server/internal/importer"
	"gloss/server/internal/manage"
	"gloss/server/internal/pages"
	"gloss/server/internal/store"
	"gloss/shared/httpapi"
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
	// MaxUpload bounds the files of one import request, in bytes; 0 means
	// importer.MaxBytes.
	MaxUpload int64
	// MaxDocument bounds one imported document's text, and MaxInflated
	// what an imported zip inflates to, in bytes; 0 means export's
	// defaults.
	MaxDocument, MaxInflated int64
	// UploadTimeout is how long a client may take to send an import
	// upload, which may outlast the server's ReadTimeout; 0 means 5
	// minutes.
	UploadTimeout time.Duration
	// InlineParas is how many bytes of a document's highlighted
	// paragraphs the document page carries in its own HTML at most: a
	// short article's are all there, a longer one's are all fetched
	// beside the page (GET /doc/{id}/paras). 0 means 48 KiB; negative,
	// none.
	InlineParas int
}

// Server holds the API's dependencies.
type Server struct {
	store store.Store
	hub   *hub.Hub
	log   *slog.Logger
	cfg   Config
	pages http.Handler
	// Login limits (handleLogin): per address and name, per address,
	// and per account.
	login        *auth.Limiter
	loginAddr    *auth.Limiter
	loginAccount *auth.Backoff
	// rules changes projects, members and credentials: the same rules
	// the CLI goes through.
	rules *manage.Manager
	// storyCache keeps the story page's tables (storycache.go).
	storyCache storyCache
	// prerenders keeps the pre-rendered HTML of recently opened
	// documents (docpage.go).
	prerenders *pages.DocCache
}

// New returns the API. pages serves everything the API does not: the
// go-app handler with the app's routes and static assets.
func New(st store.Store, h *hub.Hub, log *slog.Logger, cfg Config, pages http.Handler) *Server {
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 14 * 24 * time.Hour
	}
	var live manage.Live
	if h != nil {
		live = h
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = importer.MaxBytes
	}
	if cfg.UploadTimeout <= 0 {
		cfg.UploadTimeout = 5 * time.Minute
	}
	return &Server{store: st, hub: h, log: log, cfg: cfg, pages: pages,
		login:        auth.NewLimiter(5, 20*time.Second),
		loginAddr:    auth.NewLimiter(20, 5*time.Second),
		loginAccount: auth.NewBackoff(10, time.Second, time.Minute, time.Hour),
		rules:        manage.New(st, live),
		prerenders:   newPrerenders()}
}

// Handler returns the routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/login", s.handleLogin)
	mux.HandleFunc("POST /api/logout", s.handleLogout)
	mux.HandleFunc("GET /api/me", s.authed(s.handleMe))
	mux.HandleFunc("POST /api/me/password", s.authed(s.handlePassword))
	mux.HandleFunc("GET /api/tokens", s.authed(s.handleTokens))
	mux.HandleFunc("POST /api/tokens", s.authed(s.handleCreateToken))
	mux.HandleFunc("DELETE /api/tokens/{id}", s.authed(s.handleRevokeToken))
	mux.HandleFunc("GET /api/users", s.authed(s.handleUsers))
	mux.HandleFunc("POST /api/users", s.authed(s.handleCreateUser))
	mux.HandleFunc("GET /api/projects", s.authed(s.handleProjects))
	mux.HandleFunc("POST /api/projects", s.authed(s.handleCreateProject))
	mux.HandleFunc("GET /api/projects/{id}", s.authed(s.handleProject))
	mux.HandleFunc("PUT /api/projects/{id}/schema", s.authed(s.handleSchema))
	mux.HandleFunc("GET /api/projects/{id}/members", s.authed(s.handleMembers))
	mux.HandleFunc("POST /api/projects/{id}/members", s.authed(s.handleSetMember))
	mux.HandleFunc("DELETE /api/projects/{id}/members/{user}", s.authed(s.handleRemoveMember))
	mux.HandleFunc("GET /api/projects/{id}/documents", s.authed(s.handleDocuments))
	mux.HandleFunc("POST /api/projects/{id}/documents", s.authed(s.handleImport))
	mux.HandleFunc("GET /api/projects/{id}/assignments", s.authed(s.handleAssignments))
	mux.HandleFunc("POST /api/projects/{id}/assignments", s.authed(s.handleAssign))
	mux.HandleFunc("GET /api/projects/{id}/progress", s.authed(s.handleProgress))
	mux.HandleFunc("POST /api/documents/{id}/done", s.authed(s.handleDone))
	mux.HandleFunc("POST /api/documents/{id}/suggest", s.authed(s.handleSuggest))
	mux.HandleFunc("GET /api/projects/{id}/settings", s.authed(s.handleSettings))
	mux.HandleFunc("PUT /api/projects/{id}/settings", s.authed(s.handleSetSettings))
	mux.HandleFunc("GET /api/projects/{id}/export", s.authed(s.handleExport))
	mux.HandleFunc("GET /api/projects/{id}/agreement", s.authed(s.handleAgreement))
	mux.HandleFunc("GET /api/projects/{id}/stories", s.authed(s.handleStories))
	mux.HandleFunc("POST /api/projects/{id}/stories", s.authed(s.handleCreateStory))
	mux.HandleFunc("GET /api/stories/{id}", s.authed(s.handleStory))
	mux.HandleFunc("PATCH /api/stories/{id}", s.authed(s.handleUpdateStory))
	mux.HandleFunc("DELETE /api/stories/{id}", s.authed(s.handleDeleteStory))
	mux.HandleFunc("GET /api/stories/{id}/figures", s.authed(s.handleFigures))
	mux.HandleFunc("GET /api/stories/{id}/state", s.authed(s.handleStoryState))
	mux.HandleFunc("PATCH /api/documents/{id}", s.authed(s.handleDocumentMeta))
	mux.HandleFunc("GET /ws", s.handleWS)
	mux.HandleFunc("GET /doc/{id}", s.handleDocPage)
	mux.HandleFunc("GET /doc/{id}/paras", s.handleDocParas)
	mux.HandleFunc("GET /stories/{id}", s.handleStoryPage)
	mux.Handle("/", s.pages)
	return s.securityHeaders(s.checkOrigin(mux))
}

// ContentSecurityPolicy is sent with every answer. The pages have no
// inline script: scripts come from this origin only, and wasm may be
// compiled ('wasm-unsafe-eval', which allows WebAssembly and not eval).
// Inline style attributes stay allowed (go-app and the views set some),
// style sheets come from this origin only; styles cannot run code.
// Sockets, fetches, the service worker and the manifest go to this
// origin only; nothing may frame the pages, and forms post here.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; style-src-attr 'unsafe-inline'; " +
	"img-src 'self' data:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets headers that make injected markup harmless even if
// escaping ever failed: no script from anywhere but this site, no framing.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
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
	// Same origin is same scheme and host: a page of http://host (a
	// plain-text copy of the site, open to anyone on the network) is
	// not https://host. The public scheme is https when the request came
	// over TLS, or through a TLS-terminating proxy (-secure-cookies, or
	// its X-Forwarded-Proto, which no cross-site page can set).
	scheme := "http"
	if r.TLS != nil || s.cfg.SecureCookies || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	if strings.EqualFold(u.Scheme, scheme) && strings.EqualFold(u.Host, r.Host) {
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
	writeJSON(w, status, httpapi.NewError(code, msg))
}

// ruleError answers a refusal by a manage rule with its code (409 for
// the last-admin rule, 400 for the others) and reports whether err was
// one; other errors are left to the caller.
func ruleError(w http.ResponseWriter, err error) bool {
	var re *manage.Error
	if !errors.As(err, &re) {
		return false
	}
	status := http.StatusBadRequest
	if re.Code == manage.ErrLastAdmin.Code {
		status = http.StatusConflict
	}
	writeError(w, status, re.Code, re.Msg)
	return true
}

// internal logs err and answers 500 without details.
func (s *Server) internal(w http.ResponseWriter, what string, err error) {
	s.log.Error("api: "+what, "err", err)
	writeError(w, http.StatusInternalServerError, "internal", "internal error")
}

// access parses {id}, and checks that the user is a member of that project
// with one of the allowed roles (any role if none are given). Non-members
// get 404, not 403, so project IDs do not leak; members with another role
// get 403. It answers refusals itself.
func (s *Server) access(w http.ResponseWriter, r *http.Request, u model.User, allowed ...model.Role) (model.Project, model.Role, bool) {
	p, role, ok := s.projectRole(w, r, u)
	if !ok {
		return p, role, false
	}
	if len(allowed) > 0 && !slices.Contains(allowed, role) {
		writeError(w, http.StatusForbidden, "forbidden", fmt.Sprintf("you are %s of this project: this needs another role (ask a project admin)", role.Article()))
		return p, role, false
	}
	return p, role, true
}

// pathID parses the path value name as an ID, answering 400 if it is not one.
func pathID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusBadRequest, "bad_request", name+" must be a number")
		return 0, false
	}
	return id, true
}

// projectChanged tells the hub that a project's schema or members
// changed: rooms of its documents drop what they cached (the schema, the
// roles of connected users) and bring their clients up to date.
func (s *Server) projectChanged(projectID int64) {
	if s.hub != nil {
		s.hub.ProjectChanged(projectID)
	}
}

// credentialsChanged ends a user's open websockets after their password
// changed or a token of theirs was revoked; each reconnects and is
// authenticated anew.
func (s *Server) credentialsChanged(userID int64) {
	if s.hub != nil {
		s.hub.DisconnectUser(userID)
	}
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
