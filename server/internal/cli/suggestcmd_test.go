package cli

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type suggestedDoc struct {
	Name  string `json:"name"`
	Text  string `json:"text"`
	Spans []struct {
		Start, End int
		Label      string
		Text       string
		Value      json.RawMessage
		Qualifier  string
		Unit       string
		Quantity   string
		Cue        *[2]int
	} `json:"spans"`
	Relations []struct {
		Type     string
		From, To int
	} `json:"relations"`
}

// TestSuggestCommand runs `gloss suggest` on the seed articles and a .jsonl
// file and slices every span out of the text by code points, as Python's
// text[start:end] does.
func TestSuggestCommand(t *testing.T) {
	dir := t.TempDir()
	jl := filepath.Join(dir, "docs.jsonl")
	if err := os.WriteFile(jl, []byte(`{"name":"emoji","text":"😀 At least 3\u00a0000 people fled, the agency said.","meta":{"x":1}}`+"\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	seeds, err := filepath.Glob("../../../sample/demo/*.txt")
	if err != nil || len(seeds) != 2 {
		t.Fatalf("seed articles: %v %v", seeds, err)
	}
	out := mustGloss(t, "", append([]string{"suggest"}, append(seeds, jl)...)...)
	var docs []suggestedDoc
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var d suggestedDoc
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		docs = append(docs, d)
	}
	if len(docs) != 3 {
		t.Fatalf("%d documents, want 3", len(docs))
	}
	seen := map[string]bool{}
	for _, d := range docs {
		r := []rune(d.Text)
		for i, s := range d.Spans {
			if s.Start < 0 || s.End > len(r) || s.Start >= s.End || string(r[s.Start:s.End]) != s.Text {
				t.Fatalf("%s: span %d [%d,%d) %q is not text[start:end]", d.Name, i, s.Start, s.End, s.Text)
			}
			if s.Cue != nil && (s.Cue[0] < s.Start || s.Cue[1] > s.End) {
				t.Errorf("%s: cue %v outside span %d", d.Name, *s.Cue, i)
			}
			if s.Label == "figure" {
				seen[d.Name+"|"+string(s.Value)+"|"+s.Qualifier+"|"+s.Quantity] = true
			}
			if s.Label == "attribution" {
				seen[d.Name+"|"+s.Text+"|"+string(r[s.Cue[0]:s.Cue[1]])] = true
			}
		}
		for _, rel := range d.Relations {
			if rel.Type != "source" || d.Spans[rel.From].Label != "attribution" || d.Spans[rel.To].Label != "claim" {
				t.Errorf("%s: bad relation %+v", d.Name, rel)
			}
		}
	}
	for _, want := range []string{
		"000_307bc43b3c6d2c1a.txt|40|at least|dead",
		"000_307bc43b3c6d2c1a.txt|115||hospitalised",
		"000_307bc43b3c6d2c1a.txt|CNN reported|reported",
		"000_307bc43b3c6d2c1a.txt|the Russian Health Ministry told TASS|told",
		"002_8450b356199d244b.txt|60|at least|dead",
		"002_8450b356199d244b.txt|60||in serious condition",
		"emoji|3000|at least|",
		"emoji|the agency said|said",
	} {
		if !seen[want] {
			t.Errorf("missing %s", want)
		}
	}
	if docs[0].Name != "000_307bc43b3c6d2c1a.txt" || docs[2].Name != "emoji" {
		t.Errorf("names %q, %q", docs[0].Name, docs[2].Name)
	}
	if _, _, err := gloss(t, "", "suggest", filepath.Join(dir, "nope.csv")); err == nil {
		t.Error("suggest accepted a .csv file")
	}
	if _, _, err := gloss(t, "", "suggest"); err == nil {
		t.Error("suggest without files did not fail")
	}
}

// TestSuggestStored: `gloss suggest -project` fills stored documents'
// suggest layer once; `gloss import` into a project made by `gloss
// project create` (suggest setting on by default) suggests at once.
func TestSuggestStored(t *testing.T) {
	db := filepath.Join(t.TempDir(), "gloss.db")
	mustGloss(t, "pw-boss-1234\n", "user", "add", "-db", db, "-name", "boss")
	id := strings.TrimSpace(mustGloss(t, "", "project", "create", "-db", db, "-name", "P", "-admin", "boss"))
	txt := filepath.Join(t.TempDir(), "a.txt")
	os.WriteFile(txt, []byte("At least 40 people were killed, CNN reported."), 0o644)
	out := mustGloss(t, "", "import", "-db", db, "-project", id, txt)
	if !strings.Contains(out, "suggested ") || strings.Contains(out, "suggested 0 ") {
		t.Fatalf("import output %q: no suggestions made", out)
	}
	out = mustGloss(t, "", "suggest", "-db", db, "-project", id)
	if !strings.Contains(out, "0 suggestion(s) and 0 relation(s) added") {
		t.Fatalf("second run: %q, want nothing new", out)
	}
	if _, _, err := gloss(t, "", "suggest", "-db", db, "-project", id, "-doc", "999"); err == nil {
		t.Fatal("a document outside the project was accepted")
	}
}
