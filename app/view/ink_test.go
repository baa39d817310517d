package view

import (
	"fmt"
	"testing"

	"gloss/shared/model"
)

// TestInkContrast (issue 13): a label chip's text reaches 4.5:1 on any
// label colour: the default palette and a sweep of the colour cube.
func TestInkContrast(t *testing.T) {
	var colors []string
	for _, l := range model.DefaultSchema().Labels {
		colors = append(colors, l.Color)
	}
	for r := 0; r < 256; r += 17 {
		for g := 0; g < 256; g += 17 {
			for b := 0; b < 256; b += 17 {
				colors = append(colors, fmt.Sprintf("#%02x%02x%02x", r, g, b))
			}
		}
	}
	for _, c := range colors {
		if got := contrast(inkFor(c), c); got < 4.5 {
			t.Errorf("ink %s on %s: %.2f:1", inkFor(c), c, got)
		}
	}
	if inkFor("#D55E00") != "#000000" || inkFor("#0072B2") != "#ffffff" {
		t.Errorf("default orange gets %s, blue %s", inkFor("#D55E00"), inkFor("#0072B2"))
	}
}
