package model

import (
	"fmt"
	"math"
)

// Attrs are the structured fields of a figure or an attribution span. They
// travel with the annotation (on the wire, in the store, in exports) so that
// an analyst can correct what the suggester read, and the story view can
// compare figures across articles without re-parsing the text.
//
// A figure has either Value (one number) or Low and High (a range such as
// "1 to 1.5 degrees Celsius"). Cue is an attribution's cue words ("said",
// "according to") as code point offsets into the document, inside the
// span. From names the machine layer the span was taken from ("suggest"),
// for provenance in exports.
type Attrs struct {
	Value     *float64 `json:"value,omitempty"`
	Low       *float64 `json:"low,omitempty"`
	High      *float64 `json:"high,omitempty"`
	Qualifier string   `json:"qualifier,omitempty"`
	Unit      string   `json:"unit,omitempty"`
	Quantity  string   `json:"quantity,omitempty"`
	Cue       *[2]int  `json:"cue,omitempty"`
	From      string   `json:"from,omitempty"`
}

// Limits on Attrs' strings: they are typed by analysts and shown to others.
const MaxAttrText = 200

// IsZero reports whether a carries nothing.
func (a *Attrs) IsZero() bool {
	return a == nil || (a.Value == nil && a.Low == nil && a.High == nil && a.Qualifier == "" &&
		a.Unit == "" && a.Quantity == "" && a.Cue == nil && a.From == "")
}

// Validate checks a's fields against the span [start, end) they belong to.
func (a *Attrs) Validate(start, end int) error {
	if a == nil {
		return nil
	}
	for _, f := range []*float64{a.Value, a.Low, a.High} {
		if f != nil && (math.IsNaN(*f) || math.IsInf(*f, 0)) {
			return fmt.Errorf("figure value must be a finite number")
		}
	}
	if a.Value != nil && (a.Low != nil || a.High != nil) {
		return fmt.Errorf("a figure has either a value or a low-high range, not both")
	}
	if (a.Low == nil) != (a.High == nil) {
		return fmt.Errorf("a figure range needs both low and high")
	}
	if a.Low != nil && *a.Low > *a.High {
		return fmt.Errorf("figure range low %g is above high %g", *a.Low, *a.High)
	}
	for name, s := range map[string]string{"qualifier": a.Qualifier, "unit": a.Unit, "quantity": a.Quantity, "from": a.From} {
		if len([]rune(s)) > MaxAttrText {
			return fmt.Errorf("%s is longer than %d characters", name, MaxAttrText)
		}
	}
	if a.Cue != nil && (a.Cue[0] < start || a.Cue[1] > end || a.Cue[0] >= a.Cue[1]) {
		return fmt.Errorf("cue [%d, %d) must be a non-empty part of the span [%d, %d)", a.Cue[0], a.Cue[1], start, end)
	}
	return nil
}
