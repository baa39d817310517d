package hub

// ProjectChanged tells the open rooms that a project's schema or
// membership changed. Every room re-checks the rights of all its
// connections and its schema at once (see room.recheckRightsAt): a
// removed member's socket closes with 4403, a changed role's with 4001,
// and a schema change closes every socket of the project's documents with
// 4001 after broadcasting the ops it committed. The notice is a flag per
// room, not a queue: notices cannot be lost, only merged, and the check
// reads the store, so it covers every change made so far. Changes made
// elsewhere (the CLI, another instance) reach the rooms through the
// store's rights epoch: each batch of ops reads it, and the poll wakes
// the rooms when it moved.
func (h *Hub) ProjectChanged(projectID int64) {
	h.recheckAll()
}

// recheckAll has every room re-check its connections' rights.
func (h *Hub) recheckAll() {
	for _, r := range h.openRooms() {
		r.recheck.Store(true)
		r.wakeUp()
	}
}

// DisconnectUser closes every open connection of a user with
// CloseRestart, after their password changed or a token was revoked. The
// client reconnects at once; its upgrade is authenticated again, so a
// connection whose session or token is gone ends with 4401 instead of
// going on with credentials that no longer exist.
func (h *Hub) DisconnectUser(userID int64) {
	for _, r := range h.openRooms() {
		select {
		case r.kick <- userID:
		case <-r.quit:
		}
	}
}
