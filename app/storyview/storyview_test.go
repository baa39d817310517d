package storyview

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"gloss/shared/model"
	"gloss/shared/story"
)

var (
	tagRe  = regexp.MustCompile(`<[^>]*>`)
	attrRe = regexp.MustCompile(`\s([a-z-]+)="([^"]*)"`)
)

func num(v float64) *float64 { return &v }

const hostile = `<script>alert("x")</script>&'"`

func hostileTable() story.Table {
	fig := func(id, layer, q string, v float64, quantity string) model.Annotation {
		start := len(id) // distinct spans, so the suggestion is not hidden as taken
		return model.Annotation{ID: id, Layer: layer, Label: story.LabelFigure, Start: start, End: start + 10, Quote: hostile + " quote",
			Attrs: &model.Attrs{Value: num(v), Qualifier: q, Unit: "people" + hostile, Quantity: quantity}}
	}
	return story.Build(story.Story{ID: 3, Name: hostile, Documents: []story.Document{
		{ID: 1, Name: "A " + hostile, Outlet: hostile, Published: time.Date(2024, 3, 22, 21, 0, 0, 0, time.UTC),
			Annotations: []model.Annotation{
				fig(`x"><img src=x onerror=alert(1)>`, "alice", "at least", 40, "dead"),
				fig("s1", story.SuggestLayer, "at least", 41, "killed"),
				{ID: "att", Layer: "alice", Label: story.LabelAttribution, Start: 20, End: 30, Quote: hostile + " said"},
				{ID: "c1", Layer: "alice", Label: story.LabelClaim, Start: 0, End: 60, Quote: "c"},
			},
			Relations: []model.Relation{{ID: "r", Layer: "alice", Type: story.RelationSource, From: "att", To: "c1"}}},
		{ID: 2, Name: "B", Annotations: []model.Annotation{
			fig("f2", "bob", "at least"+hostile, 60, "dead"+hostile),
			fig("f3", "bob", "at least", 60, "dead"),
		}},
	}})
}

func TestTableEscapesHostileText(t *testing.T) {
	out := Table(hostileTable())
	if strings.Contains(out, "<script") || strings.Contains(out, "<img") {
		t.Fatalf("unescaped markup in output:\n%s", out)
	}
	// Every tag is one of ours, and every attribute value is clean.
	allowed := map[string]bool{"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
		"a": true, "div": true, "span": true, "time": true, "b": true, "small": true, "em": true}
	for _, tag := range tagRe.FindAllString(out, -1) {
		closing := strings.HasPrefix(tag, "</")
		name := strings.TrimPrefix(strings.Fields(strings.Trim(tag, "<>"))[0], "/")
		if !allowed[name] {
			t.Errorf("unexpected tag %q", tag)
		}
		if closing {
			if tag != "</"+name+">" {
				t.Errorf("odd closing tag %q", tag)
			}
			continue
		}
		rest := attrRe.ReplaceAllString(strings.TrimSuffix(strings.TrimPrefix(tag, "<"+name), ">"), "")
		if strings.TrimSpace(rest) != "" {
			t.Errorf("tag %q has text outside its attributes: %q", tag, rest)
		}
	}
	// The text a reader sees still says what was typed.
	text := html.UnescapeString(tagRe.ReplaceAllString(out, ""))
	if !strings.Contains(text, hostile) {
		t.Errorf("hostile text lost instead of escaped: %q", text)
	}
	// The hostile id becomes an escaped, URL-escaped link that reads back.
	href := `/doc/1#ann-x%22%3E%3Cimg%20src=x%20onerror=alert%281%29%3E`
	if !strings.Contains(out, `href="`+href+`"`) {
		t.Errorf("link for the hostile id missing; output:\n%s", out)
	}
	if got := ParseFragment(strings.SplitN(href, "#", 2)[1]); got != `x"><img src=x onerror=alert(1)>` {
		t.Errorf("ParseFragment = %q", got)
	}
}

func TestTableShowsRowsAndMarks(t *testing.T) {
	out := Table(hostileTable())
	for _, want := range []string{
		`<tr class="story-row conflict" data-quantity="dead" data-unit="people script alert x script">`, // conflict row
		`<span class="flag" title="the documents disagree">conflict</span>`,
		`<a class="d" href="/doc/1#ann-x%22%3E%3Cimg`,                                                 // alice's 40 against bob's 60
		`<a class="s x" href="/doc/1#ann-s1">`,                                                        // the suggester's 41 behind alice's figure
		` · suggest (suggested)</small>`,                                                              // marked as a suggestion
		`&#34; <small>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;&#39;&#34; · alice</small>`, // alice's figure is sourced through the claim
		`<small><em>no source</em> · bob</small>`,                                                     // bob's are not
		`<div class="record">record: at least 40</div>`,
		`<time datetime="2024-03-22T21:00:00Z">22 Mar 2024 21:00</time>`,
		`data-doc="2"`,
		`0 of 2 unattributed`, // alice's claim and the figure inside it are sourced
		`1 of 1 unattributed`, // bob's two figures share one span, unsourced
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestParseFragment(t *testing.T) {
	tests := []struct{ frag, want string }{
		{"#ann-a-f1", "a-f1"}, {"ann-T1", "T1"}, {"#top", ""}, {"", ""}, {"#ann-%zz", ""},
		{"#" + AnnFragment("a b/c#d"), "a b/c#d"},
	}
	for _, tc := range tests {
		if got := ParseFragment(tc.frag); got != tc.want {
			t.Errorf("ParseFragment(%q) = %q, want %q", tc.frag, got, tc.want)
		}
	}
	if got := DocHref(12, "a-f1"); got != "/doc/12#ann-a-f1" {
		t.Errorf("DocHref = %q", got)
	}
}

func TestEmptyTable(t *testing.T) {
	out := Table(story.Build(story.Story{ID: 1, Documents: []story.Document{{ID: 5, Name: "only"}}}))
	if !strings.Contains(out, `colspan="3">No figures tagged yet.`) {
		t.Errorf("empty table = %s", out)
	}
}

func BenchmarkTable50Docs2000Figures(b *testing.B) {
	quantities := []string{"dead", "injured", "hospitalized", "in serious condition", "evacuated", "missing"}
	qualifiers := []string{"", "at least", "more than", "about"}
	var st story.Story
	for d := 0; d < 50; d++ {
		doc := story.Document{ID: int64(d + 1), Name: fmt.Sprintf("Article %d", d), Outlet: "Outlet"}
		for i := 0; i < 40; i++ {
			doc.Annotations = append(doc.Annotations, model.Annotation{ID: fmt.Sprintf("f%d-%d", d, i), Layer: "alice",
				Label: story.LabelFigure, Start: i * 50, End: i*50 + 20, Quote: "at least 40 people dead",
				Attrs: &model.Attrs{Value: num(float64(40 + (d*7+i)%50)), Qualifier: qualifiers[i%len(qualifiers)],
					Unit: "people", Quantity: quantities[i%len(quantities)]}})
		}
		st.Documents = append(st.Documents, doc)
	}
	tb := story.Build(st)
	b.ReportAllocs()
	for b.Loop() {
		Table(tb)
	}
}
