package api

import (
	"errors"
	"net/http"
	"strconv"

	"gloss/app/view"
	"gloss/server/internal/pages"
	"gloss/server/internal/store"
)

// handleStoryPage serves the story view /stories/{id} with its table
// already in the HTML for the logged-in member (as they may see it:
// blind annotation applies), so the comparison shows before the wasm
// has started; the wasm replaces it with the live table. Not logged in:
// the bare page (the app sends them to the login); no such story, or
// not a member: the bare page with 404.
func (s *Server) handleStoryPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.authenticate(r)
	if err != nil {
		s.pages.ServeHTTP(w, r)
		return
	}
	id, perr := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if perr != nil || id <= 0 {
		s.pages.ServeHTTP(w, pages.WithStatus(r, http.StatusNotFound))
		return
	}
	ctx := r.Context()
	st, err := s.store.Story(ctx, id)
	if err != nil {
		s.storyPageFailed(w, r, id, err)
		return
	}
	role, err := s.store.Role(ctx, st.Project, p.user.ID)
	if err != nil {
		s.storyPageFailed(w, r, id, err)
		return
	}
	views, err := viewsOf(ctx, s.store, st.Project, role, p.user)
	if err != nil {
		s.storyPageFailed(w, r, id, err)
		return
	}
	t, err := StoryTable(ctx, s.store, st, views)
	if err != nil {
		s.storyPageFailed(w, r, id, err)
		return
	}
	s.pages.ServeHTTP(w, pages.WithHTML(r, view.RenderStory(t)))
}

// storyPageFailed serves the story page without its table: 404 for a
// story that does not exist or is not the user's, else the bare page
// (the wasm loads the table itself).
func (s *Server) storyPageFailed(w http.ResponseWriter, r *http.Request, id int64, err error) {
	if errors.Is(err, store.ErrNotFound) {
		s.pages.ServeHTTP(w, pages.WithStatus(r, http.StatusNotFound))
		return
	}
	s.log.Error("api: pre-render story", "story", id, "err", err)
	s.pages.ServeHTTP(w, r)
}
