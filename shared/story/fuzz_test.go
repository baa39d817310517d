package story

import (
	"math"
	"testing"
	"unicode/utf8"

	"gloss/shared/model"
)

// FuzzFigure feeds arbitrary typed fields through the reading, folding and
// table code: analysts type these, so nothing may panic, and a figure must
// always agree with itself.
func FuzzFigure(f *testing.F) {
	f.Add("at least 40 people dead", "at least", "people", "dead", 40.0)
	f.Add("dozens", "dozens", "", "", math.NaN())
	f.Add("\xff\xfe 3,000,000.5m", "nearly", "%", "hospitalised in", -1.5)
	f.Fuzz(func(t *testing.T, quote, qualifier, unit, quantity string, v float64) {
		var value *float64
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			value = &v
		}
		r := Read(value, nil, nil, qualifier)
		if !Agree(r, r) {
			t.Fatalf("a figure disagrees with itself: %+v", r)
		}
		ReadQuote(quote)
		if q := FoldQuantity(quantity, unit, quote); q == "" && utf8.ValidString(quantity) {
			t.Fatalf("FoldQuantity(%q, %q, %q) is empty", quantity, unit, quote)
		}
		a := model.Annotation{ID: "f", Layer: "x", Label: LabelFigure, Start: 0, End: 1, Quote: quote,
			Attrs: &model.Attrs{Value: value, Qualifier: qualifier, Unit: unit, Quantity: quantity}}
		tb := Build(Story{Documents: []Document{{ID: 1, Annotations: []model.Annotation{a}}, {ID: 2, Annotations: []model.Annotation{a}}}})
		for _, row := range tb.Rows {
			if row.Conflict {
				t.Fatalf("the same figure in two documents conflicts: %+v", row)
			}
		}
	})
}
