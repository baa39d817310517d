package view

import (
	"strings"
	"testing"

	"gloss/shared/model"
)

// The pre-render's paragraphs are a script data block that nothing in a
// document's text or ids can end early.
func TestRenderDocumentDataBlock(t *testing.T) {
	text := "A </script><script>alert(1)</script> and <!-- a comment --> end.\n\nSecond </SCRIPT paragraph."
	anns := []model.Annotation{
		{ID: "x</script>", Layer: "alice", Label: "claim", Start: 0, End: 12},
		{ID: "<!--", Layer: "alice", Label: "figure", Start: 70, End: 78},
	}
	html := RenderDocument(Prerender{Document: model.Document{ID: 1, Name: "</script>", Text: text}, Schema: model.DefaultSchema(), Layer: "alice", Annotations: anns})
	open := `<div id="paras" class="paras"></div><script type="text/html" data-fill="paras">`
	i := strings.Index(html, open)
	if i < 0 {
		t.Fatalf("no data block in %s", html)
	}
	block := html[i+len(open):]
	end := strings.Index(strings.ToLower(block), "</script")
	if end < 0 || !strings.HasPrefix(block[end:], "</script></article>") {
		t.Fatalf("the data block ends early or not at all: %s", block)
	}
	if strings.Contains(block[:end], "<!--") || strings.Count(block[:end], `<p class="para"`) != 2 {
		t.Fatalf("data block: %s", block[:end])
	}
}

func TestDataBlockSafe(t *testing.T) {
	for _, tc := range []struct {
		html string
		want bool
	}{
		{`<p class="para" data-p="0"><span class="seg">a</span></p>`, true},
		{``, true},
		{`text &lt;/script&gt;`, true},
		{`<p></script></p>`, false},
		{`<p></ScRiPt x>`, false},
		{`<p><!-- x --></p>`, false},
		{`<p></scrip`, true},
	} {
		if got := dataBlockSafe(tc.html); got != tc.want {
			t.Errorf("dataBlockSafe(%q) = %v, want %v", tc.html, got, tc.want)
		}
	}
}
