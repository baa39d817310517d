package export

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"gloss/shared/model"
	"gloss/shared/textpos"
)

// bratZip builds a zip from name/content pairs.
func bratZip(t *testing.T, files ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i < len(files); i += 2 {
		f, err := zw.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(files[i+1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadErrors(t *testing.T) {
	const text = `Moscow: The ISIS has claimed responsibility.`
	schema := ReadOptions{Layer: "import", Schema: model.DefaultSchema()}
	tests := []struct {
		name, format, input string
		opt                 ReadOptions
		code                string   // model.Error code, if any
		want                []string // substrings of the message
	}{
		{"jsonl not json", FormatJSONL, "{\"text\":\"a\"}\n{oops\n", schema, "", []string{"read jsonl: line 2"}},
		{"jsonl no text", FormatJSONL, `{"spans":[]}`, schema, "", []string{"line 1", `no "text"`}},
		{"jsonl no offsets", FormatJSONL, `{"text":"abc","spans":[{"label":"claim","id":"x"}]}`, schema, "", []string{"line 1: span 1 (id \"x\")", "start"}},
		{"jsonl out of range", FormatJSONL, `{"text":"abc","spans":[{"start":1,"end":9,"label":"claim","id":"x"}]}`, schema,
			model.CodeSpanOutOfRange, []string{"line 1: span 1 (id \"x\")"}},
		{"jsonl empty span", FormatJSONL, `{"text":"abc","spans":[{"start":2,"end":2,"label":"claim"}]}`, schema,
			model.CodeSpanEmpty, []string{`span 1 (id "s1")`}},
		{"jsonl utf-16 offsets", FormatJSONL, `{"text":"😀 said more","spans":[{"start":3,"end":7,"label":"claim","text":"said"}]}`, schema,
			model.CodeQuoteMismatch, []string{`"said"`}},
		{"jsonl unknown label", FormatJSONL, `{"text":"abc","spans":[{"start":0,"end":1,"label":"opinion"}]}`, schema,
			model.CodeUnknownLabel, []string{"opinion"}},
		{"jsonl bad id", FormatJSONL, `{"text":"abc","spans":[{"start":0,"end":1,"label":"claim","id":"a b"}]}`, schema,
			model.CodeBadID, nil},
		{"jsonl duplicate id", FormatJSONL, `{"text":"abc","spans":[{"start":0,"end":1,"label":"claim","id":"a"},{"start":1,"end":2,"label":"claim","id":"a"}]}`, schema,
			model.CodeBadID, []string{"span 2", "twice"}},
		{"jsonl dangling relation", FormatJSONL, `{"text":"abc","spans":[{"start":0,"end":1,"label":"claim","id":"a"}],"relations":[{"id":"r","type":"source","from":"a","to":"zz"}]}`, schema,
			model.CodeRelationEndpoint, []string{"relation 1 (id \"r\")", "zz"}},
		{"jsonl unknown relation", FormatJSONL, `{"text":"abc","spans":[{"start":0,"end":1,"label":"claim","id":"a"}],"relations":[{"id":"r","type":"cause","from":"a","to":"a"}]}`, schema,
			model.CodeUnknownRelation, []string{"cause"}},
		{"jsonl no layer", FormatJSONL, `{"text":"abc","spans":[{"start":0,"end":1,"label":"claim"}]}`, ReadOptions{}, "", []string{"no layer"}},

		{"w3c not a collection", FormatW3C, `{"type":"Annotation"}`, schema, "", []string{"neither"}},
		{"w3c paged", FormatW3C, `{"type":"AnnotationCollection","first":"https://x.org/p1"}`, schema, "", []string{"embedded"}},
		{"w3c unknown source", FormatW3C, `{"type":"AnnotationPage","items":[{"id":"urn:x:a1","body":{"type":"TextualBody","value":"claim"},"target":{"source":"urn:doc","selector":{"type":"TextPositionSelector","start":0,"end":1}}}]}`, schema,
			"", []string{"item 1 (urn:x:a1)", "urn:doc"}},
		{"w3c quote mismatch", FormatW3C, `{"type":"AnnotationPage","items":[
			{"id":"urn:d:text","motivation":"describing","body":{"type":"TextualBody","value":"` + text + `"},"target":"urn:d","gloss:document":{"id":1}},
			{"id":"urn:d:annotation:a1","body":{"type":"TextualBody","value":"claim"},"target":{"source":"urn:d","selector":[{"type":"TextQuoteSelector","exact":"ISIS"},{"type":"TextPositionSelector","start":0,"end":4}]}}]}`, schema,
			model.CodeQuoteMismatch, []string{"item 2 (urn:d:annotation:a1)"}},
		{"w3c no position", FormatW3C, `{"type":"AnnotationPage","items":[
			{"id":"urn:d:text","body":{"type":"TextualBody","value":"abc"},"target":"urn:d","gloss:document":{"id":1}},
			{"id":"urn:d:annotation:a1","body":{"type":"TextualBody","value":"claim"},"target":{"source":"urn:d","selector":{"type":"TextQuoteSelector","exact":"abc"}}}]}`, schema,
			"", []string{"item 2", "TextPositionSelector"}},
		{"w3c relation across documents", FormatW3C, `{"type":"AnnotationPage","items":[
			{"id":"urn:d:text","body":{"type":"TextualBody","value":"abc"},"target":"urn:d","gloss:document":{"id":1}},
			{"id":"urn:d:annotation:a1","body":{"type":"TextualBody","value":"claim"},"target":{"source":"urn:d","selector":{"type":"TextPositionSelector","start":0,"end":1}}},
			{"id":"urn:d:relation:r1","motivation":"linking","body":["urn:e:annotation:a9",{"type":"TextualBody","value":"source"}],"target":"urn:d:annotation:a1"}]}`, schema,
			model.CodeRelationEndpoint, []string{"item 3 (urn:d:relation:r1)"}},

		{"brat not a zip", FormatBrat, "T1\tclaim 0 3\tabc", schema, "", []string{"zip"}},
		{"brat ann without txt", FormatBrat, string(bratZip(t, "a.ann", "")), schema, "", []string{"a.ann has no a.txt"}},
		{"brat bad offsets", FormatBrat, string(bratZip(t, "a.txt", text, "a.ann", "T1\tclaim 8 x\tThe")), schema, "", []string{"a.ann line 1 (T1)", "START END"}},
		{"brat out of range", FormatBrat, string(bratZip(t, "a.txt", text, "a.ann", "T1\tclaim 8 99\tThe")), schema, model.CodeSpanOutOfRange, []string{"a.ann line 1 (T1)"}},
		{"brat quote mismatch", FormatBrat, string(bratZip(t, "a.txt", text, "a.ann", "T1\tclaim 8 11\tThe\nT2\tclaim 12 16\tISIS!")), schema,
			model.CodeQuoteMismatch, []string{"a.ann line 2 (T2)"}},
		{"brat unknown label", FormatBrat, string(bratZip(t, "a.txt", text, "a.ann", "T1\topinion 8 11\tThe")), schema, model.CodeUnknownLabel, []string{"a.ann line 1 (T1)"}},
		{"brat relation to nothing", FormatBrat, string(bratZip(t, "a.txt", text, "a.ann", "T1\tclaim 8 11\tThe\nR1\tsource Arg1:T1 Arg2:T7")), schema,
			"", []string{"a.ann line 2 (R1)", "T7"}},
		{"brat events", FormatBrat, string(bratZip(t, "a.txt", text, "a.ann", "T1\tclaim 8 11\tThe\nE1\tclaim:T1")), schema, "", []string{"line 2 (E1)", "events"}},
		{"unknown format", "csv", "", schema, "", []string{"unknown format"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := Read(strings.NewReader(tc.input), tc.format, tc.opt)
			if err == nil {
				t.Fatalf("no error; read %+v", docs)
			}
			if docs != nil {
				t.Error("documents returned with the error")
			}
			var ve *model.Error
			if tc.code != "" && (!errors.As(err, &ve) || ve.Code != tc.code) {
				t.Errorf("err = %v, want code %s", err, tc.code)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to mention %q", err, w)
				}
			}
		})
	}
}

// TestReadForeign reads files Gloss did not write: the minimal JSONL
// shape, a brat corpus without Gloss's notes and with a discontinuous span,
// and a W3C page without quote selectors.
func TestReadForeign(t *testing.T) {
	opt := ReadOptions{Layer: "import", Schema: model.DefaultSchema()}
	jsonl := "\ufeff" + `{"text":"😀 Moscow said","spans":[{"start":2,"end":8,"label":"claim"}],"meta":{"n":3,"tags":["a"],"s":"x"}}` + "\n\n"
	docs, err := Read(strings.NewReader(jsonl), FormatJSONL, opt)
	if err != nil {
		t.Fatal(err)
	}
	a := docs[0].Annotations[0]
	if a.ID != "s1" || a.Quote != "Moscow" || a.Layer != "import" || a.Version != 1 ||
		docs[0].Document.Meta["n"] != "3" || docs[0].Document.Meta["tags"] != `["a"]` || docs[0].Document.Meta["s"] != "x" {
		t.Errorf("jsonl: %+v", docs[0])
	}

	text := "Regional governor\nAndrey Vorobyov said it."
	zipped := bratZip(t,
		"corpus/", "",
		"corpus/doc1.txt", text,
		"corpus/doc1.ann", "T1\tattribution 0 17;18 38\tRegional governor Andrey Vorobyov said\nT2\tclaim 39 41\tit\n"+
			"A1\tNegated T2\n#1\tAnnotatorNotes T2\tchecked by hand\nR1\tsource Arg1:T1 Arg2:T2\n",
		"corpus/notes.txt.bak", "ignored",
		"__MACOSX/corpus/._doc1.txt", "junk",
	)
	docs, err = Read(bytes.NewReader(zipped), FormatBrat, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].Document.Name != "corpus/doc1" {
		t.Fatalf("brat: %+v", docs)
	}
	d := docs[0]
	if a := d.Annotations[0]; a.ID != "T1" || a.Start != 0 || a.End != 38 || a.Quote != "Regional governor\nAndrey Vorobyov said" {
		t.Errorf("brat discontinuous span: %+v", a)
	}
	if r := d.Relations[0]; r.From != "T1" || r.To != "T2" || r.Type != "source" || r.Layer != "import" {
		t.Errorf("brat relation: %+v", r)
	}

	w3c := `{"type":"AnnotationPage","items":[
		{"id":"http://x.org/d/text","body":{"type":"TextualBody","value":"abc def"},"target":"http://x.org/d","gloss:document":{"id":5,"name":"d"}},
		{"id":"http://x.org/d/annotations/k","creator":"http://x.org/users/ann","body":[{"type":"TextualBody","value":"figure","purpose":"tagging"}],
		 "target":{"source":"http://x.org/d","selector":{"type":"TextPositionSelector","start":4,"end":7}}}]}`
	docs, err = Read(strings.NewReader(w3c), FormatW3C, opt)
	if err != nil {
		t.Fatal(err)
	}
	if a := docs[0].Annotations[0]; a.ID != "k" || a.Quote != "def" || a.Label != "figure" || a.Author != "http://x.org/users/ann" || docs[0].Document.ID != 5 {
		t.Errorf("w3c: %+v", docs[0])
	}
}

// TestReadIntoLayer imports an export into one layer, as the import
// endpoint does, and checks everything lands there.
func TestReadIntoLayer(t *testing.T) {
	docs := demoDocs(t)
	opt := demoOptions()
	opt.Layers = []string{"alice"} // one layer, so that ids cannot clash
	for _, format := range []string{FormatJSONL, FormatW3C, FormatBrat} {
		got, err := Read(bytes.NewReader(export(t, format, docs, opt)), format, ReadOptions{Layer: "carol", Schema: model.DefaultSchema()})
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		n := 0
		for _, d := range got {
			for _, a := range d.Annotations {
				n++
				if a.Layer != "carol" || a.Author != "alice" {
					t.Errorf("%s: annotation %s in layer %q by %q", format, a.ID, a.Layer, a.Author)
				}
			}
			for _, r := range d.Relations {
				if r.Layer != "carol" {
					t.Errorf("%s: relation %s in layer %q", format, r.ID, r.Layer)
				}
			}
		}
		if n != 11 {
			t.Errorf("%s: %d annotations, want alice's 11", format, n)
		}
	}
}

// FuzzRoundTrip exports a document with one span over arbitrary text in
// every format and checks that jsonl, w3c and brat read back to the same
// bytes and that CoNLL stays well-formed. Text that is not valid UTF-8
// is only stable from the second generation on in the JSON formats (see
// json.go), so it starts from the first import there.
func FuzzRoundTrip(f *testing.F) {
	f.Add(hostileText, 5, 9)
	f.Add("ISIS.\u00a0\n\nRegional governor", 0, 20)
	f.Add("a\r\n\r\nb", 1, 3)
	f.Add("caf\xe9 \xff said", 2, 4)
	f.Fuzz(func(t *testing.T, text string, start, length int) {
		doc := Doc{Document: model.Document{ID: 1, Name: "fuzz", Text: text}}
		if start >= 0 && length > 0 && start+length <= len([]rune(text)) {
			s, _ := textposSlice(text, start, start+length)
			doc.Annotations = []model.Annotation{{ID: "a1", Layer: "l", Label: "claim", Start: start, End: start + length,
				Quote: s, Author: "l", Version: 1, Created: fixedNow, Updated: fixedNow}}
		}
		for _, format := range []string{FormatJSONL, FormatW3C, FormatBrat} {
			first := export(t, format, []Doc{doc}, demoOptions())
			docs, err := Read(bytes.NewReader(first), format, ReadOptions{})
			if err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			second := export(t, format, docs, demoOptions())
			if format != FormatBrat && !utf8.ValidString(text) {
				if docs, err = Read(bytes.NewReader(second), format, ReadOptions{}); err != nil {
					t.Fatalf("%s: %v", format, err)
				}
				first, second = second, export(t, format, docs, demoOptions())
			}
			if !bytes.Equal(first, second) {
				t.Fatalf("%s: round trip differs:\n%q\n%q", format, first, second)
			}
		}
		checkIOB2(t, parseCoNLL(t, string(export(t, FormatCoNLL, []Doc{doc}, demoOptions()))))
	})
}

func textposSlice(text string, start, end int) (string, error) {
	return textpos.New(text).Slice(start, end)
}
