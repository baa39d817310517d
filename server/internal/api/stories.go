package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"gloss/server/internal/store"
	"gloss/shared/httpapi"
	"gloss/shared/model"
	"gloss/shared/story"
)

// Limits of what stories and document metadata hold, in characters.
const (
	MaxStoryName = 200
	MaxTitle     = 300
	MaxOutlet    = 200
)

// Figures export formats of GET /api/stories/{id}/figures.
const (
	FiguresCSV   = "csv"
	FiguresJSONL = "jsonl"
)

func storyOut(s store.Story) httpapi.Story {
	out := httpapi.Story{ID: s.ID, Project: s.Project, Name: s.Name, Documents: make([]httpapi.StoryDocument, len(s.Documents))}
	for i, d := range s.Documents {
		out.Documents[i] = storyDocument(d)
	}
	return out
}

func storyDocument(d store.StoryDocument) httpapi.StoryDocument {
	return httpapi.StoryDocument{ID: d.ID, Title: d.Title, Outlet: d.Outlet, Published: d.Published}
}

// CheckStoryName trims a story name and says why it cannot be one.
func CheckStoryName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", errors.New("a story needs a name")
	}
	if n := utf8.RuneCountInString(name); n > MaxStoryName || strings.ContainsAny(name, "\r\n") {
		return "", fmt.Errorf("a story name is one line of at most %d characters", MaxStoryName)
	}
	return name, nil
}

// MetaChanges checks a DocumentMetaChange and returns it as the changes
// store.SetDocumentMeta takes (an empty value clears). A publication time
// must be one story.ParsePublished reads, so that the story view can
// order by it. The HTTP API and the CLI share it.
func MetaChanges(c httpapi.DocumentMetaChange) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range []struct {
		key   string
		v     *string
		limit int
	}{{store.MetaTitle, c.Title, MaxTitle}, {story.MetaOutlet, c.Outlet, MaxOutlet}, {story.MetaPublished, c.Published, 64}} {
		if f.v == nil {
			continue
		}
		v := strings.TrimSpace(*f.v)
		if utf8.RuneCountInString(v) > f.limit || strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("%s is one line of at most %d characters", f.key, f.limit)
		}
		if f.key == story.MetaPublished && v != "" {
			if _, ok := story.ParsePublished(v); !ok {
				return nil, fmt.Errorf("published %q is not a date or time like 2024-03-22 or 2024-03-22T21:00:00Z", v)
			}
		}
		out[f.key] = v
	}
	if len(out) == 0 {
		return nil, errors.New("nothing to change: give title, outlet or published")
	}
	return out, nil
}

// storyError answers the store's refusals of a story change and reports
// whether err was one.
func storyError(w http.ResponseWriter, err error) bool {
	var other *store.OtherProjectError
	switch {
	case errors.As(err, &other):
		ids := make([]string, len(other.Documents))
		for i, id := range other.Documents {
			ids[i] = fmt.Sprint(id)
		}
		writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("document(s) %s are not in this project: a story holds documents of its own project only",
			strings.Join(ids, ", ")))
		return true
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "no such story")
		return true
	}
	return false
}

// storyAccess parses {id} as a story and checks that u is a member of its
// project with one of the allowed roles (any if none). A story of a
// project u is not in answers exactly as a missing one.
func (s *Server) storyAccess(w http.ResponseWriter, r *http.Request, u model.User, allowed ...model.Role) (store.Story, model.Role, bool) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return store.Story{}, "", false
	}
	st, err := s.store.Story(r.Context(), id)
	var role model.Role
	if err == nil {
		role, err = s.store.Role(r.Context(), st.Project, u.ID)
	}
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no such story")
		return st, role, false
	}
	if err != nil {
		s.internal(w, "story", err)
		return st, role, false
	}
	if len(allowed) > 0 && !slices.Contains(allowed, role) {
		writeError(w, http.StatusForbidden, "forbidden", fmt.Sprintf("you are %s of this project: only its admins change stories", role.Article()))
		return st, role, false
	}
	return st, role, true
}

// handleStories lists a project's stories (members).
func (s *Server) handleStories(w http.ResponseWriter, r *http.Request, u model.User) {
	p, _, ok := s.access(w, r, u)
	if !ok {
		return
	}
	ss, err := s.store.Stories(r.Context(), p.ID)
	if err != nil {
		s.internal(w, "stories", err)
		return
	}
	writeJSON(w, http.StatusOK, convert(ss, storyOut))
}

// handleCreateStory creates a story of a project (admins): a name and,
// optionally, its documents, which leave any other story.
func (s *Server) handleCreateStory(w http.ResponseWriter, r *http.Request, u model.User) {
	p, _, ok := s.access(w, r, u, model.RoleAdmin)
	if !ok {
		return
	}
	var req httpapi.StoryChange
	if !readJSON(w, r, 64<<10, &req) {
		return
	}
	if req.Name == nil {
		writeError(w, http.StatusBadRequest, "bad_request", "a story needs a name")
		return
	}
	name, err := CheckStoryName(*req.Name)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	var docs []int64
	if req.Documents != nil {
		docs = *req.Documents
	}
	st, err := s.store.CreateStory(r.Context(), p.ID, name, docs)
	if storyError(w, err) {
		return
	}
	if err != nil {
		s.internal(w, "create story", err)
		return
	}
	s.log.Info("api: create story", "project", p.ID, "story", st.ID, "user", u.Name, "documents", len(st.Documents))
	writeJSON(w, http.StatusCreated, storyOut(st))
}

// handleStory answers one story (members).
func (s *Server) handleStory(w http.ResponseWriter, r *http.Request, u model.User) {
	st, _, ok := s.storyAccess(w, r, u)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, storyOut(st))
}

// handleUpdateStory renames and/or regroups a story (admins) in one
// transaction.
func (s *Server) handleUpdateStory(w http.ResponseWriter, r *http.Request, u model.User) {
	st, _, ok := s.storyAccess(w, r, u, model.RoleAdmin)
	if !ok {
		return
	}
	var req httpapi.StoryChange
	if !readJSON(w, r, 64<<10, &req) {
		return
	}
	change := store.StoryChange{Documents: req.Documents}
	if req.Name != nil {
		name, err := CheckStoryName(*req.Name)
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_request", err.Error())
			return
		}
		change.Name = &name
	}
	if change.Name == nil && change.Documents == nil {
		writeError(w, http.StatusBadRequest, "bad_request", "nothing to change: give name and/or documents")
		return
	}
	st, err := s.store.UpdateStory(r.Context(), st.ID, change)
	if storyError(w, err) {
		return
	}
	if err != nil {
		s.internal(w, "update story", err)
		return
	}
	writeJSON(w, http.StatusOK, storyOut(st))
}

// handleDeleteStory deletes a story (admins); its documents stay.
func (s *Server) handleDeleteStory(w http.ResponseWriter, r *http.Request, u model.User) {
	st, _, ok := s.storyAccess(w, r, u, model.RoleAdmin)
	if !ok {
		return
	}
	err := s.store.DeleteStory(r.Context(), st.ID)
	if storyError(w, err) {
		return
	}
	if err != nil {
		s.internal(w, "delete story", err)
		return
	}
	s.log.Info("api: delete story", "story", st.ID, "user", u.Name)
	w.WriteHeader(http.StatusNoContent)
}

// handleDocumentMeta edits a document's title, outlet and publication
// time (admins of its project). A document of a project the user is not
// in answers exactly as a missing one.
func (s *Server) handleDocumentMeta(w http.ResponseWriter, r *http.Request, u model.User) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	var req httpapi.DocumentMetaChange
	if !readJSON(w, r, 8<<10, &req) {
		return
	}
	ctx := r.Context()
	d, err := s.store.Document(ctx, id)
	var role model.Role
	if err == nil {
		role, err = s.store.Role(ctx, d.ProjectID, u.ID)
	}
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no such document")
		return
	}
	if err != nil {
		s.internal(w, "document meta", err)
		return
	}
	if role != model.RoleAdmin {
		writeError(w, http.StatusForbidden, "forbidden", fmt.Sprintf("you are %s of this project: only its admins edit documents' details", role.Article()))
		return
	}
	changes, err := MetaChanges(req)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	if err := s.store.SetDocumentMeta(ctx, id, changes); err != nil {
		s.internal(w, "document meta", err)
		return
	}
	if d, err = s.store.Document(ctx, id); err != nil {
		s.internal(w, "document meta", err)
		return
	}
	writeJSON(w, http.StatusOK, storyDocument(store.StoryDocumentOf(d)))
}

// StoryTable builds a story's figure table from every member document's
// current state (every layer; story.Build sorts them out). Columns are
// named by the documents' titles, as the story view names them.
func StoryTable(ctx context.Context, st store.Store, s store.Story, view func(int64, model.DocReview) model.View) (story.Table, error) {
	docs, _, err := storyDocs(ctx, st, s, view)
	if err != nil {
		return story.Table{}, err
	}
	return story.Build(story.Story{ID: s.ID, Name: s.Name, Documents: docs}), nil
}

// storyDocs reads the documents of story s, each as view shows it (blind
// annotation; nil: everything, as for the CLI), with the seq each was
// read at.
func storyDocs(ctx context.Context, st store.Store, s store.Story, view func(int64, model.DocReview) model.View) ([]story.Document, []int64, error) {
	docs := make([]story.Document, 0, len(s.Documents))
	seqs := make([]int64, 0, len(s.Documents))
	for _, sd := range s.Documents {
		d, err := st.Document(ctx, sd.ID)
		if err != nil {
			return nil, nil, err
		}
		snap, err := st.Snapshot(ctx, sd.ID)
		if err != nil {
			return nil, nil, err
		}
		anns, rels := snap.Annotations, snap.Relations
		if view != nil {
			anns, rels, _, _ = view(sd.ID, snap.DocReview).Filter(anns, rels, nil, nil)
		}
		doc := story.FromModel(d, anns, rels)
		doc.Name = sd.Title
		docs = append(docs, doc)
		seqs = append(seqs, snap.Seq)
	}
	return docs, seqs, nil
}

// handleStoryState answers a story with its documents' annotations and
// relations as the member may see them: the story view's first paint,
// one request instead of one websocket per article.
func (s *Server) handleStoryState(w http.ResponseWriter, r *http.Request, u model.User) {
	st, role, ok := s.storyAccess(w, r, u)
	if !ok {
		return
	}
	view, err := viewsOf(r.Context(), s.store, st.Project, role, u)
	if err != nil {
		s.internal(w, "story state", err)
		return
	}
	docs, seqs, err := s.cachedStoryDocs(r.Context(), st, view)
	if err != nil {
		s.internal(w, "story state", err)
		return
	}
	out := httpapi.StoryState{Story: storyOut(st), Documents: make([]httpapi.StoryDocState, len(docs))}
	for i, d := range docs {
		out.Documents[i] = httpapi.StoryDocState{ID: d.ID, Seq: seqs[i], Annotations: nonNil(d.Annotations), Relations: nonNil(d.Relations)}
	}
	writeJSON(w, http.StatusOK, out)
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// FiguresContentType is the media type of a figures export format, or
// an error naming the formats.
func FiguresContentType(format string) (string, error) {
	switch format {
	case FiguresCSV:
		return "text/csv; charset=utf-8", nil
	case FiguresJSONL:
		return "application/x-ndjson", nil
	}
	return "", fmt.Errorf("figures format %q: use csv or jsonl", format)
}

// WriteFigures writes a story's figures, one row per figure (story.Rows),
// as CSV or JSONL. The HTTP API and the CLI share it.
func WriteFigures(w io.Writer, format string, t story.Table) error {
	rows := story.Rows(t)
	if format == FiguresJSONL {
		return story.WriteJSONL(w, rows)
	}
	return story.WriteCSV(w, rows)
}

// handleFigures exports a story's figures (members): ?format=csv
// (default) or jsonl, as a download.
func (s *Server) handleFigures(w http.ResponseWriter, r *http.Request, u model.User) {
	st, role, ok := s.storyAccess(w, r, u)
	if !ok {
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = FiguresCSV
	}
	ct, err := FiguresContentType(format)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_format", err.Error())
		return
	}
	// A blind annotator's export holds what their desk shows, no more.
	view, err := viewsOf(r.Context(), s.store, st.Project, role, u)
	if err != nil {
		s.internal(w, "figures", err)
		return
	}
	t, err := StoryTable(r.Context(), s.store, st, view)
	if err != nil {
		s.internal(w, "figures", err)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", fileName(st.Name)+"-figures."+format))
	if err := WriteFigures(w, format, t); err != nil {
		s.log.Error("api: figures", "story", st.ID, "err", err)
	}
}
