package model

import "testing"

func TestViewOf(t *testing.T) {
	on := Settings{Blind: true}
	inReview := DocReview{Status: DocInReview}
	for _, tc := range []struct {
		name   string
		s      Settings
		role   Role
		done   bool
		review DocReview
		blind  bool
	}{
		{"off", Settings{}, RoleAnnotator, false, DocReview{}, false},
		{"annotator", on, RoleAnnotator, false, DocReview{}, true},
		{"explicitly not reviewed", on, RoleAnnotator, false, DocReview{Status: DocNotReviewed}, true},
		{"done", on, RoleAnnotator, true, DocReview{}, false},
		{"in review", on, RoleAnnotator, false, inReview, false},
		{"adjudicated", on, RoleAnnotator, false, DocReview{Status: DocAdjudicated}, false},
		{"reviewer", on, RoleReviewer, false, DocReview{}, false},
		{"admin", on, RoleAdmin, false, DocReview{}, false},
		{"viewer", on, RoleViewer, false, DocReview{}, false},
	} {
		if got := ViewOf(tc.s, tc.role, "alice", tc.done, tc.review).Blind; got != tc.blind {
			t.Errorf("%s: blind %v, want %v", tc.name, got, tc.blind)
		}
	}
}

func TestViewSees(t *testing.T) {
	for _, tc := range []struct {
		v     View
		layer string
		want  bool
	}{
		{View{}, "bob", true},
		{View{}, GoldLayer, true},
		{View{Blind: true, Own: "alice"}, "alice", true},
		{View{Blind: true, Own: "alice"}, "bob", false},
		{View{Blind: true, Own: "alice"}, GoldLayer, false},
		{View{Blind: true, Own: "alice"}, "model-v1", false},
		{View{Blind: true, Own: "alice"}, SuggestionsLayer, false},
		{View{Blind: true, Own: "alice", Suggest: true}, SuggestionsLayer, true},
		{View{Blind: true, Own: "alice", Suggest: true}, "suggest-ner", true},
		{View{Blind: true, Own: GoldLayer}, GoldLayer, false}, // an account named gold sees no gold
		{View{Blind: true, Own: "alice"}, "", false},
	} {
		if got := tc.v.Sees(tc.layer); got != tc.want {
			t.Errorf("%+v sees %q: %v, want %v", tc.v, tc.layer, got, tc.want)
		}
	}
}

func TestViewFilter(t *testing.T) {
	v := View{Blind: true, Own: "alice"}
	anns := []Annotation{{ID: "a1", Layer: "alice"}, {ID: "a2", Layer: "alice"}, {ID: "b1", Layer: "bob"}, {ID: "g1", Layer: GoldLayer}}
	rels := []Relation{{ID: "r1", Layer: "alice", From: "a1", To: "a2"}, {ID: "r2", Layer: "alice", From: "a1", To: "b1"}, {ID: "r3", Layer: "bob", From: "b1", To: "b1"}}
	reviews := []Review{{Annotation: "a1"}, {Annotation: "a2", Gold: "g1"}, {Annotation: "b1"}}
	comments := []Comment{{ID: "c1", Target: "a1"}, {ID: "c2", Target: "b1"}}
	a, r, rv, c := v.Filter(anns, rels, reviews, comments)
	if len(a) != 2 || len(r) != 1 || r[0].ID != "r1" || len(rv) != 1 || rv[0].Annotation != "a1" || len(c) != 1 || c[0].ID != "c1" {
		t.Fatalf("Filter: %v %v %v %v", a, r, rv, c)
	}
	if a, _, _, _ := (View{}).Filter(anns, rels, reviews, comments); len(a) != len(anns) {
		t.Fatalf("the zero view filtered: %v", a)
	}
}
