package storyview

import (
	"fmt"
	"math/rand"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gloss/shared/model"
	"gloss/shared/story"
)

// dom is a page's table as the edits leave it: header cells and rows
// (their <tr> tag and cells), each part as HTML.
type dom struct {
	before, head, middle string // up to the header cells, the cells, then up to the first row
	rows                 []domRow
}

type domRow struct {
	open  string
	cells []string
}

var (
	cellStart = regexp.MustCompile(`<t[hd][ >]`)
	classAttr = regexp.MustCompile(`class="[^"]*"`)
)

// cells splits HTML holding cells (<th>, <td>, one level: cells hold no
// table) into them.
func cells(s string) []string {
	idx := cellStart.FindAllStringIndex(s, -1)
	out := make([]string, len(idx))
	for i, at := range idx {
		end := len(s)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		out[i] = s[at[0]:end]
	}
	return out
}

func parseRow(s string) domRow {
	s = strings.TrimSuffix(s, "</tr>")
	open := s[:strings.Index(s, ">")+1]
	return domRow{open: open, cells: cells(s[len(open):])}
}

func parseTable(s string) *dom {
	d := &dom{}
	headAt := strings.Index(s, `<thead><tr>`) + len(`<thead><tr>`)
	headEnd := strings.Index(s, `</tr></thead>`)
	d.before, d.head = s[:headAt], s[headAt:headEnd]
	bodyAt := strings.Index(s, `<tbody>`) + len(`<tbody>`)
	d.middle = s[headEnd:bodyAt]
	body := strings.TrimSuffix(s[bodyAt:], `</tbody></table>`)
	for _, r := range strings.SplitAfter(body, `</tr>`) {
		if r != "" {
			d.rows = append(d.rows, parseRow(r))
		}
	}
	return d
}

func (d *dom) String() string {
	var b strings.Builder
	b.WriteString(d.before + d.head + d.middle)
	for _, r := range d.rows {
		b.WriteString(r.open + strings.Join(r.cells, "") + "</tr>")
	}
	b.WriteString(`</tbody></table>`)
	return b.String()
}

func (d *dom) apply(t *testing.T, e Edit) *dom {
	t.Helper()
	switch e.Op {
	case Whole:
		return parseTable(e.HTML)
	case Head:
		h := cells(d.head)
		h[e.Cell] = e.HTML
		d.head = strings.Join(h, "")
	case ReplaceRow:
		d.rows[e.Row] = parseRow(e.HTML)
	case InsertRow:
		d.rows = slices.Insert(d.rows, e.Row, parseRow(e.HTML))
	case RemoveRow:
		d.rows = slices.Delete(d.rows, e.Row, e.Row+1)
	case ReplaceCell:
		d.rows[e.Row].cells[e.Cell] = e.HTML
	case RowClass:
		r := &d.rows[e.Row]
		r.open = classAttr.ReplaceAllLiteralString(r.open, `class="`+e.HTML+`"`)
	default:
		t.Fatalf("unknown edit %d", e.Op)
	}
	return d
}

// TestViewEditsMatchTable: after any sequence of edits to a story, the
// page's table patched by View's edits is the table Table writes.
func TestViewEditsMatchTable(t *testing.T) {
	quantities := []string{"dead", "injured", "evacuated", "arrested", "missing"}
	qualifiers := []string{"", "at least", "about", "around", "more than"}
	for seed := int64(1); seed <= 30; seed++ {
		rng := rand.New(rand.NewSource(seed))
		docs := make([]story.Document, 1+rng.Intn(4))
		b := story.NewBuilder(1, "s")
		for i := range docs {
			docs[i] = story.Document{ID: int64(i + 1), Name: fmt.Sprintf("doc <%d>", i)}
			b.Set(docs[i])
		}
		var v View
		var d *dom
		for step := 0; step < 80; step++ {
			doc := &docs[rng.Intn(len(docs))]
			anns := slices.Clone(doc.Annotations)
			switch op := rng.Intn(10); {
			case op >= 8 && len(anns) > 0: // an analyst corrects a figure's fields
				i := rng.Intn(len(anns))
				at := *anns[i].Attrs
				if op == 8 {
					at.Qualifier = qualifiers[rng.Intn(len(qualifiers))]
				} else {
					at.Value = num(float64(rng.Intn(50)))
				}
				anns[i].Attrs = &at
			case op < 4 || len(anns) == 0:
				anns = append(anns, model.Annotation{ID: fmt.Sprintf("f%d", step), Layer: "alice", Label: story.LabelFigure,
					Start: step, End: step + 1, Quote: "x", Attrs: &model.Attrs{Value: num(float64(rng.Intn(50))),
						Qualifier: qualifiers[rng.Intn(len(qualifiers))], Quantity: quantities[rng.Intn(len(quantities))]}})
			case op < 7:
				i := rng.Intn(len(anns))
				anns = slices.Delete(anns, i, i+1)
			default:
				doc.Outlet = fmt.Sprintf("outlet %d", rng.Intn(3))
			}
			doc.Annotations = anns
			b.Set(*doc)
			tb := b.Table()
			for _, e := range v.Update(tb) {
				d = d.apply(t, e)
			}
			if got, want := d.String(), Table(tb); got != want {
				t.Fatalf("seed %d step %d: patched table\n%s\nwant\n%s", seed, step, got, want)
			}
		}
	}
}

// TestViewEditsOneCell: a figure tagged in one article costs its cell
// (and the row's summary), not its row or the table.
func TestViewEditsOneCell(t *testing.T) {
	b := story.NewBuilder(1, "s")
	doc := func(id int64, figs ...float64) story.Document {
		d := story.Document{ID: id, Name: fmt.Sprint("doc ", id)}
		for i, f := range figs {
			d.Annotations = append(d.Annotations, model.Annotation{ID: fmt.Sprintf("f%d-%d", id, i), Layer: "alice", Label: story.LabelFigure,
				Start: i, End: i + 1, Quote: "x", Attrs: &model.Attrs{Value: num(f), Qualifier: "at least", Quantity: []string{"dead", "injured"}[i%2]}})
		}
		return d
	}
	for id := int64(1); id <= 3; id++ {
		b.Set(doc(id, 40, 10))
	}
	var v View
	if e := v.Update(b.Table()); len(e) != 1 || e[0].Op != Whole {
		t.Fatalf("first edits = %+v, want one whole table", e)
	}
	b.Set(doc(2, 40, 10, 60)) // a second dead figure in article 2, in conflict
	edits := v.Update(b.Table())
	var got []string
	for _, e := range edits {
		got = append(got, fmt.Sprintf("%d/%d/%d", e.Op, e.Row, e.Cell))
	}
	// The dead row turns into a conflict: its class, header and cells
	// change (figures now disputed), but it is not replaced whole, and
	// nothing outside it (row 0) and article 2's header moves.
	for _, e := range edits {
		switch {
		case e.Op == Head && e.Cell == 2:
		case e.Op == RowClass && e.Row == 0 && e.HTML == "story-row conflict":
		case e.Op == ReplaceCell && e.Row == 0:
		default:
			t.Errorf("unexpected edit %d/%d/%d in %v", e.Op, e.Row, e.Cell, got)
		}
	}
	// Article 3 adds a third toll to the row already in conflict: its
	// header (counts), its cell, article 2's cell (its 40 is now disputed
	// by another article's figure) and the row's summary (range), nothing
	// else.
	b.Set(doc(3, 40, 10, 70))
	got = nil
	for _, e := range v.Update(b.Table()) {
		got = append(got, fmt.Sprintf("%d/%d/%d", e.Op, e.Row, e.Cell))
	}
	if want := []string{
		fmt.Sprintf("%d/0/3", Head), fmt.Sprintf("%d/0/2", ReplaceCell), fmt.Sprintf("%d/0/3", ReplaceCell), fmt.Sprintf("%d/0/4", ReplaceCell),
	}; !slices.Equal(got, want) {
		t.Errorf("edits %v, want %v", got, want)
	}
	// The same figure again: nothing to do.
	b.Set(doc(3, 40, 10, 70))
	if e := v.Update(b.Table()); len(e) != 0 {
		t.Errorf("no change, yet edits %+v", e)
	}
}

// conflictDocs is the story view benchmark's 50 articles × 40 figures
// (server/internal/browsertest), set in a builder: every row holds 250
// figures of 50 articles, in conflict.
func conflictDocs() ([]story.Document, *story.Builder) {
	quantities := []string{"dead", "wounded", "hospitalised", "evacuated", "missing", "arrested", "displaced", "rescued"}
	qualifiers := []string{"at least", "", "about", "more than", ""}
	docs := make([]story.Document, 50)
	bl := story.NewBuilder(1, "bench")
	for d := range docs {
		docs[d] = story.Document{ID: int64(d + 1), Name: fmt.Sprintf("Article %02d", d), Outlet: fmt.Sprintf("Outlet %02d", d),
			Published: time.Date(2024, 3, 1+d%28, 10, 0, 0, 0, time.UTC)}
		for i := 0; i < 40; i++ {
			docs[d].Annotations = append(docs[d].Annotations, model.Annotation{ID: fmt.Sprintf("f%d-%d", d, i), Layer: "alice",
				Label: story.LabelFigure, Start: i * 100, End: i*100 + 20, Quote: "x",
				Attrs: &model.Attrs{Value: num(float64(20 + (d*7+i*13)%90)), Qualifier: qualifiers[(i/len(quantities)+d)%len(qualifiers)],
					Unit: "people", Quantity: quantities[i%len(quantities)]}})
		}
		bl.Set(docs[d])
	}
	return docs, bl
}

// withToll is d with one more figure tagged, "77 people dead" (no fields).
func withToll(d story.Document, id string) story.Document {
	d.Annotations = append(slices.Clone(d.Annotations), model.Annotation{ID: id, Layer: "bob",
		Label: story.LabelFigure, Start: 9000, End: 9014, Quote: "77 people dead"})
	return d
}

// TestViewEditsOneCellOfConflictRow: in rows of 250 figures in conflict,
// a toll tagged in one article (the first time since the table was laid
// out whole, then again) costs the page its column's header (counts),
// its cell and the row's summary: no other cell of the row.
func TestViewEditsOneCellOfConflictRow(t *testing.T) {
	docs, bl := conflictDocs()
	var v View
	tb := bl.Table()
	v.Update(tb)
	for i, d := range []int{0, 3, 7} {
		bl.Set(withToll(docs[d], fmt.Sprint("new", i)))
		var got []string
		for _, e := range v.Update(bl.Table()) {
			got = append(got, fmt.Sprintf("%d/%d/%d", e.Op, e.Row, e.Cell))
		}
		col := 1 + slices.IndexFunc(tb.Columns, func(c story.Column) bool { return c.Document == docs[d].ID })
		if want := []string{fmt.Sprintf("%d/0/%d", Head, col), fmt.Sprintf("%d/0/%d", ReplaceCell, col), fmt.Sprintf("%d/0/51", ReplaceCell)}; !slices.Equal(got, want) {
			t.Errorf("toll in article %d: edits %v, want %v", d, got, want)
		}
	}
}

// BenchmarkViewOneFigure is the live path of the story view's benchmark
// (50 articles × 40 figures): a figure tagged in one article, the table
// laid out again (Builder) and the page's edits worked out (View).
func BenchmarkViewOneFigure(b *testing.B) {
	docs, bl := conflictDocs()
	var v View
	v.Update(bl.Table())
	// Each article in turn gets the toll, then (the next time round) has
	// it deleted: the articles do not grow with b.N.
	tagged := make([]story.Document, len(docs))
	for i, d := range docs {
		tagged[i] = withToll(d, fmt.Sprint("new", i))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if d := i % len(docs); (i/len(docs))%2 == 0 {
			bl.Set(tagged[d])
		} else {
			bl.Set(docs[d])
		}
		v.Update(bl.Table())
	}
}
