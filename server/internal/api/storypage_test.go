package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"gloss/server/internal/pages"
	"gloss/shared/httpapi"
	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/story"
)

// TestStoryPageFresh: the story page's table (rendered once and kept,
// storycache.go) shows every change on the next load, whoever made it —
// ops committed straight to the store as another instance or the CLI
// would, an article's outlet, the story's name and documents — and each
// member gets the table of their own view under blind annotation.
func TestStoryPageFresh(t *testing.T) {
	// The pages handler answers with the table the API rendered.
	f := demoServerPages(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		html, _ := pages.PrerenderedHTML(r)
		io.WriteString(w, html)
	}))
	ctx := context.Background()
	alice, admin := f.login("alice"), f.login("admin")
	var list []httpapi.Story
	alice.getJSON("/api/projects/1/stories", &list)
	if len(list) != 1 {
		t.Fatalf("demo stories: %+v", list)
	}
	sty := list[0]
	page := func(c *client, who string) string {
		t.Helper()
		code, body := c.do("GET", fmt.Sprintf("/stories/%d", sty.ID), nil)
		if code != 200 || !strings.Contains(string(body), `id="story-table"`) {
			t.Fatalf("%s's story page: %d %q", who, code, body)
		}
		return string(body)
	}
	type check struct {
		what string
		want bool
	}
	expect := func(step, body string, checks ...check) {
		t.Helper()
		for _, c := range checks {
			if strings.Contains(body, c.what) != c.want {
				t.Errorf("%s: the table holds %q: %v, want %v", step, c.what, !c.want, c.want)
			}
		}
	}
	expect("first load", page(alice, "alice"), check{"145", true}, check{"777", false}, check{"Cache Test Outlet", false})
	expect("second load", page(alice, "alice"), check{"145", true}, check{"777", false})

	// A figure committed to the first article.
	v := 777.0
	a := model.Annotation{ID: "c1", Document: 1, Layer: "alice", Label: story.LabelFigure, Start: 0, End: 3, Author: "alice", Version: 1,
		Attrs: &model.Attrs{Value: &v, Unit: "people", Quantity: "dead"}}
	d, err := f.st.Document(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	a.Quote = string([]rune(d.Text)[:3])
	if _, err := f.st.Commit(ctx, 1, []protocol.Op{{ID: "cache-add", Kind: protocol.KindAdd, Ann: &a, User: "alice"}}); err != nil {
		t.Fatal(err)
	}
	expect("after an op", page(alice, "alice"), check{"777", true})
	// The story view's state (the wasm's first read) comes from the same
	// cache.
	var state httpapi.StoryState
	alice.getJSON(fmt.Sprintf("/api/stories/%d/state", sty.ID), &state)
	if n := countAnn(state, "c1"); n != 1 {
		t.Errorf("after an op: the story state holds c1 %d times", n)
	}

	// Its deletion.
	if _, err := f.st.Commit(ctx, 1, []protocol.Op{{ID: "cache-del", Kind: protocol.KindDelete, Target: "c1", Version: 1, User: "alice"}}); err != nil {
		t.Fatal(err)
	}
	expect("after a delete", page(alice, "alice"), check{"777", false})
	state = httpapi.StoryState{}
	alice.getJSON(fmt.Sprintf("/api/stories/%d/state", sty.ID), &state)
	if n := countAnn(state, "c1"); n != 0 {
		t.Errorf("after a delete: the story state holds c1 %d times", n)
	}

	// An article's outlet, the story's name.
	if err := f.st.SetDocumentMeta(ctx, 2, map[string]string{story.MetaOutlet: "Cache Test Outlet"}); err != nil {
		t.Fatal(err)
	}
	expect("after an outlet change", page(alice, "alice"), check{"Cache Test Outlet", true})
	name := "Renamed for the cache test"
	if code, body := admin.do("PATCH", fmt.Sprintf("/api/stories/%d", sty.ID), map[string]any{"name": name}); code != 200 {
		t.Fatalf("rename: %d %s", code, body)
	}
	expect("after a rename", page(alice, "alice"), check{name, true})

	// Blind annotation: alice sees her layer only (not bob's 145), the
	// admin everything — from one cache.
	if code, body := admin.do("PUT", "/api/projects/1/settings", model.Settings{Blind: true}); code != 200 {
		t.Fatalf("blind: %d %s", code, body)
	}
	expect("admin, blind", page(admin, "admin"), check{"145", true})
	expect("alice, blind", page(alice, "alice"), check{"145", false}, check{"115", true})
	expect("admin again, blind", page(admin, "admin"), check{"145", true})

	// The second article leaves the story.
	if code, body := admin.do("PATCH", fmt.Sprintf("/api/stories/%d", sty.ID), map[string]any{"documents": []int64{1}}); code != 200 {
		t.Fatalf("regroup: %d %s", code, body)
	}
	expect("admin, one article", page(admin, "admin"), check{"145", false}, check{"115", true}, check{"Cache Test Outlet", false})
}

// countAnn counts the annotations with id in a story state.
func countAnn(st httpapi.StoryState, id string) int {
	n := 0
	for _, d := range st.Documents {
		for _, a := range d.Annotations {
			if a.ID == id {
				n++
			}
		}
	}
	return n
}
