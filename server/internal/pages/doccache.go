package pages

import (
	"sync"

	"gloss/app/markup"
	"gloss/app/view"
	"gloss/shared/model"
)

// DocCache keeps the pre-rendered paragraphs of recently opened documents, so
// that opening a document again does not build its 5,000 highlights
// again (≈ 25 ms) nor read its annotations (≈ 35 ms) while its state has
// not moved. An entry is the HTML of one document at one seq for one way
// of seeing it (DocKey: the viewer's layer and blind view, the schema's
// colours); a document's newer seq drops its older entries. The caller
// checks that the seq it holds is still the document's (Latest, then
// store.OpsSince) before it uses an entry.
type DocCache struct {
	mu     sync.Mutex
	max    int // bytes of HTML kept, at most
	size   int
	clock  uint64
	latest map[int64]docState
	html   map[DocKey]*cached
}

// DocKey is what a pre-rendered document depends on besides its text.
type DocKey struct {
	Doc    int64
	Seq    int64
	Name   string     // the title
	Layer  string     // the viewer's own layer: the others are drawn faded
	View   model.View // blind annotation: what the viewer may see
	Schema string     // the schema's fingerprint (SchemaKey): label colours
}

type docState struct {
	seq    int64
	review model.DocReview
}

type cached struct {
	html string
	used uint64
}

// NewDocCache returns a cache holding up to max bytes of HTML.
func NewDocCache(max int) *DocCache {
	return &DocCache{max: max, latest: map[int64]docState{}, html: map[DocKey]*cached{}}
}

// Latest returns the seq of the newest state of document doc the cache
// has rendered, and the document's review status at that seq (which
// decides a blind annotator's view).
func (c *DocCache) Latest(doc int64) (int64, model.DocReview, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.latest[doc]
	return s.seq, s.review, ok
}

// Get returns the HTML rendered for k, if kept.
func (c *DocCache) Get(k DocKey) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.html[k]
	if !ok {
		return "", false
	}
	c.clock++
	e.used = c.clock
	return e.html, true
}

// Render returns the HTML of d for k (k.Seq is d.Seq, review d's review
// status at that seq) and keeps it. A state older than the newest one
// kept for the document is rendered but not kept.
func (c *DocCache) Render(k DocKey, review model.DocReview, d Document) string {
	html := RenderParagraphs(d)
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.latest[k.Doc]; ok && s.seq > k.Seq {
		return html
	}
	if s, ok := c.latest[k.Doc]; !ok || s.seq < k.Seq {
		for old := range c.html {
			if old.Doc == k.Doc {
				c.drop(old)
			}
		}
		c.latest[k.Doc] = docState{seq: k.Seq, review: review}
	}
	if len(html) > c.max {
		return html
	}
	if _, ok := c.html[k]; ok {
		c.drop(k)
	}
	for c.size+len(html) > c.max {
		c.evict()
	}
	c.clock++
	c.html[k] = &cached{html: html, used: c.clock}
	c.size += len(html)
	return html
}

// drop removes entry k; c.mu is held.
func (c *DocCache) drop(k DocKey) {
	c.size -= len(c.html[k].html)
	delete(c.html, k)
}

// evict removes the least recently used entry; c.mu is held. A few
// dozen entries at most: a scan is cheaper than keeping a list.
func (c *DocCache) evict() {
	var lru DocKey
	var at uint64
	first := true
	for k, e := range c.html {
		if first || e.used < at {
			lru, at, first = k, e.used, false
		}
	}
	if first {
		return
	}
	c.drop(lru)
	if s, ok := c.latest[lru.Doc]; ok && s.seq == lru.Seq {
		still := false
		for k := range c.html {
			if k.Doc == lru.Doc {
				still = true
				break
			}
		}
		if !still {
			delete(c.latest, lru.Doc)
		}
	}
}

// RenderDocument returns the HTML of the pre-rendered document view of d
// (view.RenderDocument: the code the wasm renders with), paragraphs
// included as a data block.
func RenderDocument(d Document) string { return view.RenderDocument(prerenderOf(d)) }

// RenderParagraphs returns the HTML of d's paragraphs with every
// highlight (view.RenderParagraphs): what the cache keeps, and what the
// document page fetches beside it (ServeParagraphs).
func RenderParagraphs(d Document) string { return view.RenderParagraphs(prerenderOf(d)) }

// RenderDocumentShell returns the pre-rendered document view of d with
// head, the HTML of its paragraphs before paragraph from; the page
// fetches the others from src, if set (view.RenderDocumentShell). Only
// d's document, schema, seq and layer are read.
func RenderDocumentShell(d Document, head string, from int, src string) string {
	return view.RenderDocumentShell(prerenderOf(d), head, from, src)
}

// SplitParagraphs cuts the HTML of a document's paragraphs (from
// RenderParagraphs or the cache) before the first paragraph that starts
// at or after byte budget: the page's own (head) and the index of the
// first one it fetches (markup.SplitParagraphs).
func SplitParagraphs(html string, budget int) (head string, from int, ok bool) {
	return markup.SplitParagraphs(html, budget)
}

// ParagraphsFrom returns the paragraphs of html from index from on.
func ParagraphsFrom(html string, from int) (string, bool) { return markup.ParagraphsFrom(html, from) }

func prerenderOf(d Document) view.Prerender {
	return view.Prerender{Document: d.Doc, Schema: d.Schema, Seq: d.Seq, Layer: d.Layer,
		Annotations: d.Annotations, Relations: d.Relations, Comments: d.Comments}
}

// SchemaKey is a fingerprint of what of a schema the pre-render draws:
// its labels' names and colours.
func SchemaKey(s model.Schema) string {
	n := 0
	for _, l := range s.Labels {
		n += len(l.Name) + len(l.Color) + 2
	}
	b := make([]byte, 0, n)
	for _, l := range s.Labels {
		b = append(b, l.Name...)
		b = append(b, 0)
		b = append(b, l.Color...)
		b = append(b, 0)
	}
	return string(b)
}
