package view

import (
	"encoding/xml"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// hostile are names an annotator or a label could have that would break
// out of text or an attribute if they were not escaped.
var hostile = []string{
	`<script>window.pwned=1</script>`,
	`" onmouseover="window.pwned=1`,
	`' onload='window.pwned=1`,
	`</text></svg><img src=x onerror="window.pwned=1">`,
	`a & b &amp; c`,
	`Zoë Østergård-Łukasiewicz the Younger`, // longer than labelRunes
}

// node is an element of parsed SVG.
type node struct {
	name     string
	attr     map[string]string
	text     string // character data directly inside
	children []*node
}

// parseSVG parses s as XML (SVG is XML; a string that parses as XML with
// these escapes parses the same as HTML) into a tree.
func parseSVG(t *testing.T, s string) *node {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(s))
	root := &node{}
	stack := []*node{root}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, s)
		}
		top := stack[len(stack)-1]
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local, attr: map[string]string{}}
			for _, a := range tok.Attr {
				n.attr[a.Name.Local] = a.Value
			}
			top.children = append(top.children, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.text += string(tok)
		}
	}
	if len(root.children) != 1 || root.children[0].name != "svg" {
		t.Fatalf("want one <svg> root, got %d elements", len(root.children))
	}
	return root.children[0]
}

// all returns n and its descendants in document order.
func (n *node) all() []*node {
	out := []*node{n}
	for _, c := range n.children {
		out = append(out, c.all()...)
	}
	return out
}

func (n *node) child(name string) *node {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// checkInert fails if the SVG has any element or attribute that could run
// script or load something: only drawing elements and plain attributes.
func checkInert(t *testing.T, svg *node) {
	t.Helper()
	allowed := []string{"svg", "g", "rect", "text", "title"}
	for _, n := range svg.all() {
		if !slices.Contains(allowed, n.name) {
			t.Errorf("unexpected element <%s>", n.name)
		}
		for k := range n.attr {
			if strings.HasPrefix(strings.ToLower(k), "on") || k == "href" || k == "src" {
				t.Errorf("<%s> has attribute %s", n.name, k)
			}
		}
	}
}

func TestScoreText(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	tests := []struct {
		in   *float64
		want string
	}{
		{nil, "n/a"},
		{v(53.0 / 63), "0.84"},
		{v(1), "1.00"},
		{v(0), "0.00"},
		{v(-0.001), "0.00"},
		{v(-0.25), "-0.25"},
		{v(2.0 / 3), "0.67"},
	}
	for _, tc := range tests {
		if got := scoreText(tc.in); got != tc.want {
			t.Errorf("scoreText(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestRamp: lightness rises along the whole ramp (readable without hue,
// in greyscale and with colour-vision deficiencies), values outside
// [0, 1] clamp, and the printed value's ink contrasts with its cell.
func TestRamp(t *testing.T) {
	lum := func(c [3]float64) float64 { return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2] }
	prev := -1.0
	for k := 0; k <= 100; k++ {
		l := lum(rampColor(float64(k) / 100))
		if l <= prev {
			t.Fatalf("lightness does not rise at %d%%: %v after %v", k, l, prev)
		}
		prev = l
	}
	if rampColor(-0.5) != rampColor(0) || rampColor(7) != rampColor(1) {
		t.Error("values outside [0, 1] do not clamp")
	}
	if got := hexColor(rampColor(0)); got != "#440154" {
		t.Errorf("ramp starts at %s, want #440154", got)
	}
	if got := hexColor(rampColor(1)); got != "#fde725" {
		t.Errorf("ramp ends at %s, want #fde725", got)
	}
	if inkOn(rampColor(0)) != "#fff" || inkOn(rampColor(1)) != "#000" {
		t.Error("ink does not contrast with the ramp's ends")
	}
}

func TestMatrixSVG(t *testing.T) {
	kab, kac := 53.0/63, -0.2
	names := []string{"alice", "bob", "carol"}
	cells := [][]matrixValue{
		{{}, {Value: &kab, Note: "over 2 shared document(s)"}, {Value: &kac}},
		{{Value: &kab}, {}, {}},
		{{Value: &kac}, {}, {}},
	}
	svg := parseSVG(t, matrixSVG(names, cells, "Cohen's κ", "≤0"))
	checkInert(t, svg)
	got := map[[2]string]*node{}
	for _, n := range svg.all() {
		if n.name == "g" && strings.Contains(n.attr["class"], "cell") {
			got[[2]string{n.attr["data-a"], n.attr["data-b"]}] = n
		}
	}
	if len(got) != 9 {
		t.Fatalf("%d cells, want 9", len(got))
	}
	tests := []struct {
		a, b, text, fill string
	}{
		{"alice", "bob", "0.84", hexColor(rampColor(kab))},
		{"bob", "alice", "0.84", hexColor(rampColor(kab))},
		{"alice", "carol", "-0.20", "#440154"}, // below 0: the ramp's start
		{"bob", "carol", "n/a", "#e6e6e6"},
	}
	for _, tc := range tests {
		c := got[[2]string{tc.a, tc.b}]
		if txt := c.child("text"); txt == nil || txt.text != tc.text {
			t.Errorf("%s × %s prints %+v, want %q", tc.a, tc.b, txt, tc.text)
		}
		if fill := c.child("rect").attr["fill"]; fill != tc.fill {
			t.Errorf("%s × %s is %s, want %s", tc.a, tc.b, fill, tc.fill)
		}
	}
	if title := got[[2]string{"alice", "bob"}].child("title").text; title != "alice × bob: Cohen's κ 0.84 over 2 shared document(s)" {
		t.Errorf("alice × bob title %q", title)
	}
	if !strings.Contains(got[[2]string{"alice", "alice"}].attr["class"], "self") {
		t.Error("the diagonal is not marked self")
	}
}

// TestMatrixSVGHostileNames: names come back exactly, as text and as
// attribute values, and nothing in them becomes markup.
func TestMatrixSVGHostileNames(t *testing.T) {
	v := 0.5
	n := len(hostile)
	cells := make([][]matrixValue, n)
	for i := range cells {
		cells[i] = make([]matrixValue, n)
		for j := range cells[i] {
			cells[i][j] = matrixValue{Value: &v, Note: hostile[(i+j)%n]}
		}
	}
	s := matrixSVG(hostile, cells, `κ <b>"bold"</b>`, `<0`)
	svg := parseSVG(t, s)
	checkInert(t, svg)
	var rows, cellPairs [][2]string
	for _, e := range svg.all() {
		switch {
		case e.name == "text" && e.attr["class"] == "row-label":
			rows = append(rows, [2]string{e.text, e.child("title").text})
		case e.name == "g" && e.attr["class"] == "cell":
			cellPairs = append(cellPairs, [2]string{e.attr["data-a"], e.attr["data-b"]})
			if title := e.child("title").text; !strings.HasPrefix(title, e.attr["data-a"]+" × "+e.attr["data-b"]+": ") {
				t.Errorf("cell title %q", title)
			}
		}
	}
	if len(rows) != n || len(cellPairs) != n*n-n {
		t.Fatalf("%d row labels and %d cells, want %d and %d", len(rows), len(cellPairs), n, n*n-n)
	}
	for i, name := range hostile {
		if rows[i][1] != name {
			t.Errorf("row %d title %q, want %q", i, rows[i][1], name)
		}
		if rows[i][0] != clip(name, labelRunes) {
			t.Errorf("row %d label %q, want %q", i, rows[i][0], clip(name, labelRunes))
		}
	}
	if !slices.Contains(cellPairs, [2]string{hostile[0], hostile[1]}) {
		t.Errorf("no cell for %q × %q", hostile[0], hostile[1])
	}
	if rows[5][0] != "Zoë Østergård-Ł…" {
		t.Errorf("long name clipped to %q", rows[5][0])
	}
}

func TestBarsSVG(t *testing.T) {
	alpha, f1, neg := 0.75, 1.0, -0.3
	groups := []barGroup{
		{Label: "claim", Values: []*float64{&alpha, &f1}},
		{Label: "figure", Values: []*float64{&neg, nil}},
	}
	for _, h := range hostile {
		groups = append(groups, barGroup{Label: h, Values: []*float64{&alpha, &alpha}})
	}
	svg := parseSVG(t, barsSVG(groups, labelSeries))
	checkInert(t, svg)
	type bar struct {
		width, text string
	}
	got := map[string][]bar{}
	var labels []string
	for _, g := range svg.all() {
		if g.name != "g" || g.attr["class"] != "bar-group" {
			continue
		}
		labels = append(labels, g.attr["data-label"])
		if title := g.child("text").child("title").text; title != g.attr["data-label"] {
			t.Errorf("label title %q, want %q", title, g.attr["data-label"])
		}
		for _, b := range g.children {
			if b.name == "g" && b.attr["class"] == "bar" {
				var fill *node
				for _, r := range b.children {
					if r.name == "rect" && r.attr["class"] == "fill" {
						fill = r
					}
				}
				got[g.attr["data-label"]] = append(got[g.attr["data-label"]], bar{fill.attr["width"], b.child("text").text})
			}
		}
	}
	if want := append([]string{"claim", "figure"}, hostile...); !slices.Equal(labels, want) {
		t.Errorf("labels %q, want %q", labels, want)
	}
	full := barWidth
	want := map[string][]bar{
		"claim":  {{strconv.Itoa(int(math.Round(0.75 * float64(full)))), "α 0.75"}, {strconv.Itoa(full), "F1 1.00"}},
		"figure": {{"0", "α -0.30"}, {"0", "F1 n/a"}},
	}
	for label, w := range want {
		if !slices.Equal(got[label], w) {
			t.Errorf("%s bars %+v, want %+v", label, got[label], w)
		}
	}
}
