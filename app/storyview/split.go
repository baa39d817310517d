package storyview

import (
	"strconv"
	"strings"

	"gloss/shared/story"
)

// Split is t's table in parts, for a page that lays out the columns in
// view first (the server's pre-render of a 50-article story: a viewport
// shows a few of its columns). Skeleton is the table without any
// article's column: the header row's first and last cells, and each
// row's header and summary cells (the summary's dispute text sets the
// rows' heights, so the rows in view do not move when the other columns
// arrive). Columns[i] is article i's column as a <table> of as many rows
// as the table, the header row first, each holding that column's cell.
// Put each column's cells, in order, before the last cell of the
// skeleton's row of the same index and the result is Table(t) (TestSplit).
// A table with no rows has no columns to split: Skeleton is Table(t).
func Split(t story.Table) (skeleton string, columns []string) {
	if len(t.Rows) == 0 || len(t.Columns) == 0 {
		return Table(t), nil
	}
	var b strings.Builder
	b.WriteString(`<table class="story-table" data-story="`)
	b.WriteString(strconv.FormatInt(t.Story, 10))
	b.WriteString(`"><thead><tr><th scope="col">Quantity</th><th scope="col">Summary</th></tr></thead><tbody>`)
	for i := range t.Rows {
		r := &t.Rows[i]
		writeRowOpen(&b, r)
		writeRowHead(&b, r)
		writeSummary(&b, r)
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</tbody></table>`)
	skeleton = b.String()
	columns = make([]string, len(t.Columns))
	for c := range t.Columns {
		var b strings.Builder
		b.Grow(64 + 700*len(t.Rows))
		b.WriteString(`<table><tr>`)
		writeColumn(&b, t.Columns[c])
		b.WriteString(`</tr>`)
		for i := range t.Rows {
			b.WriteString(`<tr>`)
			writeCell(&b, t.Rows[i].Cells[c].Figures)
			b.WriteString(`</tr>`)
		}
		b.WriteString(`</table>`)
		columns[c] = b.String()
	}
	return skeleton, columns
}
