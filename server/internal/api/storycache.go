package api

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"gloss/app/view"
	"gloss/server/internal/store"
	"gloss/shared/model"
	"gloss/shared/story"
)

// Bounds of the story page cache: stories kept, and rendered tables kept
// per story (one per distinct view: under blind annotation each
// annotator may see another table).
const (
	maxCachedStories = 16
	maxCachedViews   = 8
)

// storyCache keeps, per story, its documents' state as last read and the
// story page's table rendered from it for each view. Reading 50
// articles' snapshots and building their table is most of the story
// page's server time (≈ 100 ms); checking that nothing changed is one
// query for all articles: their seqs (DocSeqs) against those they were
// read at. Only an article that moved is read again. Every change to what the table
// shows either commits ops (spans, relations, review status: a new seq)
// or changes the story itself (name, documents, their title, outlet or
// publication time: compared with the story read for the request), so
// the cache is right whoever made the change (another instance, the CLI).
type storyCache struct {
	mu      sync.Mutex
	stories map[int64]*storyEntry
	tick    uint64
}

type storyEntry struct {
	mu   sync.Mutex
	used uint64
	docs map[int64]*storyDocState
	// html is the rendered table by storyKey.
	html map[string]string
}

// storyDocState is one article as read at seq.
type storyDocState struct {
	sd     store.StoryDocument
	seq    int64
	doc    model.Document
	anns   []model.Annotation
	rels   []model.Relation
	review model.DocReview
}

// entry returns the cache entry of story id, making room if needed.
func (c *storyCache) entry(id int64) *storyEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stories == nil {
		c.stories = map[int64]*storyEntry{}
	}
	c.tick++
	e := c.stories[id]
	if e == nil {
		if len(c.stories) >= maxCachedStories {
			var oldest int64
			var at uint64
			for k, v := range c.stories {
				if oldest == 0 || v.used < at {
					oldest, at = k, v.used
				}
			}
			delete(c.stories, oldest)
		}
		e = &storyEntry{docs: map[int64]*storyDocState{}, html: map[string]string{}}
		c.stories[id] = e
	}
	e.used = c.tick
	return e
}

// storyPageHTML is story s's table as the story page serves it
// (view.RenderStory) for a member whose view of each document is viewOf.
func (s *Server) storyPageHTML(ctx context.Context, st store.Story, viewOf func(int64, model.DocReview) model.View) (string, error) {
	e := s.storyCache.entry(st.ID)
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := s.refreshStory(ctx, e, st); err != nil {
		return "", err
	}
	docs, _, views := e.viewed(st, viewOf)
	key := storyKey(st, views)
	if html, ok := e.html[key]; ok {
		return html, nil
	}
	if len(e.html) >= maxCachedViews {
		clear(e.html)
	}
	html := view.RenderStory(story.Build(story.Story{ID: st.ID, Name: st.Name, Documents: docs}))
	e.html[key] = html
	return html, nil
}

// cachedStoryDocs is storyDocs from the cache: story st's documents as
// viewOf shows them, with the seq each was read at. The annotations and
// relations are the cache's: read them, never change them.
func (s *Server) cachedStoryDocs(ctx context.Context, st store.Story, viewOf func(int64, model.DocReview) model.View) ([]story.Document, []int64, error) {
	e := s.storyCache.entry(st.ID)
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := s.refreshStory(ctx, e, st); err != nil {
		return nil, nil, err
	}
	docs, seqs, _ := e.viewed(st, viewOf)
	return docs, seqs, nil
}

// refreshStory brings e up to date with story st: an article whose seq
// moved, or whose details changed, is read again (and the rendered
// tables dropped); one no longer in the story is forgotten. e.mu is held.
func (s *Server) refreshStory(ctx context.Context, e *storyEntry, st store.Story) error {
	var held []int64
	for _, sd := range st.Documents {
		if d := e.docs[sd.ID]; d != nil && d.sd == sd {
			held = append(held, sd.ID)
		}
	}
	// One query for the seqs of all the articles held, not one per
	// article. A seq only moves with committed ops, so "seq > the one
	// read at" is "ops since it" (an article gone meanwhile, absent
	// here, is kept as it was: the story read for the request has it).
	seqs, err := s.store.DocSeqs(ctx, held)
	if err != nil {
		return fmt.Errorf("api: story page: %w", err)
	}
	moved := false
	for _, sd := range st.Documents {
		d := e.docs[sd.ID]
		if d != nil && d.sd == sd && seqs[sd.ID] <= d.seq {
			continue
		}
		d, err := readStoryDoc(ctx, s.store, sd)
		if err != nil {
			return err
		}
		e.docs[sd.ID], moved = d, true
	}
	if len(e.docs) > len(st.Documents) {
		keep := map[int64]bool{}
		for _, sd := range st.Documents {
			keep[sd.ID] = true
		}
		for id := range e.docs {
			if !keep[id] {
				delete(e.docs, id)
			}
		}
	}
	if moved {
		clear(e.html)
	}
	return nil
}

// viewed is story st's documents (e up to date with it) as viewOf shows
// them, with their seqs and the view of each. e.mu is held.
func (e *storyEntry) viewed(st store.Story, viewOf func(int64, model.DocReview) model.View) ([]story.Document, []int64, []model.View) {
	docs := make([]story.Document, len(st.Documents))
	seqs := make([]int64, len(st.Documents))
	views := make([]model.View, len(st.Documents))
	for i, sd := range st.Documents {
		d := e.docs[sd.ID]
		views[i], seqs[i] = viewOf(sd.ID, d.review), d.seq
		anns, rels, _, _ := views[i].Filter(d.anns, d.rels, nil, nil)
		docs[i] = story.FromModel(d.doc, anns, rels)
		docs[i].Name = sd.Title
	}
	return docs, seqs, views
}

// readStoryDoc reads one article of a story: its document and snapshot.
func readStoryDoc(ctx context.Context, st store.Store, sd store.StoryDocument) (*storyDocState, error) {
	d, err := st.Document(ctx, sd.ID)
	if err != nil {
		return nil, err
	}
	snap, err := st.Snapshot(ctx, sd.ID)
	if err != nil {
		return nil, err
	}
	return &storyDocState{sd: sd, seq: snap.Seq, doc: d, anns: snap.Annotations, rels: snap.Relations, review: snap.DocReview}, nil
}

// storyKey says what a rendered table depends on besides the documents'
// state: the story's name, its documents in order with their details,
// and the member's view of each.
func storyKey(st store.Story, views []model.View) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q", st.Name)
	for i, sd := range st.Documents {
		fmt.Fprintf(&b, "|%d %q %q %q %q %v", sd.ID, sd.Name, sd.Title, sd.Outlet, sd.Published, views[i])
	}
	return b.String()
}
