package api

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"gloss/server/internal/auth"
	"gloss/server/internal/store"
	"gloss/shared/httpapi"
	"gloss/shared/model"
)

// handleTokens lists the user's API tokens (never the tokens themselves:
// only their hashes are kept).
func (s *Server) handleTokens(w http.ResponseWriter, r *http.Request, u model.User) {
	ts, err := s.store.APITokens(r.Context(), u.ID)
	if err != nil {
		s.internal(w, "tokens", err)
		return
	}
	writeJSON(w, http.StatusOK, convert(ts, apiToken))
}

func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request, u model.User) {
	var req httpapi.CreateTokenRequest
	if !readJSON(w, r, 4<<10, &req) {
		return
	}
	label := strings.TrimSpace(req.Label)
	if label == "" || utf8.RuneCountInString(label) > 100 {
		writeError(w, http.StatusBadRequest, "bad_label", "give the token a label of 1–100 characters (what it is for, e.g. \"nightly export\")")
		return
	}
	token, hash := auth.NewToken()
	t, err := s.store.CreateAPIToken(r.Context(), u.ID, label, hash)
	if err != nil {
		s.internal(w, "create token", err)
		return
	}
	writeJSON(w, http.StatusCreated, NewToken{APIToken: apiToken(t), Token: token})
}

// handleRevokeToken deletes one of the user's tokens; site admins may
// revoke anyone's. Others' tokens are "not found".
func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request, u model.User) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	t, err := s.store.APIToken(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || err == nil && t.UserID != u.ID && !who(r).siteAdmin {
		writeError(w, http.StatusNotFound, "not_found", "no such token")
		return
	}
	if err != nil {
		s.internal(w, "token", err)
		return
	}
	if err := s.rules.RevokeToken(r.Context(), id); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.internal(w, "revoke token", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
