package hub

import "time"

// Warm opens document doc's room, if it is not open yet, and keeps it
// open for hold. The document page calls it as it serves the page to a
// member: the room reads the document's state (for 5,000 spans, the
// snapshot read and the state built took 250–900 ms on a loaded machine)
// while the browser loads the page, instead of after the page's socket
// says hello — and the page's first tag, sent on that socket right
// behind the hello, waited for that read (its reader blocks until the
// room takes the join). A new tab of a document whose room closed when
// the last tab did finds it still open within hold.
func (h *Hub) Warm(doc int64, hold time.Duration) {
	r, err := h.acquire(doc)
	if err != nil {
		return // closed
	}
	time.AfterFunc(hold, func() { h.release(r) })
}
