package view

import (
	"fmt"
	"html"
	"math"
	"strings"
	"unicode/utf8"
)

// The dashboard's charts are SVG built as strings and mounted with
// app.Raw: a matrix of a few hundred cells is one DOM insertion instead of
// a go-app element tree to diff. Annotator names and labels are user
// input, so every one goes through esc, in text and attributes alike;
// svgchart_test.go parses the output with hostile names.

// esc escapes s for SVG text and double- or single-quoted attributes.
func esc(s string) string { return html.EscapeString(s) }

// scoreText formats an agreement score for display: two decimals, or
// "n/a" where the score is undefined (nil).
func scoreText(v *float64) string {
	if v == nil {
		return "n/a"
	}
	r := math.Round(*v*100) / 100
	if r == 0 {
		r = 0 // no "-0.00"
	}
	return fmt.Sprintf("%.2f", r)
}

// ramp is viridis sampled at nine points. It runs from dark blue-purple
// to yellow with lightness rising steadily, so it reads the same to
// people with any common colour-vision deficiency and in greyscale.
var ramp = [...][3]float64{
	{0x44, 0x01, 0x54}, {0x47, 0x2d, 0x7b}, {0x3b, 0x52, 0x8b}, {0x2c, 0x72, 0x8e}, {0x21, 0x91, 0x8c},
	{0x28, 0xae, 0x80}, {0x5e, 0xc9, 0x62}, {0xad, 0xdc, 0x30}, {0xfd, 0xe7, 0x25},
}

// rampColor returns the colour of v on the ramp, v clamped to [0, 1]
// (a negative kappa, worse than chance, gets the colour of 0).
func rampColor(v float64) [3]float64 {
	v = math.Max(0, math.Min(1, v))
	pos := v * float64(len(ramp)-1)
	i := int(pos)
	if i >= len(ramp)-1 {
		return ramp[len(ramp)-1]
	}
	f := pos - float64(i)
	var c [3]float64
	for k := range c {
		c[k] = ramp[i][k] + f*(ramp[i+1][k]-ramp[i][k])
	}
	return c
}

func hexColor(c [3]float64) string {
	return fmt.Sprintf("#%02x%02x%02x", int(math.Round(c[0])), int(math.Round(c[1])), int(math.Round(c[2])))
}

// inkOn returns black or white, whichever contrasts more with c (WCAG
// relative luminance; the two contrast equally at about 0.18).
func inkOn(c [3]float64) string {
	lin := func(v float64) float64 {
		v /= 255
		if v <= 0.04045 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	if 0.2126*lin(c[0])+0.7152*lin(c[1])+0.0722*lin(c[2]) > 0.18 {
		return "#000"
	}
	return "#fff"
}

// clip shortens s to at most n runes for an axis label; the full text
// goes in a <title>.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Chart geometry, in SVG user units (CSS pixels at scale 1).
const (
	chartFont   = `font-family="system-ui, sans-serif" font-size="12"`
	labelRunes  = 16 // axis labels are clipped to this many runes
	charWidth   = 7  // a generous average glyph width at font-size 12
	matrixCell  = 56
	legendSteps = 10
	barWidth    = 240
	barHeight   = 14
)

// matrixValue is one off-diagonal cell of the agreement matrix.
type matrixValue struct {
	Value *float64 // nil: undefined
	Note  string   // added to the cell's tooltip, e.g. "over 2 documents"
}

// matrixSVG draws an annotator × annotator matrix: cells[i][j] is the
// agreement of names[i] and names[j] (the diagonal is not drawn as a
// value). Cells are coloured on the viridis ramp over [0, 1] and print
// their value, so the colour is never the only carrier. metric names the
// measure in titles and the legend, lowLabel the legend's 0 end (e.g.
// "≤0" for kappa, which can be negative).
func matrixSVG(names []string, cells [][]matrixValue, metric, lowLabel string) string {
	n := len(names)
	longest := 0
	for _, name := range names {
		longest = max(longest, utf8.RuneCountInString(clip(name, labelRunes)))
	}
	labelW := longest*charWidth + 12
	rise := int(float64(labelW)*0.72) + 8 // column labels run up at 45°
	top := rise
	gridW := n * matrixCell
	legendY := top + gridW + 16
	width := labelW + gridW + rise
	height := legendY + 34
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="matrix" role="img" width="%d" height="%d" viewBox="0 0 %d %d" %s>`,
		width, height, width, height, chartFont)
	fmt.Fprintf(&b, `<title>Agreement between annotators: %s</title>`, esc(metric))
	for i, name := range names {
		y := top + i*matrixCell + matrixCell/2
		fmt.Fprintf(&b, `<text class="row-label" x="%d" y="%d" text-anchor="end" dominant-baseline="central">%s<title>%s</title></text>`,
			labelW-6, y, esc(clip(name, labelRunes)), esc(name))
		x := labelW + i*matrixCell + matrixCell/2
		fmt.Fprintf(&b, `<text class="col-label" transform="translate(%d %d) rotate(-45)">%s<title>%s</title></text>`,
			x, top-6, esc(clip(name, labelRunes)), esc(name))
	}
	for i, a := range names {
		for j, bn := range names {
			x, y := labelW+j*matrixCell, top+i*matrixCell
			if i == j {
				fmt.Fprintf(&b, `<g class="cell self" data-a="%s" data-b="%s"><rect x="%d" y="%d" width="%d" height="%d" fill="#f2f2f2" stroke="#fff" stroke-width="2"/></g>`,
					esc(a), esc(bn), x, y, matrixCell, matrixCell)
				continue
			}
			c := matrixValue{}
			if i < len(cells) && j < len(cells[i]) {
				c = cells[i][j]
			}
			fill, ink := "#e6e6e6", "#444"
			if c.Value != nil {
				col := rampColor(*c.Value)
				fill, ink = hexColor(col), inkOn(col)
			}
			tip := fmt.Sprintf("%s × %s: %s %s", a, bn, metric, scoreText(c.Value))
			if c.Note != "" {
				tip += " " + c.Note
			}
			fmt.Fprintf(&b, `<g class="cell" data-a="%s" data-b="%s"><title>%s</title>`, esc(a), esc(bn), esc(tip))
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#fff" stroke-width="2"/>`,
				x, y, matrixCell, matrixCell, fill)
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" dominant-baseline="central" fill="%s">%s</text></g>`,
				x+matrixCell/2, y+matrixCell/2, ink, scoreText(c.Value))
		}
	}
	// Legend: the ramp in steps, labelled at both ends.
	stepW := 16
	fmt.Fprintf(&b, `<g class="legend"><text x="%d" y="%d" text-anchor="end" dominant-baseline="central">%s</text>`,
		labelW-6, legendY+6, esc(lowLabel))
	for k := range legendSteps {
		v := float64(k) / float64(legendSteps-1)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="12" fill="%s"/>`, labelW+k*stepW, legendY, stepW, hexColor(rampColor(v)))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" dominant-baseline="central">1</text>`, labelW+legendSteps*stepW+6, legendY+6)
	fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#555">%s; grey: n/a</text></g>`, labelW, legendY+28, esc(metric))
	b.WriteString(`</svg>`)
	return b.String()
}

// barSeries is one measure shown for every label, e.g. alpha.
type barSeries struct {
	Key   string // data-series attribute
	Short string // printed before each bar's value, e.g. "α"
	Name  string // the legend's name
	Color string
}

// barGroup is one label's bars, one value per series (nil: undefined).
type barGroup struct {
	Label  string
	Values []*float64
}

// barsSVG draws horizontal bars, a group per label and a bar per series,
// on a scale from 0 to 1 (a negative value draws no bar; its value is
// printed like every other). Each bar prints its series' short name and
// value, so the series are told apart without colour.
func barsSVG(groups []barGroup, series []barSeries) string {
	longest := 0
	for _, g := range groups {
		longest = max(longest, utf8.RuneCountInString(clip(g.Label, labelRunes)))
	}
	labelW := longest*charWidth + 12
	groupH := len(series)*(barHeight+4) + 12
	legendH := 24
	width := labelW + barWidth + 90
	height := legendH + len(groups)*groupH + 4
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="bars" role="img" width="%d" height="%d" viewBox="0 0 %d %d" %s>`,
		width, height, width, height, chartFont)
	b.WriteString(`<title>Agreement per label</title><g class="legend">`)
	x := labelW
	for _, s := range series {
		fmt.Fprintf(&b, `<rect x="%d" y="4" width="12" height="12" fill="%s"/><text x="%d" y="10" dominant-baseline="central">%s (%s)</text>`,
			x, esc(s.Color), x+16, esc(s.Name), esc(s.Short))
		x += 16 + (utf8.RuneCountInString(s.Name)+utf8.RuneCountInString(s.Short)+4)*charWidth
	}
	b.WriteString(`</g>`)
	for gi, g := range groups {
		y0 := legendH + gi*groupH
		fmt.Fprintf(&b, `<g class="bar-group" data-label="%s">`, esc(g.Label))
		fmt.Fprintf(&b, `<text class="label" x="%d" y="%d" text-anchor="end" dominant-baseline="central">%s<title>%s</title></text>`,
			labelW-6, y0+(groupH-12)/2, esc(clip(g.Label, labelRunes)), esc(g.Label))
		for si, s := range series {
			var v *float64
			if si < len(g.Values) {
				v = g.Values[si]
			}
			y := y0 + si*(barHeight+4)
			w := 0
			if v != nil {
				w = int(math.Round(math.Max(0, math.Min(1, *v)) * barWidth))
			}
			fmt.Fprintf(&b, `<g class="bar" data-series="%s"><title>%s, %s: %s</title>`, esc(s.Key), esc(g.Label), esc(s.Name), scoreText(v))
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#f2f2f2"/>`, labelW, y, barWidth, barHeight)
			fmt.Fprintf(&b, `<rect class="fill" x="%d" y="%d" width="%d" height="%d" fill="%s"/>`, labelW, y, w, barHeight, esc(s.Color))
			fmt.Fprintf(&b, `<text x="%d" y="%d" dominant-baseline="central">%s %s</text></g>`,
				labelW+barWidth+6, y+barHeight/2, esc(s.Short), scoreText(v))
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return b.String()
}
