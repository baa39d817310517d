package view

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/markup"
	"gloss/app/storyview"
	"gloss/shared/model"
	"gloss/shared/story"
)

// Desk is the annotator's view of one document: the text with its
// highlights and relation arcs, the label toolbar, filters, search, and
// the list of annotations. Editing is keyboard-first (desk_keys.go);
// edits and undo/redo are in desk_edit.go.
type Desk struct {
	app.Compo

	docPage

	// The document view's DOM is kept by docsync.go, outside go-app's
	// diffing: see there.
	sync  docSync
	stage startStage // desk_start.go

	selected     string
	selRel       string // the selected relation (clicked arc or list entry)
	doneErr      string // why marking the document done failed (desk_blind.go)
	linkFrom     string // relation mode: the annotation the new relation starts at
	relType      string // the type new relations get; "" = the schema's first
	noSnap       bool   // snapping selections to whole words is on unless turned off
	showHelp     bool
	showExport   bool
	drawer       bool // narrow screens: the side panel is open over the text
	query        string
	hiddenLabels map[string]bool
	hiddenLayers map[string]bool
	filterVer    int // bumped when a filter changes
	visCache     []model.Annotation
	visKey       [2]int // the view version and filter version visCache is for
	listAll      bool
	undo, redo   []change
	suggestMsg   string // the last "Suggest" answer (desk_suggest.go)
	wantAnn      string // the annotation the URL's #ann-{id} names, selected once it is there (desk_story.go)
	onlyUnattr   bool   // the list shows only unattributed claims and figures
	// The unattributed claims and figures, brought up to date once per
	// version of the session's view; unattrDue lists those whose marker
	// may have changed since the document was drawn (desk_story.go).
	unattr      map[string]bool
	unattrVer   int
	attribution *story.Attribution
	unattrDue   []string

	// What the last render was computed from, and its costly parts: a
	// render with the same key reuses them (a keystroke that changes
	// nothing, a presence update) instead of rebuilding 5,000 marks.
	lastKey   viewKey
	shown     []model.Annotation
	listItems []string // the annotation list's <li>s, patched into #annlist by patchList
	listDOM   []string // what #annlist holds now (as of the last patchList)
	listEl    app.Value
	relHTML   string
	layerSet  []string
	counts    map[string]int
	nRels     int
}

type viewKey struct {
	ver                           int
	selected, link, query, selRel string
	filterVer                     int
	listAll, onlyUnattr           bool
	members                       int
}

// OnNav opens the live session of the document in the URL.
func (d *Desk) OnNav(ctx app.Context) {
	// #ann-{id} (a story view's link, or a hash change): select that
	// annotation as soon as it is there.
	d.wantAnn = storyview.ParseFragment(ctx.Page().URL().EscapedFragment())
	if _, ok := d.navigate(ctx, "/doc/"); !ok {
		if d.sess != nil {
			d.syncDoc()
		}
		return
	}
	d.selected, d.linkFrom, d.sync, d.visCache = "", "", docSync{}, nil
	d.listDOM, d.listEl = nil, app.Undefined()
	d.unattr, d.onlyUnattr = nil, false
	d.stage = startIdle
	d.undo, d.redo = nil, nil
	d.hiddenLabels, d.hiddenLayers = map[string]bool{}, map[string]bool{}
	// Every change the session makes is painted into the document at
	// once (syncDoc); go-app's render of the rest follows on its own
	// schedule. The deferred call covers the first welcome, whose
	// document container go-app mounts only in the render after it.
	d.start(ctx, func() {
		if d.prepareStart(ctx) {
			return // the pre-render stays until the desk is ready to go live
		}
		d.syncDoc()
		ctx.Defer(func(app.Context) { d.syncDoc(); d.patchList() })
	}, d.onKey)
}

// OnDismount ends the session and drops the key listener.
func (d *Desk) OnDismount() { d.stop() }

// visible returns the annotations that pass the layer and label filters,
// in reading order, without the suggestions already taken. The render
// and the document sync both ask for it; it is computed once per change
// of the view or the filters (5,000 spans are 1 MB to copy in wasm).
func (d *Desk) visible() []model.Annotation {
	key := [2]int{d.sess.Version(), d.filterVer}
	if d.visCache != nil && d.visKey == key {
		return d.visCache
	}
	all := d.sess.Annotations()
	if len(d.hiddenLabels) > 0 || len(d.hiddenLayers) > 0 {
		out := all[:0:0]
		for _, a := range all {
			if !d.hiddenLabels[a.Label] && !d.hiddenLayers[a.Layer] {
				out = append(out, a)
			}
		}
		all = out
	}
	d.visCache, d.visKey = d.hideTaken(all), key
	return d.visCache
}

type relDraw struct {
	ID    string `json:"id"`
	From  string `json:"from"`
	To    string `json:"to"`
	Type  string `json:"type"`
	Color string `json:"color"`
	Faded bool   `json:"faded"`
}

type presenceDraw struct {
	User  string `json:"user"`
	Color string `json:"color"`
	P1    int    `json:"p1"`
	U1    int    `json:"u1"`
	P2    int    `json:"p2"`
	U2    int    `json:"u2"`
}

// drawOverlays hands relation arcs and other analysts' selections to the
// page script, which draws them after the DOM update.
func (d *Desk) drawOverlays(shown map[string]markup.Mark) {
	if d.sync.text == nil {
		return
	}
	s := d.sess
	rels := []relDraw{}
	for _, r := range s.Relations() {
		if _, ok := shown[r.From]; !ok {
			continue
		}
		if _, ok := shown[r.To]; !ok {
			continue
		}
		color := "#444444"
		if r.ID == d.selRel {
			color = "#C0392B"
		}
		rels = append(rels, relDraw{ID: r.ID, From: r.From, To: r.To, Type: r.Type, Color: color, Faded: r.Layer != s.You.Layer})
	}
	pres := []presenceDraw{}
	for _, m := range s.Members {
		if m.User == s.You.User || m.End <= m.Start || m.End > d.sync.text.Len() {
			continue
		}
		p1, u1, ok1 := d.paraPos(m.Start)
		p2, u2, ok2 := d.paraPos(m.End)
		if ok1 && ok2 {
			pres = append(pres, presenceDraw{User: m.User, Color: model.DisplayColor(m.Color), P1: p1, U1: u1, P2: p2, U2: u2})
		}
	}
	rj, _ := json.Marshal(rels)
	pj, _ := json.Marshal(pres)
	app.Window().Call("glossSetOverlays", string(rj), string(pj))
}

// paraPos converts a document code point offset to a paragraph and a
// UTF-16 offset inside it (the browser's unit), clamping offsets that
// fall on newlines between paragraphs.
func (d *Desk) paraPos(cp int) (int, int, bool) {
	paras := d.sync.paras
	i := markup.ParaAt(paras, cp)
	if i >= len(paras) {
		i = len(paras) - 1
	}
	if i < 0 {
		return 0, 0, false
	}
	p := paras[i]
	rel := min(max(cp-p.Start, 0), p.End-p.Start)
	u, err := p.Text.UTF16(rel)
	return i, u, err == nil
}

// Render draws the desk.
func (d *Desk) Render() app.UI {
	s := d.sess
	if s == nil || !s.Ready || d.stage == startPreparing {
		if _, ok := prerendered(); ok && (s == nil || len(s.Notices) == 0 || d.stage == startPreparing) {
			// The server's pre-render shows the document meanwhile.
			return app.Div().Class("desk").DataSet("ready", "0")
		}
		return loadingView("desk", s)
	}
	d.syncDoc() // selection or filter changes made by handlers
	d.refreshLists()
	d.patchList()
	anns := d.shown
	cls := "desk"
	if d.drawer {
		cls += " drawer-open"
	}
	return app.Div().Class(cls).DataSet("ready", "1").DataSet("status", s.Status.String()).Body(
		topBar(s.You.User),
		d.toolbar(),
		d.blindNotice(),
		app.Div().Class("workspace").Body(
			// Focusable: the text scrolls, and a keyboard must reach it.
			app.Article().ID("doc").Class("doc").TabIndex(0).Aria("label", "Document text").OnClick(d.onDocClick).OnMouseUp(d.onMouseUp).Body(
				app.H1().Class("doctitle").Text(s.Document.Name),
				// Filled and patched by syncDoc, never by go-app: it has
				// no children in go-app's tree, so go-app leaves it alone.
				app.Div().ID("paras").Class("paras"),
			),
			d.sidebar(anns),
		),
		app.If(d.showHelp, newShortcutHelp().Schema(s.Schema).OnClose(d.closeDialogs)),
		app.If(d.showExport, newExportDialog().Project(s.Document.ProjectID, s.Document.ID).Layers(d.layers()).Schema(s.Schema).
			OnClose(d.closeDialogs)),
	)
}

// refreshLists rebuilds the lists (buildLists) when what they show
// changed since the last time.
func (d *Desk) refreshLists() {
	s := d.sess
	key := viewKey{ver: s.Version(), selected: d.selected, selRel: d.selRel, link: d.linkFrom, query: d.query, filterVer: d.filterVer, listAll: d.listAll,
		onlyUnattr: d.onlyUnattr, members: len(s.Members)}
	if key != d.lastKey {
		d.shown = d.visible()
		d.buildLists(d.shown)
		d.lastKey = key
	}
}

func (d *Desk) toolbar() app.UI {
	s := d.sess
	canWrite := model.CanWrite(s.You.Role, s.You.User, s.You.Layer)
	conn, notice := d.connState()
	var mode app.UI = app.Text("")
	if d.linkFrom != "" {
		mode = app.Span().ID("mode").Class("mode").Text("Link: pick the target span (click, or Tab then Enter) · Esc cancels")
	}
	return app.Div().Class("toolbar keep-sel").Body(
		app.Div().Class("labels").Body(
			app.Range(s.Schema.Labels).Slice(func(i int) app.UI {
				l := s.Schema.Labels[i]
				// The scope argument (l.Name) is what makes go-app swap the
				// handler when the list changes: it compares handlers by
				// code pointer, and every closure of this literal has the
				// same one, so without it a button keeps its first label.
				// Every handler built in a loop passes its values so.
				return app.Button().Class("label-btn").DataSet("label", l.Name).Title(l.Guideline).
					Disabled(!canWrite).Style("--c", model.DisplayColor(l.Color)).
					OnClick(func(ctx app.Context, e app.Event) { d.applyLabel(l.Name) }, l.Name).Body(
					app.Span().Class("key").Text(l.Key),
					app.Span().Text(l.Name),
				)
			}),
		),
		app.Button().Class("link").Title("Link the selected span to another (r)").Text("link (r)").
			OnClick(func(ctx app.Context, e app.Event) { d.startLink() }),
		// What the keys do, by mouse or touch too.
		app.Button().ID("delete-btn").Class("link").Title("Delete the selected annotation or relation (Delete)").Text("delete").
			Disabled(d.selected == "" && d.selRel == "").OnClick(func(ctx app.Context, e app.Event) {
			defer d.syncDoc()
			if d.selRel != "" {
				d.deleteRelation(d.selRel)
			} else {
				d.deleteSelected()
			}
		}),
		app.Button().ID("undo-btn").Class("link").Title("Undo your last edit (Ctrl+Z)").Text("undo").Disabled(len(d.undo) == 0).
			OnClick(func(ctx app.Context, e app.Event) { defer d.syncDoc(); d.Undo() }),
		app.Button().ID("redo-btn").Class("link").Title("Redo (Ctrl+Shift+Z)").Text("redo").Disabled(len(d.redo) == 0).
			OnClick(func(ctx app.Context, e app.Event) { defer d.syncDoc(); d.Redo() }),
		app.If(len(s.Schema.Relations) > 1, app.Label().Class("small").Body(
			app.Text("as "),
			app.Select().ID("rel-type").Title("The type of the relations you create").
				OnChange(func(ctx app.Context, e app.Event) { d.relType = ctx.JSSrc().Get("value").String() }).Body(
				app.Range(s.Schema.Relations).Slice(func(i int) app.UI {
					t := s.Schema.Relations[i]
					return app.Option().Value(t).Selected(t == d.newRelType()).Text(t)
				}),
			),
		)),
		d.suggestTools(canWrite),
		app.Label().Class("snap").Title("Grow selections to whole words (w)").Body(
			app.Input().ID("snap").Type("checkbox").Checked(!d.noSnap).OnChange(func(ctx app.Context, e app.Event) {
				d.noSnap = !ctx.JSSrc().Get("checked").Bool()
			}),
			app.Text(" snap to words"),
		),
		mode,
		app.Span().Class("spacer"),
		app.Div().Class("presence").Body(
			app.Range(s.Members).Slice(func(i int) app.UI {
				m := s.Members[i]
				return app.Span().Class("member").Style("--c", model.DisplayColor(m.Color)).Title(m.User + " (" + m.Role + ")").Text(m.User)
			}),
		),
		conn,
		app.Button().ID("export-open").Class("link").Title("Download the annotations").Text("export").OnClick(func(ctx app.Context, e app.Event) { d.showExport = true }),
		app.If(model.CanReview(s.You.Role), app.A().ID("review-open").Class("link").Href(fmt.Sprintf("/review/%d", d.docID)).
			Title("Compare the analysts' layers and adjudicate into gold").Text("review")),
		app.Button().Class("link").Title("Keyboard shortcuts (?)").Text("?").OnClick(func(ctx app.Context, e app.Event) { d.showHelp = true }),
		app.Button().ID("panel-toggle").Class("link panel-toggle").Attr("aria-expanded", strconv.FormatBool(d.drawer)).Attr("aria-controls", "side").
			Title("Show or hide the annotations, filters and search").Text("panel").
			OnClick(func(ctx app.Context, e app.Event) { d.drawer = !d.drawer }),
		notice,
	)
}

// buildLists builds the annotation and relation lists' HTML and the
// label counts. The list shows the first 200 entries until the user asks
// for all: a 5,000-item list costs more to build and lay out than the
// text itself, and nobody reads it top to bottom.
func (d *Desk) buildLists(anns []model.Annotation) {
	s := d.sess
	d.counts = map[string]int{}
	set := map[string]bool{s.You.Layer: true, model.GoldLayer: true}
	for _, a := range s.Annotations() {
		d.counts[a.Label]++
		set[a.Layer] = true
	}
	d.layerSet = d.layerSet[:0]
	for l := range set {
		d.layerSet = append(d.layerSet, l)
	}
	sort.Strings(d.layerSet)
	colors := map[string]string{}
	for _, l := range s.Schema.Labels {
		colors[l.Name] = model.DisplayColor(l.Color)
	}
	q := strings.ToLower(strings.TrimSpace(d.query))
	unattr := d.unattributed()
	var b strings.Builder
	items := d.listItems[:0]
	n, limit := 0, 200
	if d.listAll {
		limit = len(anns)
	}
	for _, a := range anns {
		if q != "" && !strings.Contains(strings.ToLower(a.Quote), q) && !strings.Contains(a.Label, q) && !strings.Contains(strings.ToLower(a.Layer), q) {
			continue
		}
		if d.onlyUnattr && !unattr[a.ID] {
			continue
		}
		if n == limit {
			items = append(items, `<li class="more"><button class="link" data-more="1">Show all</button></li>`)
			break
		}
		n++
		b.Reset()
		b.WriteString(`<li class="ann`)
		if a.ID == d.selected {
			b.WriteString(` sel`)
		}
		if a.Layer != s.You.Layer {
			b.WriteString(` other`)
		}
		if unattr[a.ID] {
			b.WriteString(` unattributed`)
		}
		if s.Unsaved(a.ID) {
			b.WriteString(` pending" title="Not saved yet: sent when the connection allows`)
		}
		b.WriteString(`" data-id="`)
		b.WriteString(markup.Escape(a.ID))
		b.WriteString(`"><span class="tag" style="--c:`)
		c := colors[a.Label]
		if c == "" {
			c = model.FallbackColor
		}
		b.WriteString(c)
		b.WriteString(`;--ink:`)
		b.WriteString(inkFor(c))
		b.WriteString(`">`)
		b.WriteString(markup.Escape(a.Label))
		b.WriteString(`</span> <q>`)
		b.WriteString(markup.Escape(model.Clip(a.Quote, 120)))
		b.WriteString(`</q> <span class="by">`)
		b.WriteString(markup.Escape(a.Layer))
		b.WriteString(`</span>`)
		if unattr[a.ID] {
			b.WriteString(` <span class="nosrc" title="` + noSourceTitle + `">no source</span>`)
		}
		d.writeReviewBadges(&b, a.ID)
		b.WriteString(`</li>`)
		items = append(items, b.String())
	}
	d.listItems = items
	rels := s.Relations()
	d.nRels = len(rels)
	var rb strings.Builder
	rb.WriteString(`<ul class="rellist">`)
	for _, r := range rels {
		from, _ := s.Annotation(r.From)
		to, _ := s.Annotation(r.To)
		cls := "rel"
		if r.ID == d.selRel {
			cls += " sel"
		}
		del := ""
		if model.CanWrite(s.You.Role, s.You.User, r.Layer) {
			del = fmt.Sprintf(` <button type="button" class="link small del-rel" data-del-rel="%s" title="Delete this relation">delete</button>`, markup.Escape(r.ID))
		}
		fmt.Fprintf(&rb, `<li class="%s" data-rel="%s"><q>%s</q> —%s→ <q>%s</q> <span class="by">%s</span>%s</li>`,
			cls, markup.Escape(r.ID), markup.Escape(model.Clip(from.Quote, 40)), markup.Escape(r.Type), markup.Escape(model.Clip(to.Quote, 40)), markup.Escape(r.Layer), del)
	}
	rb.WriteString(`</ul>`)
	d.relHTML = rb.String()
}

func (d *Desk) sidebar(anns []model.Annotation) app.UI {
	s := d.sess
	layers := d.layers()
	return app.Aside().ID("side").Class("side").Body(
		app.Input().ID("search").Class("search").Type("search").Placeholder("Search text and annotations (/) — Enter finds in text").
			OnInput(func(ctx app.Context, e app.Event) { d.query = ctx.JSSrc().Get("value").String() }).
			OnKeyDown(func(ctx app.Context, e app.Event) {
				switch e.Get("key").String() {
				case "Enter":
					e.PreventDefault()
					if app.Window().Call("glossFind", d.query).Bool() {
						ctx.JSSrc().Call("blur")
					}
				case "Escape":
					ctx.JSSrc().Call("blur")
				}
			}),
		app.Div().Class("legend").Body(
			app.Range(s.Schema.Labels).Slice(func(i int) app.UI {
				l := s.Schema.Labels[i]
				cls := "legend-item"
				if d.hiddenLabels[l.Name] {
					cls += " off"
				}
				return app.Button().Type("button").Class(cls).DataSet("label", l.Name).Style("--c", model.DisplayColor(l.Color)).Title(l.Guideline+" (click to show/hide)").
					Aria("pressed", strconv.FormatBool(!d.hiddenLabels[l.Name])).
					OnClick(func(ctx app.Context, e app.Event) { d.hiddenLabels[l.Name] = !d.hiddenLabels[l.Name]; d.filterVer++ }, l.Name).
					Text(fmt.Sprintf("%s %d", l.Name, d.counts[l.Name]))
			}),
		),
		app.Div().Class("filters").Body(
			app.Span().Class("muted").Text("Layers:"),
			app.Range(layers).Slice(func(i int) app.UI {
				l := layers[i]
				return app.Label().Body(
					app.Input().Type("checkbox").DataSet("layer", l).Checked(!d.hiddenLayers[l]).
						OnChange(func(ctx app.Context, e app.Event) {
							d.hiddenLayers[l] = !ctx.JSSrc().Get("checked").Bool()
							d.filterVer++
						}, l),
					app.Text(" "+l),
				)
			}),
		),
		d.commentPanel(),
		app.H2().Text(fmt.Sprintf("Annotations (%d)", len(anns))),
		app.Label().Class("only-unattr small").Title("Show only claims and figures that no source relation covers").Body(
			app.Input().ID("only-unattributed").Type("checkbox").Checked(d.onlyUnattr).
				OnChange(func(ctx app.Context, e app.Event) { d.onlyUnattr = ctx.JSSrc().Get("checked").Bool() }),
			app.Text(fmt.Sprintf(" only unattributed (%d)", len(d.unattributed()))),
		),
		// Filled and patched by patchList, never by go-app (as #paras):
		// go-app would replace the whole list on any change of its HTML.
		app.Div().ID("annlist").OnClick(d.onListClick),
		app.H2().Text(fmt.Sprintf("Relations (%d)", d.nRels)),
		app.Div().ID("rels").OnClick(d.onRelListClick).Body(app.Raw(d.relHTML)),
	)
}

// layers lists the layers present in the document, the user's own and
// gold (as of the last buildLists).
func (d *Desk) layers() []string { return d.layerSet }
