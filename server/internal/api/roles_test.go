package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/gorilla/websocket"

	"gloss/server/internal/api"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// TestRolesHTTP is the role table over HTTP: every route, every role of
// project 1 (and a user of another project), the status each gets; a
// refused request changes nothing. Each cell runs on a fresh server, so
// allowed requests cannot hide refusals behind changed state.
func TestRolesHTTP(t *testing.T) {
	// Statuses for admin, reviewer, annotator, viewer, outsider.
	type want [5]int
	const (
		ok, created, noContent = http.StatusOK, http.StatusCreated, http.StatusNoContent
		forbidden, notFound    = http.StatusForbidden, http.StatusNotFound
	)
	newSchema := api.SchemaRequest{Schema: model.DefaultSchema()}
	newSchema.Schema.Labels = append(newSchema.Schema.Labels, model.Label{Name: "quote", Color: "#CC79A7", Key: "4"})
	tests := []struct {
		name         string
		method, path string
		body         func(f *fixture) any
		want         want
	}{
		{"read the project", "GET", "/api/projects/1", nil, want{ok, ok, ok, ok, notFound}},
		{"list documents", "GET", "/api/projects/1/documents", nil, want{ok, ok, ok, ok, notFound}},
		{"export", "GET", "/api/projects/1/export?format=jsonl", nil, want{ok, ok, ok, ok, notFound}},
		{"see progress", "GET", "/api/projects/1/progress", nil, want{ok, ok, forbidden, forbidden, notFound}},
		{"see agreement", "GET", "/api/projects/1/agreement", nil, want{ok, ok, forbidden, forbidden, notFound}},
		{"list members", "GET", "/api/projects/1/members", nil, want{ok, forbidden, forbidden, forbidden, notFound}},
		{"list assignments", "GET", "/api/projects/1/assignments", nil, want{ok, forbidden, forbidden, forbidden, notFound}},
		{"change the schema", "PUT", "/api/projects/1/schema", func(*fixture) any { return newSchema },
			want{ok, forbidden, forbidden, forbidden, notFound}},
		{"add a member", "POST", "/api/projects/1/members", func(*fixture) any { return map[string]string{"name": "root", "role": "viewer"} },
			want{ok, forbidden, forbidden, forbidden, notFound}},
		{"change a role", "POST", "/api/projects/1/members", func(*fixture) any { return map[string]string{"name": "bob", "role": "reviewer"} },
			want{ok, forbidden, forbidden, forbidden, notFound}},
		{"remove a member", "DELETE", "", nil, want{noContent, forbidden, forbidden, forbidden, notFound}},
		{"import documents", "POST", "/api/projects/1/documents", func(*fixture) any {
			return map[string]any{"documents": []map[string]string{{"text": "New article."}}}
		}, want{created, forbidden, forbidden, forbidden, notFound}},
		{"assign a document", "POST", "/api/projects/1/assignments", func(f *fixture) any {
			return api.AssignRequest{User: "bob", Documents: []int64{f.doc}, Assigned: true}
		}, want{ok, forbidden, forbidden, forbidden, notFound}},
		{"mark a document done", "POST", "/api/documents/1/done", func(f *fixture) any {
			// Done is for an assigned document (TestDoneDoesNotAssign);
			// the table is about roles, so every member has it assigned.
			for _, name := range []string{"admin", "rita", "alice", "vic"} {
				if err := f.st.SetAssigned(context.Background(), f.doc, f.users[name].ID, true); err != nil {
					f.t.Fatal(err)
				}
			}
			return map[string]bool{"done": true}
		}, want{ok, ok, ok, forbidden, notFound}},
		{"create a project", "POST", "/api/projects", func(*fixture) any { return map[string]string{"name": "new"} },
			want{created, forbidden, forbidden, forbidden, forbidden}},
		{"create a user", "POST", "/api/users", func(*fixture) any { return map[string]any{"name": "newbie", "password": "long-enough"} },
			want{created, forbidden, forbidden, forbidden, forbidden}},
		{"list users", "GET", "/api/users", nil, want{ok, forbidden, forbidden, forbidden, forbidden}},
		{"list stories", "GET", "/api/projects/1/stories", nil, want{ok, ok, ok, ok, notFound}},
		{"create a story", "POST", "/api/projects/1/stories", func(f *fixture) any {
			return map[string]any{"name": "attack", "documents": []int64{f.doc}}
		}, want{created, forbidden, forbidden, forbidden, notFound}},
		{"read a story", "GET", "/api/stories/1", func(f *fixture) any { f.story(); return nil }, want{ok, ok, ok, ok, notFound}},
		{"export a story's figures", "GET", "/api/stories/1/figures", func(f *fixture) any { f.story(); return nil },
			want{ok, ok, ok, ok, notFound}},
		{"rename a story", "PATCH", "/api/stories/1", func(f *fixture) any { f.story(); return map[string]string{"name": "renamed"} },
			want{ok, forbidden, forbidden, forbidden, notFound}},
		{"regroup a story", "PATCH", "/api/stories/1", func(f *fixture) any { f.story(); return map[string][]int64{"documents": {}} },
			want{ok, forbidden, forbidden, forbidden, notFound}},
		{"delete a story", "DELETE", "/api/stories/1", func(f *fixture) any { f.story(); return nil },
			want{noContent, forbidden, forbidden, forbidden, notFound}},
		{"edit a document's details", "PATCH", "/api/documents/1", func(*fixture) any { return map[string]string{"outlet": "CNN"} },
			want{ok, forbidden, forbidden, forbidden, notFound}},
		{"create an API token", "POST", "/api/tokens", func(*fixture) any { return map[string]string{"label": "ci"} },
			want{created, created, created, created, created}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for i, role := range roles {
				f := newFixture(t)
				c := f.as(role)
				path := tc.path
				if path == "" {
					path = fmt.Sprintf("/api/projects/1/members/%d", f.users["bob"].ID)
				}
				var body any
				if tc.body != nil {
					body = tc.body(f)
				}
				before := f.state()
				status, data := c.do(tc.method, path, body)
				if status != tc.want[i] {
					t.Errorf("%s: %s %s = %d %s, want %d", role, tc.method, path, status, data, tc.want[i])
				}
				if status >= 400 && f.state() != before {
					t.Errorf("%s: the refused %s %s changed the data:\nbefore %s\nafter  %s", role, tc.method, path, before, f.state())
				}
				if status >= 400 {
					var e struct{ Type, Code, Message string }
					if json.Unmarshal(data, &e) != nil || e.Type != "error" || e.Code == "" || e.Message == "" {
						t.Errorf("%s: refusal body %s is not an error message", role, data)
					}
				}
			}
		})
	}
}

// TestRolesMore covers what the table cannot: what the answers hold.
func TestRolesMore(t *testing.T) {
	f := newFixture(t)
	// An outsider's project list does not show project 1; a site admin's
	// shows every project, with their role.
	var list []api.ProjectEntry
	f.as("outsider").getJSON("/api/projects", &list)
	if len(list) != 1 || list[0].Name != "elsewhere" {
		t.Errorf("outsider's projects = %+v", list)
	}
	f.login("root").getJSON("/api/projects", &list)
	if len(list) != 2 || list[0].Role != "" {
		t.Errorf("site admin's projects = %+v", list)
	}
	// A site admin who is no member may still set members (recovery), but
	// not change the schema.
	root := f.login("root")
	if st, body := root.do("POST", "/api/projects/1/members", map[string]string{"name": "root", "role": "admin"}); st != http.StatusOK {
		t.Errorf("site admin joining as admin: %d %s", st, body)
	}
	// The last admin cannot be demoted or removed.
	admin := f.as("admin")
	admin.do("POST", "/api/projects/1/members", map[string]string{"name": "root", "role": "viewer"})
	st, body := admin.do("POST", "/api/projects/1/members", map[string]string{"name": "admin", "role": "annotator"})
	if st != http.StatusConflict {
		t.Errorf("demoting the last admin: %d %s", st, body)
	}
	st, _ = admin.do("DELETE", fmt.Sprintf("/api/projects/1/members/%d", f.users["admin"].ID), nil)
	if st != http.StatusConflict {
		t.Errorf("removing the last admin: %d", st)
	}
	if st, _ := admin.do("POST", "/api/projects/1/members", map[string]string{"name": "nobody", "role": "viewer"}); st != http.StatusNotFound {
		t.Errorf("adding an unknown user: %d", st)
	}
	if st, _ := admin.do("POST", "/api/projects/1/members", map[string]string{"name": "bob", "role": "owner"}); st != http.StatusBadRequest {
		t.Errorf("an unknown role: %d", st)
	}
	// A viewer cannot be given documents to annotate.
	if st, _ := admin.do("POST", "/api/projects/1/assignments", api.AssignRequest{User: "vic", Documents: []int64{f.doc}, Assigned: true}); st != http.StatusBadRequest {
		t.Errorf("assigning to a viewer: %d", st)
	}
	// Another project's document cannot be assigned here.
	if st, _ := admin.do("POST", "/api/projects/1/assignments", api.AssignRequest{User: "bob", Documents: []int64{2}, Assigned: true}); st != http.StatusBadRequest {
		t.Errorf("assigning another project's document: %d", st)
	}
	// Nor may anyone mark a document of a project they are not in done.
	if st, _ := f.as("annotator").do("POST", "/api/documents/2/done", map[string]bool{"done": true}); st != http.StatusNotFound {
		t.Errorf("done on another project's document: %d", st)
	}
	// Revoking someone else's token: not found, unless a site admin.
	tok := f.token("bob")
	var mine []struct{ ID int64 }
	tok.getJSON("/api/tokens", &mine)
	if st, _ := f.as("annotator").do("DELETE", fmt.Sprintf("/api/tokens/%d", mine[0].ID), nil); st != http.StatusNotFound {
		t.Errorf("revoking another user's token: %d", st)
	}
	if st, _ := admin.do("DELETE", fmt.Sprintf("/api/tokens/%d", mine[0].ID), nil); st != http.StatusNoContent {
		t.Errorf("site admin revoking a token: %d", st)
	}
}

// TestRolesWebsocket is the role table of live edits: ops in each layer,
// by each role, through the real websocket and hub. A refused op changes
// nothing in the store.
func TestRolesWebsocket(t *testing.T) {
	ownLayer := func(role string) string { return "" } // the server picks the role's default layer
	type opCase struct {
		name string
		op   func(role string, n int) protocol.Op
		want [4]bool // admin, reviewer, annotator, viewer
	}
	add := func(layer func(string) string) func(string, int) protocol.Op {
		return func(role string, n int) protocol.Op {
			id := fmt.Sprintf("%s-%d", role, n)
			return protocol.Op{ID: id, Kind: protocol.KindAdd, Ann: &model.Annotation{ID: id, Layer: layer(role), Label: "figure",
				Start: 15, End: 38, Quote: "at least 40 people died"}}
		}
	}
	cases := []opCase{
		{"add to own default layer", add(ownLayer), [4]bool{true, true, true, false}},
		{"add to gold", add(func(string) string { return model.GoldLayer }), [4]bool{true, true, false, false}},
		{"add to another annotator's layer", add(func(string) string { return "bob" }), [4]bool{false, false, false, false}},
		{"add to a layer named after oneself", add(func(role string) string { return roleUser[role] }), [4]bool{true, false, true, false}},
		{"relabel another's annotation", func(role string, n int) protocol.Op {
			return protocol.Op{ID: fmt.Sprintf("%s-%d", role, n), Kind: protocol.KindUpdate, Version: 1,
				Ann: &model.Annotation{ID: "b1", Label: "figure", Start: 0, End: 14, Quote: "Officials said"}}
		}, [4]bool{false, false, false, false}},
		{"delete another's annotation", func(role string, n int) protocol.Op {
			return protocol.Op{ID: fmt.Sprintf("%s-%d", role, n), Kind: protocol.KindDelete, Target: "b1", Version: 1}
		}, [4]bool{false, false, false, false}},
	}
	for i, role := range roles[:4] {
		t.Run(role, func(t *testing.T) {
			f := newFixture(t)
			conn, _, err := f.as(role).ws(nil)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			w, err := hello(conn, f.doc)
			if err != nil || w.You == nil || w.You.Role != model.Role(role) {
				t.Fatalf("welcome = %+v, %v", w, err)
			}
			for n, oc := range cases {
				before, _ := f.st.Snapshot(context.Background(), f.doc)
				m, err := send(conn, oc.op(role, n))
				if err != nil {
					t.Fatalf("%s: %v", oc.name, err)
				}
				after, _ := f.st.Snapshot(context.Background(), f.doc)
				got := m.Type == protocol.TypeAck
				if got != oc.want[i] {
					t.Errorf("%s: %s → %s %s %s, want allowed=%v", role, oc.name, m.Type, m.Code, m.Text, oc.want[i])
				}
				if !got {
					if m.Code != protocol.CodeForbidden {
						t.Errorf("%s: %s refused with %q, want %q", role, oc.name, m.Code, protocol.CodeForbidden)
					}
					if after.Seq != before.Seq || len(after.Annotations) != len(before.Annotations) {
						t.Errorf("%s: the refused %s changed the document", role, oc.name)
					}
				} else if after.Seq != before.Seq+1 {
					t.Errorf("%s: %s acked but the store is at seq %d (was %d)", role, oc.name, after.Seq, before.Seq)
				}
			}
		})
	}
	t.Run("outsider", func(t *testing.T) {
		f := newFixture(t)
		conn, _, err := f.as("outsider").ws(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_, err = hello(conn, f.doc)
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != protocol.CloseForbidden {
			t.Errorf("outsider's hello: %v, want close %d", err, protocol.CloseForbidden)
		}
	})
}

// TestWebsocketAuth checks that the websocket authenticates as HTTP does.
func TestWebsocketAuth(t *testing.T) {
	f := newFixture(t)
	// A script with a token needs no Origin and no cookie.
	tok := f.token("alice")
	conn, _, err := tok.ws(nil)
	if err != nil {
		t.Fatalf("websocket with a bearer token: %v", err)
	}
	if w, err := hello(conn, f.doc); err != nil || w.You.User != "alice" {
		t.Errorf("welcome = %+v, %v", w, err)
	}
	conn.Close()
	// A cookie from another origin, or with no origin, is refused.
	alice := f.as("annotator")
	for _, origin := range []string{"http://evil.example", ""} {
		_, resp, err := alice.ws(http.Header{"Origin": {origin}})
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("websocket with origin %q: %v", origin, err)
		}
	}
	// A revoked or unknown token is refused with the "log in" close code.
	bad := newClient(t, f.srv.URL)
	bad.bearer = "not-a-token"
	conn, _, err = bad.ws(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = read(conn)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != protocol.CloseUnauthenticated {
		t.Errorf("unknown token: %v, want close %d", err, protocol.CloseUnauthenticated)
	}
	conn.Close()
}
