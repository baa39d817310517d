// Package export writes a project's documents and annotations as dataset
// files and reads them back.
//
// Writers (Write) stream: each document is encoded as soon as the iterator
// yields it and nothing is kept across documents except what a format needs
// at its very end (the brat zip's central directory, the dataset card's
// counts), so memory stays constant in the number of documents.
//
//   - jsonl: one JSON object per line and document (jsonl.go)
//   - conll: CoNLL-2003-style IOB2, one tag column per label (conll.go)
//   - w3c:   a W3C Web Annotation AnnotationCollection in JSON-LD (w3c.go)
//   - brat:  a zip of brat standoff .txt/.ann files with annotation.conf and
//     a dataset card (brat.go)
//   - card:  the dataset card alone, as JSON (card.go)
//
// Read (read.go) imports jsonl, w3c and brat. For each of these three,
// export → Read → export gives the same bytes, provided the document text is
// valid UTF-8 and the same project, Options and Now are used.
//
// All offsets, in every format, are Unicode code points with an exclusive
// end, as in model.Annotation: Python's text[start:end] is the span.
package export

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"time"

	"gloss/shared/model"
	"gloss/shared/story"
	"gloss/shared/textpos"
)

// Format names accepted by Write, ContentType and FileExtension.
const (
	FormatJSONL = "jsonl"
	FormatCoNLL = "conll"
	FormatW3C   = "w3c"
	FormatBrat  = "brat"
	FormatCard  = "card"
)

// ErrUnknownFormat is returned (wrapped) for a format name this package does
// not know, so that the HTTP layer can answer 400 rather than 500.
var ErrUnknownFormat = errors.New("unknown format")

// Doc is one document with the annotations and relations to export. Write
// applies Options' layer, label and review filters itself, so a caller may pass
// everything it has.
type Doc struct {
	Document    model.Document
	Annotations []model.Annotation
	Relations   []model.Relation
	// Reviews are the annotations' review records (accepted, rejected,
	// edited; a gold span's provenance) and DocReview the document's review
	// status. JSONL carries them (jsonl.go); the other formats do not.
	Reviews   []model.Review
	DocReview model.DocReview
}

// Options selects what to export and stamps the result.
type Options struct {
	// Layers keeps only annotations and relations in these layers; empty
	// keeps all.
	Layers []string
	// Labels keeps only annotations with these labels; empty keeps all.
	// Relations are kept only when both their ends are.
	Labels []string
	// Reviews keeps only annotations whose review status (see Doc.Reviews;
	// an annotation without a review record is "unreviewed") is one of
	// these: "unreviewed", "accepted", "rejected", "edited". Empty keeps
	// all. Relations are kept only when both their ends are.
	Reviews []string
	// ToolVersion is recorded in the dataset card and as the W3C generator.
	ToolVersion string
	// Now is the export time recorded in the card, the W3C collection and
	// the brat zip entries. Zero means time.Now(); tests fix it so that
	// output is reproducible.
	Now time.Time
	// IsAccount reports whether a layer is named after a user account,
	// i.e. is a human annotator's (model.KindOfLayer): the card's
	// annotators and agreement count those only, not imported machine
	// layers or suggestions. Nil: every layer but gold and suggestions.
	IsAccount func(layer string) bool
	// BaseURL, when set (e.g. "https://gloss.example.org"), makes W3C ids
	// URLs under it; when empty they are urn:gloss: URNs. See w3c.go.
	BaseURL string
}

func (o Options) now() time.Time {
	if o.Now.IsZero() {
		return time.Now().UTC()
	}
	return o.Now.UTC()
}

// tool is how the card and the W3C generator name this program.
func (o Options) tool() string {
	if o.ToolVersion == "" {
		return "Gloss"
	}
	return "Gloss " + o.ToolVersion
}

// ContentType returns the media type to serve format with.
func ContentType(format string) (string, error) {
	switch format {
	case FormatJSONL:
		return "application/x-ndjson", nil
	case FormatCoNLL:
		return "text/plain; charset=utf-8", nil
	case FormatW3C:
		// The profile is what the Web Annotation Protocol uses.
		return `application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"`, nil
	case FormatBrat:
		return "application/zip", nil
	case FormatCard:
		return "application/json", nil
	}
	return "", fmt.Errorf("export: %q: %w", format, ErrUnknownFormat)
}

// FileExtension returns the file name extension, with its dot, for format,
// or "" for an unknown format.
func FileExtension(format string) string {
	switch format {
	case FormatJSONL:
		return ".jsonl"
	case FormatCoNLL:
		return ".conll"
	case FormatW3C:
		return ".jsonld"
	case FormatBrat:
		return ".zip"
	case FormatCard:
		return ".json"
	}
	return ""
}

// Write encodes the documents that docs yields to w in format. It stops at
// the first error, from the iterator, from w or from invalid data (a span
// outside its document or whose quote does not match the text), and
// returns it wrapped as "export: <format>: …".
func Write(w io.Writer, format string, project model.Project, docs iter.Seq2[Doc, error], opt Options) error {
	switch format {
	case FormatJSONL:
		return writeJSONL(w, docs, opt)
	case FormatCoNLL:
		return writeCoNLL(w, project, docs, opt)
	case FormatW3C:
		return writeW3C(w, project, docs, opt)
	case FormatBrat:
		return writeBrat(w, project, docs, opt)
	case FormatCard:
		return writeCardJSON(w, project, docs, opt)
	}
	return fmt.Errorf("export: %q: %w", format, ErrUnknownFormat)
}

// Docs adapts a slice to the iterator Write takes, e.g. to write what Read
// returned.
func Docs(docs []Doc) iter.Seq2[Doc, error] {
	return func(yield func(Doc, error) bool) {
		for _, d := range docs {
			if !yield(d, nil) {
				return
			}
		}
	}
}

// docView is one document ready to encode: its annotations filtered,
// validated and in reading order, its relations filtered to those whose
// ends are both exported, sorted by id. It is only valid until the next
// call to preparer.prepare, which reuses its slices.
type docView struct {
	doc       model.Document
	text      *textpos.Text
	anns      []model.Annotation
	rels      []model.Relation
	reviews   map[string]model.Review // by annotation ID, the reviewed ones only
	docReview model.DocReview
	// attributed says, for each claim and figure, whether a source
	// relation vouches for it (story.Attributed over every layer of the
	// document, whatever the filters keep).
	attributed map[string]bool
}

// preparer applies Options' filters. It keeps scratch space between
// documents so that a large export does not allocate per document.
type preparer struct {
	layers   map[string]bool
	labels   map[string]bool
	statuses map[model.ReviewStatus]bool   // the Reviews filter; nil keeps all
	status   map[string]model.ReviewStatus // scratch: by annotation ID, for the Reviews filter
	anns     []model.Annotation
	rels     []model.Relation
	kept     map[string]bool
	reviews  map[string]model.Review
}

func newPreparer(opt Options) *preparer {
	p := &preparer{kept: map[string]bool{}, reviews: map[string]model.Review{}}
	if len(opt.Layers) > 0 {
		p.layers = setOf(opt.Layers)
	}
	if len(opt.Labels) > 0 {
		p.labels = setOf(opt.Labels)
	}
	if len(opt.Reviews) > 0 {
		p.statuses = map[model.ReviewStatus]bool{}
		p.status = map[string]model.ReviewStatus{}
		for _, s := range opt.Reviews {
			p.statuses[model.ReviewStatus(s)] = true
		}
	}
	return p
}

func setOf(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func (p *preparer) prepare(d Doc) (docView, error) {
	v := docView{doc: d.Document, text: textpos.New(d.Document.Text)}
	if p.statuses != nil {
		clear(p.status)
		for _, r := range d.Reviews {
			if r.Status != "" {
				p.status[r.Annotation] = r.Status
			}
		}
	}
	p.anns = p.anns[:0]
	for _, a := range d.Annotations {
		if p.layers != nil && !p.layers[a.Layer] || p.labels != nil && !p.labels[a.Label] {
			continue
		}
		if p.statuses != nil && !p.statuses[cmp.Or(p.status[a.ID], model.ReviewUnreviewed)] {
			continue
		}
		if err := model.ValidateSpan(v.text, a.Start, a.End, a.Quote); err != nil {
			return docView{}, fmt.Errorf("%s: annotation %q: %w", docRef(d.Document), a.ID, err)
		}
		p.anns = append(p.anns, a)
	}
	if !slices.IsSortedFunc(p.anns, model.ReadingOrder) {
		slices.SortFunc(p.anns, model.ReadingOrder)
	}
	clear(p.kept)
	for _, a := range p.anns {
		p.kept[a.ID] = true
	}
	p.rels = p.rels[:0]
	for _, r := range d.Relations {
		if p.layers != nil && !p.layers[r.Layer] || !p.kept[r.From] || !p.kept[r.To] {
			continue
		}
		p.rels = append(p.rels, r)
	}
	slices.SortFunc(p.rels, func(a, b model.Relation) int { return strings.Compare(a.ID, b.ID) })
	v.anns, v.rels = p.anns, p.rels
	clear(p.reviews)
	for _, r := range d.Reviews {
		if p.kept[r.Annotation] && r.Status != "" && r.Status != model.ReviewUnreviewed {
			p.reviews[r.Annotation] = r
		}
	}
	v.reviews, v.docReview = p.reviews, d.DocReview
	v.attributed = story.Attributed(d.Annotations, d.Relations)
	return v, nil
}

func docRef(d model.Document) string {
	return fmt.Sprintf("document %d (%q)", d.ID, d.Name)
}
