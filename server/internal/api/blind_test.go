package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"gloss/shared/httpapi"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// TestBlindHTTP: under blind annotation an annotator's exports (every
// format), document list and websocket welcome carry no other layer —
// not bob's, not gold — while the reviewer's carry all; the setting is
// an admin's, round-trips through the settings route, and once the
// annotator marks the document done their open socket is closed for a
// reconnect and their export holds every layer.
func TestBlindHTTP(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	g1 := model.Annotation{ID: "g1", Document: f.doc, Layer: model.GoldLayer, Label: "figure", Start: 15, End: 38, Quote: "at least 40 people died", Author: "rita", Version: 1}
	if _, err := f.st.Commit(ctx, f.doc, []protocol.Op{{ID: "gold", Kind: protocol.KindAdd, Ann: &g1, User: "rita"}}); err != nil {
		t.Fatal(err)
	}
	admin, alice, rita := f.as("admin"), f.as("annotator"), f.as("reviewer")
	settings := "/api/projects/1/settings"
	if code, body := alice.do("PUT", settings, model.Settings{Blind: true}); code != http.StatusForbidden {
		t.Fatalf("annotator sets settings: %d %s", code, body)
	}
	if code, body := admin.do("PUT", settings, model.Settings{Blind: true}); code != 200 {
		t.Fatalf("admin sets settings: %d %s", code, body)
	}
	var got model.Settings
	alice.getJSON(settings, &got)
	if got != (model.Settings{Blind: true}) {
		t.Fatalf("settings read back as %+v", got)
	}
	// A body with one field leaves the others as they are.
	if code, body := admin.do("PUT", settings, map[string]bool{"suggest": false}); code != 200 {
		t.Fatalf("admin sets suggest: %d %s", code, body)
	}
	if alice.getJSON(settings, &got); got != (model.Settings{Blind: true}) {
		t.Fatalf("after {\"suggest\":false} the settings are %+v", got)
	}

	secrets := []string{`bob`, `gold`, `g1`}
	exports := func(c *client, who string, wantSecrets bool) {
		t.Helper()
		for _, format := range []string{"jsonl", "conll", "w3c", "card"} {
			code, body := c.do("GET", "/api/projects/1/export?format="+format, nil)
			if code != 200 {
				t.Fatalf("%s's %s export: %d %s", who, format, code, body)
			}
			if format == "jsonl" || format == "w3c" { // the formats that name layers and ids
				for _, s := range secrets {
					if strings.Contains(string(body), s) != wantSecrets {
						t.Errorf("%s's %s export: contains %q is %v, want %v", who, format, s, !wantSecrets, wantSecrets)
					}
				}
			} else if !wantSecrets && strings.Contains(string(body), "bob") {
				t.Errorf("%s's %s export names bob", who, format)
			}
		}
	}
	exports(alice, "alice", false)
	exports(rita, "rita", true)

	// The story view's state and the story's figures export follow the
	// same rule.
	sty, err := f.st.CreateStory(ctx, 1, "the attack", []int64{f.doc})
	if err != nil {
		t.Fatal(err)
	}
	stories := func(c *client, who string, wantSecrets bool) {
		t.Helper()
		var st httpapi.StoryState
		c.getJSON(fmt.Sprintf("/api/stories/%d/state", sty.ID), &st)
		if len(st.Documents) != 1 || st.Documents[0].ID != f.doc || st.Story.ID != sty.ID {
			t.Fatalf("%s's story state: %+v", who, st)
		}
		for _, a := range st.Documents[0].Annotations {
			if (a.Layer == "bob" || a.Layer == model.GoldLayer) && !wantSecrets {
				t.Errorf("%s's story state holds %s's %q", who, a.Layer, a.Quote)
			}
		}
		code, body := c.do("GET", fmt.Sprintf("/api/stories/%d/figures?format=jsonl", sty.ID), nil)
		if code != 200 {
			t.Fatalf("%s's figures: %d %s", who, code, body)
		}
		if has := strings.Contains(string(body), `"layer":"gold"`); has != wantSecrets {
			t.Errorf("%s's figures export holds gold: %v, want %v\n%s", who, has, wantSecrets, body)
		}
	}
	stories(alice, "alice", false)
	stories(rita, "rita", true)

	count := func(c *client) int {
		t.Helper()
		var docs []httpapi.DocumentInfo
		c.getJSON("/api/projects/1/documents", &docs)
		return docs[0].Annotations
	}
	if n, m := count(alice), count(rita); n != 0 || m != 2 {
		t.Fatalf("document list counts: alice %d, rita %d; want 0 and 2", n, m)
	}

	conn, _, err := alice.ws(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	w, err := hello(conn, f.doc)
	if err != nil {
		t.Fatal(err)
	}
	if w.You == nil || !w.You.Blind || len(w.Annotations) != 0 || w.Packed != "" {
		t.Fatalf("alice's welcome: you %+v, %d annotations", w.You, len(w.Annotations))
	}

	// Done ends it: the socket is closed for a reconnect, the export is whole.
	if code, body := admin.do("POST", "/api/projects/1/assignments", httpapi.AssignRequest{User: "alice", Documents: []int64{f.doc}, Assigned: true}); code != 200 {
		t.Fatalf("assign: %d %s", code, body)
	}
	if code, body := alice.do("POST", fmt.Sprintf("/api/documents/%d/done", f.doc), httpapi.Done{Done: true}); code != 200 {
		t.Fatalf("done: %d %s", code, body)
	}
	for {
		if _, err = read(conn); err != nil {
			break
		}
	}
	if code, ok := closeCodeOf(err); !ok || code != protocol.CloseRestart {
		t.Fatalf("alice's socket after done ended with %v, want close %d", err, protocol.CloseRestart)
	}
	exports(alice, "alice after done", true)
	if n := count(alice); n != 2 {
		t.Fatalf("alice's count after done: %d, want 2", n)
	}
}

// closeCodeOf returns the close code in err, if it is a close.
func closeCodeOf(err error) (int, bool) {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code, true
	}
	return 0, false
}
