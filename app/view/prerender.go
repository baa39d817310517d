package view

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/markup"
	"gloss/shared/model"
)

// The document view, rendered by the server into the page's HTML (see
// server/internal/pages/document.go), so the highlighted article is on
// screen before the wasm has loaded. The wasm then adopts that DOM: the
// desk moves the pre-rendered paragraphs into its own container instead
// of building them again (adoptPrerender), when they were made from the
// same state (same seq, same layer, nothing pending). Both sides draw a
// mark with markOf and a paragraph with markup.Paragraph, so what the
// server wrote is what the desk would have written.

// PrerenderID is the id of the pre-rendered desk's root element.
const PrerenderID = "gloss-pre"

// Prerender is what the server knows of a document when it renders it
// for one user: only what that user may see.
type Prerender struct {
	Document    model.Document
	Schema      model.Schema
	Seq         int64
	Layer       string // the user's own layer: other layers are drawn faded
	Annotations []model.Annotation
	Relations   []model.Relation // for the "no source" markers
	Comments    []model.Comment
}

// markOf is how the document view draws annotation a.
func markOf(a model.Annotation, colors map[string]string, own string, selected bool, class string) markup.Mark {
	return markup.Mark{ID: a.ID, Start: a.Start, End: a.End,
		Style:    markup.Style{Color: colors[a.Label], Faded: a.Layer != own},
		Selected: selected,
		Class:    class,
		Title:    a.Label + " · " + a.Layer}
}

func schemaColors(s model.Schema) map[string]string {
	colors := make(map[string]string, len(s.Labels))
	for _, l := range s.Labels {
		colors[l.Name] = l.Color
	}
	return colors
}

// RenderDocument returns the HTML of the pre-rendered document view: the
// title and every paragraph with its highlights, in the desk's classes,
// plus the seq and layer it was made at as data- attributes (no script:
// the page's Content-Security-Policy allows none inline). The paragraphs
// are a script data block (fillLater). The document page itself is
// served as RenderDocumentShell, its paragraphs (RenderParagraphs)
// fetched beside it; this whole form is what the two make together.
func RenderDocument(p Prerender) string {
	var b strings.Builder
	writeShellOpen(&b, p)
	fillLater(&b, "paras", `<div id="paras" class="paras">`, RenderParagraphs(p), `</div>`)
	b.WriteString(shellClose)
	return b.String()
}

// RenderDocumentShell is the pre-rendered document view: the desk's root
// with the seq, document, layer and label keys, the title, and #paras
// holding head (the HTML of the paragraphs before paragraph from: the
// server puts a short article's all in, a long one's none). If src is
// set, web/gloss.js (glossFetchParas) fetches the other paragraphs from
// it — the page preloads it — and adds them with one innerHTML (or
// insertAdjacentHTML after head). A long article's page stays a few KB:
// Chromium decodes, preload-scans and tokenizes its 800 KB of paragraphs
// once (as the fetch's text and the insertion), not three times more as
// part of the page, and styles, lays out and paints them once.
func RenderDocumentShell(p Prerender, head string, from int, src string) string {
	var b strings.Builder
	writeShellOpen(&b, p)
	b.WriteString(`<div id="paras" class="paras"`)
	if src != "" {
		b.WriteString(` data-from="`)
		b.WriteString(strconv.Itoa(from))
		b.WriteString(`" data-src="`)
		b.WriteString(markup.Escape(src))
		b.WriteString(`"`)
	}
	b.WriteString(`>`)
	b.WriteString(head)
	b.WriteString(`</div>`)
	b.WriteString(shellClose)
	return b.String()
}

const shellClose = `</article><aside class="side"></aside></div></div>`

// writeShellOpen writes the pre-rendered desk up to its paragraphs.
func writeShellOpen(b *strings.Builder, p Prerender) {
	b.WriteString(`<div id="` + PrerenderID + `" class="desk prerendered" data-ready="0" data-doc="`)
	b.WriteString(strconv.FormatInt(p.Document.ID, 10))
	b.WriteString(`" data-seq="`)
	b.WriteString(strconv.FormatInt(p.Seq, 10))
	b.WriteString(`" data-layer="`)
	b.WriteString(markup.Escape(p.Layer))
	b.WriteString(`" data-keys="`)
	b.WriteString(markup.Escape(labelKeys(p.Schema)))
	b.WriteString(`"><div class="toolbar"></div><div class="workspace"><article id="doc" class="doc"><h1 class="doctitle">`)
	b.WriteString(markup.Escape(p.Document.Name))
	b.WriteString(`</h1>`)
}

// RenderParagraphs returns the HTML of the document's paragraphs with
// every highlight, as the desk draws them (markOf, markup.Paragraph).
func RenderParagraphs(p Prerender) string {
	counts := map[string]int{}
	for _, c := range p.Comments {
		counts[c.Target]++
	}
	colors := schemaColors(p.Schema)
	unattr := unattributedOf(p.Annotations, p.Relations)
	marks := make([]markup.Mark, len(p.Annotations))
	for i, a := range p.Annotations {
		class := ""
		if counts[a.ID] > 0 {
			class = "noted" // as Desk.markClass: a saved span with comments
		}
		marks[i] = markOf(a, colors, p.Layer, false, suggestClass(a, class))
		if unattr[a.ID] {
			markUnattributed(&marks[i]) // as Desk.mark
		}
	}
	paras := markup.Paragraphs(p.Document.Text)
	byPara := markup.ByParagraph(paras, marks)
	var ps strings.Builder
	ps.Grow(len(p.Document.Text) + 200*len(marks))
	for i, para := range paras {
		ps.WriteString(markup.Paragraph(para, byPara[i]))
	}
	return ps.String()
}

// fillLater writes the element open…close with html as its content,
// given as a script data block (<script type="text/html" data-fill=id>)
// that web/gloss.js (glossFill) sets into the element with one innerHTML
// as soon as the page is parsed: Chromium parses such HTML several times
// faster than its document parser does (which takes a large page in
// chunks, with frames in between), and styles and lays it out once. Every
// "<" in the pre-renders' HTML is one of the markup code's own tags (text
// and attributes are escaped), so nothing can end the block early; if
// that ever changed, html is written inside the element as it is.
func fillLater(b *strings.Builder, id, open, html, close string) {
	b.WriteString(open)
	if !dataBlockSafe(html) {
		b.WriteString(html)
		b.WriteString(close)
		return
	}
	b.WriteString(close)
	b.WriteString(`<script type="text/html" data-fill="`)
	b.WriteString(markup.Escape(id))
	b.WriteString(`">`)
	b.WriteString(html)
	b.WriteString(`</script>`)
}

// dataBlockSafe reports whether html can be the content of a script data
// block: no "</script" (which would end it) and no "<!--" (which changes
// how the tokenizer reads on), in any case.
func dataBlockSafe(html string) bool {
	for i := strings.IndexByte(html, '<'); i >= 0; {
		rest := html[i:]
		if strings.HasPrefix(rest, "<!--") || len(rest) >= 8 && strings.EqualFold(rest[:8], "</script") {
			return false
		}
		j := strings.IndexByte(rest[1:], '<')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return true
}

// labelKeys is the schema's label keys as web/gloss.js reads them from
// the pre-render's data-keys, to tag a selection before the wasm runs:
// a JSON object from each key, lower-cased (LabelForKey ignores case), to
// its label's name.
func labelKeys(s model.Schema) string {
	keys := make(map[string]string, len(s.Labels))
	for _, l := range s.Labels {
		if k := strings.ToLower(l.Key); k != "" {
			if _, dup := keys[k]; !dup { // LabelForKey takes the first
				keys[k] = l.Name
			}
		}
	}
	b, _ := json.Marshal(keys) // strings only: cannot fail
	return string(b)
}

// prerendered returns the pre-rendered desk's root if the page has one.
func prerendered() (app.Value, bool) {
	el := app.Window().GetElementByID(PrerenderID)
	return el, el.Truthy()
}

// adoptPrerender takes over the pre-rendered paragraphs instead of
// rendering them: it moves them into container (the nodes themselves,
// so nothing is parsed or laid out anew) and fills the sync state from
// the session, as syncAll would. It reports false, and only removes the
// pre-render, when that was made from another state than the session's.
func (d *Desk) adoptPrerender(container app.Value, colors map[string]string, reuse bool) bool {
	pre, ok := prerendered()
	if !ok {
		return false
	}
	defer pre.Call("remove")
	s := d.sess
	ds := pre.Get("dataset")
	// The tags sent before the wasm ran (web/gloss.js) are allowed on
	// top of the pre-render's state: they are drawn below.
	preSeq, err := strconv.ParseInt(ds.Get("seq").String(), 10, 64)
	if err != nil || ds.Get("doc").String() != strconv.FormatInt(d.docID, 10) || !s.OnlyEarlySince(preSeq) ||
		ds.Get("layer").String() != s.You.Layer || len(d.hiddenLabels)+len(d.hiddenLayers) > 0 ||
		d.selected != "" || container.Get("childElementCount").Int() != 0 {
		return false
	}
	paras := pre.Call("querySelector", "#paras")
	if !paras.Truthy() || paras.Get("childElementCount").Int() != len(d.sync.paras) {
		return false
	}
	st := &d.sync
	if !reuse { // else made before the render from this state but early tags (desk_start.go)
		d.indexMarks(colors)
	}
	early := s.EarlyAnnotations()
	for _, id := range early { // not in the pre-render: syncSome adds them
		if m, ok := st.byID[id]; ok {
			delete(st.byID, id)
			for i := markup.ParaAt(st.paras, m.Start); i < len(st.paras) && st.paras[i].Start < m.End; i++ {
				delete(st.inPara[i], id)
			}
		}
	}
	// Moving the nodes drops a selection the user made on the
	// pre-render: keep it as positions and put it back.
	sel := app.Window().Call("glossSelectionIfAny", pre.Call("querySelector", "#doc"))
	for c := paras.Get("firstChild"); c.Truthy(); c = paras.Get("firstChild") {
		container.Call("appendChild", c)
	}
	if sel.Truthy() {
		app.Window().Call("glossSetSelection", sel.Index(0), sel.Index(1), sel.Index(2), sel.Index(3))
	}
	st.full = false
	d.syncSome(container, early, colors)
	return true
}

// earlyKey is a key pressed on the pre-rendered document before the wasm
// took over, with the selection it was pressed on (gloss.js keeps them).
type earlyKey struct {
	Key string `json:"key"`
	Sel []int  `json:"sel"` // startPara, startUTF16, endPara, endUTF16
}

// replayEarlyKeys applies the label keys pressed before the desk was
// ready, each on the selection it was pressed on, in order.
// The tags web/gloss.js already sent are the session's (app/live/early.go)
// and drawn by now: their highlight goes, and they are undoable and the
// last one selected, as after a tag on the desk.
func (d *Desk) replayEarlyKeys() {
	app.Window().Call("glossEarlyDone")
	last := ""
	for _, id := range d.sess.EarlyAnnotations() {
		if a, ok := d.sess.Annotation(id); ok {
			d.undo = append(d.undo, change{annID: id, after: &a})
			last = id
		}
	}
	if last != "" && d.selected == "" {
		d.selected = last
		d.syncDoc()
	}
	raw := app.Window().Call("glossTakeEarlyKeys")
	if !raw.Truthy() {
		return
	}
	var keys []earlyKey
	if json.Unmarshal([]byte(raw.String()), &keys) != nil {
		return
	}
	for _, k := range keys {
		l, ok := d.sess.Schema.LabelForKey(k.Key)
		if !ok || len(k.Sel) != 4 {
			continue
		}
		if !app.Window().Call("glossSetSelection", k.Sel[0], k.Sel[1], k.Sel[2], k.Sel[3]).Bool() {
			continue
		}
		d.applyLabel(l.Name)
		d.syncDoc()
	}
}
