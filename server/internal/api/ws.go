package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"gloss/server/internal/auth"
	"gloss/server/internal/hub"
	"gloss/server/internal/store"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// handleWS upgrades to a websocket for a user authenticated as on every
// HTTP route: by session cookie, or by an "Authorization: Bearer" API
// token (scripts; browsers cannot set that header on a websocket). With a
// cookie the Origin check refuses cross-site websocket hijacking: a page
// elsewhere could open a socket carrying the user's cookie, and websockets
// are not bound by CORS. A token is no ambient credential, so a script
// needs no Origin.
func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	bearer := r.Header.Get("Authorization") != ""
	if !bearer && (r.Header.Get("Origin") == "" || !s.sameOrigin(r)) {
		http.Error(w, "websocket from another origin refused", http.StatusForbidden)
		return
	}
	p, authErr := s.authenticate(r)
	u := p.user
	up := websocket.Upgrader{
		// No read buffer of its own: the hub reads the socket itself
		// (hub/read.go) and drops gorilla's Conn after the upgrade, so 0
		// has gorilla take the HTTP server's, which it hijacked anyway,
		// rather than make one per connection for nothing.
		ReadBufferSize:  0,
		WriteBufferSize: 1024,
		// Writes borrow a buffer only while writing, so an idle
		// connection holds none.
		WriteBufferPool: writePool,
		CheckOrigin:     func(*http.Request) bool { return true }, // checked above
	}
	// The hub sets the socket's read deadlines (hello, pongs); the
	// server's ReadTimeout, counted from the upgrade request, must not
	// cut a socket that lives for hours.
	_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered the client
	}
	if authErr != nil {
		// Say why in a close code the client understands, rather than a
		// bare 401 the browser's WebSocket API hides from scripts: 4401
		// sends the browser to the login page, so it is only for a
		// credential the store does not know; when the store itself
		// fails, 4001 (reconnect) keeps the user logged in and retrying.
		code, why := protocol.CloseUnauthenticated, "log in first"
		if !errors.Is(authErr, errNoCredentials) {
			s.log.Error("api: websocket: authenticate", "err", authErr)
			code, why = protocol.CloseRestart, "the server cannot reach its database; try again"
		}
		conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, why))
		conn.Close()
		return
	}
	s.hub.Serve(conn, u, hub.ServeOptions{Credential: s.wsCredential(r, u)})
}

// wsCredential returns how the hub re-checks the credential a socket was
// opened with (at hello, and when rights change while it is open): the
// same session or token, still there and still this user's. A store
// error is no verdict: the hub tries again rather than log anyone out.
func (s *Server) wsCredential(r *http.Request, u model.User) hub.Credential {
	if token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return s.credential([32]byte(auth.TokenHash(token)), u.ID, true)
	}
	if c, err := r.Cookie(CookieName); err == nil {
		return s.credential([32]byte(auth.TokenHash(c.Value)), u.ID, false)
	}
	return revoked
}

func revoked(context.Context) error { return hub.ErrRevoked }

// credential is wsCredential's check of a token (api) or session hash.
// The socket holds it as long as it is open: one closure of 64 bytes,
// the hash in it, rather than a closure, a method value, a hash and a
// user each allocated apart.
func (s *Server) credential(hash [32]byte, userID int64, api bool) hub.Credential {
	return func(ctx context.Context) error {
		h := hash
		lookup := s.store.SessionByToken
		if api {
			lookup = s.store.SessionByAPIToken
		}
		sess, err := lookup(ctx, h[:])
		switch {
		case errors.Is(err, store.ErrNotFound):
			return hub.ErrRevoked
		case err != nil:
			return err
		case sess.User.ID != userID:
			return hub.ErrRevoked
		}
		return nil
	}
}

var writePool = &syncPool{}
