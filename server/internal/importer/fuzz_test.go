package importer

import (
	"bytes"
	"testing"
	"time"
	"unicode/utf8"

	"gloss/server/internal/export"
	"gloss/shared/model"
	"gloss/shared/textpos"
)

// Fuzz targets for what a hostile upload meets: each importer, with small
// limits so that the fuzzer can reach them. `make fuzz` runs each for a
// bounded time; `go test` runs the seeds.

// fuzzLimits are small enough for the fuzzer to exceed.
func fuzzOptions(layer string) Options {
	return Options{Schema: model.DefaultSchema(), Now: now, Layer: layer, MaxDocument: 4 << 10, MaxInflated: 16 << 10}
}

// seedExport writes one annotated document in format, for the seeds.
func seedExport(f testing.TB, format string) []byte {
	text := "Officials said at least 40 people died, 😀 東京.\r\nSecond line."
	doc := export.Doc{Document: model.Document{ID: 1, Name: "seed", Text: text}, Annotations: []model.Annotation{
		{ID: "a1", Layer: "l", Label: "claim", Start: 0, End: 14, Quote: "Officials said", Author: "l", Version: 1, Created: now, Updated: now},
		{ID: "a2", Layer: "l", Label: "figure", Start: 24, End: 26, Quote: "40", Author: "l", Version: 1, Created: now, Updated: now},
	}, Relations: []model.Relation{{ID: "r1", Layer: "l", Type: model.DefaultSchema().Relations[0], From: "a1", To: "a2", Author: "l", Version: 1, Created: now}}}
	var b bytes.Buffer
	if err := export.Write(&b, format, model.Project{ID: 1, Name: "p", Schema: model.DefaultSchema()}, export.Docs([]export.Doc{doc}),
		export.Options{Now: now, ToolVersion: "fuzz"}); err != nil {
		f.Fatal(err)
	}
	return b.Bytes()
}

// checkImported holds for whatever an import accepts: documents within
// the limit, valid UTF-8, spans inside their text with the text's quote
// and a label of the schema.
func checkImported(t *testing.T, name string, data []byte, opt Options) {
	start := time.Now()
	docs, err := ParseFile(File{Name: name, Data: data}, opt)
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("%d bytes took %v to import", len(data), d)
	}
	if err != nil {
		if _, ok := err.(*Error); !ok {
			t.Fatalf("error %T %v is not an *Error", err, err)
		}
		return
	}
	for _, d := range docs {
		if int64(len(d.Text)) > opt.MaxDocument || d.Text == "" || !utf8.ValidString(d.Text) {
			t.Fatalf("document %q of %d bytes accepted", d.Name, len(d.Text))
		}
		tx := textpos.New(d.Text)
		for _, a := range d.Annotations {
			if err := model.ValidateAnnotation(tx, opt.Schema, a); err != nil {
				t.Fatalf("invalid annotation accepted: %+v: %v", a, err)
			}
		}
	}
}

func FuzzImportJSONL(f *testing.F) {
	f.Add(seedExport(f, export.FormatJSONL))
	f.Add([]byte(`{"text":"Officials said 40 died.","spans":[{"start":15,"end":17,"label":"figure","text":"40"}]}` + "\n\n" + `{"text":"b"}`))
	f.Add([]byte(`{"text":"😀x","spans":[{"start":1,"end":2,"label":"claim"}]}`))
	f.Add([]byte("{\"text\":\"caf\xe9\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkImported(t, "f.jsonl", data, fuzzOptions(""))
	})
}

func FuzzImportW3C(f *testing.F) {
	f.Add(seedExport(f, export.FormatW3C))
	f.Add([]byte(`{"type":"AnnotationPage","items":[{"id":"d","gloss:document":{"id":1},"body":{"type":"TextualBody","value":"abc"},"target":"urn:d"},` +
		`{"id":"s","body":{"type":"TextualBody","value":"claim"},"target":{"source":"urn:d","selector":{"type":"TextPositionSelector","start":0,"end":2}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkImported(t, "f.jsonld", data, fuzzOptions("machine"))
	})
}

func FuzzImportBrat(f *testing.F) {
	f.Add(seedExport(f, export.FormatBrat))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkImported(t, "f.zip", data, fuzzOptions("machine"))
	})
}
