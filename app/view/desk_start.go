package view

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
)

// The desk's start-up on a pre-rendered document. The server's
// pre-render shows the document, and web/gloss.js commits label keys
// pressed on it, until the desk is live; the desk's first render does
// the work of going live in one task of the browser's main thread —
// several hundred ms on a 5,000-span document, during which no key,
// click or frame is handled (Go's wasm gives the browser its turn only
// when every goroutine waits). So the costly parts that need no DOM are
// done before it, each in its own task after the browser has had a turn
// (live.AfterYield), while the desk still shows the pre-render:
//
//  1. the "no source" markers (story.Attribution over every span);
//  2. the document's paragraphs and the marks by paragraph (indexMarks),
//     which adoptPrerender reuses if only early tags changed since;
//  3. the annotation and relation lists;
//
// then the desk renders and adopts the pre-render, and a turn later
// fills the annotation list.

// startStage is how far the desk's start-up is.
type startStage int

const (
	startIdle      startStage = iota // no state yet, or no pre-render to keep showing
	startPreparing                   // preparing, the pre-render still shown
	startPrepared                    // the next render is the live desk
)

// prepareStart runs the start-up steps above once the session has its
// first state, and then renders the desk. It reports whether the desk is
// preparing (the caller leaves the render to it).
func (d *Desk) prepareStart(ctx app.Context) bool {
	s := d.sess
	switch {
	case d.stage == startPrepared || d.sync.ready:
		return false
	case d.stage == startPreparing:
		return true
	}
	if _, ok := prerendered(); !ok || s == nil || !s.Ready {
		return false
	}
	d.stage = startPreparing
	steps := []func(){
		func() { d.unattributed() },
		func() {
			// Tags the page sent until now are drawn into the index too.
			s.AdoptEarly()
			d.syncText()
			d.indexMarks(d.labelColors())
			d.sync.indexed = true
			s.TakeDirty() // from here on, the changes since the index
		},
		func() { d.refreshLists() },
	}
	dispatch := func(f func()) { ctx.Dispatch(func(app.Context) { f() }) }
	var next func(i int)
	next = func(i int) {
		live.AfterYield(dispatch, func() {
			if d.sess != s || d.stage != startPreparing {
				return // another document, or gone live meanwhile
			}
			if i < len(steps) {
				steps[i]()
				next(i + 1)
				return
			}
			d.stage = startPrepared
			// ctx.Dispatch renders the desk; its container is there for
			// the deferred sync. The annotation list (200 items) is
			// filled a turn later: a key waits for neither.
			ctx.Defer(func(app.Context) {
				d.syncDoc()
				live.AfterYield(dispatch, d.patchList)
			})
		})
	}
	next(0)
	return true
}
