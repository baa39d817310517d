// Package markup turns a document and its annotations into the HTML of
// the document view, one paragraph at a time. It is pure string work —
// no DOM — so it runs and is tested natively, and it is the one place
// where untrusted article text and label names become markup: everything
// from the document or the wire is escaped here.
package markup

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"gloss/shared/model"
	"gloss/shared/textpos"
)

// Para is one paragraph of the document (textpos.Paragraphs).
type Para = textpos.Para

// Paragraphs splits text into paragraphs as textpos.Paragraphs does: the
// split lives there so that the server reads a browser selection against
// the same paragraphs as the view draws.
func Paragraphs(text string) []Para { return textpos.Paragraphs(text) }

// ParaAt returns the index of the paragraph containing code point offset
// cp (or the first one after it), by binary search.
func ParaAt(paras []Para, cp int) int {
	return sort.Search(len(paras), func(i int) bool { return paras[i].End > cp })
}

// Style says how to draw one annotation.
type Style struct {
	Color string // label colour, #rrggbb
	Faded bool   // another analyst's layer: drawn lighter
}

// Mark is an annotation as the view draws it.
type Mark struct {
	ID         string
	Start, End int // document code points
	Style      Style
	Selected   bool
	// Class names (space-separated) added to every piece of text the mark
	// covers, e.g. "noted" (has comments) or "dis" (disagreement). Only
	// [a-z0-9-] survive: a class cannot break out of the attribute.
	Class string
	// Title says what the mark is ("figure · alice"); each piece of text
	// shows the titles of the marks covering it on hover, so that two
	// overlapping spans of the same label are told apart.
	Title string
}

// ParagraphContent is Paragraph without the <p> element around it: what
// replaces a paragraph's content in place. Keeping the element keeps the
// size the browser remembered for it (content-visibility), which a new
// element lacks: replacing the one paragraph of a long single-paragraph
// document shrank it to its placeholder height and lost the scroll.
func ParagraphContent(p Para, marks []Mark) string {
	h := Paragraph(p, marks)
	return h[strings.IndexByte(h, '>')+1 : len(h)-len("</p>")]
}

// Paragraph returns the HTML of paragraph p with marks (any order; marks
// not touching p are ignored). The text is split at every mark boundary;
// each piece lists the marks covering it (data-a, innermost first) and
// draws one underline per mark, stacked, so nested and overlapping spans
// stay visible and each remains clickable.
func Paragraph(p Para, marks []Mark) string {
	var b strings.Builder
	s := p.Text.String()
	b.Grow(len(s) + 64)
	b.WriteString(paraOpen)
	b.WriteString(strconv.Itoa(p.Index))
	b.WriteString(`">`)
	// Boundaries inside the paragraph, relative to its start.
	var in []Mark
	cuts := []int{0, p.End - p.Start}
	for _, m := range marks {
		if m.End <= p.Start || m.Start >= p.End {
			continue
		}
		in = append(in, m)
		cuts = append(cuts, max(m.Start-p.Start, 0), min(m.End-p.Start, p.End-p.Start))
	}
	if len(in) == 0 {
		escape(&b, s)
		b.WriteString(`</p>`)
		return b.String()
	}
	sort.Ints(cuts)
	// Innermost (shortest) first, so a click picks the smallest span.
	sort.SliceStable(in, func(i, j int) bool { return in[i].End-in[i].Start < in[j].End-in[j].Start })
	prev := -1
	cover := make([]Mark, 0, 8)
	for i := 0; i+1 < len(cuts); i++ {
		a, z := cuts[i], cuts[i+1]
		if a == z || a == prev {
			continue
		}
		prev = a
		ba, _ := p.Text.ByteOffset(a)
		bz, _ := p.Text.ByteOffset(z)
		cover = cover[:0]
		for _, m := range in {
			if m.Start-p.Start <= a && m.End-p.Start >= z {
				cover = append(cover, m)
			}
		}
		if len(cover) == 0 {
			escape(&b, s[ba:bz])
			continue
		}
		b.WriteString(`<span class="seg`)
		for _, m := range cover {
			if m.Selected {
				b.WriteString(` sel`)
				break
			}
		}
		writeClasses(&b, cover)
		b.WriteString(`" data-a="`)
		for k, m := range cover {
			if k > 0 {
				b.WriteByte(' ')
			}
			escape(&b, m.ID)
		}
		// Where a mark begins or ends inside its neighbours (data-b "s",
		// "e"), a boundary tick is drawn: a span nested in or overlapping
		// another of the same colour is still seen where it starts.
		starts, ends := false, false
		for _, m := range cover {
			starts = starts || m.Start-p.Start == a
			ends = ends || m.End-p.Start == z
		}
		if len(cover) > 1 || len(in) > 1 {
			switch {
			case starts && ends:
				b.WriteString(`" data-b="s e`)
			case starts:
				b.WriteString(`" data-b="s`)
			case ends:
				b.WriteString(`" data-b="e`)
			}
		}
		titled := false
		for _, m := range cover {
			if m.Title == "" {
				continue
			}
			if !titled {
				b.WriteString(`" title="`)
				titled = true
			} else {
				b.WriteString("&#10;")
			}
			escape(&b, m.Title)
		}
		// Underlines stack downwards, innermost nearest the text; the
		// innermost label also tints the background.
		b.WriteString(`" style="background:`)
		writeColor(&b, cover[0].Style, "24")
		b.WriteString(`;box-shadow:`)
		for k, m := range cover {
			if k > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`0 `)
			b.WriteString(strconv.Itoa(2 + 3*k))
			b.WriteString(`px 0 `)
			writeColor(&b, m.Style, "")
		}
		b.WriteString(`">`)
		escape(&b, s[ba:bz])
		b.WriteString(`</span>`)
	}
	b.WriteString(`</p>`)
	return b.String()
}

// writeColor writes a validated #rrggbb colour with an alpha suffix for
// faded layers; anything else becomes grey, so a hostile colour string
// from a schema can never break out of the style attribute.
func writeColor(b *strings.Builder, st Style, alpha string) {
	b.WriteString(model.DisplayColor(st.Color))
	switch {
	case alpha != "":
		if st.Faded {
			b.WriteString("14")
		} else {
			b.WriteString(alpha)
		}
	case st.Faded:
		b.WriteString("8c")
	}
}

// escape writes s with the five HTML-significant characters escaped.
// Everything else, NBSP and invalid bytes included, goes through as is,
// so the DOM text equals the document text.
func escape(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '&':
			rep = "&amp;"
		case '"':
			rep = "&#34;"
		case '\'':
			rep = "&#39;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(rep)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// Escape returns s HTML-escaped, for other hand-built markup.
func Escape(s string) string {
	var b strings.Builder
	escape(&b, s)
	return b.String()
}

// EscapeTo writes s to b escaped as Escape does, without a string per
// call: for other writers of hand-built HTML (app/storyview).
func EscapeTo(b *strings.Builder, s string) { escape(b, s) }

// MarksFrom converts annotations to marks, styling them by label colour
// and fading layers other than own.
func MarksFrom(anns []model.Annotation, schema model.Schema, own string, selected string) []Mark {
	colors := map[string]string{}
	for _, l := range schema.Labels {
		colors[l.Name] = l.Color
	}
	out := make([]Mark, len(anns))
	for i, a := range anns {
		out[i] = Mark{ID: a.ID, Start: a.Start, End: a.End, Style: Style{Color: colors[a.Label], Faded: a.Layer != own}, Selected: a.ID == selected}
	}
	return out
}

// ByParagraph groups marks by the paragraphs they touch (a mark spanning
// paragraphs is in each), so rendering one paragraph looks at its own.
func ByParagraph(paras []Para, marks []Mark) [][]Mark {
	out := make([][]Mark, len(paras))
	for _, m := range marks {
		for i := ParaAt(paras, m.Start); i < len(paras) && paras[i].Start < m.End; i++ {
			out[i] = append(out[i], m)
		}
	}
	return out
}

// writeClasses writes the marks' extra classes, each once, keeping only
// the characters of a plain class name.
func writeClasses(b *strings.Builder, marks []Mark) {
	var seen []string
	for _, m := range marks {
		for _, c := range strings.Fields(m.Class) {
			c = strings.Map(func(r rune) rune {
				if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
					return r
				}
				return -1
			}, c)
			if c == "" || c == "seg" || c == "sel" || slices.Contains(seen, c) {
				continue
			}
			seen = append(seen, c)
			b.WriteByte(' ')
			b.WriteString(c)
		}
	}
}

// paraOpen starts every paragraph Paragraph writes. Text and attribute
// values are escaped, so in a run of paragraphs it marks exactly where
// each begins: SplitParagraphs and ParagraphsFrom cut there.
const paraOpen = `<p class="para" data-p="`

// SplitParagraphs cuts html, a run of Paragraph outputs in order, before
// the first paragraph that starts at or after byte budget: head is the
// paragraphs before it and from its index. ok is false when no paragraph
// starts there (all of html is head).
func SplitParagraphs(html string, budget int) (head string, from int, ok bool) {
	if budget < 0 {
		budget = 0
	}
	if budget >= len(html) {
		return html, 0, false
	}
	i := strings.Index(html[budget:], paraOpen)
	if i < 0 {
		return html, 0, false
	}
	at := budget + i
	n, err := strconv.Atoi(html[at+len(paraOpen) : at+len(paraOpen)+strings.IndexByte(html[at+len(paraOpen):], '"')])
	if err != nil {
		return html, 0, false
	}
	return html[:at], n, true
}

// ParagraphsFrom returns the paragraphs of html (a run of Paragraph
// outputs) from the one with index from on; ok is false if there is none.
func ParagraphsFrom(html string, from int) (string, bool) {
	i := strings.Index(html, paraOpen+strconv.Itoa(from)+`"`)
	if i < 0 {
		return "", false
	}
	return html[i:], true
}
