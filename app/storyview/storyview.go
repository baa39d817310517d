// Package storyview turns a story's comparison table (shared/story) into
// the HTML of the story view. Like app/markup it is pure string work, so
// it is tested natively, a go-app component can insert it with app.Raw
// (one root element: the <table>) and the server can pre-render it.
// Everything that comes from documents, analysts or the wire — names,
// outlets, quotes, qualifiers, units, sources, layer and annotation ids —
// is escaped here.
package storyview

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gloss/app/markup"
	"gloss/shared/story"
)

// DocHref is the address that opens document doc on the desk at
// annotation ann: /doc/{doc}#ann-{ann}. The desk route is /doc/{id}; the
// fragment names the span, so opening the link loads the document and
// selects (scrolls to) that annotation. The id is URL-escaped: imported
// ids are not limited to the characters the wire allows.
func DocHref(doc int64, ann string) string {
	h := "/doc/" + strconv.FormatInt(doc, 10)
	if ann != "" {
		h += "#" + AnnFragment(ann)
	}
	return h
}

// AnnFragment is the URL fragment that addresses annotation ann
// ("ann-" + the escaped id); the desk reads it back with ParseFragment.
func AnnFragment(ann string) string { return "ann-" + url.PathEscape(ann) }

// ParseFragment returns the annotation id a fragment addresses ("#ann-x"
// or "ann-x"), or "" when it addresses none.
func ParseFragment(frag string) string {
	frag = strings.TrimPrefix(frag, "#")
	if !strings.HasPrefix(frag, "ann-") {
		return ""
	}
	id, err := url.PathUnescape(frag[len("ann-"):])
	if err != nil {
		return ""
	}
	return id
}

// Table returns the HTML of t: a header row of documents (name, outlet,
// publication date, unattributed claims and figures), then one row per
// quantity with a cell per document and a summary cell (range, the
// figure to record, the dispute). Cells link each figure to its span.
func Table(t story.Table) string {
	var b strings.Builder
	b.Grow(256 + 512*len(t.Rows)*(1+len(t.Columns)))
	writeTable(&b, t, nil)
	return b.String()
}

// writeTable writes t; with v, it also keeps each part's HTML in v.
func writeTable(b *strings.Builder, t story.Table, v *View) {
	b.WriteString(`<table class="story-table" data-story="`)
	b.WriteString(strconv.FormatInt(t.Story, 10))
	b.WriteString(`"><thead><tr><th scope="col">Quantity</th>`)
	for _, c := range t.Columns {
		if v == nil {
			writeColumn(b, c)
			continue
		}
		h := column(c)
		v.cols = append(v.cols, c)
		v.heads = append(v.heads, h)
		b.WriteString(h)
	}
	b.WriteString(`<th scope="col">Summary</th></tr></thead><tbody>`)
	if len(t.Rows) == 0 {
		b.WriteString(`<tr><td class="empty" colspan="`)
		b.WriteString(strconv.Itoa(len(t.Columns) + 2))
		b.WriteString(`">No figures tagged yet.</td></tr>`)
	}
	for i := range t.Rows {
		if v == nil {
			writeRow(b, &t.Rows[i])
			continue
		}
		r := makeRow(&t.Rows[i])
		v.rows = append(v.rows, r)
		r.writeTo(b)
	}
	b.WriteString(`</tbody></table>`)
}

func writeColumn(b *strings.Builder, c story.Column) {
	b.WriteString(`<th scope="col" data-doc="`)
	b.WriteString(strconv.FormatInt(c.Document, 10))
	b.WriteString(`"><a href="`)
	b.WriteString(DocHref(c.Document, ""))
	b.WriteString(`">`)
	name := c.Name
	if name == "" {
		name = "document " + strconv.FormatInt(c.Document, 10)
	}
	esc(b, name)
	b.WriteString(`</a>`)
	if c.Outlet != "" || !c.Published.IsZero() {
		b.WriteString(`<div class="doc-meta">`)
		esc(b, c.Outlet)
		if c.Outlet != "" && !c.Published.IsZero() {
			b.WriteString(` · `)
		}
		if !c.Published.IsZero() {
			b.WriteString(`<time datetime="`)
			b.WriteString(c.Published.UTC().Format("2006-01-02T15:04:05Z"))
			b.WriteString(`">`)
			b.WriteString(c.Published.UTC().Format("2 Jan 2006 15:04"))
			b.WriteString(`</time>`)
		}
		b.WriteString(`</div>`)
	}
	b.WriteString(`<div class="doc-unattributed`)
	if c.Unattributed > 0 {
		b.WriteString(` some`)
	}
	b.WriteString(`" title="claims and figures with no source linked">`)
	b.WriteString(strconv.Itoa(c.Unattributed))
	b.WriteString(` of `)
	b.WriteString(strconv.Itoa(c.Claims + c.Figures))
	b.WriteString(` unattributed</div></th>`)
}

func writeRow(b *strings.Builder, r *story.Row) {
	writeRowOpen(b, r)
	writeRowHead(b, r)
	for i := range r.Cells {
		writeCell(b, r.Cells[i].Figures)
	}
	writeSummary(b, r)
	b.WriteString(`</tr>`)
}

func writeRowOpen(b *strings.Builder, r *story.Row) {
	b.WriteString(`<tr class="`)
	b.WriteString(rowClass(r.Conflict))
	b.WriteString(`" data-quantity="`)
	esc(b, r.Quantity)
	b.WriteString(`" data-unit="`)
	esc(b, r.Unit)
	b.WriteString(`">`)
}

func rowClass(conflict bool) string {
	if conflict {
		return "story-row conflict"
	}
	return "story-row"
}

func writeRowHead(b *strings.Builder, r *story.Row) {
	b.WriteString(`<th scope="row">`)
	esc(b, r.Label)
	if r.Conflict {
		b.WriteString(` <span class="flag" title="the documents disagree">conflict</span>`)
	}
	b.WriteString(`</th>`)
}

func writeCell(b *strings.Builder, figs []story.Figure) {
	b.WriteString(`<td>`)
	for j := range figs {
		writeFigure(b, &figs[j])
	}
	b.WriteString(`</td>`)
}

func writeSummary(b *strings.Builder, r *story.Row) {
	b.WriteString(`<td class="story-summary">`)
	if r.HasRange {
		b.WriteString(`<div class="range">`)
		b.WriteString(story.FormatNumber(r.Low))
		if r.High != r.Low {
			b.WriteString(`–`)
			b.WriteString(story.FormatNumber(r.High))
		}
		b.WriteString(`</div>`)
	}
	if r.Conservative != nil {
		b.WriteString(`<div class="record">record: `)
		esc(b, r.Conservative.Text())
		b.WriteString(`</div>`)
	}
	if r.Dispute != "" {
		b.WriteString(`<div class="dispute">`)
		esc(b, r.Dispute)
		b.WriteString(`</div>`)
	}
	b.WriteString(`</td>`)
}

// writeFigure writes one figure as a link to its span (the desk opens the
// document with the span selected, with or without the page's wasm):
// its number in bold, its unit, then who reports it and in which layer.
// A 2,000-figure story is this markup 2,000 times, so it is short: the
// classes are letters (see FigureClass), the cell and the row say which
// quantity and article it is, and the link says which span.
func writeFigure(b *strings.Builder, f *story.Figure) {
	b.WriteString(`<a `)
	writeFigureClass(b, f)
	b.WriteString(`href="`)
	esc(b, DocHref(f.Document, f.ID))
	b.WriteString(`"><b>`)
	text := f.Text()
	if text == "" {
		text = "?"
	}
	esc(b, text)
	b.WriteString(`</b>`)
	if f.Unit != "" {
		b.WriteByte(' ')
		esc(b, f.Unit)
	}
	b.WriteString(` <small>`)
	if len(f.Sources) > 0 {
		esc(b, strings.Join(f.Sources, "; "))
	} else {
		b.WriteString(`<em>no source</em>`)
	}
	b.WriteString(` · `)
	esc(b, f.Layer)
	if f.Class == story.ClassSuggestion {
		b.WriteString(` (suggested)`)
	}
	b.WriteString(`</small></a>`)
}

// sameShown says whether cells a and b show the same: every field
// writeFigure reads (and Figure.Text) is equal.
func sameShown(a, b []story.Figure) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.ID != y.ID || x.Document != y.Document || x.Class != y.Class || x.Disputed != y.Disputed || x.Counted != y.Counted ||
			x.Layer != y.Layer || x.Unit != y.Unit || x.Qualifier != y.Qualifier || x.Reading.Kind != y.Reading.Kind ||
			!story.EqualNum(x.Value, y.Value) || !story.EqualNum(x.Low, y.Low) || !story.EqualNum(x.High, y.High) || !slices.Equal(x.Sources, y.Sources) {
			return false
		}
	}
	return true
}

// writeFigureClass writes the class attribute of a figure's link (and a
// space), none when there is nothing to mark. The classes are letters:
// the layer class unless an analyst's (g gold, m machine, s suggestion),
// d disputed, x uncounted (shown, but a better layer of the same document
// speaks for the cell).
func writeFigureClass(b *strings.Builder, f *story.Figure) {
	var c [3]byte
	n := 0
	switch f.Class {
	case story.ClassGold:
		c[n], n = 'g', n+1
	case story.ClassMachine:
		c[n], n = 'm', n+1
	case story.ClassSuggestion:
		c[n], n = 's', n+1
	}
	if f.Disputed {
		c[n], n = 'd', n+1
	}
	if !f.Counted {
		c[n], n = 'x', n+1
	}
	if n == 0 {
		return
	}
	b.WriteString(`class="`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(c[i])
	}
	b.WriteString(`" `)
}

// esc writes s escaped, as the document markup does.
func esc(b *strings.Builder, s string) { markup.EscapeTo(b, s) }
