package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"gloss/server/internal/manage"
	"gloss/server/internal/store"
	"gloss/shared/httpapi"
	"gloss/shared/model"
)

func (s *Server) handleProject(w http.ResponseWriter, r *http.Request, u model.User) {
	p, role, ok := s.access(w, r, u)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, ProjectView{Project: p, Role: role})
}

// confirmDelete is the value of "confirm" that lets a schema change
// delete the annotations of a removed label.
const confirmDelete = "delete-annotations"

// CheckSchema validates a schema as an admin submits it.
func CheckSchema(sc model.Schema) error { return sc.Validate() }

// checkRenames validates label renames from old to the new schema: each
// renames an existing label to one of the new schema's, no two to the
// same, and none onto a label that exists and stays.
func checkRenames(old, next model.Schema, renames map[string]string) error {
	to := map[string]string{}
	for from, dst := range renames {
		if from == dst {
			continue
		}
		if _, ok := old.Label(from); !ok {
			return fmt.Errorf("cannot rename %q: the schema has no such label", from)
		}
		if _, ok := next.Label(dst); !ok {
			return fmt.Errorf("cannot rename %q to %q: the new schema has no label %q", from, dst, dst)
		}
		if other, dup := to[dst]; dup {
			return fmt.Errorf("cannot rename both %q and %q to %q", other, from, dst)
		}
		to[dst] = from
		if _, exists := old.Label(dst); exists {
			if _, movesAway := renames[dst]; !movesAway || renames[dst] == dst {
				return fmt.Errorf("cannot rename %q to %q: %q already exists (remove or rename it first)", from, dst, dst)
			}
		}
	}
	return nil
}

// handleSchema replaces a project's schema (admins). Removing a label or
// relation type that is in use is refused with 409 and the counts, unless
// the query has confirm=delete-annotations: then those annotations are
// deleted, through the op log, like every other change.
func (s *Server) handleSchema(w http.ResponseWriter, r *http.Request, u model.User) {
	p, _, ok := s.access(w, r, u, model.RoleAdmin)
	if !ok {
		return
	}
	var req SchemaRequest
	if !readJSON(w, r, 256<<10, &req) {
		return
	}
	if req.Schema.Relations == nil {
		req.Schema.Relations = []string{}
	}
	if err := CheckSchema(req.Schema); err != nil {
		writeError(w, http.StatusBadRequest, "bad_schema", err.Error())
		return
	}
	if err := checkRenames(p.Schema, req.Schema, req.Renames); err != nil {
		writeError(w, http.StatusBadRequest, "bad_schema", err.Error())
		return
	}
	res, err := s.store.UpdateSchema(r.Context(), p.ID, store.SchemaChange{Schema: req.Schema, Renames: req.Renames, By: u.Name,
		DeleteInUse: r.URL.Query().Get("confirm") == confirmDelete})
	var inUse *store.InUseError
	if errors.As(err, &inUse) {
		body := httpapi.NewError("in_use", strings.TrimPrefix(inUse.Error(), "store: ")+
			". Rename instead of removing, or remove with ?confirm="+confirmDelete+" to delete them.")
		body.Labels, body.Relations = inUse.Labels, inUse.Relations
		writeJSON(w, http.StatusConflict, body)
		return
	}
	if err != nil {
		s.internal(w, "update schema", err)
		return
	}
	s.projectChanged(p.ID)
	p.Schema = req.Schema
	writeJSON(w, http.StatusOK, httpapi.SchemaAnswer{Project: p, Result: schemaResult(res)})
}

func (s *Server) handleMembers(w http.ResponseWriter, r *http.Request, u model.User) {
	p, _, ok := s.access(w, r, u, model.RoleAdmin)
	if !ok {
		return
	}
	ms, err := s.store.Members(r.Context(), p.ID)
	if err != nil {
		s.internal(w, "members", err)
		return
	}
	writeJSON(w, http.StatusOK, convert(ms, member))
}

// memberAdmin checks that the user may manage the members of {id}: its
// admins may, and site admins may for any project (to recover one whose
// admins are gone).
func (s *Server) memberAdmin(w http.ResponseWriter, r *http.Request, u model.User) (int64, bool) {
	if who(r).siteAdmin {
		id, ok := pathID(w, r, "id")
		if !ok {
			return 0, false
		}
		if _, err := s.store.Project(r.Context(), id); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				writeError(w, http.StatusNotFound, "not_found", "no such project")
			} else {
				s.internal(w, "project", err)
			}
			return 0, false
		}
		return id, true
	}
	p, _, ok := s.access(w, r, u, model.RoleAdmin)
	return p.ID, ok
}

// handleSetMember adds a member or changes their role: {"name", "role"}.
func (s *Server) handleSetMember(w http.ResponseWriter, r *http.Request, u model.User) {
	projectID, ok := s.memberAdmin(w, r, u)
	if !ok {
		return
	}
	var req httpapi.SetMemberRequest
	if !readJSON(w, r, 4<<10, &req) {
		return
	}
	m, _, err := s.store.UserByName(r.Context(), req.Name)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no_user", fmt.Sprintf("there is no user called %q", req.Name))
		return
	}
	if err != nil {
		s.internal(w, "user", err)
		return
	}
	err = s.rules.SetMember(r.Context(), projectID, m.ID, req.Role)
	if errors.Is(err, manage.ErrLastAdmin) {
		writeError(w, http.StatusConflict, "last_admin", m.Name+" is the project's only admin: make someone else admin first")
		return
	}
	if ruleError(w, err) {
		return
	}
	if err != nil {
		s.internal(w, "set member", err)
		return
	}
	writeJSON(w, http.StatusOK, httpapi.Member{User: m, Role: req.Role})
}

// handleRemoveMember ends a membership; {user} is the user's ID.
func (s *Server) handleRemoveMember(w http.ResponseWriter, r *http.Request, u model.User) {
	projectID, ok := s.memberAdmin(w, r, u)
	if !ok {
		return
	}
	userID, ok := pathID(w, r, "user")
	if !ok {
		return
	}
	err := s.rules.RemoveMember(r.Context(), projectID, userID)
	if ruleError(w, err) {
		return
	}
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "not a member of this project")
		return
	}
	if err != nil {
		s.internal(w, "remove member", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
