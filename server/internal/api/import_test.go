package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"gloss/server/internal/api"
	"gloss/shared/protocol"
)

type upload struct{ name, data string }

// multipartBody builds an upload as the browser's FormData does.
func multipartBody(t *testing.T, layer string, files ...upload) (*bytes.Buffer, http.Header) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if layer != "" {
		mw.WriteField("layer", layer)
	}
	for _, f := range files {
		w, err := mw.CreateFormFile("file", f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f.data))
	}
	mw.Close()
	return &b, http.Header{"Content-Type": {mw.FormDataContentType()}}
}

func (f *fixture) docCount() int {
	docs, _ := f.st.Documents(context.Background(), 1)
	return len(docs)
}

func TestImportUpload(t *testing.T) {
	f := newFixture(t)
	admin := f.as("admin")
	texts := []string{"  First article.\r\nSecond line, untrimmed.  \n\n", "😀 Zweiter Artikel — “quoted”.\u00a0End"}
	jsonl := `{"text":"Officials said 40 died.","meta":{"source":"wire"},"spans":[{"start":15,"end":23,"label":"figure"}]}` + "\n" +
		`{"text":"CNN reported it.","name":"cnn","spans":[{"start":0,"end":12,"label":"attribution","text":"CNN reported"}]}` + "\n"
	body, h := multipartBody(t, "model", upload{"one.txt", texts[0]}, upload{"two.txt", texts[1]}, upload{"batch.jsonl", jsonl})
	st, data := admin.request("POST", "/api/projects/1/documents", body, h)
	if st != http.StatusCreated {
		t.Fatalf("import: %d %s", st, data)
	}
	var res api.ImportResult
	json.Unmarshal(data, &res)
	if len(res.Documents) != 4 || res.Spans != 2 || res.Documents[0].Name != "one" || res.Documents[3].Name != "cnn" {
		t.Fatalf("result = %+v", res)
	}
	ctx := context.Background()
	for i, text := range texts {
		d, err := f.st.Document(ctx, res.Documents[i].ID)
		if err != nil || d.Text != text {
			t.Errorf("document %d text = %q, %v; want %q byte for byte", i, d.Text, err, text)
		}
	}
	snap, _ := f.st.Snapshot(ctx, res.Documents[2].ID)
	if len(snap.Annotations) != 1 || snap.Seq != 1 || snap.Annotations[0].Layer != "model" || snap.Annotations[0].Quote != "40 died." {
		t.Errorf("imported spans = %+v", snap)
	}
	ops, _ := f.st.OpsSince(ctx, res.Documents[2].ID, 0, 10)
	if len(ops) != 1 || ops[0].Kind != protocol.KindAdd || ops[0].Seq != 1 {
		t.Errorf("op log of the imported document = %+v", ops)
	}
	// The imported document is live: the next edit gets seq 2.
	conn, _, err := admin.ws(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	w, err := hello(conn, res.Documents[2].ID)
	if err != nil || w.Seq != 1 || len(w.Annotations) != 1 {
		t.Fatalf("welcome = %+v, %v", w, err)
	}
}

// TestImportRefusals: a bad file is refused with its name and line, and
// nothing of the import is added.
func TestImportRefusals(t *testing.T) {
	f := newFixture(t)
	admin := f.as("admin")
	good := upload{"good.txt", "A good article."}
	tests := []struct {
		name   string
		files  []upload
		status int
		file   string
		line   int
		want   string
	}{
		{"invalid UTF-8", []upload{good, {"latin1.txt", "Zeile eins\nK\xf6ln"}}, 400, "latin1.txt", 2, "byte offset 12"},
		{"empty file", []upload{good, {"empty.txt", ""}}, 400, "empty.txt", 0, "empty"},
		{"unknown label", []upload{good, {"s.jsonl", `{"text":"abc"}` + "\n" + `{"text":"abc","spans":[{"start":0,"end":2,"label":"opinion"}]}`}}, 400, "s.jsonl", 2, "opinion"},
		{"bad JSON", []upload{{"s.jsonl", "{\"text\":\"abc\"}\n\n{text: 1}"}, good}, 400, "s.jsonl", 3, "not a JSON object"},
		{"unsupported type", []upload{{"a.docx", "PK"}}, 400, "a.docx", 0, "unsupported"},
		{"no files", nil, 400, "", 0, "no files"},
		{"over the limit", []upload{good, {"big.txt", strings.Repeat("x", 50<<20)}}, 413, "", 0, "larger than 50 MB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := f.state()
			body, h := multipartBody(t, "", tc.files...)
			st, data := admin.request("POST", "/api/projects/1/documents", body, h)
			var e struct {
				Code, Message, File string
				Line                int
			}
			json.Unmarshal(data, &e)
			if st != tc.status || !strings.Contains(e.Message, tc.want) || e.File != tc.file || e.Line != tc.line {
				t.Errorf("%d %s; want %d naming %q line %d with %q", st, data, tc.status, tc.file, tc.line, tc.want)
			}
			if f.state() != before {
				t.Error("a refused import added something")
			}
		})
	}
	if st, _ := admin.request("POST", "/api/projects/1/documents", strings.NewReader("text"), http.Header{"Content-Type": {"text/plain"}}); st != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain body: %d", st)
	}
}

// TestImportLarge imports a 20 MB article and gets it back byte for byte.
func TestImportLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("20 MB import")
	}
	f := newFixture(t)
	admin := f.as("admin")
	big := strings.Repeat("Officials said at least 40 people died. Zürich, 😀.\r\n", 20<<20/56)
	body, h := multipartBody(t, "", upload{"big.txt", big})
	st, data := admin.request("POST", "/api/projects/1/documents", body, h)
	if st != http.StatusCreated {
		t.Fatalf("20 MB import: %d %s", st, data)
	}
	var res api.ImportResult
	json.Unmarshal(data, &res)
	d, err := f.st.Document(context.Background(), res.Documents[0].ID)
	if err != nil || d.Text != big {
		t.Errorf("the 20 MB text did not come back byte for byte (%d bytes, want %d): %v", len(d.Text), len(big), err)
	}
	if res.Documents[0].Chars != len([]rune(big)) {
		t.Errorf("chars = %d, want %d", res.Documents[0].Chars, len([]rune(big)))
	}
}

// TestImportJSON imports through a JSON body, as a script would.
func TestImportJSON(t *testing.T) {
	f := newFixture(t)
	script := f.token("admin")
	st, data := script.do("POST", "/api/projects/1/documents", map[string]any{
		"layer": "spacy",
		"documents": []map[string]any{
			{"text": "One.", "name": "one"},
			{"text": "Two said.", "spans": []map[string]any{{"start": 0, "end": 8, "label": "attribution"}}},
		},
	})
	if st != http.StatusCreated {
		t.Fatalf("%d %s", st, data)
	}
	st, data = script.do("POST", "/api/projects/1/documents", map[string]any{
		"documents": []map[string]any{{"text": "fine"}, {"text": ""}},
	})
	if st != http.StatusBadRequest || !strings.Contains(string(data), "request, document 2") {
		t.Errorf("bad record: %d %s", st, data)
	}
	if f.docCount() != 3 {
		t.Errorf("%d documents, want 3", f.docCount())
	}
}
