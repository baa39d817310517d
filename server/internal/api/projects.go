package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"gloss/server/internal/store"
	"gloss/shared/model"
)

// ProjectView is the answer of GET /api/projects/{id}.
type ProjectView struct {
	model.Project
	Role model.Role `json:"role"`
}

func (s *Server) handleProject(w http.ResponseWriter, r *http.Request, u model.User) {
	p, role, ok := s.access(w, r, u)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, ProjectView{Project: p, Role: role})
}

// Schema limits. Keys are single letters or digits; the desk uses r and w
// for its own shortcuts (link, snap to words).
const (
	maxLabels     = 50
	maxRelations  = 20
	maxNameLen    = 40
	maxGuideline  = 500
	reservedKeys  = "rw"
	confirmDelete = "delete-annotations"
)

// checkName says why name cannot name a label or relation type.
func checkName(what, name string) error {
	n := utf8.RuneCountInString(name)
	if n == 0 || n > maxNameLen {
		return fmt.Errorf("%s name %q must be 1–%d characters", what, name, maxNameLen)
	}
	if strings.TrimSpace(name) != name {
		return fmt.Errorf("%s name %q starts or ends with a space", what, name)
	}
	for _, c := range name {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != '-' && c != '_' && c != ' ' {
			return fmt.Errorf("%s name %q may hold only letters, digits, '-', '_' and spaces", what, name)
		}
	}
	return nil
}

// CheckSchema validates a schema as an admin submits it; the CLI uses it too.
func CheckSchema(sc model.Schema) error {
	if len(sc.Labels) == 0 || len(sc.Labels) > maxLabels {
		return fmt.Errorf("a schema has 1–%d labels", maxLabels)
	}
	if len(sc.Relations) > maxRelations {
		return fmt.Errorf("a schema has at most %d relation types", maxRelations)
	}
	names, keys := map[string]string{}, map[string]string{}
	for _, l := range sc.Labels {
		if err := checkName("label", l.Name); err != nil {
			return err
		}
		if other, dup := names[strings.ToLower(l.Name)]; dup {
			return fmt.Errorf("labels %q and %q have the same name", other, l.Name)
		}
		names[strings.ToLower(l.Name)] = l.Name
		if !validColor(l.Color) {
			return fmt.Errorf("label %q: colour %q must be #rrggbb", l.Name, l.Color)
		}
		if l.Key != "" {
			k := []rune(l.Key)
			if len(k) != 1 || !unicode.IsLetter(k[0]) && !unicode.IsDigit(k[0]) {
				return fmt.Errorf("label %q: the shortcut key must be one letter or digit, not %q", l.Name, l.Key)
			}
			lk := strings.ToLower(l.Key)
			if strings.Contains(reservedKeys, lk) {
				return fmt.Errorf("label %q: key %q is taken by the desk (r links spans, w snaps to words)", l.Name, l.Key)
			}
			if other, dup := keys[lk]; dup {
				return fmt.Errorf("labels %q and %q have the same shortcut key %q", other, l.Name, l.Key)
			}
			keys[lk] = l.Name
		}
		if utf8.RuneCountInString(l.Guideline) > maxGuideline {
			return fmt.Errorf("label %q: the guideline is longer than %d characters", l.Name, maxGuideline)
		}
	}
	rels := map[string]bool{}
	for _, rt := range sc.Relations {
		if err := checkName("relation type", rt); err != nil {
			return err
		}
		if rels[strings.ToLower(rt)] {
			return fmt.Errorf("relation type %q is listed twice", rt)
		}
		rels[strings.ToLower(rt)] = true
	}
	return nil
}

func validColor(c string) bool {
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	for _, x := range c[1:] {
		if !('0' <= x && x <= '9' || 'a' <= x && x <= 'f' || 'A' <= x && x <= 'F') {
			return false
		}
	}
	return true
}

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

// SchemaRequest is the body of PUT /api/projects/{id}/schema.
type SchemaRequest struct {
	Schema model.Schema `json:"schema"`
	// Renames maps old label names to new ones; the project's annotations
	// are relabelled in the same transaction.
	Renames map[string]string `json:"renames"`
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
		writeJSON(w, http.StatusConflict, map[string]any{
			"type": "error", "code": "in_use",
			"message": strings.TrimPrefix(inUse.Error(), "store: ") +
				". Rename instead of removing, or remove with ?confirm=" + confirmDelete + " to delete them.",
			"labels": inUse.Labels, "relations": inUse.Relations,
		})
		return
	}
	if err != nil {
		s.internal(w, "update schema", err)
		return
	}
	s.projectChanged(p.ID)
	p.Schema = req.Schema
	writeJSON(w, http.StatusOK, map[string]any{"project": p, "result": res})
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
	writeJSON(w, http.StatusOK, ms)
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

// lastAdmin reports whether userID is the project's only admin.
func (s *Server) lastAdmin(r *http.Request, projectID, userID int64) (bool, error) {
	ms, err := s.store.Members(r.Context(), projectID)
	if err != nil {
		return false, err
	}
	admins, isAdmin := 0, false
	for _, m := range ms {
		if m.Role == model.RoleAdmin {
			admins++
			isAdmin = isAdmin || m.User.ID == userID
		}
	}
	return isAdmin && admins == 1, nil
}

// handleSetMember adds a member or changes their role: {"name", "role"}.
func (s *Server) handleSetMember(w http.ResponseWriter, r *http.Request, u model.User) {
	projectID, ok := s.memberAdmin(w, r, u)
	if !ok {
		return
	}
	var req struct {
		Name string     `json:"name"`
		Role model.Role `json:"role"`
	}
	if !readJSON(w, r, 4<<10, &req) {
		return
	}
	if !req.Role.Valid() {
		writeError(w, http.StatusBadRequest, "bad_role", fmt.Sprintf("role %q is not admin, reviewer, annotator or viewer", req.Role))
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
	if req.Role != model.RoleAdmin {
		last, err := s.lastAdmin(r, projectID, m.ID)
		if err != nil {
			s.internal(w, "members", err)
			return
		}
		if last {
			writeError(w, http.StatusConflict, "last_admin", m.Name+" is the project's only admin: make someone else admin first")
			return
		}
	}
	if err := s.store.SetMember(r.Context(), projectID, m.ID, req.Role); err != nil {
		s.internal(w, "set member", err)
		return
	}
	s.projectChanged(projectID)
	writeJSON(w, http.StatusOK, store.ProjectMember{User: m, Role: req.Role})
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
	last, err := s.lastAdmin(r, projectID, userID)
	if err != nil {
		s.internal(w, "members", err)
		return
	}
	if last {
		writeError(w, http.StatusConflict, "last_admin", "this is the project's only admin: make someone else admin first")
		return
	}
	err = s.store.RemoveMember(r.Context(), projectID, userID)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "not a member of this project")
		return
	}
	if err != nil {
		s.internal(w, "remove member", err)
		return
	}
	s.projectChanged(projectID)
	w.WriteHeader(http.StatusNoContent)
}
