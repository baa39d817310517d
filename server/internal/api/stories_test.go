package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"gloss/server/internal/api"
	"gloss/server/internal/auth"
	"gloss/server/internal/demo"
	"gloss/server/internal/hub"
	"gloss/server/internal/store"
	"gloss/shared/httpapi"
	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/story"
)

// story makes project 1's first story (id 1) holding its document.
func (f *fixture) story() store.Story {
	f.t.Helper()
	st, err := f.st.CreateStory(context.Background(), 1, "attack", []int64{f.doc})
	if err != nil {
		f.t.Fatal(err)
	}
	return st
}

func decodeStory(t *testing.T, data []byte) httpapi.Story {
	t.Helper()
	var s httpapi.Story
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	return s
}

func errorCode(data []byte) string {
	var e httpapi.Error
	json.Unmarshal(data, &e)
	return e.Code
}

// TestStoriesHTTP creates, reads, renames, regroups and deletes a story
// through the API, with the refusals each step can meet.
func TestStoriesHTTP(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.as("admin")
	more, err := f.st.AddDocuments(ctx, 1, []model.Document{{Name: "second", Text: "Second article.", Meta: map[string]string{"published": "2024-03-22"}}})
	if err != nil {
		t.Fatal(err)
	}
	second := more[0].ID
	foreign := int64(2) // project 2's document

	var list []httpapi.Story
	admin.getJSON("/api/projects/1/stories", &list)
	if list == nil || len(list) != 0 {
		t.Fatalf("stories of a project without any = %v (want [])", list)
	}

	for _, bad := range []struct {
		body any
		want string
	}{
		{map[string]any{"documents": []int64{f.doc}}, "needs a name"},
		{map[string]any{"name": "  "}, "needs a name"},
		{map[string]any{"name": strings.Repeat("x", 201)}, "at most 200"},
		{map[string]any{"name": "x", "documents": []int64{f.doc, foreign}}, "document(s) 2 are not in this project"},
	} {
		before := f.state()
		st, data := admin.do("POST", "/api/projects/1/stories", bad.body)
		if st != http.StatusBadRequest || errorCode(data) != "bad_request" || !strings.Contains(string(data), bad.want) {
			t.Errorf("create %v = %d %s, want 400 saying %q", bad.body, st, data, bad.want)
		}
		if f.state() != before {
			t.Errorf("the refused create %v changed the data", bad.body)
		}
	}

	st, data := admin.do("POST", "/api/projects/1/stories", map[string]any{"name": " Attack ", "documents": []int64{f.doc, second}})
	if st != http.StatusCreated {
		t.Fatalf("create = %d %s", st, data)
	}
	s := decodeStory(t, data)
	want := httpapi.Story{ID: s.ID, Project: 1, Name: "Attack", Documents: []httpapi.StoryDocument{
		{ID: second, Title: "second", Published: "2024-03-22"}, {ID: f.doc, Title: "d1"}}}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("created %+v, want %+v", s, want)
	}
	var got httpapi.Story
	f.as("viewer").getJSON("/api/stories/"+strconv.FormatInt(s.ID, 10), &got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GET = %+v, want %+v", got, want)
	}
	path := "/api/stories/" + strconv.FormatInt(s.ID, 10)

	// Rename only, then regroup only.
	st, data = admin.do("PATCH", path, map[string]string{"name": "Crocus"})
	if s = decodeStory(t, data); st != http.StatusOK || s.Name != "Crocus" || len(s.Documents) != 2 {
		t.Errorf("rename = %d %s", st, data)
	}
	st, data = admin.do("PATCH", path, map[string][]int64{"documents": {second}})
	if s = decodeStory(t, data); st != http.StatusOK || s.Name != "Crocus" || len(s.Documents) != 1 || s.Documents[0].ID != second {
		t.Errorf("regroup = %d %s", st, data)
	}
	for _, bad := range []struct {
		body any
		code string
	}{
		{map[string]any{}, "bad_request"},
		{map[string]any{"name": ""}, "bad_request"},
		{map[string]any{"name": "x", "documents": []int64{second, foreign}}, "bad_request"},
		{map[string]any{"documents": []int64{999}}, "bad_request"},
		{"not an object", "bad_request"},
	} {
		before := f.state()
		if st, data := admin.do("PATCH", path, bad.body); st != http.StatusBadRequest || errorCode(data) != bad.code {
			t.Errorf("PATCH %v = %d %s, want 400 %s", bad.body, st, data, bad.code)
		}
		if f.state() != before {
			t.Errorf("the refused PATCH %v changed the data", bad.body)
		}
	}

	// Document details: edited by an admin, checked, shown in the story.
	st, data = admin.do("PATCH", "/api/documents/"+strconv.FormatInt(second, 10),
		map[string]string{"outlet": "Business Times", "published": "2024-03-23T09:00:00Z", "title": "ISIS claims Moscow attack"})
	var sd httpapi.StoryDocument
	json.Unmarshal(data, &sd)
	if wantDoc := (httpapi.StoryDocument{ID: second, Title: "ISIS claims Moscow attack", Outlet: "Business Times", Published: "2024-03-23T09:00:00Z"}); st != http.StatusOK || sd != wantDoc {
		t.Errorf("PATCH document = %d %s, want %+v", st, data, wantDoc)
	}
	admin.getJSON(path, &got)
	if got.Documents[0].Outlet != "Business Times" || got.Documents[0].Title != "ISIS claims Moscow attack" {
		t.Errorf("the story does not show the edit: %+v", got)
	}
	for _, bad := range []map[string]string{{"published": "last Friday"}, {}, {"outlet": "two\nlines"}} {
		if st, data := admin.do("PATCH", "/api/documents/"+strconv.FormatInt(second, 10), bad); st != http.StatusBadRequest || errorCode(data) != "bad_request" {
			t.Errorf("PATCH document %v = %d %s, want 400", bad, st, data)
		}
	}
	if st, data := admin.do("PATCH", "/api/documents/999", map[string]string{"outlet": "x"}); st != http.StatusNotFound || errorCode(data) != "not_found" {
		t.Errorf("PATCH a missing document = %d %s", st, data)
	}
	// Clearing a field.
	if st, data := admin.do("PATCH", "/api/documents/"+strconv.FormatInt(second, 10), map[string]string{"outlet": ""}); st != http.StatusOK || strings.Contains(string(data), "outlet") {
		t.Errorf("clearing the outlet = %d %s", st, data)
	}

	// Cookie writes need the CSRF token, like every other write.
	noCSRF := f.as("admin")
	noCSRF.csrf = ""
	for _, m := range []struct{ method, path string }{{"POST", "/api/projects/1/stories"}, {"PATCH", path}, {"DELETE", path},
		{"PATCH", "/api/documents/1"}} {
		before := f.state()
		if st, data := noCSRF.do(m.method, m.path, map[string]string{"name": "x", "outlet": "y"}); st != http.StatusForbidden || errorCode(data) != "csrf" {
			t.Errorf("%s %s without a CSRF token: %d %s", m.method, m.path, st, data)
		}
		if f.state() != before {
			t.Errorf("%s %s without a CSRF token changed the data", m.method, m.path)
		}
	}
	// Someone else's project's story is as missing as a missing one.
	other, err := f.st.CreateStory(ctx, 2, "elsewhere", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/api/stories/" + strconv.FormatInt(other.ID, 10), "/api/stories/999", "/api/stories/999/figures"} {
		if st, data := admin.do("GET", p, nil); st != http.StatusNotFound || errorCode(data) != "not_found" {
			t.Errorf("GET %s = %d %s, want 404", p, st, data)
		}
	}
	if st, data := admin.do("GET", "/api/stories/x", nil); st != http.StatusBadRequest || errorCode(data) != "bad_request" {
		t.Errorf("GET /api/stories/x = %d %s", st, data)
	}
	if st, data := admin.do("GET", path+"/figures?format=xlsx", nil); st != http.StatusBadRequest || errorCode(data) != "bad_format" {
		t.Errorf("figures in xlsx = %d %s", st, data)
	}

	// Delete: the documents stay.
	if st, data := admin.do("DELETE", path, nil); st != http.StatusNoContent {
		t.Errorf("DELETE = %d %s", st, data)
	}
	if st, _ := admin.do("GET", path, nil); st != http.StatusNotFound {
		t.Errorf("GET a deleted story = %d", st)
	}
	if st, _ := admin.do("DELETE", path, nil); st != http.StatusNotFound {
		t.Errorf("DELETE it again = %d", st)
	}
	if docs, _ := f.st.Documents(ctx, 1); len(docs) != 2 {
		t.Errorf("%d documents after deleting the story, want 2", len(docs))
	}
}

// demoServer is a server on a database seeded with the demo project, with
// the demo story's figures tagged as analysts would (alice in the first
// article, bob in the second), and admin's password set to the fixture's.
func demoServer(t *testing.T) *fixture {
	t.Helper()
	return demoServerPages(t, http.NotFoundHandler())
}

// demoServerPages is demoServer whose pages (everything not API) pages
// serves.
func demoServerPages(t *testing.T, pages http.Handler) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "gloss.db"))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := demo.Seed(ctx, st); !ok || err != nil {
		t.Fatalf("seed: %v, %v", ok, err)
	}
	f := &fixture{t: t, st: st, users: map[string]model.User{}}
	hash, _ := auth.HashPassword(password)
	for _, name := range []string{"admin", "alice"} {
		u, _, err := st.UserByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetPassword(ctx, u.ID, hash); err != nil {
			t.Fatal(err)
		}
		f.users[name] = u
	}
	tag := func(doc int64, layer string, rels []model.Relation, spans ...model.Annotation) {
		d, err := st.Document(ctx, doc)
		if err != nil {
			t.Fatal(err)
		}
		var ops []protocol.Op
		for i, a := range spans {
			i0 := strings.Index(d.Text, a.Quote)
			if i0 < 0 {
				t.Fatalf("%q not in document %d", a.Quote, doc)
			}
			a.Document, a.Layer, a.Author, a.Version = doc, layer, layer, 1
			a.Start = len([]rune(d.Text[:i0]))
			a.End = a.Start + len([]rune(a.Quote))
			ops = append(ops, protocol.Op{ID: layer + strconv.Itoa(i), Kind: protocol.KindAdd, Ann: &a, User: layer})
		}
		for i, r := range rels {
			r.Document, r.Layer, r.Author, r.Version = doc, layer, layer, 1
			ops = append(ops, protocol.Op{ID: layer + "-r" + strconv.Itoa(i), Kind: protocol.KindAddRelation, Rel: &r, User: layer})
		}
		if _, err := st.Commit(ctx, doc, ops); err != nil {
			t.Fatal(err)
		}
	}
	fig := func(id, quote string, v float64, qualifier, unit, quantity string) model.Annotation {
		return model.Annotation{ID: id, Label: story.LabelFigure, Quote: quote,
			Attrs: &model.Attrs{Value: &v, Qualifier: qualifier, Unit: unit, Quantity: quantity}}
	}
	// The first article's toll is in a claim CNN is cited for.
	tag(1, "alice", []model.Relation{{ID: "ar1", Type: story.RelationSource, From: "a4", To: "a5"}},
		model.Annotation{ID: "a4", Label: story.LabelAttribution, Quote: "CNN reported"},
		model.Annotation{ID: "a5", Label: story.LabelClaim, Quote: "The ISIS has claimed responsibility for the massive attack on concert hall in the Russian capital that left at least 40 people dead"},
		fig("a1", "at least 40 people dead", 40, "at least", "people", "dead"),
		fig("a2", "115 people have been hospitalised", 115, "", "people", "hospitalised"),
		fig("a3", "Around 100 people were evacuated", 100, "Around", "people", "evacuated"))
	tag(2, "bob", nil,
		fig("b1", "at least 60 people dead", 60, "at least", "people", "dead"),
		fig("b2", "145 people hospitalized", 145, "", "people", "hospitalized"),
		fig("b3", "evacuated around 100 people", 100, "around", "people", "evacuated"),
		model.Annotation{ID: "b4", Label: story.LabelClaim, Quote: "Business Times has been able to verify the claim made by ISIS."})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := hub.New(st, log, hub.Config{})
	f.srv = httptest.NewServer(api.New(st, h, log, api.Config{ToolVersion: "gloss test"}, pages).Handler())
	t.Cleanup(func() {
		f.srv.Close()
		h.Close()
		st.Close()
	})
	return f
}

// TestStoryFiguresCSV: the demo story's figures export, read back with
// encoding/csv: the header is the documented one, the dead and
// hospitalised rows are flagged as conflicts and the evacuated row is
// not, and each row names its article and outlet.
func TestStoryFiguresCSV(t *testing.T) {
	f := demoServer(t)
	c := f.login("alice")
	var list []httpapi.Story
	c.getJSON("/api/projects/1/stories", &list)
	if len(list) != 1 || list[0].Name != demo.StoryName || len(list[0].Documents) != 2 {
		t.Fatalf("demo stories = %+v", list)
	}
	path := "/api/stories/" + strconv.FormatInt(list[0].ID, 10) + "/figures"
	req, _ := http.NewRequest("GET", f.srv.URL+path+"?format=csv", nil)
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("figures: %d %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="Crocus-City-Hall-attack-figures.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV: %v\n%s", err, body)
	}
	if !reflect.DeepEqual(records[0], story.FigureColumns) {
		t.Fatalf("header %v, want %v", records[0], story.FigureColumns)
	}
	col := map[string]int{}
	for i, name := range records[0] {
		col[name] = i
	}
	rows := records[1:]
	if len(rows) != 6 {
		t.Fatalf("%d figure rows, want 6:\n%s", len(rows), body)
	}
	type key struct{ quantity, value string }
	seen := map[key][]string{}
	for _, r := range rows {
		if r[col["story"]] != demo.StoryName {
			t.Errorf("row %v: story %q", r, r[col["story"]])
		}
		seen[key{r[col["quantity"]], r[col["value"]]}] = r
		wantConflict := map[string]string{"dead": "true", "hospitalised": "true", "evacuated": "false"}[r[col["quantity"]]]
		if r[col["conflict"]] != wantConflict {
			t.Errorf("row %v: conflict %q, want %q", r, r[col["conflict"]], wantConflict)
		}
	}
	dead60 := seen[key{"dead", "60"}]
	if dead60 == nil || dead60[col["qualifier"]] != "at least" || dead60[col["outlet"]] != "Business Times" || dead60[col["layer"]] != "bob" ||
		dead60[col["published"]] != "" || !strings.HasPrefix(dead60[col["document"]], "The Islamic State (ISIS)") {
		t.Errorf("the second article's toll row = %v", dead60)
	}
	if dead40 := seen[key{"dead", "40"}]; dead40 == nil || dead40[col["outlet"]] != "" || dead40[col["layer"]] != "alice" || dead40[col["source"]] != "CNN" {
		t.Errorf("the first article's toll row = %v", dead40)
	}

	// JSONL carries the same rows.
	req, _ = http.NewRequest("GET", f.srv.URL+path+"?format=jsonl", nil)
	resp, err = c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Errorf("jsonl Content-Type %q", ct)
	}
	dec := json.NewDecoder(resp.Body)
	n := 0
	for dec.More() {
		var r story.FigureRow
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		if r.Quantity == "dead" && !r.Conflict {
			t.Errorf("jsonl row %+v is not flagged", r)
		}
		n++
	}
	if n != 6 {
		t.Errorf("%d jsonl rows, want 6", n)
	}

	// The Business Times claim has no outside source: the JSONL export
	// says so.
	st, data := c.do("GET", "/api/projects/1/export?format=jsonl&doc=2", nil)
	if st != http.StatusOK || !strings.Contains(string(data), `"text":"Business Times has been able to verify the claim made by ISIS.","attributed":false`) {
		t.Errorf("export of the second article: %d, the Business Times claim is not unattributed:\n%.600s", st, data)
	}
}
