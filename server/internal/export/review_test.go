package export

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"gloss/shared/model"
)

// reviewedDocs is one adjudicated document: alice tagged a figure, bob a
// claim on the same words; rita accepted alice's into gold, rejected
// bob's, and a reset verdict (unreviewed) says nothing. A second document
// has no review at all.
func reviewedDocs() []Doc {
	const text = "CNN reported that at least 40 people died."
	at := func(min int) time.Time { return annotated.Add(time.Duration(min)*time.Minute + 125*time.Millisecond) }
	span := func(id, layer, label string, s, e int, author string) model.Annotation {
		return model.Annotation{ID: id, Document: 5, Layer: layer, Label: label, Start: s, End: e, Quote: text[s:e],
			Author: author, Version: 1, Created: at(1), Updated: at(1)}
	}
	return []Doc{{
		Document: model.Document{ID: 5, ProjectID: 7, Name: "reviewed", Text: text},
		Annotations: []model.Annotation{
			span("a1", "alice", "figure", 18, 41, "alice"),
			span("a2", "alice", "attribution", 0, 12, "alice"),
			span("b1", "bob", "claim", 18, 41, "bob"),
			span("g1", model.GoldLayer, "figure", 18, 41, "rita"),
		},
		Reviews: []model.Review{
			{Annotation: "g1", Status: model.ReviewAccepted, Reviewer: "rita", Time: at(2), Source: "a1", Proposer: "alice"},
			{Annotation: "a1", Status: model.ReviewAccepted, Reviewer: "rita", Time: at(2), Gold: "g1"},
			{Annotation: "b1", Status: model.ReviewRejected, Reviewer: "rita", Time: at(3)},
			{Annotation: "a2", Status: model.ReviewUnreviewed, Reviewer: "rita", Time: at(4)},
		},
		DocReview: model.DocReview{Status: model.DocAdjudicated, Reviewer: "rita", Time: at(5)},
	}, {
		Document:    model.Document{ID: 6, ProjectID: 7, Name: "untouched", Text: "Nothing to review."},
		Annotations: []model.Annotation{{ID: "x1", Document: 6, Layer: "bob", Label: "claim", Start: 0, End: 7, Quote: "Nothing", Author: "bob", Version: 1, Created: annotated, Updated: annotated}},
	}}
}

// TestReviewJSONL pins the review keys of JSONL (golden file), checks that
// they survive export → import → export byte for byte, that a layer
// filter keeps the provenance of the gold spans it keeps, and that an
// import into another layer drops reviews, which would no longer hold.
func TestReviewJSONL(t *testing.T) {
	docs := reviewedDocs()
	first := export(t, FormatJSONL, docs, demoOptions())
	golden(t, "review.jsonl", first)

	imported, err := Read(bytes.NewReader(first), FormatJSONL, ReadOptions{Schema: model.DefaultSchema()})
	if err != nil {
		t.Fatal(err)
	}
	if second := export(t, FormatJSONL, imported, demoOptions()); !bytes.Equal(first, second) {
		t.Fatalf("export → import → export differs:\nfirst:  %s\nsecond: %s", first, second)
	}
	want := docs[0].Reviews[:3] // the unreviewed record is not exported
	got := imported[0].Reviews
	byAnn := map[string]model.Review{}
	for _, r := range got {
		byAnn[r.Annotation] = r
	}
	for _, w := range want {
		if g := byAnn[w.Annotation]; !reflect.DeepEqual(g, w) {
			t.Errorf("review of %s came back as %+v, want %+v", w.Annotation, g, w)
		}
	}
	if len(got) != len(want) || imported[0].DocReview != docs[0].DocReview || len(imported[1].Reviews) != 0 || imported[1].DocReview.Status != "" {
		t.Errorf("imported reviews %+v / %+v, document status %+v / %+v", got, imported[1].Reviews, imported[0].DocReview, imported[1].DocReview)
	}

	goldOnly := demoOptions()
	goldOnly.Layers = []string{model.GoldLayer}
	line := strings.SplitN(string(export(t, FormatJSONL, docs[:1], goldOnly)), "\n", 2)[0]
	if !strings.Contains(line, `"layer":"gold","version":1,"created":"2024-03-23T09:31:00.125Z","updated":"2024-03-23T09:31:00.125Z","review":"accepted","reviewer":"rita","reviewed":"2024-03-23T09:32:00.125Z","source":"a1","proposer":"alice"}`) ||
		strings.Contains(line, `"rejected"`) {
		t.Errorf("gold export: %s", line)
	}

	into, err := Read(bytes.NewReader(first), FormatJSONL, ReadOptions{Layer: "carol"})
	if err != nil {
		t.Fatal(err)
	}
	if len(into[0].Reviews) != 0 || into[0].DocReview.Status != "" {
		t.Errorf("import into layer carol kept reviews %+v, %+v", into[0].Reviews, into[0].DocReview)
	}
	bad := bytes.Replace(first, []byte(`"review":"rejected"`), []byte(`"review":"maybe"`), 1)
	if _, err := Read(bytes.NewReader(bad), FormatJSONL, ReadOptions{}); err == nil || !strings.Contains(err.Error(), "maybe") {
		t.Errorf("unknown review status: err = %v", err)
	}
}

// TestReviewFilter: Options.Reviews keeps the annotations whose review
// status is listed, a missing or reset record counting as unreviewed.
func TestReviewFilter(t *testing.T) {
	for _, tc := range []struct {
		reviews []string
		want    []string // annotation ids, in document order
	}{
		{nil, []string{"a2", "a1", "b1", "g1", "x1"}},
		{[]string{"unreviewed"}, []string{"a2", "x1"}},
		{[]string{"accepted"}, []string{"a1", "g1"}},
		{[]string{"rejected"}, []string{"b1"}},
		{[]string{"edited"}, nil},
		{[]string{"accepted", "rejected"}, []string{"a1", "b1", "g1"}},
		{[]string{"bogus"}, nil},
	} {
		p := newPreparer(Options{Reviews: tc.reviews})
		var got []string
		for _, d := range reviewedDocs() {
			v, err := p.prepare(d)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range v.anns {
				got = append(got, a.ID)
			}
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Reviews %q kept %q, want %q", tc.reviews, got, tc.want)
		}
	}
}
