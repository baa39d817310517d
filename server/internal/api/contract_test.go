package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"gloss/server/internal/api"
	"gloss/shared/httpapi"
	"gloss/shared/model"
)

// TestErrorBodies: every kind of refusal answers httpapi.Error, and
// nothing else: decoded strictly, with type "error" and a code, and the
// extra fields only where they belong.
func TestErrorBodies(t *testing.T) {
	f := newFixture(t)
	admin, annotator, anon := f.as("admin"), f.as("annotator"), newClient(t, f.srv.URL)
	noClaim := model.DefaultSchema()
	noClaim.Labels = nil
	for _, l := range model.DefaultSchema().Labels {
		if l.Name != "claim" {
			noClaim.Labels = append(noClaim.Labels, l)
		}
	}
	tests := []struct {
		name   string
		c      *client
		method string
		path   string
		body   any
		status int
		code   string
	}{
		{"not logged in", anon, "GET", "/api/me", nil, http.StatusUnauthorized, "not_authenticated"},
		{"forbidden", annotator, "PUT", "/api/projects/1/schema", api.SchemaRequest{Schema: model.DefaultSchema()}, http.StatusForbidden, "forbidden"},
		{"not found", admin, "GET", "/api/projects/999", nil, http.StatusNotFound, "not_found"},
		{"bad body", admin, "POST", "/api/tokens", "not an object", http.StatusBadRequest, "bad_request"},
		{"bad file", admin, "POST", "/api/projects/1/documents", map[string]any{"documents": []any{map[string]any{"text": ""}}}, http.StatusBadRequest, "bad_file"},
		{"in use", admin, "PUT", "/api/projects/1/schema", api.SchemaRequest{Schema: noClaim}, http.StatusConflict, "in_use"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, data := tc.c.do(tc.method, tc.path, tc.body)
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			var e httpapi.Error
			if err := dec.Decode(&e); err != nil {
				t.Fatalf("%d %s: not an httpapi.Error: %v", st, data, err)
			}
			if st != tc.status || e.Type != httpapi.ErrorType || e.Code != tc.code || e.Message == "" {
				t.Errorf("%d %+v, want %d with code %q", st, e, tc.status, tc.code)
			}
			if (e.File != "" || e.Line != 0) != (tc.code == "bad_file") || (e.Labels != nil) != (tc.code == "in_use") {
				t.Errorf("extra fields %+v on a %s answer", e, tc.code)
			}
		})
	}
}
