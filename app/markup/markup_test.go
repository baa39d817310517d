package markup

import (
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var tags = regexp.MustCompile(`<[^>]*>`)

// domText is what the browser's textContent of the rendered paragraph is.
func domText(h string) string { return html.UnescapeString(tags.ReplaceAllString(h, "")) }

func TestParagraphs(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"single newlines", "One.\nTwo.\nThree.", []string{"One.", "Two.", "Three."}},
		{"blank lines", "One.\n\nTwo.\u00a0\n\n", []string{"One.", "Two.\u00a0"}},
		{"crlf and leading", "\r\nA\r\n\r\nB", []string{"A", "B"}},
		{"empty", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := Paragraphs(tc.text)
			if len(ps) != len(tc.want) {
				t.Fatalf("got %d paragraphs, want %d", len(ps), len(tc.want))
			}
			runes := []rune(tc.text)
			for i, p := range ps {
				if p.Text.String() != tc.want[i] || string(runes[p.Start:p.End]) != tc.want[i] {
					t.Errorf("para %d = %q [%d,%d), want %q", i, p.Text.String(), p.Start, p.End, tc.want[i])
				}
			}
		})
	}
}

func TestParagraphMarkup(t *testing.T) {
	text := "Intro.\nAt least 40 people <dead> & \"60\" 'x' 😀 said CNN."
	ps := Paragraphs(text)
	p := ps[1]
	off := func(s string) int { return p.Start + len([]rune(p.Text.String()[:strings.Index(p.Text.String(), s)])) }
	claim := Mark{ID: "c1", Start: off("At"), End: off("said") - 1, Style: Style{Color: "#0072B2"}}
	fig := Mark{ID: "f1", Start: off("At"), End: off(" people") + len(" people"), Style: Style{Color: "#D55E00"}, Selected: true}
	attr := Mark{ID: "a1", Start: off("😀"), End: off(".") + 0, Style: Style{Color: "#009E73", Faded: true}}
	out := Paragraph(p, []Mark{claim, fig, attr})
	if got := domText(out); got != p.Text.String() {
		t.Fatalf("DOM text = %q, want %q", got, p.Text.String())
	}
	for _, want := range []string{
		`data-a="f1 c1"`,                  // the figure nested in the claim: innermost first
		`class="seg sel"`,                 // selected figure
		`data-a="a1 c1"`,                  // overlap of attribution and claim
		`#009E738c`,                       // faded other layer
		`&lt;dead&gt; &amp; &#34;60&#34;`, // escaped text
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markup lacks %q:\n%s", want, out)
		}
	}
}

func TestHostileInput(t *testing.T) {
	text := `<script>alert(1)</script><img src=x onerror=alert(2)> "' &amp;`
	p := Paragraphs(text)[0]
	m := Mark{ID: `x" onmouseover="alert(3)`, Start: 0, End: 8, Style: Style{Color: `red;background:url(javascript:alert(4))`}}
	out := Paragraph(p, []Mark{m})
	if domText(out) != text {
		t.Fatalf("DOM text changed: %q", domText(out))
	}
	for _, bad := range []string{"<script", "<img", `" onmouseover`, "javascript:"} {
		if strings.Contains(out, bad) {
			t.Errorf("markup contains %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, "#777777") {
		t.Error("invalid colour not replaced by grey")
	}
}

func TestByParagraph(t *testing.T) {
	ps := Paragraphs("aa\nbb\ncc")
	marks := []Mark{{ID: "x", Start: 1, End: 4}, {ID: "y", Start: 6, End: 8}}
	g := ByParagraph(ps, marks)
	if len(g[0]) != 1 || len(g[1]) != 1 || len(g[2]) != 1 || g[2][0].ID != "y" {
		t.Fatalf("ByParagraph = %+v", g)
	}
}

func BenchmarkParagraphs5000(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 122; i++ {
		sb.WriteString(strings.Repeat("Word 😀 東京 text\u00a0here. ", 20))
		sb.WriteString("\n\n")
	}
	text := sb.String()
	ps := Paragraphs(text)
	n := len([]rune(text))
	var marks []Mark
	for i := 0; i < 5000; i++ {
		s := (i * 9) % (n - 20)
		marks = append(marks, Mark{ID: "m" + strings.Repeat("x", i%3), Start: s, End: s + 5 + i%11, Style: Style{Color: "#0072B2"}})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g := ByParagraph(ps, marks)
		for j, p := range ps {
			_ = Paragraph(p, g[j])
		}
	}
}

// TestParagraphContent: the content is the paragraph's HTML inside its
// <p> element, with and without marks.
func TestParagraphContent(t *testing.T) {
	ps := Paragraphs("one <b> two\nthree")
	for _, marks := range [][]Mark{nil, {{ID: "a", Start: 0, End: 3, Style: Style{Color: "#112233"}}}} {
		for _, p := range ps {
			whole, inner := Paragraph(p, marks), ParagraphContent(p, marks)
			if want := `<p class="para" data-p="` + strconv.Itoa(p.Index) + `">` + inner + `</p>`; whole != want {
				t.Errorf("Paragraph = %q, want %q", whole, want)
			}
		}
	}
}

// TestOverlapReadable (issue 13): two overlapping spans of the same label
// get boundary ticks where each begins and ends, and every piece names
// the spans over it (label and owner) in its title, escaped.
func TestOverlapReadable(t *testing.T) {
	p := Paragraphs("aaa bbb ccc")[0]
	red := Style{Color: "#D55E00"}
	x := Mark{ID: "x", Start: 0, End: 7, Style: red, Title: "figure · alice"}
	y := Mark{ID: "y", Start: 4, End: 11, Style: red, Title: `figure · "bob"`}
	out := Paragraph(p, []Mark{x, y})
	for _, want := range []string{
		`data-a="x" data-b="s" title="figure · alice"`,
		`data-a="x y" data-b="s e" title="figure · alice&#10;figure · &#34;bob&#34;"`,
		`data-a="y" data-b="e" title="figure · &#34;bob&#34;"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markup lacks %s:\n%s", want, out)
		}
	}
	// A lone span needs no ticks.
	if out := Paragraph(p, []Mark{x}); strings.Contains(out, "data-b") {
		t.Errorf("lone span with ticks: %s", out)
	}
}

// TestSplitParagraphs: the cut falls before a paragraph, the first at or
// after the budget, whatever the text and attributes hold; and
// ParagraphsFrom finds the rest by index.
func TestSplitParagraphs(t *testing.T) {
	paras := Paragraphs("one <p class=\"para\" data-p=\"9\">\ntwo & three\nfour\nfive")
	var all strings.Builder
	for _, p := range paras {
		all.WriteString(Paragraph(p, []Mark{{ID: "m1", Start: 0, End: 3, Title: `x"<p class="para" data-p="7">`}}))
	}
	html := all.String()
	p1 := strings.Index(html, `<p class="para" data-p="1">`)
	p3 := strings.Index(html, `<p class="para" data-p="3">`)
	cases := []struct {
		budget   int
		head     string
		from     int
		split    bool
		restFrom string
	}{
		{0, "", 0, true, html},
		{1, html[:p1], 1, true, html[p1:]},
		{p1, html[:p1], 1, true, html[p1:]},
		{p3, html[:p3], 3, true, html[p3:]},
		{p3 + 1, html, 0, false, ""},
		{len(html) + 10, html, 0, false, ""},
	}
	for _, c := range cases {
		head, from, ok := SplitParagraphs(html, c.budget)
		if head != c.head || from != c.from || ok != c.split {
			t.Errorf("budget %d: head %d bytes, from %d, %v; want %d bytes, %d, %v", c.budget, len(head), from, ok, len(c.head), c.from, c.split)
		}
		if ok {
			if rest, found := ParagraphsFrom(html, from); !found || rest != c.restFrom || head+rest != html {
				t.Errorf("budget %d: ParagraphsFrom(%d) = %d bytes, %v", c.budget, from, len(rest), found)
			}
		}
	}
	if _, ok := ParagraphsFrom(html, 4); ok {
		t.Error("ParagraphsFrom found a paragraph past the last")
	}
}
