package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The W3C Web Annotation test suite's JSON Schemas (draft-04) live in
// testdata/w3c, copied from w3c/web-annotation-tests (see its ABOUT.md).
// Each assertion file is a schema plus "expectedResult": a document passes
// the assertion when validating it gives that result.

const w3cDir = "testdata/w3c"

// localLoader serves schemas from testdata/w3c only; nothing is fetched
// from the network. The assertions refer to the shared definitions by bare
// name ("annotations.json#/…"), which resolves next to the referring
// schema, so a name not found there is looked up in definitions/.
type localLoader struct{ root string }

var errNoNetwork = errors.New("schemas are loaded from testdata only")

func (l localLoader) Load(url string) (any, error) {
	path, err := jsonschema.FileLoader{}.ToFile(url)
	if err != nil || !strings.HasPrefix(path, l.root+string(filepath.Separator)) {
		return nil, fmt.Errorf("%s: %w", url, errNoNetwork)
	}
	if _, err := os.Stat(path); err != nil {
		path = filepath.Join(l.root, "definitions", filepath.Base(path))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

type assertion struct {
	name   string
	schema *jsonschema.Schema
	valid  bool // the expected result
}

// loadAssertions compiles every assertion a .test manifest lists.
func loadAssertions(t testing.TB, manifest string) []assertion {
	t.Helper()
	root, err := filepath.Abs(w3cDir)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.UseLoader(localLoader{root})
	var m struct {
		Assertions []string `json:"assertions"`
	}
	readJSON(t, filepath.Join(root, manifest), &m)
	if len(m.Assertions) == 0 {
		t.Fatalf("%s lists no assertions", manifest)
	}
	var out []assertion
	for _, a := range m.Assertions {
		path := filepath.Join(root, a)
		var meta struct {
			ExpectedResult string `json:"expectedResult"`
		}
		readJSON(t, path, &meta)
		sch, err := c.Compile(path)
		if err != nil {
			t.Fatalf("compile %s: %v", a, err)
		}
		out = append(out, assertion{name: a, schema: sch, valid: meta.ExpectedResult != "invalid"})
	}
	return out
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// failures lists the assertions that doc does not meet.
func failures(as []assertion, doc []byte) []string {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	var out []string
	for _, a := range as {
		err := a.schema.Validate(inst)
		if (err == nil) != a.valid {
			out = append(out, fmt.Sprintf("%s: %v", a.name, err))
		}
	}
	return out
}

type w3cSuites struct{ annotation, collection, page []assertion }

func loadW3CSuites(t testing.TB) w3cSuites {
	return w3cSuites{
		annotation: loadAssertions(t, "annotations/annotationMusts.test"),
		collection: loadAssertions(t, "collections/collectionMusts.test"),
		page:       loadAssertions(t, "collections/pages/pageMusts.test"),
	}
}

// knownSuiteBugs are the places where this snapshot of the W3C suite's
// schemas disagrees with its own correct samples. Each is a bug in the
// schemas, not in the validator; the self-check requires exactly these
// disagreements, so the list cannot go stale.
var knownSuiteBugs = map[string][]string{
	// Composite, List and Independents targets entered the model after
	// definitions/choiceSet.json was written; it knows only Choice and Set.
	"anno11.json": {"annotations/3.2-targetObjectsRecognized.json"},
	"anno12.json": {"annotations/3.2-targetObjectsRecognized.json"},
	"anno13.json": {"annotations/3.2-targetObjectsRecognized.json"},
	// These page assertions require partOf, when present, to be an
	// embedded collection object; the samples give it as an IRI, which the
	// model allows.
	"example42.json": pagePartOfBugs,
	"example43.json": pagePartOfBugs,
}

var pagePartOfBugs = []string{
	"collections/pages/5.2-pageTotalValidated.json",
	"collections/pages/5.2-pageLabelValidated.json",
	"collections/pages/5.2-pageFirstValidated.json",
	"collections/pages/5.2-pageLastValidated.json",
	"collections/pages/3.3.1-pageCreatedValidated.json",
	"collections/pages/3.3.1-pageModifiedValidated.json",
	"collections/pages/3.3.6-pageRightsValidated.json",
}

// TestW3CValidatorSelfCheck runs the suite's known-correct and
// known-incorrect samples through the validator, as ABOUT.md asks: if it
// passed everything or failed everything, validating the export would
// prove nothing.
func TestW3CValidatorSelfCheck(t *testing.T) {
	s := loadW3CSuites(t)
	correct, _ := filepath.Glob(filepath.Join(w3cDir, "tools/samples/correct/*.json"))
	incorrect, _ := filepath.Glob(filepath.Join(w3cDir, "tools/samples/incorrect/*.json"))
	if len(correct) < 40 || len(incorrect) < 35 {
		t.Fatalf("samples missing: %d correct, %d incorrect", len(correct), len(incorrect))
	}
	for _, path := range correct {
		b, _ := os.ReadFile(path)
		var probe struct {
			Type  string          `json:"type"`
			First json.RawMessage `json:"first"`
		}
		_ = json.Unmarshal(b, &probe)
		suites := [][]assertion{s.annotation}
		switch {
		case probe.Type == "AnnotationCollection" && bytes.HasPrefix(probe.First, []byte("{")):
			suites = [][]assertion{s.collection, s.page} // a collection with an embedded page
		case probe.Type == "AnnotationCollection":
			suites = [][]assertion{s.collection}
		case probe.Type == "AnnotationPage":
			suites = [][]assertion{s.page}
		}
		var failed []string
		for _, suite := range suites {
			for _, f := range failures(suite, b) {
				failed = append(failed, f[:strings.Index(f, ":")])
			}
		}
		name := filepath.Base(path)
		if want := knownSuiteBugs[name]; strings.Join(failed, " ") != strings.Join(want, " ") {
			t.Errorf("correct sample %s fails %v, expected only the known suite bugs %v", name, failed, want)
		}
	}
	for _, path := range incorrect {
		b, _ := os.ReadFile(path)
		if len(failures(s.annotation, b)) == 0 {
			t.Errorf("incorrect sample %s passes every annotation assertion", filepath.Base(path))
		}
	}
}

// TestW3CValid validates the export: the collection against the
// collection and page assertions, every item against the annotation ones.
func TestW3CValid(t *testing.T) {
	s := loadW3CSuites(t)
	docs := demoDocs(t)
	withBase := demoOptions()
	withBase.BaseURL = "https://gloss.example.org"
	for name, opt := range map[string]Options{"urn": demoOptions(), "base url": withBase} {
		t.Run(name, func(t *testing.T) {
			out := export(t, FormatW3C, docs, opt)
			for _, suite := range [][]assertion{s.collection, s.page} {
				if f := failures(suite, out); len(f) > 0 {
					t.Errorf("collection fails:\n%s", strings.Join(f, "\n"))
				}
			}
			var coll struct {
				Total int `json:"total"`
				First struct {
					Items []json.RawMessage `json:"items"`
				} `json:"first"`
			}
			if err := json.Unmarshal(out, &coll); err != nil {
				t.Fatal(err)
			}
			want := 0
			for _, d := range docs {
				want += 1 + len(d.Annotations) + len(d.Relations)
			}
			if coll.Total != want || len(coll.First.Items) != want {
				t.Errorf("total %d, %d items; want %d", coll.Total, len(coll.First.Items), want)
			}
			for i, item := range coll.First.Items {
				if f := failures(s.annotation, item); len(f) > 0 {
					t.Errorf("item %d fails:\n%s\n%s", i, strings.Join(f, "\n"), item)
				}
			}
		})
	}
}

// TestW3CSelectors checks the selectors against the text: position in code
// points, exact quote, 32 code points of context.
func TestW3CSelectors(t *testing.T) {
	docs := demoDocs(t)
	type selector struct {
		Type                  string
		Exact, Prefix, Suffix string
		Start, End            int
	}
	var coll struct {
		First struct {
			Items []struct {
				ID     string          `json:"id"`
				Target json.RawMessage `json:"target"`
			} `json:"items"`
		} `json:"first"`
	}
	if err := json.Unmarshal(export(t, FormatW3C, docs, demoOptions()), &coll); err != nil {
		t.Fatal(err)
	}
	texts := map[string][]rune{}
	for _, d := range docs {
		texts[fmt.Sprintf("urn:gloss:project:7:document:%d", d.Document.ID)] = []rune(d.Document.Text)
	}
	spans := 0
	for _, it := range coll.First.Items {
		var target struct {
			Source   string     `json:"source"`
			Selector []selector `json:"selector"`
		}
		if json.Unmarshal(it.Target, &target) != nil {
			continue // a document or relation item: the target is an IRI
		}
		sel := target.Selector
		text := texts[target.Source]
		spans++
		q, p := sel[0], sel[1]
		if q.Type != "TextQuoteSelector" || p.Type != "TextPositionSelector" {
			t.Fatalf("%s: selectors %+v", it.ID, sel)
		}
		if string(text[p.Start:p.End]) != q.Exact ||
			string(text[max(0, p.Start-32):p.Start]) != q.Prefix ||
			string(text[p.End:min(len(text), p.End+32)]) != q.Suffix {
			t.Errorf("%s: selectors %+v do not match the text", it.ID, sel)
		}
	}
	want := 0
	for _, d := range docs {
		want += len(d.Annotations)
	}
	if spans != want {
		t.Errorf("%d span items, want %d", spans, want)
	}
}

func TestW3CLocalID(t *testing.T) {
	ids := w3cIDs{project: 7}
	withBase := w3cIDs{base: "https://x.org", project: 7}
	for _, x := range []w3cIDs{ids, withBase} {
		doc := x.document(12)
		if got := localID(x.child(doc, "annotation", "a-1_b")); got != "a-1_b" {
			t.Errorf("localID = %q", got)
		}
	}
	if got := ids.child(ids.document(12), "relation", "r1"); got != "urn:gloss:project:7:document:12:relation:r1" {
		t.Errorf("relation IRI %q", got)
	}
	if got := withBase.child(withBase.document(12), "annotation", "a1"); got != "https://x.org/projects/7/documents/12/annotations/a1" {
		t.Errorf("annotation URL %q", got)
	}
}
