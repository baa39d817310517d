package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"gloss/server/internal/api"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

func TestSchemaValidation(t *testing.T) {
	f := newFixture(t)
	admin := f.as("admin")
	base := model.DefaultSchema()
	with := func(mod func(s *model.Schema)) model.Schema {
		s := model.DefaultSchema()
		mod(&s)
		return s
	}
	tests := []struct {
		name   string
		schema model.Schema
		want   string
	}{
		{"no labels", model.Schema{}, "1–50 labels"},
		{"duplicate name", with(func(s *model.Schema) { s.Labels[1].Name = "Claim" }), "same name"},
		{"duplicate key", with(func(s *model.Schema) { s.Labels[1].Key = "1" }), "same shortcut key"},
		{"reserved key", with(func(s *model.Schema) { s.Labels[1].Key = "r" }), "taken by the desk"},
		{"long key", with(func(s *model.Schema) { s.Labels[1].Key = "12" }), "one letter or digit"},
		{"bad colour", with(func(s *model.Schema) { s.Labels[0].Color = "blue" }), "#rrggbb"},
		{"short colour", with(func(s *model.Schema) { s.Labels[0].Color = "#fff" }), "#rrggbb"},
		{"markup in a name", with(func(s *model.Schema) { s.Labels[0].Name = "<b>claim</b>" }), "only letters"},
		{"empty name", with(func(s *model.Schema) { s.Labels[0].Name = "" }), "1–40"},
		{"long name", with(func(s *model.Schema) { s.Labels[0].Name = strings.Repeat("x", 41) }), "1–40"},
		{"padded name", with(func(s *model.Schema) { s.Labels[0].Name = " claim" }), "space"},
		{"long guideline", with(func(s *model.Schema) { s.Labels[0].Guideline = strings.Repeat("x", 501) }), "guideline"},
		{"duplicate relation", with(func(s *model.Schema) { s.Relations = []string{"source", "Source"} }), "twice"},
	}
	for _, tc := range tests {
		before := f.state()
		st, data := admin.do("PUT", "/api/projects/1/schema", api.SchemaRequest{Schema: tc.schema})
		if st != http.StatusBadRequest || !strings.Contains(string(data), tc.want) {
			t.Errorf("%s: %d %s, want 400 with %q", tc.name, st, data, tc.want)
		}
		if f.state() != before {
			t.Errorf("%s: a refused schema changed the data", tc.name)
		}
	}
	renames := []struct {
		name    string
		schema  model.Schema
		renames map[string]string
		want    string
	}{
		{"rename an unknown label", base, map[string]string{"opinion": "claim"}, "no such label"},
		{"rename to a label not in the schema", base, map[string]string{"claim": "assertion"}, "has no label"},
		{"rename onto a label that stays", base, map[string]string{"claim": "figure"}, "already exists"},
		{"two onto one", with(func(s *model.Schema) { s.Labels = []model.Label{{Name: "x", Color: "#000000"}} }), map[string]string{"claim": "x", "figure": "x"}, "both"},
	}
	for _, tc := range renames {
		st, data := admin.do("PUT", "/api/projects/1/schema", api.SchemaRequest{Schema: tc.schema, Renames: tc.renames})
		if st != http.StatusBadRequest || !strings.Contains(string(data), tc.want) {
			t.Errorf("%s: %d %s, want 400 with %q", tc.name, st, data, tc.want)
		}
	}
	// Unicode names, keys and no relations are fine.
	ok := model.Schema{Labels: []model.Label{{Name: "Aussage 1", Color: "#00ff00", Key: "ä"}, {Name: "Zahl_2", Color: "#0000FF", Key: "4", Guideline: "Zahlen"}}}
	if st, data := admin.do("PUT", "/api/projects/1/schema", api.SchemaRequest{Schema: ok, Renames: map[string]string{"claim": "Aussage 1"}}); st != http.StatusOK {
		t.Errorf("a valid schema: %d %s", st, data)
	}
}

// TestSchemaChanges: a rename relabels every annotation through the op
// log; removing a label in use is refused with the count unless confirmed.
func TestSchemaChanges(t *testing.T) {
	f := newFixture(t)
	admin := f.as("admin")
	ctx := context.Background()
	// b1 (bob, claim) exists; alice adds a figure live.
	conn, _, err := f.as("annotator").ws(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := hello(conn, f.doc); err != nil {
		t.Fatal(err)
	}
	m, err := send(conn, protocol.Op{ID: "o1", Kind: protocol.KindAdd, Ann: &model.Annotation{ID: "a1", Label: "figure", Start: 15, End: 38, Quote: "at least 40 people died"}})
	if err != nil || m.Type != protocol.TypeAck {
		t.Fatalf("add: %+v, %v", m, err)
	}

	renamed := model.DefaultSchema()
	renamed.Labels[0].Name = "assertion"
	st, data := admin.do("PUT", "/api/projects/1/schema", api.SchemaRequest{Schema: renamed, Renames: map[string]string{"claim": "assertion"}})
	if st != http.StatusOK {
		t.Fatalf("rename: %d %s", st, data)
	}
	var res struct {
		Project model.Project
		Result  struct{ Relabelled int }
	}
	json.Unmarshal(data, &res)
	if res.Result.Relabelled != 1 || res.Project.Schema.Labels[0].Name != "assertion" {
		t.Errorf("rename answer = %s", data)
	}
	snap, _ := f.st.Snapshot(ctx, f.doc)
	labels := map[string]string{}
	for _, a := range snap.Annotations {
		labels[a.ID] = a.Label
	}
	if labels["b1"] != "assertion" || labels["a1"] != "figure" {
		t.Errorf("labels after the rename = %v", labels)
	}
	ops, _ := f.st.OpsSince(ctx, f.doc, snap.Seq-1, 10)
	if len(ops) != 1 || ops[0].Kind != protocol.KindUpdate || ops[0].User != "admin" || ops[0].Ann.Label != "assertion" {
		t.Errorf("the rename's op = %+v", ops)
	}

	noFigure := renamed
	noFigure.Labels = []model.Label{renamed.Labels[0], renamed.Labels[2]}
	before := f.state()
	st, data = admin.do("PUT", "/api/projects/1/schema", api.SchemaRequest{Schema: noFigure})
	var conflict struct {
		Code, Message string
		Labels        map[string]int
	}
	json.Unmarshal(data, &conflict)
	if st != http.StatusConflict || conflict.Code != "in_use" || conflict.Labels["figure"] != 1 || !strings.Contains(conflict.Message, `label "figure" is used by 1 annotation`) {
		t.Errorf("removing a label in use: %d %s", st, data)
	}
	if f.state() != before {
		t.Error("the refused removal changed the data")
	}
	st, data = admin.do("PUT", "/api/projects/1/schema?confirm=delete-annotations", api.SchemaRequest{Schema: noFigure})
	if st != http.StatusOK || !strings.Contains(string(data), `"deleted":1`) {
		t.Errorf("confirmed removal: %d %s", st, data)
	}
	snap, _ = f.st.Snapshot(ctx, f.doc)
	if len(snap.Annotations) != 1 || snap.Annotations[0].ID != "b1" {
		t.Errorf("after the confirmed removal: %+v", snap.Annotations)
	}
}

func TestProgress(t *testing.T) {
	f := newFixture(t)
	admin := f.as("admin")
	body, h := multipartBody(t, "", upload{"two.txt", "Second article."})
	if st, data := admin.request("POST", "/api/projects/1/documents", body, h); st != http.StatusCreated {
		t.Fatalf("import: %d %s", st, data)
	}
	for _, a := range []api.AssignRequest{{User: "alice", Documents: []int64{1, 3}, Assigned: true}, {User: "bob", Documents: []int64{1, 3}, Assigned: true}} {
		if st, data := admin.do("POST", "/api/projects/1/assignments", a); st != http.StatusOK {
			t.Fatalf("assign: %d %s", st, data)
		}
	}
	if st, _ := f.login("bob").do("POST", "/api/documents/3/done", map[string]bool{"done": true}); st != http.StatusOK {
		t.Fatal("bob could not mark document 3 done")
	}
	var p api.Progress
	f.as("reviewer").getJSON("/api/projects/1/progress", &p)
	by := map[string]api.AnnotatorProgress{}
	for _, a := range p.Annotators {
		by[a.User] = a
	}
	// bob: doc 1 in progress (b1 is his), doc 3 done; alice: nothing yet.
	if b := by["bob"]; b.Assigned != 2 || b.Done != 1 || b.InProgress != 1 || b.NotStarted != 0 || b.Spans["claim"] != 1 {
		t.Errorf("bob = %+v", b)
	}
	if a := by["alice"]; a.Assigned != 2 || a.NotStarted != 2 {
		t.Errorf("alice = %+v", a)
	}
	if len(p.Documents) != 2 || len(p.Documents[0].Assignees) != 2 || p.Documents[0].Spans["claim"] != 1 {
		t.Errorf("documents = %+v", p.Documents)
	}
	if !strings.EqualFold(strings.Join(p.Labels, ","), "claim,figure,attribution") {
		t.Errorf("labels = %v", p.Labels)
	}
	// alice's home shows her assignment; bob's shows done.
	var me api.Me
	f.login("bob").getJSON("/api/me", &me)
	for _, d := range me.Projects[0].Documents {
		if d.ID == 3 && (!d.Assigned || !d.Done) || d.ID == 1 && (!d.Assigned || d.Done) {
			t.Errorf("bob's document %+v", d)
		}
	}
}
