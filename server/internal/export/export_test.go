package export

import (
	"bytes"
	"errors"
	"flag"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gloss/shared/model"
	"gloss/shared/textpos"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var (
	fixedNow = time.Date(2024, 4, 1, 12, 0, 0, 0, time.UTC)
	// annotated is when the fixture annotations were made; some times
	// carry milliseconds, as the store keeps them.
	annotated = time.Date(2024, 3, 23, 9, 30, 0, 0, time.UTC)
)

func demoProject() model.Project {
	return model.Project{ID: 7, Name: "Crocus City Hall coverage", Schema: model.DefaultSchema()}
}

func demoOptions() Options {
	return Options{ToolVersion: "v0.9.0-test", Now: fixedNow}
}

// hostileText exercises what a careless encoder gets wrong: JSON and HTML
// metacharacters, an emoji outside the BMP (two UTF-16 units, one code
// point), a combining accent, a control character, U+2028, a tab, CRLF.
const hostileText = "Fans 😀 cheered: \"It's <script>alert('x')</script> & more\" – said 東京 café e\u0301.\tCtrl\x01char\u2028next line 👍🏽 end.\r\nLast line.\n"

// demoDocs returns the two seed articles and two synthetic documents with a
// fixed set of annotations. Offsets are found by searching the text, never
// typed in.
func demoDocs(t testing.TB) []Doc {
	t.Helper()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", "..", "sample", "demo", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	d1 := Doc{Document: model.Document{ID: 1, ProjectID: 7, Name: "000_307bc43b3c6d2c1a", Text: read("000_307bc43b3c6d2c1a.txt"),
		Meta: map[string]string{"source": "CNN", "lang": "en"}}}
	d2 := Doc{Document: model.Document{ID: 2, ProjectID: 7, Name: "002_8450b356199d244b", Text: read("002_8450b356199d244b.txt"),
		Meta: map[string]string{"source": "Business Times"}}}
	d3 := Doc{Document: model.Document{ID: 3, ProjectID: 7, Name: `emoji & "quotes" <script>`, Text: hostileText,
		Meta: map[string]string{"note": "</script><b>bold</b>", "tab\there": "line\nbreak"}}}
	d4 := Doc{Document: model.Document{ID: 4, ProjectID: 7, Name: "empty", Text: "No annotations here."}}

	n := 0
	span := func(d *Doc, id, layer, label, quote, after string) {
		t.Helper()
		s, e := find(t, d.Document.Text, quote, after)
		n++
		created := annotated.Add(time.Duration(n) * time.Minute)
		updated := created
		version := int64(1)
		if n%3 == 0 {
			updated = created.Add(90*time.Second + 250*time.Millisecond)
			version = 2
		}
		d.Annotations = append(d.Annotations, model.Annotation{ID: id, Document: d.Document.ID, Layer: layer, Label: label,
			Start: s, End: e, Quote: quote, Author: layer, Version: version, Created: created, Updated: updated})
	}
	rel := func(d *Doc, id, layer, from, to string) {
		n++
		d.Relations = append(d.Relations, model.Relation{ID: id, Document: d.Document.ID, Layer: layer, Type: "source",
			From: from, To: to, Author: layer, Version: 1, Created: annotated.Add(time.Duration(n) * time.Minute)})
	}

	// A figure nested in a claim, an attribution that is the claim's
	// source, and a second annotator who disagrees about the claim.
	span(&d1, "a1", "alice", "claim", "The ISIS has claimed responsibility for the massive attack on concert hall in the Russian capital that left at least 40 people dead and over 100 wounded", "")
	span(&d1, "a2", "alice", "figure", "at least 40 people dead", "")
	span(&d1, "a3", "alice", "figure", "over 100 wounded", "")
	span(&d1, "a4", "alice", "attribution", "CNN reported", "")
	rel(&d1, "r1", "alice", "a4", "a1")
	span(&d1, "b1", "bob", "claim", "The ISIS has claimed responsibility for the massive attack", "")
	span(&d1, "b2", "bob", "figure", "at least 40 people", "")
	span(&d1, "g1", "gold", "attribution", "according to officials", "")

	// A span right after the U+00A0 and the blank line, and a claim that
	// runs across them (brat must split it).
	span(&d2, "c1", "alice", "attribution", "Regional governor Andrey Vorobyov said", "ISIS.\u00a0")
	span(&d2, "c2", "alice", "claim", "everything was being done to save people in the aftermath of the attack", "")
	rel(&d2, "r2", "alice", "c1", "c2")
	span(&d2, "c3", "alice", "figure", "at least 60 people dead", "")
	span(&d2, "c4", "bob", "claim", "Business Times has been able to verify the claim made by ISIS.\u00a0\n\nRegional governor Andrey Vorobyov said everything was being done", "")
	span(&d2, "c5", "alice", "figure", "145 hospitalized", "")

	span(&d3, "e1", "alice", "claim", "😀 cheered", "")
	span(&d3, "e2", "alice", "figure", "<script>alert('x')</script>", "")
	span(&d3, "e3", "alice", "attribution", "said 東京 café e\u0301", "")
	span(&d3, "e4", "bob", "claim", "Ctrl\x01char\u2028next line 👍🏽", "")
	span(&d3, "e5", "bob", "figure", "end.\r\nLast", "")
	rel(&d3, "r3", "bob", "e3", "e4")

	// The store returns annotations in no particular order.
	d1.Annotations[0], d1.Annotations[5] = d1.Annotations[5], d1.Annotations[0]
	return []Doc{d1, d2, d3, d4}
}

// find returns the code point range of quote in text, searching from the
// end of after (or from the start).
func find(t testing.TB, text, quote, after string) (int, int) {
	t.Helper()
	from := 0
	if after != "" {
		i := strings.Index(text, after)
		if i < 0 {
			t.Fatalf("%q not in text", after)
		}
		from = i + len(after)
	}
	i := strings.Index(text[from:], quote)
	if i < 0 {
		t.Fatalf("%q not in text", quote)
	}
	tp := textpos.New(text)
	s, err := tp.CodePointAtByte(from + i)
	if err != nil {
		t.Fatal(err)
	}
	e, err := tp.CodePointAtByte(from + i + len(quote))
	if err != nil {
		t.Fatal(err)
	}
	return s, e
}

func export(t testing.TB, format string, docs []Doc, opt Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, format, demoProject(), Docs(docs), opt); err != nil {
		t.Fatalf("Write %s: %v", format, err)
	}
	return b.Bytes()
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got: %.300q\nwant: %.300q\n(run go test -update if the change is intended)", name, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: got %d lines, want %d", name, len(gl), len(wl))
	}
}

func TestGolden(t *testing.T) {
	docs := demoDocs(t)
	layered := demoOptions()
	layered.Layers = []string{"alice", "bob"}
	withBase := demoOptions()
	withBase.BaseURL = "https://gloss.example.org/"
	tests := []struct {
		file, format string
		opt          Options
	}{
		{"demo.jsonl", FormatJSONL, demoOptions()},
		{"demo.conll", FormatCoNLL, demoOptions()},
		{"demo-alice-bob.conll", FormatCoNLL, layered},
		{"demo.jsonld", FormatW3C, demoOptions()},
		{"demo-baseurl.jsonld", FormatW3C, withBase},
		{"demo.card.json", FormatCard, demoOptions()},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			golden(t, tc.file, export(t, tc.format, docs, tc.opt))
		})
	}
	t.Run("demo.brat", func(t *testing.T) {
		// The zip itself is binary; its entries are compared as text.
		golden(t, "demo.brat.txt", dumpZip(t, export(t, FormatBrat, docs, demoOptions())))
	})
}

func TestRoundTrip(t *testing.T) {
	docs := demoDocs(t)
	for _, format := range []string{FormatJSONL, FormatW3C, FormatBrat} {
		t.Run(format, func(t *testing.T) {
			first := export(t, format, docs, demoOptions())
			imported, err := Read(bytes.NewReader(first), format, ReadOptions{Schema: model.DefaultSchema()})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if len(imported) != len(docs) {
				t.Fatalf("read %d documents, want %d", len(imported), len(docs))
			}
			second := export(t, format, imported, demoOptions())
			if !bytes.Equal(first, second) {
				if format == FormatBrat {
					first, second = dumpZip(t, first), dumpZip(t, second)
				}
				t.Fatalf("export → import → export differs:\nfirst:  %.500q\nsecond: %.500q", first, second)
			}
			// And what came back is what went in.
			for i, d := range imported {
				want := docs[i]
				if d.Document.Text != want.Document.Text || d.Document.Name != want.Document.Name && format != FormatBrat {
					t.Errorf("doc %d: text or name changed", i)
				}
				if len(d.Annotations) != len(want.Annotations) || len(d.Relations) != len(want.Relations) {
					t.Fatalf("doc %d: %d annotations, %d relations; want %d, %d", i, len(d.Annotations), len(d.Relations), len(want.Annotations), len(want.Relations))
				}
				byID := map[string]model.Annotation{}
				for _, a := range want.Annotations {
					byID[a.ID] = a
				}
				for _, a := range d.Annotations {
					w := byID[a.ID]
					if format == FormatW3C {
						w.Version = 1 // the W3C model has no versions
					}
					if a.Label != w.Label || a.Start != w.Start || a.End != w.End || a.Quote != w.Quote || a.Layer != w.Layer ||
						a.Author != w.Author || a.Version != w.Version || !a.Created.Equal(w.Created) || !a.Updated.Equal(w.Updated) {
						t.Errorf("doc %d: annotation %s came back as %+v, want %+v", i, a.ID, a, w)
					}
				}
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	docs := demoDocs(t)
	bad := docs[0]
	bad.Annotations = append([]model.Annotation{}, bad.Annotations...)
	bad.Annotations[2].Quote = "not the text"
	boom := errors.New("store went away")
	failing := func(yield func(Doc, error) bool) {
		if yield(docs[0], nil) {
			yield(Doc{}, boom)
		}
	}
	for _, format := range []string{FormatJSONL, FormatCoNLL, FormatW3C, FormatBrat, FormatCard} {
		t.Run(format, func(t *testing.T) {
			err := Write(&bytes.Buffer{}, format, demoProject(), Docs([]Doc{bad}), demoOptions())
			var ve *model.Error
			if !errors.As(err, &ve) || ve.Code != model.CodeQuoteMismatch || !strings.HasPrefix(err.Error(), "export: "+format+": document 1") {
				t.Errorf("bad quote: err = %v", err)
			}
			err = Write(&bytes.Buffer{}, format, demoProject(), failing, demoOptions())
			if !errors.Is(err, boom) {
				t.Errorf("iterator error: err = %v", err)
			}
			err = Write(failWriter{}, format, demoProject(), Docs(docs), demoOptions())
			if !errors.Is(err, errWrite) {
				t.Errorf("writer error: err = %v", err)
			}
		})
	}
	if err := Write(&bytes.Buffer{}, "xlsx", demoProject(), Docs(docs), demoOptions()); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("unknown format: err = %v", err)
	}
	bad = docs[0]
	bad.Annotations = []model.Annotation{{ID: "x\"><script>", Label: "claim", Start: 0, End: 6, Quote: "Moscow"}}
	if err := Write(&bytes.Buffer{}, FormatW3C, demoProject(), Docs([]Doc{bad}), demoOptions()); err == nil || !strings.Contains(err.Error(), "IRI") {
		t.Errorf("W3C with an id unfit for an IRI: err = %v", err)
	}
}

var errWrite = errors.New("disk full")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

// TestStreaming checks that each document is written before the next one
// is asked for, so that memory does not grow with the number of documents.
func TestStreaming(t *testing.T) {
	docs := demoDocs(t)
	for _, format := range []string{FormatJSONL, FormatCoNLL, FormatW3C, FormatBrat} {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			var seq iter.Seq2[Doc, error] = func(yield func(Doc, error) bool) {
				for i, d := range docs {
					before := b.Len()
					if !yield(d, nil) {
						return
					}
					// zip.Writer buffers a little; the .txt alone is larger.
					if i < len(docs)-1 && b.Len()-before < 100 && len(d.Document.Text) > 1000 {
						t.Errorf("document %d: only %d bytes written before the next document was requested", i, b.Len()-before)
					}
				}
			}
			if err := Write(&b, format, demoProject(), seq, demoOptions()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestFilters(t *testing.T) {
	docs := demoDocs(t)
	opt := demoOptions()
	opt.Layers = []string{"alice"}
	opt.Labels = []string{"claim", "attribution"}
	imported, err := Read(bytes.NewReader(export(t, FormatJSONL, docs, opt)), FormatJSONL, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range imported {
		for _, a := range d.Annotations {
			got = append(got, a.ID)
		}
		for _, r := range d.Relations {
			got = append(got, r.ID)
		}
	}
	// e4 is bob's, so r3 (e3 → e4) goes with it even though e3 stays;
	// figures and gold are left out.
	if want := "a1 a4 r1 c1 c2 r2 e1 e3"; strings.Join(got, " ") != want {
		t.Errorf("kept %v, want %s", got, want)
	}
}

func TestContentTypeAndExtension(t *testing.T) {
	for _, f := range []string{FormatJSONL, FormatCoNLL, FormatW3C, FormatBrat, FormatCard} {
		ct, err := ContentType(f)
		if err != nil || ct == "" || FileExtension(f) == "" || !strings.HasPrefix(FileExtension(f), ".") {
			t.Errorf("%s: %q, %v, %q", f, ct, err, FileExtension(f))
		}
	}
	if _, err := ContentType("pdf"); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("ContentType(pdf) err = %v", err)
	}
	if FileExtension("pdf") != "" {
		t.Error("FileExtension(pdf) not empty")
	}
}
