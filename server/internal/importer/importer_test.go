package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gloss/server/internal/export"
	"gloss/server/internal/store"
	"gloss/shared/model"
)

var now = time.UnixMilli(1_700_000_000_000).UTC()

func opts() Options { return Options{Schema: model.DefaultSchema(), Now: now} }

func TestTextKeptByteForByte(t *testing.T) {
	texts := []string{
		"  leading and trailing spaces  \n\n",
		"crlf\r\nlines\r\n",
		"\ufeffa BOM, NBSP\u00a0and 😀 東京",
		"e\u0301 (not normalised)",
		"no final newline",
	}
	for _, text := range texts {
		docs, err := Parse([]File{{Name: "dir/article.TXT", Data: []byte(text)}}, opts())
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if len(docs) != 1 || docs[0].Text != text || docs[0].Name != "article" || docs[0].Meta["source"] != "dir/article.TXT" {
			t.Errorf("%q: got %+v", text, docs)
		}
	}
}

func TestJSONL(t *testing.T) {
	data := strings.Join([]string{
		`{"text": "Officials said 40 died.", "meta": {"title": "Flood", "year": 2024, "tags": ["a"]}}`,
		``,
		`{"text": "😀 CNN reported a claim.", "name": "second", "spans": [{"start": 2, "end": 14, "label": "attribution", "text": "CNN reported"}, {"start": 15, "end": 23, "label": "claim"}]}`,
		`{"id": 7, "text": "x\r\ny"}` + "\r",
		``,
	}, "\n")
	docs, err := Parse([]File{{Name: "batch.jsonl", Data: []byte(data)}}, opts())
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 3 {
		t.Fatalf("%d documents, want 3", len(docs))
	}
	if d := docs[0]; d.Name != "Flood" || d.Meta["year"] != "2024" || d.Meta["tags"] != `["a"]` || d.Meta["source"] != "batch.jsonl:1" || len(d.Annotations) != 0 {
		t.Errorf("first = %+v", d)
	}
	d := docs[1]
	if d.Name != "second" || len(d.Annotations) != 2 {
		t.Fatalf("second = %+v", d)
	}
	a := d.Annotations[0]
	if a.Quote != "CNN reported" || a.Layer != DefaultLayer || a.Author != DefaultLayer || a.Label != "attribution" || a.ID == d.Annotations[1].ID || !a.Created.Equal(now) {
		t.Errorf("span = %+v", a)
	}
	if d.Annotations[1].Quote != "a claim." {
		t.Errorf("second span quote %q", d.Annotations[1].Quote)
	}
	if docs[2].Name != "7" || docs[2].Text != "x\r\ny" {
		t.Errorf("third = %+v", docs[2])
	}

	// A named layer takes every span; without one, Gloss's own export
	// keeps its layers.
	o := opts()
	o.Layer = "model-v2"
	docs, err = Parse([]File{{Name: "b.jsonl", Data: []byte(`{"text":"ab","spans":[{"start":0,"end":1,"label":"claim","layer":"alice","annotator":"alice"}]}`)}}, o)
	if err != nil || docs[0].Annotations[0].Layer != "model-v2" || docs[0].Annotations[0].Author != "model-v2" {
		t.Errorf("with -layer: %+v, %v", docs, err)
	}
	docs, err = Parse([]File{{Name: "b.jsonl", Data: []byte(`{"text":"ab","spans":[{"start":0,"end":1,"label":"claim","layer":"alice","annotator":"alice"}]}`)}}, opts())
	if err != nil || docs[0].Annotations[0].Layer != "alice" {
		t.Errorf("export's layer: %+v, %v", docs, err)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, file, data string
		line             int
		want             string
	}{
		{"empty txt", "a.txt", "", 0, "empty"},
		{"empty jsonl", "a.jsonl", "", 0, "empty"},
		{"blank jsonl", "a.jsonl", "\n  \n", 0, "no documents"},
		{"invalid utf-8", "latin1.txt", "line one\ncaf\xe9\n", 2, "byte offset 12"},
		{"invalid utf-8 in jsonl", "a.jsonl", "{\"text\":\"ok\"}\n{\"text\":\"\xff\"}", 2, "byte offset 23"},
		{"unsupported", "a.docx", "x", 0, "unsupported file type"},
		{"bad json", "a.jsonl", "{\"text\":\"ok\"}\n{\"text\": ", 2, "not a JSON object"},
		{"not an object", "a.jsonl", "[1,2]", 1, "not a JSON object"},
		{"no text", "a.jsonl", `{"meta":{}}`, 1, `no "text"`},
		{"empty text", "a.jsonl", `{"text":""}`, 1, `"text" is empty`},
		{"text not a string", "a.jsonl", `{"text":5}`, 1, `"text"`},
		{"unknown label", "a.jsonl", `{"text":"abc","spans":[{"start":0,"end":1,"label":"opinion"}]}`, 1, `label "opinion" is not in the project's schema`},
		{"out of range", "a.jsonl", `{"text":"abc","spans":[{"start":1,"end":9,"label":"claim"}]}`, 1, "[1, 9)"},
		{"empty span", "a.jsonl", `{"text":"abc","spans":[{"start":2,"end":2,"label":"claim"}]}`, 1, "[2, 2)"},
		{"no start", "a.jsonl", `{"text":"abc","spans":[{"end":2,"label":"claim"}]}`, 1, `needs "start"`},
		{"utf-16 offsets", "a.jsonl", `{"text":"😀 said","spans":[{"start":3,"end":7,"label":"claim","text":"said"}]}`, 1, "code points"},
		{"bad layer", "a.jsonl", `{"text":"abc","spans":[{"start":0,"end":1,"label":"claim","layer":"a b"}]}`, 1, "layer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			good := File{Name: "good.txt", Data: []byte("fine")}
			_, err := Parse([]File{good, {Name: tc.file, Data: []byte(tc.data)}}, opts())
			var ie *Error
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if ie.File != tc.file || ie.Line != tc.line || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q (file %q line %d), want file %q line %d containing %q", err, ie.File, ie.Line, tc.file, tc.line, tc.want)
			}
		})
	}
	if _, err := Parse(nil, opts()); err == nil {
		t.Error("Parse of no files succeeded")
	}
	o := opts()
	o.Layer = "has space"
	if _, err := Parse([]File{{Name: "a.txt", Data: []byte("x")}}, o); err == nil {
		t.Error("a bad layer name was accepted")
	}
}

func TestLargeText(t *testing.T) {
	big := strings.Repeat("Officials said at least 40 people died. 😀 Ünïcödé.\n", 400_000) // ~22 MB
	docs, err := Parse([]File{{Name: "big.txt", Data: []byte(big)}}, opts())
	if err != nil || len(docs) != 1 || len(docs[0].Text) != len(big) {
		t.Fatalf("large file: %v", err)
	}
}

func TestParseRecords(t *testing.T) {
	recs := []json.RawMessage{json.RawMessage(`{"text":"one","name":"a"}`), json.RawMessage(`{"text":"two","spans":[{"start":0,"end":3,"label":"figure"}]}`)}
	docs, err := ParseRecords("request", recs, opts())
	if err != nil || len(docs) != 2 || docs[0].Name != "a" || docs[1].Name != "request-2" || docs[1].Annotations[0].Quote != "two" {
		t.Fatalf("ParseRecords = %+v, %v", docs, err)
	}
	_, err = ParseRecords("request", append(recs, json.RawMessage(`{"text":"x","spans":[{"start":0,"end":1,"label":"nope"}]}`)), opts())
	if err == nil || err.Error() != `request, document 3: span 1: label "nope" is not in the project's schema (labels: "attribution", "claim", "figure"); add it first` {
		t.Errorf("err = %v", err)
	}
}

// TestImportW3CAndBrat: a project exported as W3C and as brat imports back
// into a fresh store as layer "imported", spans (offsets, labels, quotes)
// intact and relations dropped; a malformed .jsonld is refused naming the
// file and stores nothing.
func TestImportW3CAndBrat(t *testing.T) {
	texts := []string{"Officials said at least 40 people died.", "😀 CNN reported a claim."}
	span := func(doc int64, id, layer, label, text string, s, e int) model.Annotation {
		r := []rune(text)
		return model.Annotation{ID: id, Document: doc, Layer: layer, Label: label, Start: s, End: e, Quote: string(r[s:e]),
			Author: layer, Version: 1, Created: now, Updated: now}
	}
	docs := []export.Doc{{
		Document: model.Document{ID: 1, ProjectID: 1, Name: "flood", Text: texts[0]},
		Annotations: []model.Annotation{
			span(1, "a1", "alice", "attribution", texts[0], 0, 14),
			span(1, "a2", "alice", "figure", texts[0], 15, 38),
			span(1, "b1", "bob", "claim", texts[0], 15, 38),
		},
		Relations: []model.Relation{{ID: "r1", Document: 1, Layer: "alice", Type: "source", From: "a1", To: "a2", Author: "alice", Version: 1, Created: now}},
	}, {
		Document:    model.Document{ID: 2, ProjectID: 1, Name: "cnn", Text: texts[1]},
		Annotations: []model.Annotation{span(2, "a3", "alice", "attribution", texts[1], 2, 14)},
	}}
	type key struct {
		doc, label, quote string
		start, end        int
	}
	var want []key
	for _, d := range docs {
		for _, a := range d.Annotations {
			want = append(want, key{d.Document.Name, a.Label, a.Quote, a.Start, a.End})
		}
	}
	slices.SortFunc(want, func(a, b key) int { return strings.Compare(a.doc+a.quote+a.label, b.doc+b.quote+b.label) })
	project := model.Project{ID: 1, Name: "news", Schema: model.DefaultSchema()}
	ctx := context.Background()
	for _, tc := range []struct{ format, file string }{{export.FormatW3C, "news.jsonld"}, {export.FormatBrat, "news.zip"}} {
		t.Run(tc.format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := export.Write(&buf, tc.format, project, export.Docs(docs), export.Options{Now: now}); err != nil {
				t.Fatal(err)
			}
			st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "gloss.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			p, err := st.CreateProject(ctx, "fresh", model.DefaultSchema())
			if err != nil {
				t.Fatal(err)
			}
			o := opts()
			o.Schema = p.Schema
			o.Layer = "imported"
			f := File{Name: tc.file, Data: buf.Bytes()}
			if _, err := Parse([]File{{Name: tc.file, Data: buf.Bytes()}}, opts()); err == nil || !strings.Contains(err.Error(), tc.file) || !strings.Contains(err.Error(), "layer") {
				t.Errorf("without a layer: err = %v, want one naming %s and asking for a layer", err, tc.file)
			}
			nd, err := Parse([]File{f}, o)
			if err != nil {
				t.Fatal(err)
			}
			added, err := st.ImportDocuments(ctx, p.ID, nd)
			if err != nil {
				t.Fatal(err)
			}
			var got []key
			for _, d := range added {
				snap, err := st.Snapshot(ctx, d.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(snap.Relations) != 0 {
					t.Errorf("%s: relations %+v stored; they should be dropped", d.Name, snap.Relations)
				}
				name := strings.TrimSuffix(filepath.Base(d.Name), ".txt") // brat names documents by their zip path
				for _, a := range snap.Annotations {
					if a.Layer != "imported" || a.Author != "imported" {
						t.Errorf("%s: annotation %+v not in layer imported", d.Name, a)
					}
					got = append(got, key{name, a.Label, a.Quote, a.Start, a.End})
				}
			}
			slices.SortFunc(got, func(a, b key) int { return strings.Compare(a.doc+a.quote+a.label, b.doc+b.quote+b.label) })
			if len(added) != len(docs) || !slices.Equal(got, want) {
				t.Errorf("imported %d documents with spans\n%v\nwant %d with\n%v", len(added), got, len(docs), want)
			}
		})
	}

	t.Run("malformed", func(t *testing.T) {
		st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "gloss.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		p, err := st.CreateProject(ctx, "fresh", model.DefaultSchema())
		if err != nil {
			t.Fatal(err)
		}
		o := opts()
		o.Layer = "imported"
		nd, err := Parse([]File{{Name: "ok.txt", Data: []byte("fine")}, {Name: "broken.jsonld", Data: []byte(`{"type":"AnnotationCollection","first":`)}}, o)
		var ie *Error
		if !errors.As(err, &ie) || ie.File != "broken.jsonld" || !strings.Contains(err.Error(), "broken.jsonld") {
			t.Fatalf("err = %v, want an *Error naming broken.jsonld", err)
		}
		if nd != nil {
			t.Errorf("Parse returned documents with its error: %+v", nd)
		}
		infos, err := st.Documents(ctx, p.ID)
		if err != nil || len(infos) != 0 {
			t.Errorf("documents stored after a failed parse: %+v, %v", infos, err)
		}
	})
}
