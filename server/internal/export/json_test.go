package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gloss/shared/model"
	"gloss/shared/story"
)

func TestAppendJSONTime(t *testing.T) {
	for _, tm := range []time.Time{
		{},
		time.Date(2024, 3, 23, 9, 30, 0, 0, time.UTC),
		time.Date(2024, 3, 23, 9, 30, 0, 250_000_000, time.UTC),
		time.Date(2024, 3, 23, 12, 30, 0, 123_456_789, time.FixedZone("MSK", 3*3600)),
	} {
		want, _ := json.Marshal(tm.UTC())
		if got := appendJSONTime(nil, tm); !bytes.Equal(got, want) {
			t.Errorf("appendJSONTime(%v) = %s, encoding/json gives %s", tm, got, want)
		}
	}
}

// The JSONL writer is hand-written for speed; these are the same lines
// as encoding/json would write them from structs with the same fields.
type refDoc struct {
	ID        int64             `json:"id"`
	Text      string            `json:"text"`
	Spans     []refSpan         `json:"spans"`
	Meta      map[string]string `json:"meta"`
	Name      string            `json:"name"`
	Relations []refRelation     `json:"relations"`
}

type refSpan struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Label string `json:"label"`
	Text  string `json:"text"`
	// Attributed is written on claims and figures only.
	Attributed *bool     `json:"attributed,omitempty"`
	Annotator  string    `json:"annotator"`
	ID         string    `json:"id"`
	Layer      string    `json:"layer"`
	Version    int64     `json:"version"`
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`
}

type refRelation struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Annotator string    `json:"annotator"`
	Layer     string    `json:"layer"`
	Version   int64     `json:"version"`
	Created   time.Time `json:"created"`
}

func TestJSONLMatchesEncodingJSON(t *testing.T) {
	docs := demoDocs(t)
	lines := strings.SplitAfter(string(export(t, FormatJSONL, docs, demoOptions())), "\n")
	p := newPreparer(Options{})
	for i, d := range docs {
		v, err := p.prepare(d)
		if err != nil {
			t.Fatal(err)
		}
		ref := refDoc{ID: v.doc.ID, Text: v.doc.Text, Spans: []refSpan{}, Meta: map[string]string{}, Name: v.doc.Name, Relations: []refRelation{}}
		for k, val := range v.doc.Meta {
			ref.Meta[k] = val
		}
		attributed := story.Attributed(d.Annotations, d.Relations)
		for _, a := range v.anns {
			var at *bool
			if x, ok := attributed[a.ID]; ok {
				at = &x
			}
			ref.Spans = append(ref.Spans, refSpan{a.Start, a.End, a.Label, a.Quote, at, a.Author, a.ID, a.Layer, a.Version, a.Created.UTC(), a.Updated.UTC()})
		}
		for _, r := range v.rels {
			ref.Relations = append(ref.Relations, refRelation{r.ID, r.Type, r.From, r.To, r.Author, r.Layer, r.Version, r.Created.UTC()})
		}
		want, _ := json.Marshal(ref)
		if got := strings.TrimSuffix(lines[i], "\n"); got != string(want) {
			t.Errorf("document %d:\n got %.400s\nwant %.400s", d.Document.ID, got, want)
		}
	}
}

// TestJSONLOffsets checks the promise made to Python users: text is the
// stored text, and text[start:end] (code points) is each span's text.
func TestJSONLOffsets(t *testing.T) {
	docs := demoDocs(t)
	sc := bufio.NewScanner(bytes.NewReader(export(t, FormatJSONL, docs, demoOptions())))
	sc.Buffer(nil, 1<<20)
	for i := 0; sc.Scan(); i++ {
		var d refDoc
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		if d.Text != docs[i].Document.Text {
			t.Errorf("document %d: text changed", d.ID)
		}
		runes := []rune(d.Text)
		for _, s := range d.Spans {
			if got := string(runes[s.Start:s.End]); got != s.Text {
				t.Errorf("document %d span %s: text[%d:%d] = %q, span text %q", d.ID, s.ID, s.Start, s.End, got, s.Text)
			}
		}
		for j := 1; j < len(d.Spans); j++ {
			a, b := d.Spans[j-1], d.Spans[j]
			if a.Start > b.Start || a.Start == b.Start && a.End < b.End {
				t.Errorf("document %d: spans %s and %s out of reading order", d.ID, a.ID, b.ID)
			}
		}
	}
}

// TestInvalidUTF8 pins down the documented behaviour for text that is not
// valid UTF-8: JSON gets U+FFFD per bad byte, so code point offsets stay
// right; brat and CoNLL keep one code point per byte too; the second
// generation of a JSONL round trip is stable.
func TestInvalidUTF8(t *testing.T) {
	text := "caf\xe9 \xff said: OK"
	d := demoDocs(t)[3]
	d.Document.Text = text
	s, e := find(t, text, "said", "")
	d.Annotations = nil
	d.Annotations = append(d.Annotations, demoDocs(t)[0].Annotations[0])
	a := &d.Annotations[0]
	a.Start, a.End, a.Quote, a.Document = s, e, "said", d.Document.ID
	if s != 7 {
		t.Fatalf("start = %d, want 7 (one code point per invalid byte)", s)
	}

	first := export(t, FormatJSONL, []Doc{d}, demoOptions())
	if !bytes.Contains(first, []byte(`"caf\ufffd \ufffd said: OK"`)) {
		t.Errorf("JSONL text: %s", first)
	}
	var ref refDoc
	if err := json.Unmarshal(first, &ref); err != nil {
		t.Fatal(err)
	}
	if got := string([]rune(ref.Text)[ref.Spans[0].Start:ref.Spans[0].End]); got != "said" {
		t.Errorf("decoded text[start:end] = %q", got)
	}
	imported, err := Read(bytes.NewReader(first), FormatJSONL, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	second := export(t, FormatJSONL, imported, demoOptions())
	imported, err = Read(bytes.NewReader(second), FormatJSONL, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if third := export(t, FormatJSONL, imported, demoOptions()); !bytes.Equal(second, third) || !utf8.Valid(second) {
		t.Errorf("second generation not stable:\n%s\n%s", second, third)
	}

	// brat keeps the bytes, and reads them back.
	zipped := export(t, FormatBrat, []Doc{d}, demoOptions())
	if files := zipEntries(t, zipped); files["empty.txt"] != text {
		t.Errorf("brat .txt = %q", files["empty.txt"])
	}
	back, err := Read(bytes.NewReader(zipped), FormatBrat, ReadOptions{})
	if err != nil || back[0].Document.Text != text || back[0].Annotations[0].Start != 7 {
		t.Errorf("brat round trip: %v, %+v", err, back)
	}

	// CoNLL writes U+FFFD in place of each bad byte.
	conll := string(export(t, FormatCoNLL, []Doc{d}, demoOptions()))
	if !strings.Contains(conll, "caf 0 3 O O O\n\ufffd 3 4 O O O\n\ufffd 5 6 O O O\nsaid 7 11 O B-figure O\n") {
		t.Errorf("CoNLL:\n%s", conll)
	}
}

// TestJSONLAttributed: claims and figures carry "attributed"; a figure
// inside a claim that an attribution sources is attributed, an unlinked
// claim is not, and other labels carry no such key.
func TestJSONLAttributed(t *testing.T) {
	text := "CNN reported that at least 40 people died. Business Times has been able to verify it."
	at := func(id, label string, s, e int) model.Annotation {
		return model.Annotation{ID: id, Layer: "alice", Label: label, Start: s, End: e, Quote: string([]rune(text)[s:e]), Author: "alice", Version: 1}
	}
	doc := Doc{Document: model.Document{ID: 1, Name: "d", Text: text},
		Annotations: []model.Annotation{at("a", "attribution", 0, 12), at("c", "claim", 18, 41), at("f", "figure", 18, 29), at("u", "claim", 43, 85)},
		Relations:   []model.Relation{{ID: "r", Layer: "alice", Type: "source", From: "a", To: "c", Author: "alice", Version: 1}}}
	var b strings.Builder
	if err := Write(&b, FormatJSONL, model.Project{ID: 1, Name: "p", Schema: model.DefaultSchema()}, func(yield func(Doc, error) bool) { yield(doc, nil) }, Options{}); err != nil {
		t.Fatal(err)
	}
	var line struct {
		Spans []struct {
			ID         string
			Attributed *bool
		}
	}
	if err := json.Unmarshal([]byte(b.String()), &line); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "none", "c": "true", "f": "true", "u": "false"}
	for _, s := range line.Spans {
		got := "none"
		if s.Attributed != nil {
			got = strconv.FormatBool(*s.Attributed)
		}
		if got != want[s.ID] {
			t.Errorf("span %s: attributed %s, want %s", s.ID, got, want[s.ID])
		}
	}
}
