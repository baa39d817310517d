package export

import (
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"

	"gloss/server/internal/jsonenc"
	"gloss/shared/model"
)

// W3C: the Web Annotation Data Model (https://www.w3.org/TR/annotation-model/)
// in JSON-LD. The whole export is one AnnotationCollection whose "first"
// (and "last") is a single embedded AnnotationPage holding every item:
// a stream cannot know how to cut pages ahead, and one page keeps the file
// self-contained. "total", the number of items, is therefore written after
// "first", when it is known; JSON key order carries no meaning. One item is
// written per line.
//
// Per document the page holds, in this order:
//
//  1. a document item carrying the text, so that an export can be imported
//     without the original files: motivation "describing", body a
//     TextualBody (format text/plain) whose value is the document text,
//     target the document's IRI, plus "gloss:document": {id, name, meta};
//  2. one item per span, in reading order: motivation "tagging", body a
//     TextualBody with purpose "tagging" and the label as value, target a
//     SpecificResource whose source is the document IRI and whose selectors
//     are alternatives: a TextQuoteSelector (exact, and up to 32 code points
//     of prefix and suffix, omitted when empty) and a TextPositionSelector
//     (start, end in code points, as the model requires); creator
//     {"type":"Person","nickname":annotator}, created, modified, and
//     "gloss:layer"; claims and figures also "gloss:attributed" (true
//     when a source relation vouches for them, story.Attributed, as in
//     the JSONL export);
//  3. one item per relation, by id: motivation "linking", target the span
//     the relation starts from, body the span it points to and a tagging
//     TextualBody with the relation type. Target and body rather than two
//     targets, because JSON-LD treats "target" as an unordered set and the
//     direction (attribution → claim) matters.
//
// "gloss:document", "gloss:layer" and "gloss:attributed" are extensions; JSON-LD processors see
// them as properties named by the IRIs gloss:document, gloss:layer and
// gloss:attributed.
//
// Ids are urn:gloss: URNs unless Options.BaseURL is set:
//
//	collection  urn:gloss:project:P:annotations         BASE/projects/P/annotations
//	page        urn:gloss:project:P:annotations:page:0  BASE/projects/P/annotations?page=0
//	document    urn:gloss:project:P:document:D          BASE/projects/P/documents/D
//	text item   DOC:text                                 DOC/text
//	span        DOC:annotation:ID                        DOC/annotations/ID
//	relation    DOC:relation:ID                          DOC/relations/ID
//
// Annotation and relation ids must therefore pass model.ValidID. Every
// item repeats "@context" so that each is a valid annotation on its own.
// w3c_test.go validates the output against the W3C test suite's schemas.

const annoContext = "http://www.w3.org/ns/anno.jsonld"

// w3cIDs makes the IRIs listed above.
type w3cIDs struct {
	base    string // without trailing slash; "" for URNs
	project int64
}

func (x w3cIDs) urn() bool { return x.base == "" }

func (x w3cIDs) collection() string {
	if x.urn() {
		return "urn:gloss:project:" + strconv.FormatInt(x.project, 10) + ":annotations"
	}
	return x.base + "/projects/" + strconv.FormatInt(x.project, 10) + "/annotations"
}

func (x w3cIDs) page() string {
	if x.urn() {
		return x.collection() + ":page:0"
	}
	return x.collection() + "?page=0"
}

func (x w3cIDs) document(id int64) string {
	if x.urn() {
		return "urn:gloss:project:" + strconv.FormatInt(x.project, 10) + ":document:" + strconv.FormatInt(id, 10)
	}
	return x.base + "/projects/" + strconv.FormatInt(x.project, 10) + "/documents/" + strconv.FormatInt(id, 10)
}

// child makes the IRI of something inside document IRI doc: kind is
// "annotation" or "relation" (or "" for the text item, whose name is id).
func (x w3cIDs) child(doc, kind, id string) string {
	switch {
	case kind == "" && x.urn():
		return doc + ":" + id
	case kind == "":
		return doc + "/" + id
	case x.urn():
		return doc + ":" + kind + ":" + id
	}
	return doc + "/" + kind + "s/" + id
}

// localID is the inverse of child: the last segment of an IRI made above.
func localID(iri string) string {
	return iri[strings.LastIndexAny(iri, ":/")+1:]
}

func writeW3C(w io.Writer, project model.Project, docs iter.Seq2[Doc, error], opt Options) error {
	ids := w3cIDs{base: strings.TrimRight(opt.BaseURL, "/"), project: project.ID}
	b := append([]byte(nil), `{"@context":"`+annoContext+`","id":`...)
	b = jsonenc.AppendString(b, ids.collection())
	b = append(b, `,"type":"AnnotationCollection","label":`...)
	b = jsonenc.AppendString(b, project.Name)
	b = append(b, `,"created":`...)
	b = appendJSONTime(b, opt.now())
	b = append(b, `,"generator":{"type":"Software","name":`...)
	b = jsonenc.AppendString(b, opt.tool())
	b = append(b, `},"last":`...)
	b = jsonenc.AppendString(b, ids.page())
	b = append(b, `,"first":{"id":`...)
	b = jsonenc.AppendString(b, ids.page())
	b = append(b, `,"type":"AnnotationPage","startIndex":0,"items":[`...)
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("export: w3c: %w", err)
	}
	p := newPreparer(opt)
	total := 0
	for d, err := range docs {
		if err != nil {
			return fmt.Errorf("export: w3c: %w", err)
		}
		v, err := p.prepare(d)
		if err != nil {
			return fmt.Errorf("export: w3c: %w", err)
		}
		if b, err = appendW3CDoc(b[:0], ids, v, total == 0); err != nil {
			return fmt.Errorf("export: w3c: %s: %w", docRef(v.doc), err)
		}
		total += 1 + len(v.anns) + len(v.rels)
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("export: w3c: %w", err)
		}
	}
	b = append(b[:0], "\n]},\"total\":"...)
	b = strconv.AppendInt(b, int64(total), 10)
	b = append(b, "}\n"...)
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("export: w3c: %w", err)
	}
	return nil
}

func appendW3CDoc(b []byte, ids w3cIDs, v docView, first bool) ([]byte, error) {
	doc := ids.document(v.doc.ID)
	sep := func() {
		if first {
			b = append(b, '\n')
			first = false
		} else {
			b = append(b, ",\n"...)
		}
	}
	sep()
	b = append(b, `{"@context":"`+annoContext+`","id":`...)
	b = jsonenc.AppendString(b, ids.child(doc, "", "text"))
	b = append(b, `,"type":"Annotation","motivation":"describing","body":{"type":"TextualBody","purpose":"describing","format":"text/plain","value":`...)
	b = jsonenc.AppendString(b, v.doc.Text)
	b = append(b, `},"target":`...)
	b = jsonenc.AppendString(b, doc)
	b = append(b, `,"gloss:document":{"id":`...)
	b = appendJSONInt(b, v.doc.ID)
	b = append(b, `,"name":`...)
	b = jsonenc.AppendString(b, v.doc.Name)
	b = append(b, `,"meta":`...)
	b = appendJSONMeta(b, v.doc.Meta)
	b = append(b, "}}"...)

	for _, a := range v.anns {
		if !model.ValidID(a.ID) {
			return nil, fmt.Errorf("annotation id %q cannot be part of an IRI", a.ID)
		}
		sep()
		b = append(b, `{"@context":"`+annoContext+`","id":`...)
		b = jsonenc.AppendString(b, ids.child(doc, "annotation", a.ID))
		b = append(b, `,"type":"Annotation","motivation":"tagging","created":`...)
		b = appendJSONTime(b, a.Created)
		b = append(b, `,"modified":`...)
		b = appendJSONTime(b, a.Updated)
		b = appendW3CCreator(b, a.Author)
		b = append(b, `,"body":{"type":"TextualBody","purpose":"tagging","value":`...)
		b = jsonenc.AppendString(b, a.Label)
		b = append(b, `},"target":{"type":"SpecificResource","source":`...)
		b = jsonenc.AppendString(b, doc)
		b = append(b, `,"selector":[{"type":"TextQuoteSelector","exact":`...)
		b = jsonenc.AppendString(b, a.Quote)
		if prefix, _ := v.text.Slice(max(0, a.Start-quoteContext), a.Start); prefix != "" {
			b = append(b, `,"prefix":`...)
			b = jsonenc.AppendString(b, prefix)
		}
		if suffix, _ := v.text.Slice(a.End, min(v.text.Len(), a.End+quoteContext)); suffix != "" {
			b = append(b, `,"suffix":`...)
			b = jsonenc.AppendString(b, suffix)
		}
		b = append(b, `},{"type":"TextPositionSelector","start":`...)
		b = appendJSONInt(b, int64(a.Start))
		b = append(b, `,"end":`...)
		b = appendJSONInt(b, int64(a.End))
		b = append(b, `}]},"gloss:layer":`...)
		b = jsonenc.AppendString(b, a.Layer)
		if at, ok := v.attributed[a.ID]; ok {
			b = append(b, `,"gloss:attributed":`...)
			b = strconv.AppendBool(b, at)
		}
		b = append(b, '}')
	}

	for _, r := range v.rels {
		if !model.ValidID(r.ID) {
			return nil, fmt.Errorf("relation id %q cannot be part of an IRI", r.ID)
		}
		sep()
		b = append(b, `{"@context":"`+annoContext+`","id":`...)
		b = jsonenc.AppendString(b, ids.child(doc, "relation", r.ID))
		b = append(b, `,"type":"Annotation","motivation":"linking","created":`...)
		b = appendJSONTime(b, r.Created)
		b = appendW3CCreator(b, r.Author)
		b = append(b, `,"body":[`...)
		b = jsonenc.AppendString(b, ids.child(doc, "annotation", r.To))
		b = append(b, `,{"type":"TextualBody","purpose":"tagging","value":`...)
		b = jsonenc.AppendString(b, r.Type)
		b = append(b, `}],"target":`...)
		b = jsonenc.AppendString(b, ids.child(doc, "annotation", r.From))
		b = append(b, `,"gloss:layer":`...)
		b = jsonenc.AppendString(b, r.Layer)
		b = append(b, '}')
	}
	return b, nil
}

// quoteContext is how many code points of prefix and suffix a
// TextQuoteSelector carries: enough to tell repeated quotes apart.
const quoteContext = 32

func appendW3CCreator(b []byte, author string) []byte {
	if author == "" {
		return b
	}
	b = append(b, `,"creator":{"type":"Person","nickname":`...)
	b = jsonenc.AppendString(b, author)
	return append(b, '}')
}
