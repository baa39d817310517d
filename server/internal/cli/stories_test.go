package cli

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gloss/shared/story"
)

// TestStoriesFromCLI groups two imported articles into a story, edits
// one's details, exports the story's figures and reads the CSV back, and
// checks the refusals an admin can meet.
func TestStoriesFromCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gloss.db")
	mustGloss(t, "", "project", "create", "-db", db, "-name", "news")
	mustGloss(t, "", "project", "create", "-db", db, "-name", "other")
	articles := filepath.Join(dir, "a.jsonl")
	os.WriteFile(articles, []byte(
		`{"name":"first","text":"CNN reported at least 40 people dead.","published":"2024-03-23","spans":[{"start":13,"end":36,"label":"figure","value":40,"qualifier":"at least","unit":"people","quantity":"dead"}]}`+"\n"+
			`{"name":"second","outlet":"Business Times","text":"At least 60 people dead.","spans":[{"start":0,"end":23,"label":"figure","value":60,"qualifier":"at least","unit":"people","quantity":"dead"}]}`+"\n"), 0o644)
	mustGloss(t, "", "import", "-db", db, "-project", "1", "-layer", "model", articles)
	other := filepath.Join(dir, "o.txt")
	os.WriteFile(other, []byte("Elsewhere."), 0o644)
	mustGloss(t, "", "import", "-db", db, "-project", "2", other)

	if id := strings.TrimSpace(mustGloss(t, "", "story", "create", "-db", db, "-project", "1", "-name", "Attack", "-docs", "1,2")); id != "1" {
		t.Fatalf("story create printed %q, want the id 1", id)
	}
	// Reading order: the dated article first.
	if out := mustGloss(t, "", "story", "list", "-db", db, "-project", "1"); !strings.Contains(out, "1   Attack  1,2") {
		t.Errorf("story list:\n%s", out)
	}
	if out := mustGloss(t, "", "doc", "meta", "-db", db, "-id", "2", "-published", "2024-03-22", "-title", "Second article"); !strings.Contains(out, `title "Second article", outlet "Business Times", published "2024-03-22"`) {
		t.Errorf("doc meta said %q", out)
	}
	if out := mustGloss(t, "", "story", "rename", "-db", db, "-id", "1", "-name", "Crocus"); out != "1\tCrocus\t2,1\n" {
		t.Errorf("story rename said %q (want the new reading order 2,1)", out)
	}

	figures := filepath.Join(dir, "figures.csv")
	mustGloss(t, "", "export", "-db", db, "-format", "figures", "-story", "1", "-o", figures)
	f, err := os.Open(figures)
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(records[0], ",") != strings.Join(story.FigureColumns, ",") {
		t.Fatalf("header %v", records[0])
	}
	values := map[string]bool{}
	for _, r := range records[1:] {
		if r[1] != "dead" || r[12] != "true" {
			t.Errorf("row %v: want a dead row in conflict", r)
		}
		if r[11] == "model" {
			values[r[2]+" "+r[7]+" "+r[8]] = true
		}
	}
	for _, want := range []string{"40 first ", "60 Second article Business Times"} {
		if !values[want] {
			t.Errorf("no figure %q among %v", want, values)
		}
	}
	if out := mustGloss(t, "", "export", "-db", db, "-format", "figures", "-story", "1", "-figures-format", "jsonl"); strings.Count(out, "\n") != len(records)-1 || !strings.Contains(out, `"conflict":true`) {
		t.Errorf("jsonl figures:\n%s", out)
	}

	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"story", "create", "-project", "1", "-name", "x", "-docs", "1,3"}, "document(s) 3 not in project 1"},
		{[]string{"story", "create", "-project", "1", "-docs", "1"}, "needs a name"},
		{[]string{"story", "set-docs", "-id", "1"}, "-docs is required"},
		{[]string{"story", "set-docs", "-id", "1", "-docs", "1,x"}, `"x" is not a document id`},
		{[]string{"story", "rename", "-id", "9", "-name", "x"}, "not found"},
		{[]string{"doc", "meta", "-id", "1", "-published", "Friday"}, "is not a date"},
		{[]string{"doc", "meta", "-id", "1"}, "nothing to change"},
		{[]string{"export", "-format", "figures"}, "needs -story"},
		{[]string{"export", "-format", "figures", "-story", "1", "-figures-format", "xlsx"}, "use csv or jsonl"},
	} {
		_, _, err := gloss(t, "", append(bad.args, "-db", db)...)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("gloss %s: %v, want an error saying %q", strings.Join(bad.args, " "), err, bad.want)
		}
	}

	// Regroup to none, clear a field, delete: the documents stay.
	if out := mustGloss(t, "", "story", "set-docs", "-db", db, "-id", "1", "-docs", ""); out != "1\tCrocus\t\n" {
		t.Errorf("set-docs to none said %q", out)
	}
	if out := mustGloss(t, "", "doc", "meta", "-db", db, "-id", "2", "-outlet", ""); !strings.Contains(out, `outlet ""`) {
		t.Errorf("clearing the outlet said %q", out)
	}
	mustGloss(t, "", "story", "delete", "-db", db, "-id", "1")
	if out := mustGloss(t, "", "story", "list", "-db", db, "-project", "1"); strings.Contains(out, "Crocus") {
		t.Errorf("a deleted story is listed:\n%s", out)
	}
	if out := mustGloss(t, "", "project", "list", "-db", db); !strings.Contains(out, "news   2") {
		t.Errorf("project list after deleting the story:\n%s", out)
	}
}
