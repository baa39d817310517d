package view

import (
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/markup"
	"gloss/shared/model"
	"gloss/shared/textpos"
)

// docSync keeps the document text's DOM — the paragraphs with their
// highlights — in step with the session, outside go-app's virtual DOM.
//
// Why: a dense document has thousands of highlights. Rendering it
// through go-app means building and diffing its tree on every change and
// waiting for go-app's next frame; instead the first render sets all
// paragraphs with one innerHTML, and every later change replaces only the
// paragraphs whose highlights changed, synchronously, in the same task as
// the key press or message that caused it. The work per change is
// proportional to the annotations that changed, not to the document.
type docSync struct {
	text  *textpos.Text
	paras []markup.Para

	byID    map[string]markup.Mark // marks currently in the DOM
	inPara  []map[string]bool      // mark IDs per paragraph
	full    bool                   // next sync rebuilds everything
	sel     string                 // selected / link-from ID as drawn
	link    string
	filters int  // filter version as drawn
	ready   bool // first full render done
	// indexed: byID and inPara were filled before the first render
	// (desk_start.go), from the state as of the session's last TakeDirty.
	indexed bool
}

// markFor returns how annotation id should be drawn now, if at all.
func (d *Desk) markFor(id string, colors map[string]string) (markup.Mark, bool) {
	a, ok := d.sess.Annotation(id)
	if !ok || d.hiddenLabels[a.Label] || d.hiddenLayers[a.Layer] {
		return markup.Mark{}, false
	}
	return d.mark(a, colors), true
}

func (d *Desk) mark(a model.Annotation, colors map[string]string) markup.Mark {
	// markOf (prerender.go) is shared with the server's pre-render.
	m := markOf(a, colors, d.sess.You.Layer, a.ID == d.selected || a.ID == d.linkFrom, suggestClass(a, d.markClass(a.ID)))
	if d.unattributed()[a.ID] {
		markUnattributed(&m)
	}
	return m
}

func (d *Desk) labelColors() map[string]string { return schemaColors(d.sess.Schema) }

// syncDoc brings the document DOM up to date. Cheap when nothing changed.
func (d *Desk) syncDoc() {
	s := d.sess
	if s == nil || !s.Ready {
		return
	}
	container := app.Window().GetElementByID("paras")
	if !container.Truthy() || container.Call("closest", "#"+PrerenderID).Truthy() {
		// Not mounted yet (the #paras found is the server's pre-render):
		// the deferred call after the render comes back.
		return
	}
	st := &d.sync
	if !st.ready {
		// The tags the page sent until now are the session's before the
		// first render (app/live/early.go).
		s.AdoptEarly()
	}
	d.syncText()
	dirtyIDs, all := s.TakeDirty()
	if all || st.filters != d.filterVer || container.Get("childElementCount").Int() != len(st.paras) {
		st.full = true
	}
	colors := d.labelColors()
	if changed := d.attributionChanges(); !st.full {
		dirtyIDs = append(dirtyIDs, changed...)
	}
	if st.full {
		// The first render adopts the server's pre-rendered paragraphs
		// when they show this state (prerender.go).
		// The index made before the first render (desk_start.go) holds
		// if only the early tags changed since: adoptPrerender draws them.
		reuse := st.indexed && !all && d.onlyEarly(dirtyIDs)
		st.indexed = false
		if st.ready || !d.adoptPrerender(container, colors, reuse) {
			d.syncAll(container, colors)
		}
	} else {
		if st.sel != d.selected {
			dirtyIDs = append(dirtyIDs, st.sel, d.selected)
		}
		if st.link != d.linkFrom {
			dirtyIDs = append(dirtyIDs, st.link, d.linkFrom)
		}
		d.syncSome(container, dirtyIDs, colors)
	}
	st.sel, st.link, st.filters = d.selected, d.linkFrom, d.filterVer
	d.publishTabStops()
	d.drawOverlays(st.byID)
	if !st.ready {
		st.ready = true
		app.Window().Call("glossMarkReady")
		s.EndEarly()
		d.replayEarlyKeys()
	}
	if d.wantAnn != "" {
		d.showFragment()
	}
}

// syncText takes the session's document text and its paragraphs, when
// they changed (or at first).
func (d *Desk) syncText() {
	st, s := &d.sync, d.sess
	if st.text == nil || st.text.String() != s.Document.Text {
		st.text = s.Text()
		if st.text == nil {
			st.text = textpos.New(s.Document.Text)
		}
		st.paras = markup.Paragraphs(s.Document.Text)
		st.full = true
	}
}

// onlyEarly reports whether every annotation ID is one of the tags made
// before the desk was live (app/live/early.go).
func (d *Desk) onlyEarly(ids []string) bool {
	early := map[string]bool{}
	for _, id := range d.sess.EarlyAnnotations() {
		early[id] = true
	}
	for _, id := range ids {
		if !early[id] {
			return false
		}
	}
	return true
}

// syncAll renders every paragraph and sets them with one innerHTML.
func (d *Desk) syncAll(container app.Value, colors map[string]string) {
	st := &d.sync
	byPara := d.indexMarks(colors)
	var b strings.Builder
	for i, p := range st.paras {
		b.WriteString(markup.Paragraph(p, byPara[i]))
	}
	app.Window().Call("glossNoteSelection")
	container.Set("innerHTML", b.String())
	st.full = false
}

// indexMarks fills the sync state's bookkeeping (marks by ID, mark IDs
// by paragraph) from the session's visible annotations and returns the
// marks of each paragraph: what a full render draws, or what an adopted
// pre-render already shows.
func (d *Desk) indexMarks(colors map[string]string) [][]markup.Mark {
	st := &d.sync
	anns := d.visible()
	marks := make([]markup.Mark, len(anns))
	st.byID = make(map[string]markup.Mark, len(anns))
	for i, a := range anns {
		marks[i] = d.mark(a, colors)
		st.byID[a.ID] = marks[i]
	}
	byPara := markup.ByParagraph(st.paras, marks)
	st.inPara = make([]map[string]bool, len(st.paras))
	for i := range st.paras {
		st.inPara[i] = make(map[string]bool, len(byPara[i]))
		for _, m := range byPara[i] {
			st.inPara[i][m.ID] = true
		}
	}
	return byPara
}

// syncSome re-renders the paragraphs touched by the given annotations
// (before or after their change).
// The paragraph elements stay; only their content is replaced (see
// markup.ParagraphContent: a new element loses the scroll position).
func (d *Desk) syncSome(container app.Value, ids []string, colors map[string]string) {
	st := &d.sync
	dirty := map[int]bool{}
	touch := func(m markup.Mark, add bool) {
		for i := markup.ParaAt(st.paras, m.Start); i < len(st.paras) && st.paras[i].Start < m.End; i++ {
			dirty[i] = true
			if add {
				st.inPara[i][m.ID] = true
			} else {
				delete(st.inPara[i], m.ID)
			}
		}
	}
	for _, id := range ids {
		if id == "" {
			continue
		}
		old, had := st.byID[id]
		now, has := d.markFor(id, colors)
		if had == has && old == now {
			continue
		}
		if had {
			touch(old, false)
			delete(st.byID, id)
		}
		if has {
			st.byID[id] = now
			touch(now, true)
		}
	}
	if len(dirty) == 0 {
		return
	}
	app.Window().Call("glossNoteSelection")
	children := container.Get("children")
	for i := range dirty {
		marks := make([]markup.Mark, 0, len(st.inPara[i]))
		for id := range st.inPara[i] {
			marks = append(marks, st.byID[id])
		}
		children.Index(i).Set("innerHTML", markup.ParagraphContent(st.paras[i], marks))
	}
}

// publishTabStops tells gloss.js, on the document element, whether an
// annotation is selected and whether any is shown, so that it can decide
// in the key event whether Tab steps through the annotations or moves
// the focus on like everywhere else (glossTabSteps: no keyboard trap).
func (d *Desk) publishTabStops() {
	doc := app.Window().GetElementByID("doc")
	if !doc.Truthy() {
		return
	}
	sel, anns := "", "0"
	if d.selected != "" {
		sel = "1"
	}
	if len(d.sync.byID) > 0 {
		anns = "1"
	}
	ds := doc.Get("dataset")
	for k, v := range map[string]string{"sel": sel, "anns": anns} {
		if ds.Get(k).String() != v {
			ds.Set(k, v)
		}
	}
}
