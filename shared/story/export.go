package story

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// FigureRow is one figure of a story, flat, for the figures export
// (CSV and JSONL): what a conflict-data coder's spreadsheet holds.
type FigureRow struct {
	Story     string   `json:"story"`
	Quantity  string   `json:"quantity"` // the folded row quantity
	Value     *float64 `json:"value"`
	Low       *float64 `json:"low"`
	High      *float64 `json:"high"`
	Qualifier string   `json:"qualifier"`
	Unit      string   `json:"unit"`
	Document  string   `json:"document"` // the document's name
	Outlet    string   `json:"outlet"`
	Published *string  `json:"published"` // RFC 3339, null when unknown
	Source    string   `json:"source"`    // attribution texts, "; "-separated
	Layer     string   `json:"layer"`
	Conflict  bool     `json:"conflict"` // the figure's row disagrees
}

// FigureColumns is the CSV header, in FigureRow's order.
var FigureColumns = []string{"story", "quantity", "value", "low", "high", "qualifier", "unit", "document",
	"outlet", "published", "source", "layer", "conflict"}

// Rows flattens t into one FigureRow per figure shown, row by row and
// column by column, in cell order.
func Rows(t Table) []FigureRow {
	var out []FigureRow
	for _, r := range t.Rows {
		for c, cell := range r.Cells {
			col := t.Columns[c]
			var pub *string
			if !col.Published.IsZero() {
				s := col.Published.UTC().Format(time.RFC3339)
				pub = &s
			}
			for _, f := range cell.Figures {
				out = append(out, FigureRow{
					Story: t.Name, Quantity: r.Quantity, Value: f.Value, Low: f.Low, High: f.High,
					Qualifier: f.Qualifier, Unit: f.Unit, Document: col.Name, Outlet: col.Outlet,
					Published: pub, Source: strings.Join(f.Sources, "; "), Layer: f.Layer, Conflict: r.Conflict,
				})
			}
		}
	}
	return out
}

// WriteCSV writes rows as CSV with a header row (RFC 4180 quoting, empty
// fields for what is missing), which pandas.read_csv loads as is.
func WriteCSV(w io.Writer, rows []FigureRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(FigureColumns); err != nil {
		return fmt.Errorf("story: write csv header: %w", err)
	}
	num := func(f *float64) string {
		if f == nil {
			return ""
		}
		return FormatNumber(*f)
	}
	rec := make([]string, len(FigureColumns))
	for _, r := range rows {
		pub := ""
		if r.Published != nil {
			pub = *r.Published
		}
		conflict := "false"
		if r.Conflict {
			conflict = "true"
		}
		rec = append(rec[:0], r.Story, r.Quantity, num(r.Value), num(r.Low), num(r.High), r.Qualifier, r.Unit,
			r.Document, r.Outlet, pub, r.Source, r.Layer, conflict)
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("story: write csv row: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("story: write csv: %w", err)
	}
	return nil
}

// WriteJSONL writes rows as one JSON object per line, every field present
// (null for a missing number or time), which pandas.read_json(…,
// lines=True) loads as is.
func WriteJSONL(w io.Writer, rows []FigureRow) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range rows {
		if err := enc.Encode(&rows[i]); err != nil {
			return fmt.Errorf("story: write jsonl row %d: %w", i, err)
		}
	}
	return nil
}
