package view

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/app/markup"
	"gloss/app/storyview"
	"gloss/shared/httpapi"
	"gloss/shared/model"
	"gloss/shared/story"
)

// StoryPage is the story view (/stories/{id}): the figures that a story's
// articles report, compared in one table (shared/story's rules,
// app/storyview's markup), with disagreements flagged and, per article,
// the claims and figures nobody sources. It follows every article live on
// one read-only story socket (live.StorySession: the ops since the state
// the page loaded, then every op, tagged with its document), each change
// fed to a story.Builder that re-reads only that document.
//
// Like the desk's text (docsync.go), the table lives outside go-app's
// tree: a story of 50 articles and 2,000 figures is one innerHTML when it
// is first painted, instead of a virtual DOM of ten thousand nodes diffed
// on every op. After that an op costs the rows the builder laid out again
// and, in the page, the cells whose HTML changed (storyview.View), patched
// as soon as the op is applied: on screen in the next frame.
type StoryPage struct {
	app.Compo

	id     int64
	story  httpapi.Story
	loaded bool // the story arrived
	primed bool // the builder holds every document's state as loaded
	err    string
	user   string

	session *live.StorySession
	seen    map[int64]int // the document version the builder last read
	dirty   map[int64]bool
	builder *story.Builder
	view    storyview.View // the table as the page shows it
	// frame is the requestAnimationFrame callback that flushes dirty
	// documents into the table: the first change after a frame is
	// patched at once, any more before the next frame wait for it and
	// cost one patch.
	frame    app.Func
	frameReq bool
	frameID  app.Value // the pending request, cancelled before frame is released
	painted  int       // tables painted so far (data-painted, for tests and the benchmark)
	rows     int       // rows and conflicts of the last table, for the page's summary
	conflict int
	rendered storyShown // what the last Render read
}

// storyShown is everything Render reads: when an op leaves it as it was,
// rendering the page again would change nothing (dispatch).
type storyShown struct {
	loaded, painted, following bool
	name, user, err, notice    string
	docs, rows, conflict       int
	status                     live.Status
}

func (p *StoryPage) shown() storyShown {
	v := storyShown{loaded: p.loaded, painted: p.painted > 0, name: p.story.Name, user: p.user, err: p.err,
		docs: len(p.story.Documents), rows: p.rows, conflict: p.conflict}
	if s := p.session; s != nil {
		v.following, v.status = s.Live, s.Status
		if len(s.Notices) > 0 {
			v.notice = s.Notices[len(s.Notices)-1].Text
		}
	}
	return v
}

// dispatch runs f on the UI goroutine, as ctx.Dispatch does, but renders
// the page again only if what it shows around the table changed: an op
// patches the table itself (flush), and rendering the page and diffing
// it (go-app, in its next frame tick) took ≈ 5 ms of each op's frame.
func (p *StoryPage) dispatch(ctx app.Context, f func()) {
	ctx.Dispatch(func(ctx app.Context) {
		f()
		if p.shown() == p.rendered {
			ctx.PreventUpdate()
		}
	})
}

// storyTableID is the element the table's HTML is set into.
const storyTableID = "story-table"

// OnNav loads the story in the URL and opens its documents' sessions.
func (p *StoryPage) OnNav(ctx app.Context) {
	id, err := strconv.ParseInt(strings.TrimPrefix(ctx.Page().URL().Path, "/stories/"), 10, 64)
	if err != nil {
		p.err = "no such story"
		return
	}
	if id == p.id && p.session != nil {
		return
	}
	p.close()
	p.id, p.loaded, p.primed, p.err, p.painted = id, false, false, "", 0
	p.frame = app.FuncOf(func(app.Value, []app.Value) any {
		p.dispatch(ctx, func() { p.flush(ctx) })
		return nil
	})
	var state httpapi.StoryState
	loadPage(ctx, cachedUser, func(httpapi.Me) error {
		return live.GetJSON(fmt.Sprintf("/api/stories/%d/state", id), &state)
	}, func(ctx app.Context, m httpapi.Me, err error) {
		if id != p.id {
			return // navigated on meanwhile
		}
		if err != nil {
			p.err = err.Error()
			return
		}
		p.user = m.User.Name
		p.open(ctx, state)
	})
}

// open paints the table from the state the page was loaded with, then
// starts the story's live session, which keeps it up to date from the
// seqs of that state: the table does not wait for the socket.
func (p *StoryPage) open(ctx app.Context, st httpapi.StoryState) {
	s := st.Story
	p.story, p.loaded = s, true
	p.builder = story.NewBuilder(s.ID, s.Name)
	p.view = storyview.View{}
	byID := make(map[int64]httpapi.StoryDocument, len(s.Documents))
	for _, d := range s.Documents {
		byID[d.ID] = d
	}
	docs := make([]httpapi.StoryDocState, 0, len(st.Documents))
	for _, ds := range st.Documents {
		if d, ok := byID[ds.ID]; ok {
			p.builder.Set(storyDoc(d, ds.Annotations, ds.Relations))
			docs = append(docs, ds)
		}
	}
	p.primed = true
	p.seen, p.dirty = map[int64]int{}, map[int64]bool{}
	p.session = live.OpenStory(s.ID, docs, func(f func()) { p.dispatch(ctx, f) }, p.changed)
	for _, ds := range docs {
		p.seen[ds.ID] = p.session.Doc(ds.ID).Version() // the state the table is painted from
	}
	p.schedule()
}

// changed notes that document doc changed (0: the session's status);
// only a change of its annotations or relations (a new version) costs a
// table.
func (p *StoryPage) changed(doc int64) {
	if p.session == nil || doc == 0 {
		return
	}
	d := p.session.Doc(doc)
	if d == nil || d.Version() == p.seen[doc] {
		return
	}
	p.dirty[doc] = true
	if p.painted > 0 && !p.frameReq {
		// Patch now, in the task the op arrived in: nothing has been
		// patched since the last frame. The frame requested here takes
		// any change arriving before it.
		p.flush(nil)
	}
	p.schedule()
}

func (p *StoryPage) schedule() {
	if p.frameReq || p.frame == nil {
		return
	}
	p.frameReq = true
	p.frameID = app.Window().Call("requestAnimationFrame", p.frame)
}

// flush feeds the changed documents to the builder and paints the table
// (from a frame callback, with ctx) or patches it.
func (p *StoryPage) flush(ctx app.Context) {
	if ctx != nil {
		p.frameReq = false
	}
	if p.builder == nil || p.painted > 0 && len(p.dirty) == 0 {
		return
	}
	if p.painted == 0 && !p.primed {
		return
	}
	// In the story's order: the builder breaks ties of publication time
	// (unknown, say) by the order documents were first set.
	for _, d := range p.story.Documents {
		if doc := p.session.Doc(d.ID); p.dirty[d.ID] && doc != nil {
			p.builder.Set(storyDoc(d, doc.Annotations(), doc.Relations()))
			p.seen[d.ID] = doc.Version()
		}
	}
	clear(p.dirty)
	if p.painted == 0 {
		if pre, ok := prerendered(); ok {
			pre.Call("remove") // the server's table: this one is live
		}
	}
	el := app.Window().GetElementByID(storyTableID)
	if !el.Truthy() {
		// Not mounted yet: go-app renders the container after this
		// dispatch; paint then.
		if ctx != nil {
			ctx.Defer(func(ctx app.Context) { p.schedule() })
		}
		return
	}
	t := p.builder.Table()
	patch(el, p.view.Update(t))
	p.painted++
	if p.painted == 1 {
		prepareIdle(p.builder)
	}
	p.rows, p.conflict = len(t.Rows), 0
	for i := range t.Rows {
		if t.Rows[i].Conflict {
			p.conflict++
		}
	}
	ds := el.Get("dataset")
	ds.Set("painted", strconv.Itoa(p.painted))
	ds.Set("ready", "1")
}

// prepareIdle has builder settle its rows one by one in idle time after
// the first table (story.Builder.Prepare): an op's first change to a row
// then costs no more than the next. A row takes a few milliseconds, so
// only a long idle period (no frame pending: the first table's is not
// delayed) is used. A JS callback runs only when every goroutine waits,
// so never in the middle of a flush.
func prepareIdle(builder *story.Builder) {
	w := app.Window()
	if !w.Get("requestIdleCallback").Truthy() {
		return
	}
	var f app.Func
	f = app.FuncOf(func(_ app.Value, args []app.Value) any {
		if len(args) > 0 && args[0].Call("timeRemaining").Float() < 40 || builder.Prepare() {
			w.Call("requestIdleCallback", f)
		} else {
			f.Release()
		}
		return nil
	})
	w.Call("requestIdleCallback", f)
}

// patch applies the view's edits to the table in container el.
func patch(el app.Value, edits []storyview.Edit) {
	var head, rows app.Value
	for _, e := range edits {
		if e.Op == storyview.Whole {
			el.Set("innerHTML", e.HTML)
			head, rows = nil, nil
			continue
		}
		if rows == nil {
			table := el.Get("firstElementChild")
			head = table.Get("tHead").Get("rows").Index(0).Get("cells")
			rows = table.Get("tBodies").Index(0).Get("rows") // live: follows the edits
		}
		switch e.Op {
		case storyview.Head:
			head.Index(e.Cell).Set("outerHTML", e.HTML)
		case storyview.ReplaceRow:
			rows.Index(e.Row).Set("outerHTML", e.HTML)
		case storyview.InsertRow:
			if e.Row < rows.Length() {
				rows.Index(e.Row).Call("insertAdjacentHTML", "beforebegin", e.HTML)
			} else {
				el.Get("firstElementChild").Get("tBodies").Index(0).Call("insertAdjacentHTML", "beforeend", e.HTML)
			}
		case storyview.RemoveRow:
			rows.Index(e.Row).Call("remove")
		case storyview.ReplaceCell:
			rows.Index(e.Row).Get("cells").Index(e.Cell).Set("outerHTML", e.HTML)
		case storyview.RowClass:
			rows.Index(e.Row).Set("className", e.HTML)
		}
	}
}

// storyDoc is document d with the given annotations and relations.
func storyDoc(d httpapi.StoryDocument, anns []model.Annotation, rels []model.Relation) story.Document {
	out := story.Document{ID: d.ID, Name: d.Title, Outlet: d.Outlet, Annotations: anns, Relations: rels}
	out.Published, _ = story.ParsePublished(d.Published)
	return out
}

// close ends the session and the frame callback.
func (p *StoryPage) close() {
	if p.session != nil {
		p.session.Close()
		p.session = nil
	}
	if p.frameReq {
		app.Window().Call("cancelAnimationFrame", p.frameID)
		p.frameReq = false
	}
	if p.frame != nil {
		p.frame.Release()
		p.frame = nil
	}
}

// OnDismount ends the session.
func (p *StoryPage) OnDismount() { p.close() }

// Render draws the page around the table.
func (p *StoryPage) Render() app.UI {
	p.rendered = p.shown()
	ready := "0"
	if p.painted > 0 {
		ready = "1"
	}
	var notices []string
	status, following := "", false
	if s := p.session; s != nil {
		following = s.Live
		switch {
		case s.Status == live.Stopped && len(s.Notices) > 0:
			notices = append(notices, s.Notices[len(s.Notices)-1].Text)
		case s.Status == live.Reconnecting || s.Status == live.Offline:
			notices = append(notices, fmt.Sprintf("Not live (%s): the table shows the figures as of the last update.", s.Status))
		}
	}
	if p.loaded && p.painted > 0 {
		state := "connecting…"
		if following {
			state = "live"
		}
		status = fmt.Sprintf("%d articles · %d quantities · %d in conflict · %s", len(p.story.Documents), p.rows, p.conflict, state)
	}
	live := "0"
	if p.loaded && p.painted > 0 && following {
		live = "1" // every article followed
	}
	return app.Div().Class("storypage").DataSet("ready", ready).DataSet("live", live).Body(
		topBar(p.user),
		app.Main().Class("story").Body(
			app.H1().Text(p.story.Name),
			messages("", p.err, "", ""),
			app.P().ID("story-status").Class("muted").Text(status),
			// Always there, so that the table's container keeps its place
			// among go-app's children (go-app matches them by position).
			app.Ul().ID("story-notices").Class("error").Body(
				app.Range(notices).Slice(func(i int) app.UI { return app.Li().Text(notices[i]) }),
			),
			app.P().Class("muted small").Text("One row per quantity, one column per article. Flagged rows disagree beyond their qualifiers; "+
				"the summary gives the range, the figure to record (the most conservative) and the dispute. Click a figure to open it in its article."),
			// Filled by flush, never by go-app (no children in its tree).
			app.Div().ID(storyTableID).Class("story-wrap"),
		),
	)
}

// RenderStory returns the HTML of the pre-rendered story view: its title
// and its table as the page shows them (storyview.Table, escaped there),
// in the pre-render element the desk uses (PrerenderID), so that the
// table is on screen with the HTML; the page removes it when it paints
// its own, live table.
//
// The table comes in parts (storyview.Split), each a script data block
// (fillLater): the skeleton (rows, their headers and summaries), then one
// block per article's column (<script type="text/html"
// data-column="story-table">). web/gloss.js (glossStoryColumns) puts the
// skeleton and the columns that fit the window into the page before its
// first frame and the others right after it: a window shows 7 or 8 of a
// 50-article story's columns, and the style, layout and paint of the
// other 40-odd (≈ 1,700 of 2,000 figures) were most of the time to the
// first paint.
func RenderStory(t story.Table) string {
	var b strings.Builder
	b.WriteString(`<div id="` + PrerenderID + `" class="storypage prerendered"><main class="story"><h1>` + markup.Escape(t.Name) + `</h1>`)
	open, close := `<div id="`+storyTableID+`" class="story-wrap" data-ready="1" data-painted="1">`, `</div>`
	skeleton, columns := storyview.Split(t)
	safe := dataBlockSafe(skeleton)
	for _, c := range columns {
		safe = safe && dataBlockSafe(c)
	}
	if !safe {
		fillLater(&b, storyTableID, open, storyview.Table(t), close)
	} else {
		fillLater(&b, storyTableID, open, skeleton, close)
		for _, c := range columns {
			b.WriteString(`<script type="text/html" data-column="` + storyTableID + `">`)
			b.WriteString(c)
			b.WriteString(`</script>`)
		}
	}
	b.WriteString(`</main></div>`)
	return b.String()
}

// storyHref is the story view's address.
func storyHref(id int64) string { return "/stories/" + strconv.FormatInt(id, 10) }
