package agreement

import (
	"errors"
	"testing"
)

const police = "Police said 40 people died." // tokens: Police said 40 people died .

// handDoc is worked by hand below. Token categories (shortest span wins):
//
//	ann: claim claim figure figure claim claim
//	bob: O     O     figure claim  claim O
//
// Overall kappa: 2 of 6 agree; Σ row·col = claim 4·2 + figure 2·1 = 10, so
// (6·2-10)/(36-10) = 1/13. Alpha: n = 12, Σo_cc = 4, marginals claim 6,
// figure 3, O 3, so 1 - 11·(12-4)/(144-54) = 1/45. Figure alone (binary):
// ann F on 2 tokens, bob on 1, 5 of 6 agree: kappa (30-22)/(36-22) = 4/7,
// alpha 1 - 11·(12-10)/(144-90) = 16/27. Claim alone: ann claims every
// token, so kappa is 0.
var handDoc = Document{Text: police, Layers: map[string][]Span{
	"ann": {{0, 27, "claim"}, {12, 21, "figure"}},
	"bob": {{12, 26, "claim"}, {12, 14, "figure"}},
}}

func TestComputeHandExample(t *testing.T) {
	r, err := Compute([]Document{handDoc})
	if err != nil {
		t.Fatal(err)
	}
	if r.Docs != 1 || r.Tokens != 6 || len(r.All.Pairs) != 1 || len(r.Labels) != 2 {
		t.Fatalf("report shape = %+v", r)
	}
	p := r.All.Pairs[0]
	claim, figure := r.Labels[0], r.Labels[1]
	for _, c := range []struct {
		name string
		got  any
		want any
	}{
		{"pair", [2]string{p.A, p.B}, [2]string{"ann", "bob"}},
		{"exact", p.Exact, SpanCounts{0, 2, 2}},
		{"overlap", p.Overlap, SpanCounts{2, 0, 0}},
		{"kappa", near(p.Kappa, 1.0/13, true), true},
		{"alpha", near(r.All.Alpha, 1.0/45, true), true},
		{"labels", [2]string{claim.Label, figure.Label}, [2]string{"claim", "figure"}},
		{"claim kappa", near(claim.Pairs[0].Kappa, 0, true), true},
		{"figure exact", figure.Exact, SpanCounts{0, 1, 1}},
		{"figure overlap", figure.Pairs[0].Overlap, SpanCounts{1, 0, 0}},
		{"figure kappa", near(figure.Pairs[0].Kappa, 4.0/7, true), true},
		{"figure alpha", near(figure.Alpha, 16.0/27, true), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %+v, want %+v", c.got, c.want)
			}
		})
	}
}

func TestComputeEdgeCases(t *testing.T) {
	same := []Span{{12, 21, "figure"}}
	tests := []struct {
		name          string
		docs          []Document
		pairs         int
		kappa, alpha  Score // of the first pair, and overall
		overlapF1     Score
		labelsReports int
	}{
		{"no documents", nil, 0, Score{}, Score{1, false}, Score{}, 0},
		{"one annotator", []Document{{police, map[string][]Span{"ann": same}}}, 0, Score{}, Score{1, false}, Score{}, 1},
		{"no spans", []Document{{police, map[string][]Span{"ann": nil, "bob": {}}}}, 1, Score{1, false}, Score{1, false}, Score{1, false}, 0},
		{"all agree", []Document{{police, map[string][]Span{"ann": same, "bob": same, "cat": same}}}, 3, Score{1, true}, Score{1, true}, Score{1, true}, 1},
		{"all agree on one category", []Document{{police, map[string][]Span{"ann": {{0, 27, "claim"}}, "bob": {{0, 27, "claim"}}}}}, 1, Score{1, false}, Score{1, false}, Score{1, true}, 1},
		// Figure is used by ann only: bob's "never" is constant, so no
		// better than chance.
		{"label used by one annotator", []Document{{police, map[string][]Span{"ann": same, "bob": nil}}}, 1, Score{0, true}, Score{-0.1, true}, Score{0, true}, 1},
		{"no shared document", []Document{
			{police, map[string][]Span{"ann": same}}, {police, map[string][]Span{"bob": same}},
		}, 1, Score{1, false}, Score{1, false}, Score{1, false}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Compute(tc.docs)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.All.Pairs) != tc.pairs || len(r.Labels) != tc.labelsReports {
				t.Fatalf("%d pairs and %d label reports, want %d and %d", len(r.All.Pairs), len(r.Labels), tc.pairs, tc.labelsReports)
			}
			if !near(r.All.Alpha, tc.alpha.Value, tc.alpha.Defined) {
				t.Errorf("alpha = %+v, want %+v", r.All.Alpha, tc.alpha)
			}
			if tc.pairs == 0 {
				return
			}
			p := r.All.Pairs[0]
			if !near(p.Kappa, tc.kappa.Value, tc.kappa.Defined) || !near(p.Overlap.F1(), tc.overlapF1.Value, tc.overlapF1.Defined) {
				t.Errorf("pair %+v: kappa %+v, overlap F1 %+v; want %+v, %+v", p, p.Kappa, p.Overlap.F1(), tc.kappa, tc.overlapF1)
			}
		})
	}
}

// TestComputeProject checks that a project report sums span counts over
// documents and computes kappa over the concatenated tokens, with each
// pair counted only on the documents both annotated.
func TestComputeProject(t *testing.T) {
	second := Document{Text: "Officials said 3 died.", Layers: map[string][]Span{ // Officials said 3 died .
		"ann": {{15, 16, "figure"}},
		"bob": {{15, 16, "figure"}, {0, 14, "attribution"}},
		"cat": {{15, 21, "figure"}},
	}}
	r, err := Compute([]Document{handDoc, second})
	if err != nil {
		t.Fatal(err)
	}
	ab := r.All.Pairs[0]
	x := []string{"claim", "claim", "figure", "figure", "claim", "claim", "", "", "figure", "", ""}
	y := []string{"", "", "figure", "claim", "claim", "", "attribution", "attribution", "figure", "", ""}
	want, _ := CohenKappa(x, y)
	if ab.A != "ann" || ab.B != "bob" || ab.Docs != 2 || ab.Tokens != 11 || ab.Kappa != want {
		t.Errorf("ann–bob = %+v, want 2 docs, 11 tokens, kappa %+v", ab, want)
	}
	if ab.Exact != (SpanCounts{1, 3, 2}) || ab.Overlap != (SpanCounts{3, 1, 0}) {
		t.Errorf("ann–bob exact %+v overlap %+v, want {1 3 2} {3 1 0}", ab.Exact, ab.Overlap)
	}
	if bc := r.All.Pairs[2]; bc.A != "bob" || bc.B != "cat" || bc.Docs != 1 || bc.Exact != (SpanCounts{0, 1, 2}) {
		t.Errorf("bob–cat = %+v, want 1 doc, exact {0 1 2}", bc)
	}
	if r.All.Exact != (SpanCounts{1, 5, 5}) {
		t.Errorf("summed exact = %+v, want {1 5 5}", r.All.Exact)
	}
}

func TestComputeInvalidSpan(t *testing.T) {
	for _, s := range []Span{{3, 3, "claim"}, {-1, 2, "claim"}, {20, 28, "claim"}, {0, 2, None}} {
		_, err := Compute([]Document{{police, map[string][]Span{"ann": {s}}}})
		if !errors.Is(err, ErrInvalidSpan) {
			t.Errorf("span %+v: err = %v, want ErrInvalidSpan", s, err)
		}
	}
}
