package api

import (
	"context"
	"net/http"
	"time"

	"gloss/server/internal/suggester"
	"gloss/shared/httpapi"
	"gloss/shared/model"
)

// suggestImported runs the suggester on newly imported documents when the
// project's settings ask for it, and returns how many spans it added.
func (s *Server) suggestImported(ctx context.Context, projectID int64, docs []model.Document) (int, error) {
	set, err := s.store.ProjectSettings(ctx, projectID)
	if err != nil || !set.Suggest {
		return 0, err
	}
	n := 0
	for _, d := range docs {
		res, err := suggester.Run(ctx, s.store, d.ID, time.Now())
		if err != nil {
			return n, err
		}
		s.committedElsewhere(d.ID, res.Seq)
		n += res.Added
	}
	return n, nil
}

// committedElsewhere tells the document's live room, if one is open, that
// ops were committed outside it, so that it reads and broadcasts them.
func (s *Server) committedElsewhere(doc, seq int64) {
	if s.hub != nil && seq > 0 {
		s.hub.Notify(doc, seq)
	}
}

// handleSuggest (POST /api/documents/{id}/suggest) fills the document's
// suggest layer; any member who annotates may ask. Running it again adds
// only what is new: dismissed suggestions stay dismissed.
func (s *Server) handleSuggest(w http.ResponseWriter, r *http.Request, u model.User) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	if !s.annotatorOf(w, r, u, id, "suggest") {
		return
	}
	res, err := suggester.Run(r.Context(), s.store, id, time.Now())
	if err != nil {
		s.internal(w, "suggest", err)
		return
	}
	s.committedElsewhere(id, res.Seq)
	writeJSON(w, http.StatusOK, httpapi.SuggestResult{Added: res.Added, Relations: res.Relations, Skipped: res.Skipped})
}

// handleSettings (GET /api/projects/{id}/settings) answers the project's
// settings to its members.
func (s *Server) handleSettings(w http.ResponseWriter, r *http.Request, u model.User) {
	p, _, ok := s.access(w, r, u)
	if !ok {
		return
	}
	set, err := s.store.ProjectSettings(r.Context(), p.ID)
	if err != nil {
		s.internal(w, "settings", err)
		return
	}
	writeJSON(w, http.StatusOK, set)
}

// handleSetSettings (PUT /api/projects/{id}/settings) sets them
// (project admins). Fields the body leaves out keep their values, so that
// {"suggest":false} does not switch blind annotation off by the way.
func (s *Server) handleSetSettings(w http.ResponseWriter, r *http.Request, u model.User) {
	p, _, ok := s.access(w, r, u, model.RoleAdmin)
	if !ok {
		return
	}
	set, err := s.store.ProjectSettings(r.Context(), p.ID)
	if err != nil {
		s.internal(w, "settings", err)
		return
	}
	if !readJSON(w, r, 1<<10, &set) {
		return
	}
	if err := s.store.SetProjectSettings(r.Context(), p.ID, set); err != nil {
		s.internal(w, "set settings", err)
		return
	}
	s.projectChanged(p.ID) // blind annotation may have changed what members see
	writeJSON(w, http.StatusOK, set)
}
