package hub

// poller watches idle connections and calls their readable method when
// there is something to read; see read.go.
type poller interface {
	// add starts watching c; an error means c must be read by a
	// goroutine of its own.
	add(c *client) error
	// rearm watches c again after its reader has emptied it.
	rearm(c *client) error
	// remove stops watching c, before its socket closes.
	remove(c *client)
}
