package view

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
)

// docPage is what the desk and the review page share: the document the
// URL names, its live session, and the window's key listener, with one
// lifecycle (open on navigation, close on dismount).
type docPage struct {
	docID    int64
	sess     *live.Session
	unlisten func()
}

// navigate reads the document ID after prefix in the URL. When it names
// another document than the open one it closes that session and reports
// the new ID, so that the page resets its own state before start.
func (p *docPage) navigate(ctx app.Context, prefix string) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimPrefix(ctx.Page().URL().Path, prefix), 10, 64)
	if err != nil || (p.sess != nil && p.docID == id) {
		return 0, false
	}
	if p.sess != nil {
		p.sess.Close()
	}
	p.docID, p.sess = id, nil
	return id, true
}

// start opens the live session of the document navigate reported;
// changed runs on the UI goroutine after every change the session makes,
// and onKey gets the window's key presses while the page is mounted.
func (p *docPage) start(ctx app.Context, changed func(), onKey func(app.Context, app.Event)) {
	p.sess = live.Open(p.docID, func(f func()) { ctx.Dispatch(func(app.Context) { f() }) }, changed)
	if p.unlisten == nil {
		p.unlisten = app.Window().AddEventListener("keydown", onKey)
	}
}

// stop ends the session and drops the key listener.
func (p *docPage) stop() {
	if p.sess != nil {
		p.sess.Close()
		p.sess = nil
	}
	if p.unlisten != nil {
		p.unlisten()
		p.unlisten = nil
	}
}

// ready reports whether the session has its first state: before it, the
// page has nothing for keys to act on.
func (p *docPage) ready() bool { return p.sess != nil && p.sess.Ready }

// typing reports whether a key event is text typed into a field rather
// than a shortcut.
func typing(e app.Event) bool {
	return app.Window().Call("glossTyping", e.Get("target")).Bool()
}

// connState is the connection status both pages show in their toolbar
// (#conn, with the pending count the tests and the styles read) and the
// latest notice, dismissed by a click.
func (p *docPage) connState() (conn, notice app.UI) {
	s := p.sess
	status := s.Status.String()
	if n := s.Pending(); n > 0 {
		status += fmt.Sprintf(" · %d pending", n)
	}
	conn = app.Span().ID("conn").Class("conn "+s.Status.String()).DataSet("pending", strconv.Itoa(s.Pending())).Text(status)
	notice = app.Text("")
	if len(s.Notices) > 0 {
		notice = app.Div().ID("notice").Class("notice").OnClick(func(ctx app.Context, e app.Event) { s.DismissNotices() }).
			Text(s.Notices[len(s.Notices)-1].Text)
	}
	return conn, notice
}
