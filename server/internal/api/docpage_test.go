package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"gloss/server/internal/api"
	"gloss/server/internal/hub"
	"gloss/server/internal/pages"
	"gloss/server/internal/store"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// countingStore counts the snapshots read.
type countingStore struct {
	store.Store
	snapshots atomic.Int64
}

func (c *countingStore) Snapshot(ctx context.Context, doc int64) (store.Snapshot, error) {
	c.snapshots.Add(1)
	return c.Store.Snapshot(ctx, doc)
}

// pagesServer serves the fixture's store with the real pages handler (a
// fake wasm), so that /doc/{id} carries the pre-render.
func pagesServer(t *testing.T, f *fixture) (*httptest.Server, *countingStore) {
	dir := t.TempDir()
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte("\x00asm fake"))
	w.Close()
	for name, body := range map[string][]byte{"app.wasm": []byte("\x00asm fake"), "app.wasm.gz": gz.Bytes(), "gloss.css": nil, "gloss.js": nil} {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pg, err := pages.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	cs := &countingStore{Store: f.st}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := hub.New(cs, log, hub.Config{})
	srv := httptest.NewServer(api.New(cs, h, log, api.Config{ToolVersion: "gloss test"}, pg).Handler())
	t.Cleanup(func() { srv.Close(); h.Close() })
	return srv, cs
}

var dataA = regexp.MustCompile(`data-a="([^"]*)"`)

// TestDocPageCache: the document page is rendered once per state and
// view and then served from the cache without reading the snapshot; an
// op, a blind setting and another viewer each get their own, right
// page.
func TestDocPageCache(t *testing.T) {
	f := newFixture(t)
	srv, cs := pagesServer(t, f)
	ctx := context.Background()
	login := func(role string) *client {
		c := newClient(t, srv.URL)
		if st, _ := c.postLogin(roleUser[role], password, ""); st != http.StatusSeeOther {
			t.Fatalf("login %s: %d", role, st)
		}
		return c
	}
	alice, rita := login("annotator"), login("reviewer")
	admin := f.as("admin")
	// The page and the paragraphs it fetches (the second request is
	// served from what the first rendered).
	page := func(c *client) string {
		t.Helper()
		code, body := c.do("GET", fmt.Sprintf("/doc/%d", f.doc), nil)
		if code != 200 {
			t.Fatalf("GET /doc: %d", code)
		}
		src := fmt.Sprintf("/doc/%d/paras", f.doc)
		if !strings.Contains(string(body), `<link rel="preload" as="fetch" crossorigin="anonymous" data-gloss-fetch href="`+src+`">`) ||
			!strings.Contains(string(body), `<div id="paras" class="paras" data-src="`+src+`"></div>`) {
			t.Fatalf("the page does not fetch its paragraphs from %s: %s", src, body)
		}
		code, paras := c.do("GET", src, nil)
		if code != 200 {
			t.Fatalf("GET %s: %d", src, code)
		}
		return string(body) + string(paras)
	}
	commit := func(id string, a model.Annotation) {
		t.Helper()
		if _, err := f.st.Commit(ctx, f.doc, []protocol.Op{{ID: id, Kind: protocol.KindAdd, Ann: &a, User: a.Author}}); err != nil {
			t.Fatal(err)
		}
	}
	type want struct {
		seq        int
		has, lacks []string
		snapshot   bool // read the snapshot (not served from the cache)
	}
	check := func(step, who string, c *client, w want) {
		t.Helper()
		before := cs.snapshots.Load()
		html := page(c)
		if !strings.Contains(html, fmt.Sprintf(`data-seq="%d"`, w.seq)) {
			t.Errorf("%s: %s's page is not at seq %d", step, who, w.seq)
		}
		ids := map[string]bool{}
		for _, m := range dataA.FindAllStringSubmatch(html, -1) {
			for _, id := range strings.Fields(m[1]) {
				ids[id] = true
			}
		}
		for _, s := range w.has {
			if !ids[s] {
				t.Errorf("%s: %s's page lacks %s", step, who, s)
			}
		}
		for _, s := range w.lacks {
			if ids[s] {
				t.Errorf("%s: %s's page shows %s", step, who, s)
			}
		}
		if read := cs.snapshots.Load() > before; read != w.snapshot {
			t.Errorf("%s: %s's page read the snapshot: %v, want %v", step, who, read, w.snapshot)
		}
	}
	check("first", "alice", alice, want{seq: 1, has: []string{"b1"}, snapshot: true})
	check("again", "alice", alice, want{seq: 1, has: []string{"b1"}})
	// rita sees the same layers but owns another one (bob's drawn faded
	// for both): her own render, then cached too.
	check("other viewer", "rita", rita, want{seq: 1, has: []string{"b1"}, snapshot: true})
	check("other viewer again", "rita", rita, want{seq: 1, has: []string{"b1"}})
	commit("b2", model.Annotation{ID: "b2", Document: f.doc, Layer: "bob", Label: "figure", Start: 15, End: 23, Quote: "at least", Author: "bob", Version: 1})
	check("after an op", "alice", alice, want{seq: 2, has: []string{"b1", "b2"}, snapshot: true})
	check("after an op, again", "alice", alice, want{seq: 2, has: []string{"b1", "b2"}})
	// Blind annotation: no op moves the seq, but alice's view changes.
	if code, body := admin.do("PUT", "/api/projects/1/settings", model.Settings{Blind: true}); code != 200 {
		t.Fatalf("blind on: %d %s", code, body)
	}
	check("blind", "alice", alice, want{seq: 2, lacks: []string{"b1", "b2"}, snapshot: true})
	check("blind, again", "alice", alice, want{seq: 2, lacks: []string{"b1", "b2"}})
	check("blind, reviewer", "rita", rita, want{seq: 2, has: []string{"b1", "b2"}, snapshot: true})
	commit("a1", model.Annotation{ID: "a1", Document: f.doc, Layer: "alice", Label: "claim", Start: 0, End: 9, Quote: "Officials", Author: "alice", Version: 1})
	check("blind, own op", "alice", alice, want{seq: 3, has: []string{"a1"}, lacks: []string{"b1", "b2"}, snapshot: true})
	check("blind, reviewer after the op", "rita", rita, want{seq: 3, has: []string{"a1", "b1", "b2"}, snapshot: true})
}
