package httpapi

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"gloss/shared/model"
)

func num(v float64) *float64 { return &v }

// TestGolden pins the JSON of each shape, as the API wrote it before the
// shapes moved here (field names, nulls, omitempty), and checks that it
// decodes back to the same value: a renamed tag or a lost omitempty fails
// here before it breaks a page or a script.
func TestGolden(t *testing.T) {
	created := time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC)
	project := model.Project{ID: 1, Name: "news", Schema: model.Schema{Labels: []model.Label{{Name: "claim", Color: "#ff0000"}}, Relations: []string{}}}
	projectJSON := `{"id":1,"name":"news","schema":` + mustJSON(t, project.Schema) + `}`
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"error", NewError("forbidden", "no"), `{"type":"error","code":"forbidden","message":"no"}`},
		{"error bad_file", Error{Type: "error", Code: "bad_file", Message: "m", File: "a.jsonl", Line: 2},
			`{"type":"error","code":"bad_file","message":"m","file":"a.jsonl","line":2}`},
		{"error in_use", Error{Type: "error", Code: "in_use", Message: "m", Labels: map[string]int{"claim": 3}},
			`{"type":"error","code":"in_use","message":"m","labels":{"claim":3}}`},
		{"me", Me{User: model.User{ID: 2, Name: "alice"}, SiteAdmin: true, CSRF: "c", Projects: []MyProject{{Project: project, Role: model.RoleAdmin,
			Documents: []MyDoc{{DocumentInfo: DocumentInfo{ID: 5, Name: "d", Chars: 10, Annotations: 1}, Assigned: true}}}}},
			`{"user":{"id":2,"name":"alice"},"site_admin":true,"csrf":"c","projects":[` + projectJSON[:len(projectJSON)-1] +
				`,"role":"admin","documents":[{"id":5,"name":"d","chars":10,"annotations":1,"assigned":true,"done":false}]}]}`},
		{"me token", Me{User: model.User{ID: 2, Name: "alice"}, Projects: []MyProject{}}, `{"user":{"id":2,"name":"alice"},"site_admin":false,"projects":[]}`},
		{"password", PasswordRequest{Current: "a", New: "b"}, `{"current":"a","new":"b"}`},
		{"password answer", PasswordAnswer{CSRF: "c"}, `{"csrf":"c"}`},
		{"password answer token", PasswordAnswer{}, `{}`},
		{"account", Account{User: model.User{ID: 3, Name: "bob"}, SiteAdmin: true}, `{"id":3,"name":"bob","site_admin":true}`},
		{"create user", CreateUserRequest{Name: "bob", Password: "pw", SiteAdmin: false}, `{"name":"bob","password":"pw","site_admin":false}`},
		{"project entry", ProjectEntry{ID: 1, Name: "news", Role: ""}, `{"id":1,"name":"news","role":""}`},
		{"create project", CreateProjectRequest{Name: "news"}, `{"name":"news"}`},
		{"project view", ProjectView{Project: project, Role: model.RoleViewer}, projectJSON[:len(projectJSON)-1] + `,"role":"viewer"}`},
		{"schema request", SchemaRequest{Schema: project.Schema, Renames: map[string]string{"a": "b"}}, `{"schema":` + mustJSON(t, project.Schema) + `,"renames":{"a":"b"}}`},
		{"schema answer", SchemaAnswer{Project: project, Result: SchemaResult{Relabelled: 1, Deleted: 2, DeletedRelations: 3, Documents: []int64{4}}},
			`{"project":` + projectJSON + `,"result":{"relabelled":1,"deleted":2,"deleted_relations":3,"documents":[4]}}`},
		{"member", Member{User: model.User{ID: 3, Name: "bob"}, Role: model.RoleAnnotator}, `{"user":{"id":3,"name":"bob"},"role":"annotator"}`},
		{"set member", SetMemberRequest{Name: "bob", Role: model.RoleReviewer}, `{"name":"bob","role":"reviewer"}`},
		{"import", ImportRequest{Layer: "gold", Documents: []json.RawMessage{json.RawMessage(`{"text":"a"}`)}}, `{"layer":"gold","documents":[{"text":"a"}]}`},
		{"import result", ImportResult{Documents: []DocumentInfo{{ID: 1, Name: "a", Chars: 3, Annotations: 0}}, Spans: 0},
			`{"documents":[{"id":1,"name":"a","chars":3,"annotations":0}],"spans":0}`},
		{"assign", AssignRequest{User: "bob", Documents: []int64{1, 2}, Assigned: true}, `{"user":"bob","documents":[1,2],"assigned":true}`},
		{"assignment", Assignment{Document: 1, UserID: 3, User: "bob", Done: true, Updated: created},
			`{"doc":1,"user_id":3,"user":"bob","done":true,"updated":"2026-03-01T12:30:00Z"}`},
		{"done", Done{Done: true}, `{"done":true}`},
		{"token", APIToken{ID: 7, UserID: 3, User: "bob", Label: "nightly", Created: created},
			`{"id":7,"user_id":3,"user":"bob","label":"nightly","created":"2026-03-01T12:30:00Z"}`},
		{"create token", CreateTokenRequest{Label: "nightly"}, `{"label":"nightly"}`},
		{"new token", NewToken{APIToken: APIToken{ID: 7, UserID: 3, User: "bob", Label: "l", Created: created}, Token: "t"},
			`{"id":7,"user_id":3,"user":"bob","label":"l","created":"2026-03-01T12:30:00Z","token":"t"}`},
		{"progress", Progress{Labels: []string{"claim"},
			Annotators: []AnnotatorProgress{{User: "bob", Role: model.RoleAnnotator, Assigned: 2, Done: 1, InProgress: 1, Spans: map[string]int{"claim": 4}}},
			Documents:  []DocumentProgress{{ID: 1, Name: "a", Assignees: []AssigneeStatus{{User: "bob", Status: StatusDone, Spans: 4}}, Spans: map[string]int{}, Gold: 0}}},
			`{"labels":["claim"],"annotators":[{"user":"bob","role":"annotator","assigned":2,"done":1,"in_progress":1,"not_started":0,"spans":{"claim":4}}],` +
				`"documents":[{"id":1,"name":"a","assignees":[{"user":"bob","status":"done","spans":4}],"spans":{},"gold":0}]}`},
		{"agreement", AgreementReport{Project: AgreementProject{ID: 1, Name: "news"}, Annotators: []string{"a", "b"}, Documents: 1, Tokens: 4,
			Overall: AgreementSummary{Alpha: num(0.5), Pairs: []PairAgreement{{A: "a", B: "b", Docs: 1, Tokens: 4,
				Exact: SpanMatches{TP: 1, FP: 2, FN: 3}, Overlap: SpanMatches{}, ExactF1: num(0.25)}}},
			Labels:     []AgreementSummary{},
			ByDocument: []DocumentAgreement{{ID: 1, Name: "d", Annotators: 2, OverlapF1: num(1)}}},
			`{"project":{"id":1,"name":"news"},"annotators":["a","b"],"excluded_layers":null,"documents":1,"tokens":4,` +
				`"overall":{"label":"","alpha":0.5,"exact_f1":null,"overlap_f1":null,"mean_kappa":null,"pairs":[{"a":"a","b":"b","docs":1,"tokens":4,` +
				`"exact":{"tp":1,"fp":2,"fn":3},"overlap":{"tp":0,"fp":0,"fn":0},"exact_f1":0.25,"overlap_f1":null,"kappa":null}]},` +
				`"labels":[],"by_document":[{"id":1,"name":"d","annotators":2,"alpha":null,"overlap_f1":1}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := mustJSON(t, tc.v)
			if got != tc.want {
				t.Fatalf("encoded\n got %s\nwant %s", got, tc.want)
			}
			back := reflect.New(reflect.TypeOf(tc.v))
			if err := json.Unmarshal([]byte(got), back.Interface()); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back.Elem().Interface(), tc.v) {
				t.Fatalf("decoded %+v, want %+v", back.Elem().Interface(), tc.v)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
