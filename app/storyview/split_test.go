package storyview

import (
	"regexp"
	"strings"
	"testing"

	"gloss/shared/story"
)

// TestSplit: the skeleton with every column's cells put before each
// row's last cell, as web/gloss.js does, is the whole table.
func TestSplit(t *testing.T) {
	rowRe := regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	for _, tc := range []struct {
		name string
		t    story.Table
	}{
		{"hostile", hostileTable()},
		{"one column", story.Table{Story: 1, Columns: []story.Column{{Document: 4, Name: "A"}},
			Rows: []story.Row{{Quantity: "dead", Label: "dead", Cells: []story.Cell{{}}}}}},
		{"no rows", story.Table{Story: 1, Columns: []story.Column{{Document: 4, Name: "A"}}}},
		{"no columns", story.Table{Story: 1}},
	} {
		skel, cols := Split(tc.t)
		want := Table(tc.t)
		if len(tc.t.Rows) == 0 || len(tc.t.Columns) == 0 {
			if skel != want || cols != nil {
				t.Errorf("%s: split %q, %d columns; want the whole table", tc.name, skel, len(cols))
			}
			continue
		}
		if len(cols) != len(tc.t.Columns) {
			t.Fatalf("%s: %d columns, want %d", tc.name, len(cols), len(tc.t.Columns))
		}
		// The cells to insert into each row, in column order.
		ins := make([]string, len(tc.t.Rows)+1)
		for c, col := range cols {
			if !strings.HasPrefix(col, "<table><tr>") || !strings.HasSuffix(col, "</tr></table>") {
				t.Fatalf("%s: column %d is not a table of rows: %s", tc.name, c, col)
			}
			rows := rowRe.FindAllStringSubmatch(strings.TrimSuffix(strings.TrimPrefix(col, "<table>"), "</table>"), -1)
			if len(rows) != len(ins) {
				t.Fatalf("%s: column %d has %d rows, want %d", tc.name, c, len(rows), len(ins))
			}
			for i, r := range rows {
				ins[i] += r[1]
			}
		}
		// Each row's last cell: the header's Summary, then each summary.
		got := skel
		at := 0
		for i, cells := range ins {
			mark := `<td class="story-summary">`
			if i == 0 {
				mark = `<th scope="col">Summary</th>`
			}
			j := strings.Index(got[at:], mark)
			if j < 0 {
				t.Fatalf("%s: row %d has no last cell", tc.name, i)
			}
			got = got[:at+j] + cells + got[at+j:]
			at += j + len(cells) + len(mark)
		}
		if got != want {
			t.Errorf("%s: put together:\n%s\nwant\n%s", tc.name, got, want)
		}
	}
}
