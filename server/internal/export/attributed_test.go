package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gloss/shared/story"
)

// TestAttributedEverywhere: the W3C and brat exports say of every claim
// and figure, and of nothing else, what story.Attributed says, as the
// JSONL export does; brat declares the two attributes it uses.
func TestAttributedEverywhere(t *testing.T) {
	docs := demoDocs(t)
	want := map[string]bool{} // "doc/annotation id" → attributed
	for _, d := range docs {
		for id, at := range story.Attributed(d.Annotations, d.Relations) {
			want[strconv.FormatInt(d.Document.ID, 10)+"/"+id] = at
		}
	}
	if len(want) == 0 {
		t.Fatal("the fixture has no claims or figures")
	}
	seenFalse := false
	for _, at := range want {
		seenFalse = seenFalse || !at
	}
	if !seenFalse {
		t.Fatal("the fixture has no unattributed claim or figure: the test could not fail")
	}

	// W3C: "gloss:attributed" on tagging items.
	got := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(export(t, FormatW3C, docs, demoOptions())))
	sc.Buffer(nil, 1<<20)
	idRe := regexp.MustCompile(`:document:(\d+):annotation:([^"]+)$`)
	for sc.Scan() {
		line := strings.TrimSuffix(strings.TrimSpace(sc.Text()), ",")
		if !strings.Contains(line, `"motivation":"tagging"`) {
			continue
		}
		var item struct {
			ID         string `json:"id"`
			Attributed *bool  `json:"gloss:attributed"`
		}
		if err := json.Unmarshal([]byte(line), &item); err != nil {
			t.Fatalf("%v: %.200s", err, line)
		}
		m := idRe.FindStringSubmatch(item.ID)
		if m == nil {
			t.Fatalf("item id %q", item.ID)
		}
		key := m[1] + "/" + m[2]
		if _, ok := want[key]; ok != (item.Attributed != nil) {
			t.Errorf("w3c %s: gloss:attributed present = %v, want %v", key, item.Attributed != nil, ok)
		} else if ok {
			got[key] = *item.Attributed
		}
	}
	if len(got) != len(want) {
		t.Errorf("w3c flags %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("w3c %s: attributed %v, want %v", k, got[k], v)
		}
	}

	// brat: an A line per claim and figure, naming its T line, whose
	// AnnotatorNotes give the Gloss id.
	files := zipEntries(t, export(t, FormatBrat, docs, demoOptions()))
	conf := files["annotation.conf"]
	if !strings.Contains(conf, "[attributes]\nAttributed\tArg:<ENTITY>\nUnattributed\tArg:<ENTITY>\n") {
		t.Errorf("annotation.conf does not declare the attributes:\n%s", conf)
	}
	names := map[string]int64{"000_307bc43b3c6d2c1a.ann": 1, "002_8450b356199d244b.ann": 2, "emoji____quotes___script_.ann": 3, "empty.ann": 4}
	got = map[string]bool{}
	for name, doc := range names {
		ann, ok := files[name]
		if !ok {
			t.Fatalf("no %s in the zip", name)
		}
		tid := map[string]string{} // T number → Gloss id
		for _, line := range strings.Split(ann, "\n") {
			f := strings.Split(line, "\t")
			switch {
			case len(f) == 3 && strings.HasPrefix(f[0], "#") && strings.HasPrefix(f[1], "AnnotatorNotes T"):
				var note struct{ ID string }
				json.Unmarshal([]byte(f[2]), &note)
				tid[strings.TrimPrefix(f[1], "AnnotatorNotes ")] = note.ID
			case strings.HasPrefix(line, "A"):
				parts := strings.Fields(f[1])
				if len(f) != 2 || len(parts) != 2 || (parts[0] != "Attributed" && parts[0] != "Unattributed") {
					t.Errorf("%s: bad attribute line %q", name, line)
					continue
				}
				key := strconv.FormatInt(doc, 10) + "/" + tid[parts[1]]
				if _, dup := got[key]; dup {
					t.Errorf("%s: two attribute lines for %s", name, key)
				}
				got[key] = parts[0] == "Attributed"
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("brat flags %v, want %v", got, want)
	}
	for k, v := range want {
		if gv, ok := got[k]; !ok || gv != v {
			t.Errorf("brat %s: attributed %v (present %v), want %v", k, gv, ok, v)
		}
	}
}
