package view

import (
	"math"
	"strconv"

	"gloss/shared/model"
)

// inkFor returns the text colour for a chip filled with color (#rrggbb):
// black or white, whichever contrasts more. One of them always reaches
// WCAG's 4.5:1 (at least 4.58:1), which white on every label colour did
// not (white on the default orange is 3.9:1).
func inkFor(color string) string {
	l := luminance(model.DisplayColor(color))
	if (l+0.05)/0.05 >= 1.05/(l+0.05) {
		return "#000000"
	}
	return "#ffffff"
}

// luminance is the WCAG relative luminance of #rrggbb.
func luminance(c string) float64 {
	v, _ := strconv.ParseUint(c[1:], 16, 32)
	ch := func(x uint64) float64 {
		s := float64(x) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(v>>16&0xff) + 0.7152*ch(v>>8&0xff) + 0.0722*ch(v&0xff)
}

// contrast is the WCAG contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}
