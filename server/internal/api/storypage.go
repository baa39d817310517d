package api

import (
	"net/http"

	"gloss/server/internal/pages"
	"gloss/shared/model"
)

// handleStoryPage serves the story view /stories/{id} with its table
// already in the HTML for the logged-in member (as they may see it:
// blind annotation applies), so the comparison shows before the wasm
// has started; the wasm replaces it with the live table. Not logged in:
// the bare page (the app sends them to the login); no such story, or
// not a member: the bare page with 404. The table is rendered again only
// when something it shows changed (storycache.go).
func (s *Server) handleStoryPage(w http.ResponseWriter, r *http.Request) {
	s.servePrerendered(w, r, "story", func(user model.User, id int64) (*http.Request, error) {
		ctx := r.Context()
		st, err := s.store.Story(ctx, id)
		if err != nil {
			return nil, err
		}
		role, err := s.store.Role(ctx, st.Project, user.ID)
		if err != nil {
			return nil, err
		}
		views, err := viewsOf(ctx, s.store, st.Project, role, user)
		if err != nil {
			return nil, err
		}
		html, err := s.storyPageHTML(ctx, st, views)
		if err != nil {
			return nil, err
		}
		return pages.WithHTML(r, html, pages.PaintFirst), nil
	})
}
