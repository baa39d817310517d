package pages

import (
	"strings"
	"testing"

	"gloss/shared/model"
)

// TestDocCache: entries are per key; a newer seq of a document drops its
// older ones and an older one is not kept; the least recently used
// entry goes when the cache is full.
func TestDocCache(t *testing.T) {
	doc := func(id, seq int64) Document {
		return Document{Doc: model.Document{ID: id, Name: "d", Text: strings.Repeat("x", 100)}, Seq: seq, Layer: "alice"}
	}
	key := func(id, seq int64, layer string) DocKey { return DocKey{Doc: id, Seq: seq, Name: "d", Layer: layer} }
	size := len(RenderParagraphs(doc(1, 1)))
	type step struct {
		render  *DocKey // render and keep this key (its seq and doc)
		cached  []DocKey
		missing []DocKey
		latest  int64 // Latest(1), 0: none
	}
	k := func(id, seq int64, layer string) *DocKey { x := key(id, seq, layer); return &x }
	for _, tc := range []struct {
		name  string
		max   int
		steps []step
	}{
		{"per key, newer seq drops older", 10 * size, []step{
			{render: k(1, 1, "alice"), cached: []DocKey{key(1, 1, "alice")}, missing: []DocKey{key(1, 1, "bob")}, latest: 1},
			{render: k(1, 1, "bob"), cached: []DocKey{key(1, 1, "alice"), key(1, 1, "bob")}, latest: 1},
			{render: k(2, 5, "alice"), cached: []DocKey{key(1, 1, "alice"), key(2, 5, "alice")}, latest: 1},
			{render: k(1, 2, "alice"), cached: []DocKey{key(1, 2, "alice"), key(2, 5, "alice")}, missing: []DocKey{key(1, 1, "alice"), key(1, 1, "bob")}, latest: 2},
			// A slow request that read an older state does not bring it back.
			{render: k(1, 1, "alice"), cached: []DocKey{key(1, 2, "alice")}, missing: []DocKey{key(1, 1, "alice")}, latest: 2},
		}},
		{"least recently used goes", 2 * size, []step{
			{render: k(1, 1, "alice"), latest: 1},
			{render: k(2, 1, "alice"), cached: []DocKey{key(1, 1, "alice")}, latest: 1}, // Get: doc 1 used last
			{render: k(3, 1, "alice"), cached: []DocKey{key(1, 1, "alice"), key(3, 1, "alice")}, missing: []DocKey{key(2, 1, "alice")}, latest: 1},
			{render: k(4, 1, "alice"), cached: []DocKey{key(4, 1, "alice")}, missing: []DocKey{key(1, 1, "alice"), key(2, 1, "alice")}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewDocCache(tc.max)
			for i, s := range tc.steps {
				if s.render != nil {
					d := doc(s.render.Doc, s.render.Seq)
					d.Layer = s.render.Layer
					if got, want := c.Render(*s.render, model.DocReview{}, d), RenderParagraphs(d); got != want {
						t.Fatalf("step %d: Render returned other HTML", i)
					}
				}
				for _, k := range s.cached {
					if _, ok := c.Get(k); !ok {
						t.Errorf("step %d: %+v not cached", i, k)
					}
				}
				for _, k := range s.missing {
					if _, ok := c.Get(k); ok {
						t.Errorf("step %d: %+v cached", i, k)
					}
				}
				seq, _, ok := c.Latest(1)
				if !ok {
					seq = 0
				}
				if seq != s.latest {
					t.Errorf("step %d: Latest(1) = %d, want %d", i, seq, s.latest)
				}
				if c.size > tc.max {
					t.Errorf("step %d: %d bytes kept, max %d", i, c.size, tc.max)
				}
			}
		})
	}
}
