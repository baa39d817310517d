package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"gloss/server/internal/pages"
	"gloss/server/internal/store"
	"gloss/shared/model"
)

// handleDocPage serves the document page /doc/{id} with the document
// already rendered into it for the logged-in user (prerenderDoc), so the
// highlighted text shows before the wasm has loaded: the page holds the
// desk's frame, title and — an article of up to Config.InlineParas bytes
// of paragraphs — all its paragraphs; a longer one's it preloads, and its
// script fetches them all (handleDocParas) and sets them with one
// innerHTML.
// Someone not logged in gets the bare page (the app sends them to the
// login); a document that does not exist or is in a project the user is
// not a member of gets the bare page with 404 — no text, as for the API.
func (s *Server) handleDocPage(w http.ResponseWriter, r *http.Request) {
	s.servePrerendered(w, r, "document", func(user model.User, id int64) (*http.Request, error) {
		pre, err := s.prerenderDoc(r, user, id)
		if err != nil {
			return nil, err
		}
		// The page's socket joins the document's room at once, and its
		// first tag waits for the room to have read the document: the
		// room starts reading it now, while the browser loads the page.
		if s.hub != nil {
			s.hub.Warm(id, roomWarmHold)
		}
		// A short article is all in the page; a long one's paragraphs are
		// all fetched beside it. Carrying the first 48 KiB of a
		// 5,000-span article in the page and fetching the rest painted
		// every highlight later (788 / 688 vs 545 / 557 ms cold / new
		// tab, quiet machine): the page's own first frame and the second
		// insertion each cost a style, layout and paint of the paragraphs.
		if len(pre.paras) <= s.inlineParas() {
			return pages.WithHTML(r, pages.RenderDocumentShell(pre.doc, pre.paras, 0, ""), pages.FillFirst), nil
		}
		src := parasURL(id, 0, pre.doc.Seq)
		return pages.WithHTML(r, pages.RenderDocumentShell(pre.doc, "", 0, src), pages.FillFirst, src), nil
	})
}

// roomWarmHold is how long serving a document page keeps the document's
// room open (hub.Warm): long enough for the page's socket to join.
const roomWarmHold = 10 * time.Second

// inlineParas is how many bytes of paragraphs the document page carries
// at most: a document with more has none in its page.
func (s *Server) inlineParas() int {
	switch n := s.cfg.InlineParas; {
	case n == 0:
		return 48 << 10
	case n < 0:
		return 0
	default:
		return n
	}
}

// parasURL is where the document page fetches document id's paragraphs
// from paragraph from on, as drawn at seq (the page's own paragraphs).
func parasURL(id int64, from int, seq int64) string {
	return "/doc/" + strconv.FormatInt(id, 10) + "/paras?from=" + strconv.Itoa(from) + "&seq=" + strconv.FormatInt(seq, 10)
}

// handleDocParas answers the document page's fetch of its paragraphs:
// what the user may see of the document now, with every highlight (from
// the cache when no op came since), and the seq it was drawn at. If the
// document is still at the page's seq (query seq), only the paragraphs
// from query from on (those the page does not hold); else all of them,
// which replace the page's (pages.ParasFromHeader says which). Not
// logged in: 401; no such document or not a member: 404.
func (s *Server) handleDocParas(w http.ResponseWriter, r *http.Request) {
	p, err := s.authenticate(r)
	if err != nil {
		http.Error(w, "not logged in", http.StatusUnauthorized)
		return
	}
	id, perr := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if perr != nil || id <= 0 {
		http.NotFound(w, r)
		return
	}
	pre, err := s.prerenderDoc(r, p.user, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		http.NotFound(w, r)
	case err != nil:
		s.log.Error("api: pre-render paragraphs", "id", id, "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	default:
		html, from := pre.paras, 0
		q := r.URL.Query()
		if n, err := strconv.Atoi(q.Get("from")); err == nil && n > 0 && q.Get("seq") == strconv.FormatInt(pre.doc.Seq, 10) {
			if rest, ok := pages.ParagraphsFrom(pre.paras, n); ok {
				html, from = rest, n
			}
		}
		pages.ServeParagraphs(w, r, html, pre.doc.Seq, from)
	}
}

// servePrerendered serves a page whose content the server renders into
// its HTML for the logged-in user (render returns the request carrying
// it). Not logged in, or the database out: the bare page, whose wasm
// logs in or retries. A bad id, or ErrNotFound from render (no such
// thing, or not the user's project): the bare page with 404 — nothing of
// it, as for the API. Any other failure: the bare page, which works
// without the pre-render (the wasm loads the content itself).
func (s *Server) servePrerendered(w http.ResponseWriter, r *http.Request, what string, render func(user model.User, id int64) (*http.Request, error)) {
	p, err := s.authenticate(r)
	if err != nil {
		s.pages.ServeHTTP(w, r)
		return
	}
	id, perr := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if perr != nil || id <= 0 {
		s.pages.ServeHTTP(w, pages.WithStatus(r, http.StatusNotFound))
		return
	}
	pr, err := render(p.user, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.pages.ServeHTTP(w, pages.WithStatus(r, http.StatusNotFound))
	case err != nil:
		s.log.Error("api: pre-render "+what, "id", id, "err", err)
		s.pages.ServeHTTP(w, r)
	default:
		s.pages.ServeHTTP(w, pr)
	}
}

// docPrerender is what prerenderDoc finds: the document as the user sees
// it (doc: its text, schema, seq and layer, without annotations) and the
// HTML of its paragraphs at that seq.
type docPrerender struct {
	doc   pages.Document
	paras string
}

// prerenderDoc returns what user may see of document id; ErrNotFound if
// the document does not exist or the user is not a member of its
// project. The HTML of the document's current state is kept
// (s.prerenders) and served again while no op has moved the document on:
// checking that costs one indexed read, where reading 5,000 annotations
// and drawing them cost ≈ 60 ms.
func (s *Server) prerenderDoc(r *http.Request, user model.User, id int64) (docPrerender, error) {
	ctx := r.Context()
	doc, err := s.store.Document(ctx, id)
	if err != nil {
		return docPrerender{}, err
	}
	role, err := s.store.Role(ctx, doc.ProjectID, user.ID)
	if err != nil {
		return docPrerender{}, err
	}
	proj, err := s.store.Project(ctx, doc.ProjectID)
	if err != nil {
		return docPrerender{}, err
	}
	// What the member sees, by the rule the hub's welcome applies
	// (model.ViewOf): under blind annotation, their own layer.
	view, err := viewsOf(ctx, s.store, doc.ProjectID, role, user)
	if err != nil {
		return docPrerender{}, err
	}
	key := pages.DocKey{Doc: id, Name: doc.Name, Layer: model.DefaultLayer(role, user.Name), Schema: pages.SchemaKey(proj.Schema)}
	out := docPrerender{doc: pages.Document{Doc: doc, Schema: proj.Schema, Layer: key.Layer}}
	if seq, review, ok := s.prerenders.Latest(id); ok {
		key.Seq, key.View = seq, view(id, review)
		if html, ok := s.prerenders.Get(key); ok {
			// Still the document's state if no op came after it.
			newer, err := s.store.OpsSince(ctx, id, seq, 1)
			if err != nil {
				return docPrerender{}, err
			}
			if len(newer) == 0 {
				out.doc.Seq, out.paras = seq, html
				return out, nil
			}
		}
	}
	snap, err := s.store.Snapshot(ctx, id)
	if err != nil {
		return docPrerender{}, err
	}
	key.Seq, key.View = snap.Seq, view(id, snap.DocReview)
	anns, _, _, comments := key.View.Filter(snap.Annotations, snap.Relations, snap.Reviews, snap.Comments)
	out.doc.Seq = snap.Seq
	out.paras = s.prerenders.Render(key, snap.DocReview, pages.Document{Doc: doc, Schema: proj.Schema, Seq: snap.Seq, Layer: key.Layer,
		Annotations: anns, Relations: snap.Relations, Comments: comments})
	return out, nil
}

// newPrerenders is the cache of pre-rendered documents: 64 MB of HTML, a
// few dozen 5,000-span documents.
func newPrerenders() *pages.DocCache { return pages.NewDocCache(64 << 20) }
