package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
)

// TestDoneDoesNotAssign: marking an unassigned document done is refused
// and assigns nothing; an assigned one is marked.
func TestDoneDoesNotAssign(t *testing.T) {
	f := newFixture(t)
	alice := f.as("annotator")
	path := fmt.Sprintf("/api/documents/%d/done", f.doc)
	before := f.state()
	if st, data := alice.do("POST", path, map[string]bool{"done": true}); st != http.StatusConflict {
		t.Errorf("done on an unassigned document: %d %s, want 409", st, data)
	}
	if f.state() != before {
		t.Errorf("marking an unassigned document done changed the data:\nbefore %s\nafter  %s", before, f.state())
	}
	if err := f.st.SetAssigned(context.Background(), f.doc, f.users["alice"].ID, true); err != nil {
		t.Fatal(err)
	}
	if st, data := alice.do("POST", path, map[string]bool{"done": true}); st != http.StatusOK {
		t.Errorf("done on an assigned document: %d %s", st, data)
	}
	as, _ := f.st.Assignments(context.Background(), 1)
	if len(as) != 1 || !as[0].Done {
		t.Errorf("assignments %+v, want alice's, done", as)
	}
}

// TestIDsDoNotLeak: a document or project of another project answers
// exactly as one that does not exist, on every route that takes an id.
func TestIDsDoNotLeak(t *testing.T) {
	f := newFixture(t)
	alice := f.as("annotator") // member of project 1 only
	otherDoc := f.doc + 1      // project 2's document
	routes := []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/documents/%d/done", map[string]bool{"done": true}},
		{"GET", "/api/projects/%d", nil},
		{"GET", "/api/projects/%d/documents", nil},
		{"GET", "/api/projects/%d/export?format=jsonl", nil},
		{"GET", "/api/projects/%d/progress", nil},
		{"POST", "/api/projects/%d/documents", map[string]any{"documents": []map[string]string{{"text": "x"}}}},
		{"POST", "/api/projects/%d/assignments", map[string]any{"user": "alice", "documents": []int64{1}, "assigned": true}},
		{"PUT", "/api/projects/%d/schema", map[string]any{}},
	}
	for _, r := range routes {
		existing, missing := int64(2), int64(999)
		if r.path == "/api/documents/%d/done" {
			existing = otherDoc
		}
		st1, b1 := alice.do(r.method, fmt.Sprintf(r.path, existing), r.body)
		st2, b2 := alice.do(r.method, fmt.Sprintf(r.path, missing), r.body)
		if st1 != st2 || string(b1) != string(b2) || st1 != http.StatusNotFound {
			t.Errorf("%s %s: another project's id answers %d %s, a missing one %d %s; want the same 404", r.method, r.path, st1, b1, st2, b2)
		}
	}
}

// TestReservedUserNames: no account may take the name of a machine or
// reviewers' layer, which would let it write into that layer.
func TestReservedUserNames(t *testing.T) {
	f := newFixture(t)
	admin := f.as("admin")
	for _, name := range []string{"import", "Import", "suggest", "gold", "machine"} {
		if st, data := admin.do("POST", "/api/users", map[string]any{"name": name, "password": "long-enough"}); st != http.StatusBadRequest {
			t.Errorf("user named %q: %d %s, want 400", name, st, data)
		}
	}
}
