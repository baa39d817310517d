package storyview

import (
	"strings"

	"gloss/shared/story"
)

// View is a story table as a page shows it: it keeps the HTML of each
// part it gave (header cells, rows, and each row's cells), so that the
// next table costs the page only the parts that changed. A live story
// view replaces a cell or a row where an op changed something, and never
// the table's 2,000 links again, which a browser would have to parse,
// style and lay out anew.
type View struct {
	shown bool
	cols  []story.Column // the columns as shown
	heads []string       // their header cells
	rows  []viewRow
}

// viewRow is one row's HTML, part by part: the <tr> tag, the header cell,
// one cell per column and the summary cell.
type viewRow struct {
	quantity, unit string
	conflict       bool
	version        uint64
	open, head     string
	cells          []string
	summary        string
	// figs are the cells' figures the HTML was written from (a table's
	// rows are not changed once given: see story.Builder.Table).
	figs [][]story.Figure
}

// EditOp says what an Edit does to the table.
type EditOp int

// What an edit does: Whole replaces the table (the container's HTML); the
// others address the table's elements by position, as they are when the
// edit comes (the edits before it applied).
const (
	Whole       EditOp = iota // the container's inner HTML
	Head                      // thead's first row, cell Cell: outer HTML
	ReplaceRow                // tbody's row Row: outer HTML
	InsertRow                 // a row inserted before tbody's row Row (appended when there is none)
	RemoveRow                 // tbody's row Row removed
	ReplaceCell               // tbody's row Row, cell Cell (0 is the row's header): outer HTML
	RowClass                  // tbody's row Row: its class attribute becomes HTML (the row turned into a conflict or out of one)
)

// Edit is one change to the page's table.
type Edit struct {
	Op        EditOp
	Row, Cell int
	HTML      string
}

// Update returns the edits that turn the table last shown into t's. The
// first table, a change of columns, or a table that becomes empty or
// stops being so, is one Whole edit; otherwise rows are matched by
// quantity and unit, and a row whose Version (from story.Builder) is
// unchanged costs nothing.
func (v *View) Update(t story.Table) []Edit {
	if !v.shown || !sameColumns(v.cols, t.Columns) || (len(v.rows) == 0) != (len(t.Rows) == 0) {
		*v = View{shown: true}
		var b strings.Builder
		b.Grow(256 + 512*len(t.Rows)*(1+len(t.Columns)))
		writeTable(&b, t, v)
		return []Edit{{Op: Whole, HTML: b.String()}}
	}
	var edits []Edit
	for i, c := range t.Columns {
		if sameColumn(c, v.cols[i]) {
			continue
		}
		v.cols[i] = c
		if h := column(c); h != v.heads[i] {
			v.heads[i] = h
			edits = append(edits, Edit{Op: Head, Cell: i + 1, HTML: h})
		}
	}
	type key struct{ quantity, unit string }
	inNew := make(map[key]bool, len(t.Rows))
	for i := range t.Rows {
		inNew[key{t.Rows[i].Quantity, t.Rows[i].Unit}] = true
	}
	inOld := make(map[key]bool, len(v.rows))
	for i := range v.rows {
		inOld[key{v.rows[i].quantity, v.rows[i].unit}] = true
	}
	// Both lists are in the table's row order: walk them together.
	rows := make([]viewRow, 0, len(t.Rows))
	i, j := 0, 0
	for i < len(t.Rows) || j < len(v.rows) {
		switch {
		case j < len(v.rows) && !inNew[key{v.rows[j].quantity, v.rows[j].unit}]:
			edits = append(edits, Edit{Op: RemoveRow, Row: len(rows)})
			j++
		case i < len(t.Rows) && !inOld[key{t.Rows[i].Quantity, t.Rows[i].Unit}]:
			r := makeRowFrom(&t.Rows[i], nil)
			edits = append(edits, Edit{Op: InsertRow, Row: len(rows), HTML: r.String()})
			rows = append(rows, r)
			i++
		default: // the same row, in both
			if i == len(t.Rows) || j == len(v.rows) || v.rows[j].quantity != t.Rows[i].Quantity || v.rows[j].unit != t.Rows[i].Unit {
				// Not in the same order: cannot happen with one Builder's
				// tables, but a whole table is always right.
				*v = View{}
				return v.Update(t)
			}
			old, r := &v.rows[j], &t.Rows[i]
			if r.Version != 0 && r.Version == old.version {
				rows = append(rows, *old)
			} else {
				rows = append(rows, diffRow(old, makeRowFrom(r, old), len(rows), &edits))
			}
			i++
			j++
		}
	}
	v.rows = rows
	return edits
}

// diffRow adds the edits that turn row old into nr (at index at).
func diffRow(old *viewRow, nr viewRow, at int, edits *[]Edit) viewRow {
	if len(nr.cells) != len(old.cells) {
		*edits = append(*edits, Edit{Op: ReplaceRow, Row: at, HTML: nr.String()})
		return nr
	}
	if nr.open != old.open {
		// Only the class can differ (quantity and unit matched): a row of
		// 2,000 links is not parsed again because it turned into a
		// conflict.
		*edits = append(*edits, Edit{Op: RowClass, Row: at, HTML: rowClass(nr.conflict)})
	}
	if nr.head != old.head {
		*edits = append(*edits, Edit{Op: ReplaceCell, Row: at, Cell: 0, HTML: nr.head})
	}
	for c := range nr.cells {
		if nr.cells[c] != old.cells[c] {
			*edits = append(*edits, Edit{Op: ReplaceCell, Row: at, Cell: c + 1, HTML: nr.cells[c]})
		}
	}
	if nr.summary != old.summary {
		*edits = append(*edits, Edit{Op: ReplaceCell, Row: at, Cell: len(nr.cells) + 1, HTML: nr.summary})
	}
	return nr
}

func sameColumns(shown, cols []story.Column) bool {
	if len(shown) != len(cols) {
		return false
	}
	for i := range cols {
		if shown[i].Document != cols[i].Document {
			return false
		}
	}
	return true
}

// sameColumn says whether a and b show the same: then their header is
// not written again (its dates are slow to format, in the browser).
func sameColumn(a, b story.Column) bool {
	return a.Document == b.Document && a.Name == b.Name && a.Outlet == b.Outlet && a.Published.Equal(b.Published) &&
		a.Claims == b.Claims && a.Figures == b.Figures && a.Unattributed == b.Unattributed
}

func column(c story.Column) string {
	var b strings.Builder
	writeColumn(&b, c)
	return b.String()
}

func makeRow(r *story.Row) viewRow { return makeRowFrom(r, nil) }

// makeRowFrom writes row r's parts; with old, the row as last shown, a
// cell whose figures show the same keeps its HTML: an op that changes one
// article's cell need not write the row's other 49 again.
func makeRowFrom(r *story.Row, old *viewRow) viewRow {
	part := func(write func(*strings.Builder)) string {
		var b strings.Builder
		write(&b)
		return b.String()
	}
	vr := viewRow{quantity: r.Quantity, unit: r.Unit, conflict: r.Conflict, version: r.Version,
		open:    part(func(b *strings.Builder) { writeRowOpen(b, r) }),
		head:    part(func(b *strings.Builder) { writeRowHead(b, r) }),
		summary: part(func(b *strings.Builder) { writeSummary(b, r) }),
		cells:   make([]string, len(r.Cells))}
	vr.figs = make([][]story.Figure, len(r.Cells))
	var b strings.Builder
	for c := range r.Cells {
		figs := r.Cells[c].Figures
		vr.figs[c] = figs
		if old != nil && len(old.figs) == len(r.Cells) && (sameSlice(old.figs[c], figs) || sameShown(old.figs[c], figs)) {
			vr.cells[c] = old.cells[c]
			continue
		}
		b.Grow(16 + 128*len(figs))
		writeCell(&b, figs)
		vr.cells[c] = b.String()
		b = strings.Builder{}
	}
	return vr
}

// sameSlice says whether a and b are the same figures: a Builder gives
// the cells of a row it lays out again that did not change the figures
// it gave before, and never changes figures it gave.
func sameSlice(a, b []story.Figure) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func (r *viewRow) writeTo(b *strings.Builder) {
	b.WriteString(r.open)
	b.WriteString(r.head)
	for _, c := range r.cells {
		b.WriteString(c)
	}
	b.WriteString(r.summary)
	b.WriteString(`</tr>`)
}

func (r *viewRow) String() string {
	var b strings.Builder
	r.writeTo(&b)
	return b.String()
}
