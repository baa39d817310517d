package export

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"gloss/shared/model"
)

func TestAppendAttrs(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		a    *model.Attrs
		want string
	}{
		{nil, ``},
		{&model.Attrs{}, ``},
		{&model.Attrs{Value: f(40), Qualifier: "at least", Unit: "people", Quantity: "dead"},
			`,"value":40,"qualifier":"at least","unit":"people","quantity":"dead"`},
		{&model.Attrs{Low: f(1), High: f(1.5), Unit: "degrees Celsius"}, `,"value":[1,1.5],"unit":"degrees Celsius"`},
		{&model.Attrs{Value: f(13.6e6), Unit: "$"}, `,"value":13600000,"unit":"$"`},
		{&model.Attrs{Cue: &[2]int{4, 12}, From: "suggest"}, `,"cue":[4,12],"from":"suggest"`},
		{&model.Attrs{Unit: `"quoted"`}, `,"unit":"\"quoted\""`},
	}
	for _, tt := range tests {
		if got := string(AppendAttrs(nil, tt.a)); got != tt.want {
			t.Errorf("AppendAttrs(%+v) = %s, want %s", tt.a, got, tt.want)
		}
	}
}

// TestJSONLAttrsRoundTrip: spans with structured fields carry them flat in
// JSONL and read back the same; spans without them are untouched (the
// golden files hold that).
func TestJSONLAttrsRoundTrip(t *testing.T) {
	docs := demoDocs(t)
	f := func(v float64) *float64 { return &v }
	d := docs[0]
	d.Annotations = append([]model.Annotation{}, d.Annotations...)
	a0, a1 := &d.Annotations[0], &d.Annotations[1]
	a0.Attrs = &model.Attrs{Value: f(40), Qualifier: "at least", Unit: "people", Quantity: "dead", From: "suggest"}
	a1.Attrs = &model.Attrs{Low: f(1), High: f(1.5), Cue: &[2]int{a1.Start, a1.End}}
	docs[0] = d
	out := export(t, FormatJSONL, docs, demoOptions())
	for _, want := range []string{`,"value":40,"qualifier":"at least","unit":"people","quantity":"dead","from":"suggest"`, `,"value":[1,1.5],"cue":[`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("export lacks %s", want)
		}
	}
	back, err := Read(bytes.NewReader(out), FormatJSONL, ReadOptions{Schema: model.DefaultSchema()})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*model.Attrs{}
	for _, a := range back[0].Annotations {
		got[a.ID] = a.Attrs
	}
	for _, a := range d.Annotations {
		if !reflect.DeepEqual(got[a.ID], a.Attrs) {
			t.Errorf("annotation %s: attrs %+v, want %+v", a.ID, got[a.ID], a.Attrs)
		}
	}
	if again := export(t, FormatJSONL, back, demoOptions()); !bytes.Equal(again, out) {
		t.Errorf("export → read → export differs")
	}
}

func TestJSONLAttrsErrors(t *testing.T) {
	for _, span := range []string{
		`{"start":0,"end":5,"label":"figure","value":"forty"}`,
		`{"start":0,"end":5,"label":"figure","value":[3,1]}`,
		`{"start":0,"end":5,"label":"attribution","cue":[2,9]}`,
	} {
		line := `{"text":"Hello world","spans":[` + span + `]}`
		_, err := Read(strings.NewReader(line), FormatJSONL, ReadOptions{Layer: "x"})
		if err == nil {
			t.Errorf("%s: no error", span)
		}
	}
}
