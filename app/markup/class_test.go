package markup

import (
	"strings"
	"testing"
)

// TestMarkClass: a mark's classes go on every piece it covers, once each,
// and a hostile class cannot leave the attribute.
func TestMarkClass(t *testing.T) {
	p := Paragraphs("one two three")[0]
	got := Paragraph(p, []Mark{
		{ID: "a", Start: 0, End: 7, Style: Style{Color: "#0072B2"}, Class: "dis noted"},
		{ID: "b", Start: 4, End: 13, Style: Style{Color: "#D55E00"}, Class: `dis" onclick="x cur`},
	})
	for _, want := range []string{
		`<span class="seg dis noted" data-a="a"`,
		`<span class="seg dis noted onclickx cur" data-a="a b"`,
		`<span class="seg dis onclickx cur" data-a="b"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
	if strings.Contains(got, `onclick="`) {
		t.Errorf("a class broke out of the attribute:\n%s", got)
	}
}
