package api

import (
	"errors"
	"net/http"
	"strings"

	"gloss/server/internal/auth"
	"gloss/server/internal/store"
	"gloss/shared/httpapi"
	"gloss/shared/model"
)

// requireSiteAdmin answers 403 unless the user is a site admin.
func requireSiteAdmin(w http.ResponseWriter, r *http.Request) bool {
	if !who(r).siteAdmin {
		writeError(w, http.StatusForbidden, "forbidden", "only site admins may do this")
		return false
	}
	return true
}

// handleUsers lists every account (site admins only).
func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request, u model.User) {
	if !requireSiteAdmin(w, r) {
		return
	}
	us, err := s.store.Users(r.Context())
	if err != nil {
		s.internal(w, "users", err)
		return
	}
	writeJSON(w, http.StatusOK, convert(us, account))
}

// handleCreateUser creates an account (site admins only). The user should
// change the password they were given (POST /api/me/password).
func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request, u model.User) {
	if !requireSiteAdmin(w, r) {
		return
	}
	var req httpapi.CreateUserRequest
	if !readJSON(w, r, 8<<10, &req) {
		return
	}
	if err := auth.CheckUserName(req.Name); err != nil {
		writeError(w, http.StatusBadRequest, "bad_name", strings.TrimPrefix(err.Error(), "auth: "))
		return
	}
	hash, err := auth.HashPassword(req.Password)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_password", strings.TrimPrefix(err.Error(), "auth: "))
		return
	}
	nu, err := s.store.CreateUser(r.Context(), req.Name, hash)
	if errors.Is(err, store.ErrExists) {
		writeError(w, http.StatusConflict, "exists", "there is already a user called "+req.Name)
		return
	}
	if err != nil {
		s.internal(w, "create user", err)
		return
	}
	if req.SiteAdmin {
		if err := s.store.SetSiteAdmin(r.Context(), nu.ID, true); err != nil {
			s.internal(w, "set site admin", err)
			return
		}
	}
	writeJSON(w, http.StatusCreated, httpapi.Account{User: nu, SiteAdmin: req.SiteAdmin})
}

// handleProjects lists every project for a site admin, and the caller's
// own projects for anyone else.
func (s *Server) handleProjects(w http.ResponseWriter, r *http.Request, u model.User) {
	ms, err := s.store.Memberships(r.Context(), u.ID)
	if err != nil {
		s.internal(w, "memberships", err)
		return
	}
	role := map[int64]model.Role{}
	out := []ProjectEntry{}
	for _, m := range ms {
		role[m.Project.ID] = m.Role
		out = append(out, ProjectEntry{ID: m.Project.ID, Name: m.Project.Name, Role: m.Role})
	}
	if who(r).siteAdmin {
		ps, err := s.store.Projects(r.Context())
		if err != nil {
			s.internal(w, "projects", err)
			return
		}
		out = out[:0]
		for _, p := range ps {
			out = append(out, ProjectEntry{ID: p.ID, Name: p.Name, Role: role[p.ID]})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// handleCreateProject creates a project with the default schema and makes
// its creator its admin (site admins only).
func (s *Server) handleCreateProject(w http.ResponseWriter, r *http.Request, u model.User) {
	if !requireSiteAdmin(w, r) {
		return
	}
	var req httpapi.CreateProjectRequest
	if !readJSON(w, r, 8<<10, &req) {
		return
	}
	p, err := s.rules.CreateProject(r.Context(), req.Name, model.DefaultSchema(), u.ID)
	if ruleError(w, err) {
		return
	}
	if err != nil {
		s.internal(w, "create project", err)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}
