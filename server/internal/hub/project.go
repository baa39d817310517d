package hub

// ProjectChanged tells the open rooms of a project that its schema or
// membership changed. Each room reloads the schema, broadcasts the ops the
// change committed (renamed or removed labels), and closes its
// connections with CloseRestart: reconnecting re-runs hello, which
// re-checks membership and role, so a removed or demoted member loses
// access at once rather than at their next reload.
func (h *Hub) ProjectChanged(projectID int64) {
	h.mu.Lock()
	rooms := make([]*room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	h.mu.Unlock()
	for _, r := range rooms {
		select {
		case r.projectChanged <- projectID:
		default: // a reload is already pending; it reads the latest state
		}
	}
}

// DisconnectUser closes every open connection of a user with
// CloseRestart, after their password changed or a token was revoked. The
// client reconnects at once; its upgrade is authenticated again, so a
// connection whose session or token is gone ends with 4401 instead of
// going on with credentials that no longer exist.
func (h *Hub) DisconnectUser(userID int64) {
	h.mu.Lock()
	rooms := make([]*room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	h.mu.Unlock()
	for _, r := range rooms {
		select {
		case r.kick <- userID:
		case <-r.quit:
		}
	}
}
