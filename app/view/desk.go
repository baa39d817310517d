package view

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/app/markup"
	"gloss/app/selection"
	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/textpos"
)

// Desk is the annotator's view of one document: the text with its
// highlights, the label toolbar, and the list of annotations.
type Desk struct {
	app.Compo

	docID    int64
	sess     *live.Session
	unlisten func()

	// Derived from the document text, rebuilt when it changes.
	text     *textpos.Text
	textSrc  string
	paras    []markup.Para
	paraHTML []string
	// marks as last rendered, to re-render only paragraphs that changed.
	prev map[string]markup.Mark

	selected string
	snap     bool
	message  string
}

// OnNav opens the live session of the document in the URL.
func (d *Desk) OnNav(ctx app.Context) {
	id, err := strconv.ParseInt(strings.TrimPrefix(ctx.Page().URL().Path, "/doc/"), 10, 64)
	if err != nil {
		d.message = "Bad document address."
		return
	}
	if d.sess != nil && d.docID == id {
		return
	}
	if d.sess != nil {
		d.sess.Close()
	}
	d.docID, d.text, d.textSrc, d.prev, d.selected = id, nil, "", nil, ""
	d.sess = live.Open(id, func(f func()) { ctx.Dispatch(func(app.Context) { f() }) }, func() {})
	if d.unlisten == nil {
		d.unlisten = app.Window().AddEventListener("keydown", d.onKey)
	}
}

// OnDismount ends the session and drops the key listener.
func (d *Desk) OnDismount() {
	if d.sess != nil {
		d.sess.Close()
		d.sess = nil
	}
	if d.unlisten != nil {
		d.unlisten()
		d.unlisten = nil
	}
}

// refresh rebuilds what the session's state changed: the paragraph index
// when the text arrives, and the HTML of paragraphs whose marks differ.
func (d *Desk) refresh() {
	s := d.sess
	if s == nil || !s.Ready {
		return
	}
	if d.textSrc != s.Document.Text || d.text == nil {
		d.textSrc = s.Document.Text
		d.text = textpos.New(s.Document.Text)
		d.paras = markup.Paragraphs(s.Document.Text)
		d.paraHTML = make([]string, len(d.paras))
		d.prev = nil
	}
	if _, ok := s.Annotation(d.selected); !ok {
		d.selected = ""
	}
	marks := markup.MarksFrom(s.Annotations(), s.Schema, s.You.Layer, d.selected)
	for i := range marks {
		marks[i].Pending = s.IsPending(marks[i].ID)
	}
	cur := make(map[string]markup.Mark, len(marks))
	dirty := make([]bool, len(d.paras))
	touch := func(m markup.Mark) {
		for i := markup.ParaAt(d.paras, m.Start); i < len(d.paras) && d.paras[i].Start < m.End; i++ {
			dirty[i] = true
		}
	}
	for _, m := range marks {
		cur[m.ID] = m
		if d.prev == nil {
			continue
		}
		if old, ok := d.prev[m.ID]; !ok || old != m {
			touch(m)
			if ok {
				touch(old)
			}
		}
	}
	for id, old := range d.prev {
		if _, ok := cur[id]; !ok {
			touch(old)
		}
	}
	byPara := markup.ByParagraph(d.paras, marks)
	for i, p := range d.paras {
		if d.prev == nil || dirty[i] || d.paraHTML[i] == "" {
			d.paraHTML[i] = markup.Paragraph(p, byPara[i])
		}
	}
	d.prev = cur
}

// Render draws the desk.
func (d *Desk) Render() app.UI {
	d.refresh()
	s := d.sess
	if s == nil || !s.Ready {
		status := "connecting"
		if s != nil {
			status = s.Status.String()
		}
		var notice app.UI = app.Text("")
		if s != nil && len(s.Notices) > 0 {
			notice = app.P().Class("error").Text(s.Notices[len(s.Notices)-1].Text)
		}
		return app.Div().Class("desk").DataSet("ready", "0").DataSet("status", status).Body(
			topBar(""),
			app.P().Class("loading").Text("Opening the document… ("+status+")"),
			notice,
		)
	}
	anns := s.Annotations()
	return app.Div().Class("desk").DataSet("ready", "1").DataSet("status", s.Status.String()).Body(
		topBar(s.You.User),
		d.toolbar(),
		app.Div().Class("workspace").Body(
			app.Article().ID("doc").Class("doc").Lang("").OnClick(d.onDocClick).OnMouseUp(d.onMouseUp).Body(
				app.H1().Class("doctitle").Text(s.Document.Name),
				app.Range(d.paraHTML).Slice(func(i int) app.UI { return app.Raw(d.paraHTML[i]) }),
			),
			d.sidebar(anns),
		),
	)
}

func (d *Desk) toolbar() app.UI {
	s := d.sess
	canWrite := model.CanWrite(s.You.Role, s.You.User, s.You.Layer)
	status := s.Status.String()
	if n := s.Pending(); n > 0 {
		status += fmt.Sprintf(" · %d pending", n)
	}
	var notice app.UI = app.Text("")
	switch {
	case len(s.Notices) > 0:
		notice = app.Div().ID("notice").Class("notice").OnClick(func(ctx app.Context, e app.Event) { s.DismissNotices() }).
			Text(s.Notices[len(s.Notices)-1].Text)
	case d.message != "":
		notice = app.Div().ID("notice").Class("notice").Text(d.message)
	}
	return app.Div().Class("toolbar keep-sel").Body(
		app.Div().Class("labels").Body(
			app.Range(s.Schema.Labels).Slice(func(i int) app.UI {
				l := s.Schema.Labels[i]
				return app.Button().Class("label-btn").DataSet("label", l.Name).Title(l.Guideline).
					Disabled(!canWrite).Style("--c", safeColor(l.Color)).
					OnClick(func(ctx app.Context, e app.Event) { d.applyLabel(l.Name) }).Body(
					app.Span().Class("key").Text(l.Key),
					app.Span().Text(l.Name),
				)
			}),
		),
		app.Label().Class("snap").Body(
			app.Input().Type("checkbox").Checked(d.snap).OnChange(func(ctx app.Context, e app.Event) {
				d.snap = ctx.JSSrc().Get("checked").Bool()
			}),
			app.Text(" snap to words"),
		),
		app.Span().Class("spacer"),
		app.Div().Class("presence").Body(
			app.Range(s.Members).Slice(func(i int) app.UI {
				m := s.Members[i]
				return app.Span().Class("member").Style("--c", safeColor(m.Color)).Title(m.User + " (" + m.Role + ")").Text(m.User)
			}),
		),
		app.Span().ID("conn").Class("conn "+s.Status.String()).DataSet("pending", strconv.Itoa(s.Pending())).Text(status),
		notice,
	)
}

func (d *Desk) sidebar(anns []model.Annotation) app.UI {
	s := d.sess
	counts := map[string]int{}
	for _, a := range anns {
		counts[a.Label]++
	}
	var b strings.Builder
	b.WriteString(`<ol class="annlist">`)
	for i, a := range anns {
		if i == 1000 {
			fmt.Fprintf(&b, `<li class="muted">… and %d more</li>`, len(anns)-1000)
			break
		}
		cls := "ann"
		if a.ID == d.selected {
			cls += " sel"
		}
		if a.Layer != s.You.Layer {
			cls += " other"
		}
		color := "#777777"
		if l, ok := s.Schema.Label(a.Label); ok {
			color = safeColor(l.Color)
		}
		fmt.Fprintf(&b, `<li class="%s" data-id="%s"><span class="tag" style="--c:%s">%s</span> <q>%s</q> <span class="by">%s</span></li>`,
			cls, markup.Escape(a.ID), color, markup.Escape(a.Label), markup.Escape(clipText(a.Quote, 120)), markup.Escape(a.Layer))
	}
	b.WriteString(`</ol>`)
	return app.Aside().Class("side").Body(
		app.H2().Text(fmt.Sprintf("Annotations (%d)", len(anns))),
		app.Div().Class("legend").Body(
			app.Range(s.Schema.Labels).Slice(func(i int) app.UI {
				l := s.Schema.Labels[i]
				return app.Span().Class("legend-item").Style("--c", safeColor(l.Color)).Title(l.Guideline).
					Text(fmt.Sprintf("%s %d", l.Name, counts[l.Name]))
			}),
		),
		app.Div().ID("annlist").OnClick(d.onListClick).Body(app.Raw(b.String())),
	)
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func safeColor(c string) string {
	if len(c) == 7 && c[0] == '#' {
		if _, err := strconv.ParseUint(c[1:], 16, 32); err == nil {
			return c
		}
	}
	return "#777777"
}

// onDocClick selects the annotation under the pointer; clicking again
// cycles through the annotations stacked there, innermost first.
func (d *Desk) onDocClick(ctx app.Context, e app.Event) {
	if app.Window().Call("glossHasSelection").Bool() {
		return // the user was selecting text, not clicking a highlight
	}
	el := e.Get("target").Call("closest", "[data-a]")
	if !el.Truthy() {
		d.selected = ""
		return
	}
	ids := strings.Fields(el.Get("dataset").Get("a").String())
	next := ids[0]
	for i, id := range ids {
		if id == d.selected {
			next = ids[(i+1)%len(ids)]
		}
	}
	d.selected = next
}

// onMouseUp shares the user's selection with the others (presence).
func (d *Desk) onMouseUp(ctx app.Context, e app.Event) {
	if start, end, _, ok := d.domSelection(); ok {
		d.sess.Select(start, end)
	}
}

func (d *Desk) onListClick(ctx app.Context, e app.Event) {
	li := e.Get("target").Call("closest", "li[data-id]")
	if !li.Truthy() {
		return
	}
	d.selected = li.Get("dataset").Get("id").String()
	app.Window().Call("glossScrollTo", d.selected)
}

// domSelection reads the browser selection as a document span.
func (d *Desk) domSelection() (start, end int, quote string, ok bool) {
	v := app.Window().Call("glossSelection")
	if !v.Truthy() || d.text == nil {
		return 0, 0, "", false
	}
	from := selection.Point{Para: v.Index(0).Int(), UTF16: v.Index(1).Int()}
	to := selection.Point{Para: v.Index(2).Int(), UTF16: v.Index(3).Int()}
	start, end, quote, err := selection.Span(d.text, d.paras, from, to, d.snap)
	if err != nil {
		return 0, 0, "", false
	}
	return start, end, quote, true
}

// applyLabel tags the selected text with label, or relabels the selected
// annotation when no text is selected.
func (d *Desk) applyLabel(label string) {
	s := d.sess
	if start, end, quote, ok := d.domSelection(); ok {
		id := live.NewID()
		s.Submit(protocol.Op{Kind: protocol.KindAdd, Ann: &model.Annotation{ID: id, Document: d.docID, Layer: s.You.Layer, Label: label, Start: start, End: end, Quote: quote}})
		app.Window().Call("glossClearSelection")
		d.selected = id
		return
	}
	if a, ok := s.Annotation(d.selected); ok && a.Label != label {
		next := a
		next.Label = label
		s.Submit(protocol.Op{Kind: protocol.KindUpdate, Ann: &next, Version: a.Version})
	}
}

func (d *Desk) deleteSelected() {
	if a, ok := d.sess.Annotation(d.selected); ok {
		d.sess.Submit(protocol.Op{Kind: protocol.KindDelete, Target: a.ID, Version: a.Version})
		d.selected = ""
	}
}

func (d *Desk) onKey(ctx app.Context, e app.Event) {
	if d.sess == nil || !d.sess.Ready {
		return
	}
	tag := strings.ToLower(e.Get("target").Get("tagName").String())
	if tag == "input" || tag == "textarea" || tag == "select" {
		return
	}
	if e.Get("ctrlKey").Bool() || e.Get("metaKey").Bool() || e.Get("altKey").Bool() {
		return
	}
	key := e.Get("key").String()
	switch key {
	case "Escape":
		d.selected = ""
		app.Window().Call("glossClearSelection")
	case "Delete", "Backspace":
		if d.selected != "" {
			e.PreventDefault()
			d.deleteSelected()
		}
	default:
		if l, ok := d.sess.Schema.LabelForKey(key); ok {
			e.PreventDefault()
			d.applyLabel(l.Name)
		}
	}
}
