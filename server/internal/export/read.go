package export

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	"gloss/shared/model"
	"gloss/shared/textpos"
)

// Read imports documents with their annotations and relations from the
// jsonl, w3c or brat formats that Write produces, and from similar files
// made by other tools:
//
//   - jsonl: "text" is required, "spans" may lack "text" (then taken from
//     the document), "id" (then s1, s2, … by position), "annotator",
//     "layer", "version" and the times; meta values that are not strings are
//     kept as their JSON text. An empty line is skipped.
//   - w3c: an AnnotationCollection with an embedded first page, or an
//     AnnotationPage, laid out as w3c.go writes it: documents come from the
//     items carrying "gloss:document", spans need a TextPositionSelector
//     (a TextQuoteSelector's exact, if present, must match the text there).
//     Paged collections ("next") are not supported.
//   - brat: a zip of NAME.txt and NAME.ann files, in any folders; other
//     files are ignored. Discontinuous spans become one span from the first
//     fragment's start to the last one's end. Gloss's AnnotatorNotes (JSON)
//     restore ids, layers, annotators, versions and times; without them the
//     brat ids are kept. Attributes (A), normalizations (N) and other notes
//     are ignored; events (E) and equivalences (*) are refused.
//
// Every span is checked against its document (model.ValidateSpan, or
// model.ValidateAnnotation when opt.Schema has labels), every relation's
// ends must be spans of the same document, ids must pass model.ValidID and
// be unique per document. The first problem is returned, naming the line
// or item and the annotation, and nothing is returned with it. Document ids
// are those in the file (0 for brat): the caller stores the documents and
// assigns its own.
func Read(r io.Reader, format string, opt ReadOptions) ([]Doc, error) {
	var (
		docs []Doc
		err  error
	)
	switch format {
	case FormatJSONL:
		docs, err = readJSONL(r, opt)
	case FormatW3C:
		docs, err = readW3C(r, opt)
	case FormatBrat:
		docs, err = readBrat(r, opt)
	default:
		return nil, fmt.Errorf("export: read %q: %w", format, ErrUnknownFormat)
	}
	if err != nil {
		return nil, fmt.Errorf("export: read %s: %w", format, err)
	}
	return docs, nil
}

// ReadOptions says where imported annotations go.
type ReadOptions struct {
	// Layer, when set, puts every annotation and relation into this layer
	// whatever the file says. When empty, the file's layers are kept (which
	// a round trip needs) and an annotation without one is an error.
	Layer string
	// Schema, when it has labels, refuses labels it does not define, and
	// when it has relation types, relation types it does not define.
	Schema model.Schema
	// MaxDocument bounds the bytes of one document's text, and of one
	// file inside a zip; 0 means DefaultMaxDocument.
	MaxDocument int64
	// MaxInflated bounds the bytes a zip may inflate to, all its files
	// together; 0 means DefaultMaxInflated.
	MaxInflated int64
}

// Default limits of ReadOptions. A hostile file must not make the reader
// allocate much more than it sends: a zip of 250 KiB can inflate to
// gigabytes, and a document costs memory again in every room that opens it.
const (
	DefaultMaxDocument = 32 << 20
	DefaultMaxInflated = 64 << 20
	// MaxZipFiles bounds the files of a zip, whose directory costs a few
	// hundred bytes per file before anything is inflated.
	MaxZipFiles = 10_000
)

// ErrTooLarge is returned (wrapped in a *LimitError) when a file exceeds
// one of ReadOptions' limits.
var ErrTooLarge = errors.New("too large")

// LimitError says which limit a file exceeded.
type LimitError struct {
	What  string // e.g. "a.txt inflates to"
	Limit int64
	Unit  string // "bytes" or "files"
}

func (e *LimitError) Error() string {
	if e.Unit == "files" {
		return fmt.Sprintf("%s more than %d files, the server's limit", e.What, e.Limit)
	}
	return fmt.Sprintf("%s more than %s, the server's limit", e.What, Size(e.Limit))
}

func (e *LimitError) Unwrap() error { return ErrTooLarge }

// Size writes a byte count for people as Gloss's UI does, in binary
// units: "64 MB", "900 KB", "12 bytes".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func (o ReadOptions) maxDocument() int64 {
	if o.MaxDocument > 0 {
		return o.MaxDocument
	}
	return DefaultMaxDocument
}

func (o ReadOptions) maxInflated() int64 {
	if o.MaxInflated > 0 {
		return o.MaxInflated
	}
	return DefaultMaxInflated
}

// finish fills in what a document's annotations and relations inherit and
// validates them. annAt and relAt say where each came from, for errors.
func finish(d *Doc, annAt, relAt []string, opt ReadOptions) error {
	if n := int64(len(d.Document.Text)); n > opt.maxDocument() {
		return &LimitError{What: fmt.Sprintf("document %q has", d.Document.Name), Limit: opt.maxDocument()}
	}
	text := textpos.New(d.Document.Text)
	spans := make(map[string]bool, len(d.Annotations))
	for i := range d.Annotations {
		a := &d.Annotations[i]
		a.Document = d.Document.ID
		if opt.Layer != "" {
			a.Layer = opt.Layer
		}
		if a.Version == 0 {
			a.Version = 1
		}
		var err error
		switch {
		case len(opt.Schema.Labels) > 0:
			err = model.ValidateAnnotation(text, opt.Schema, *a)
		case !model.ValidID(a.ID):
			err = &model.Error{Code: model.CodeBadID, Message: fmt.Sprintf("annotation id %q must be 1–64 letters, digits, '-' or '_'", a.ID)}
		default:
			err = model.ValidateSpan(text, a.Start, a.End, a.Quote)
		}
		switch {
		case err != nil:
		case a.Layer == "":
			err = errors.New("no layer: the file names none and ReadOptions.Layer is empty")
		case spans[a.ID]:
			err = &model.Error{Code: model.CodeBadID, Message: fmt.Sprintf("annotation id %q is used twice in this document", a.ID)}
		}
		if err != nil {
			return fmt.Errorf("%s: %w", annAt[i], err)
		}
		spans[a.ID] = true
	}
	rels := make(map[string]bool, len(d.Relations))
	for i := range d.Relations {
		r := &d.Relations[i]
		r.Document = d.Document.ID
		if opt.Layer != "" {
			r.Layer = opt.Layer
		}
		if r.Version == 0 {
			r.Version = 1
		}
		var err error
		switch {
		case !model.ValidID(r.ID):
			err = &model.Error{Code: model.CodeBadID, Message: fmt.Sprintf("relation id %q must be 1–64 letters, digits, '-' or '_'", r.ID)}
		case rels[r.ID]:
			err = &model.Error{Code: model.CodeBadID, Message: fmt.Sprintf("relation id %q is used twice in this document", r.ID)}
		case !spans[r.From] || !spans[r.To]:
			err = &model.Error{Code: model.CodeRelationEndpoint, Message: fmt.Sprintf("relation %q links %q to %q, which are not both spans of this document", r.ID, r.From, r.To)}
		case len(opt.Schema.Relations) > 0 && !opt.Schema.HasRelation(r.Type):
			err = &model.Error{Code: model.CodeUnknownRelation, Message: fmt.Sprintf("relation type %q is not in this project's schema", r.Type)}
		case r.Layer == "":
			err = errors.New("no layer: the file names none and ReadOptions.Layer is empty")
		}
		if err != nil {
			return fmt.Errorf("%s: %w", relAt[i], err)
		}
		rels[r.ID] = true
	}
	return nil
}

// metaValue turns a JSON meta value into the string model.Document keeps:
// strings as they are, anything else as its JSON text.
func metaValue(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) == nil {
		return b.String()
	}
	return string(raw)
}

func metaMap(m map[string]json.RawMessage) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = metaValue(v)
	}
	return out
}

// --- JSONL ---

type jsonlLine struct {
	ID        int64                      `json:"id"`
	Name      string                     `json:"name"`
	Text      *string                    `json:"text"`
	Spans     []jsonlSpan                `json:"spans"`
	Meta      map[string]json.RawMessage `json:"meta"`
	Relations []jsonlRelation            `json:"relations"`
	Review    *model.DocReview           `json:"review"`
}

type jsonlSpan struct {
	Start     *int      `json:"start"`
	End       *int      `json:"end"`
	Label     string    `json:"label"`
	Text      *string   `json:"text"`
	Annotator string    `json:"annotator"`
	ID        string    `json:"id"`
	Layer     string    `json:"layer"`
	Version   int64     `json:"version"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
	// Review keys (jsonl.go); Review "" means not reviewed.
	Review   string    `json:"review"`
	Reviewer string    `json:"reviewer"`
	Reviewed time.Time `json:"reviewed"`
	Source   string    `json:"source"`
	Proposer string    `json:"proposer"`
	Gold     string    `json:"gold"`
	// Structured fields of figures and attributions (attrs.go).
	jsonlAttrs
}

type jsonlRelation struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Annotator string    `json:"annotator"`
	Layer     string    `json:"layer"`
	Version   int64     `json:"version"`
	Created   time.Time `json:"created"`
}

func readJSONL(r io.Reader, opt ReadOptions) ([]Doc, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var docs []Doc
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if n == 1 {
			line = bytes.TrimPrefix(line, []byte("\ufeff"))
		}
		if len(bytes.TrimSpace(line)) > 0 {
			d, err := readJSONLLine(line, n, opt)
			if err != nil {
				return nil, err
			}
			docs = append(docs, d)
		}
		if err == io.EOF {
			return docs, nil
		}
	}
}

func readJSONLLine(line []byte, n int, opt ReadOptions) (Doc, error) {
	var l jsonlLine
	if err := json.Unmarshal(line, &l); err != nil {
		return Doc{}, fmt.Errorf("line %d: %w", n, err)
	}
	if l.Text == nil {
		return Doc{}, fmt.Errorf("line %d: no \"text\"", n)
	}
	d := Doc{Document: model.Document{ID: l.ID, Name: l.Name, Text: *l.Text, Meta: metaMap(l.Meta)}}
	text := textpos.New(d.Document.Text)
	annAt := make([]string, len(l.Spans))
	for i, s := range l.Spans {
		id := s.ID
		if id == "" {
			id = "s" + strconv.Itoa(i+1)
		}
		annAt[i] = fmt.Sprintf("line %d: span %d (id %q)", n, i+1, id)
		if s.Start == nil || s.End == nil {
			return Doc{}, fmt.Errorf("%s: needs \"start\" and \"end\"", annAt[i])
		}
		a := model.Annotation{ID: id, Layer: s.Layer, Label: s.Label, Start: *s.Start, End: *s.End,
			Author: s.Annotator, Version: s.Version, Created: s.Created, Updated: s.Updated}
		attrs, err := s.attrs()
		if err == nil {
			err = attrs.Validate(a.Start, a.End)
		}
		if err != nil {
			return Doc{}, fmt.Errorf("%s: %w", annAt[i], err)
		}
		a.Attrs = attrs
		if s.Text != nil {
			a.Quote = *s.Text
		} else if q, err := text.Slice(a.Start, a.End); err == nil {
			a.Quote = q
		}
		d.Annotations = append(d.Annotations, a)
		if s.Review != "" {
			st := model.ReviewStatus(s.Review)
			if !st.Valid() {
				return Doc{}, fmt.Errorf("%s: unknown review status %q", annAt[i], s.Review)
			}
			if opt.Layer == "" { // a review means nothing once spans change layer
				d.Reviews = append(d.Reviews, model.Review{Annotation: id, Status: st, Reviewer: s.Reviewer, Time: s.Reviewed,
					Source: s.Source, Proposer: s.Proposer, Gold: s.Gold})
			}
		}
	}
	if l.Review != nil && opt.Layer == "" {
		if !l.Review.Status.Valid() {
			return Doc{}, fmt.Errorf("line %d: unknown review status %q", n, l.Review.Status)
		}
		d.DocReview = *l.Review
	}
	relAt := make([]string, len(l.Relations))
	for i, r := range l.Relations {
		relAt[i] = fmt.Sprintf("line %d: relation %d (id %q)", n, i+1, r.ID)
		d.Relations = append(d.Relations, model.Relation{ID: r.ID, Layer: r.Layer, Type: r.Type, From: r.From, To: r.To,
			Author: r.Annotator, Version: r.Version, Created: r.Created})
	}
	return d, finish(&d, annAt, relAt, opt)
}

// --- W3C ---

type w3cContainer struct {
	Type  json.RawMessage   `json:"type"`
	First json.RawMessage   `json:"first"`
	Next  json.RawMessage   `json:"next"`
	Items []json.RawMessage `json:"items"`
}

type w3cItem struct {
	ID         string          `json:"id"`
	Motivation json.RawMessage `json:"motivation"`
	Created    string          `json:"created"`
	Modified   string          `json:"modified"`
	Creator    json.RawMessage `json:"creator"`
	Body       json.RawMessage `json:"body"`
	Target     json.RawMessage `json:"target"`
	Layer      string          `json:"gloss:layer"`
	Document   *struct {
		ID   int64                      `json:"id"`
		Name string                     `json:"name"`
		Meta map[string]json.RawMessage `json:"meta"`
	} `json:"gloss:document"`
}

// w3cResource is a body or target: an IRI, or an object with some of
// these keys.
type w3cResource struct {
	IRI      string
	Type     string          `json:"type"`
	Purpose  string          `json:"purpose"`
	Value    *string         `json:"value"`
	Source   string          `json:"source"`
	Selector json.RawMessage `json:"selector"`
}

type w3cSelector struct {
	Type  string  `json:"type"`
	Exact *string `json:"exact"`
	Start *int    `json:"start"`
	End   *int    `json:"end"`
}

// oneOrMany splits a JSON-LD value that may be a single value or an array.
func oneOrMany(raw json.RawMessage) ([]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '[' {
		var xs []json.RawMessage
		err := json.Unmarshal(raw, &xs)
		return xs, err
	}
	return []json.RawMessage{raw}, nil
}

func resources(raw json.RawMessage) ([]w3cResource, error) {
	xs, err := oneOrMany(raw)
	if err != nil {
		return nil, err
	}
	out := make([]w3cResource, len(xs))
	for i, x := range xs {
		if len(x) > 0 && x[0] == '"' {
			err = json.Unmarshal(x, &out[i].IRI)
		} else {
			err = json.Unmarshal(x, &out[i])
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func hasString(raw json.RawMessage, want string) bool {
	xs, _ := oneOrMany(raw)
	for _, x := range xs {
		var s string
		if json.Unmarshal(x, &s) == nil && s == want {
			return true
		}
	}
	return false
}

// textualValue returns the value of the first TextualBody among rs whose
// purpose is "tagging", or else of the first TextualBody.
func textualValue(rs []w3cResource) (string, bool) {
	var first *string
	for _, r := range rs {
		if r.Value == nil || r.Type != "TextualBody" && r.Type != "" {
			continue
		}
		if r.Purpose == "tagging" {
			return *r.Value, true
		}
		if first == nil {
			first = r.Value
		}
	}
	if first == nil {
		return "", false
	}
	return *first, true
}

func w3cCreator(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var agent struct {
		Nickname string `json:"nickname"`
		Name     string `json:"name"`
	}
	_ = json.Unmarshal(raw, &agent)
	if agent.Nickname != "" {
		return agent.Nickname
	}
	return agent.Name
}

func w3cTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

func readW3C(r io.Reader, opt ReadOptions) ([]Doc, error) {
	var top w3cContainer
	if err := json.NewDecoder(r).Decode(&top); err != nil {
		return nil, err
	}
	page := top
	if hasString(top.Type, "AnnotationCollection") {
		if len(bytes.TrimSpace(top.First)) == 0 || top.First[0] != '{' {
			return nil, errors.New(`the collection has no embedded "first" page`)
		}
		if err := json.Unmarshal(top.First, &page); err != nil {
			return nil, fmt.Errorf("first page: %w", err)
		}
	} else if !hasString(top.Type, "AnnotationPage") {
		return nil, errors.New("neither an AnnotationCollection nor an AnnotationPage")
	}
	if len(page.Next) > 0 {
		return nil, errors.New(`the collection has more than one page ("next"); only single-page collections can be read`)
	}
	items := make([]w3cItem, len(page.Items))
	for i, raw := range page.Items {
		if err := json.Unmarshal(raw, &items[i]); err != nil {
			return nil, fmt.Errorf("item %d: %w", i+1, err)
		}
	}
	var docs []Doc
	byIRI := map[string]int{}
	for i, it := range items {
		if it.Document == nil {
			continue
		}
		body, err := resources(it.Body)
		if err != nil {
			return nil, fmt.Errorf("item %d (%s): body: %w", i+1, it.ID, err)
		}
		text, ok := textualValue(body)
		var target string
		if ts, err := resources(it.Target); err == nil && len(ts) == 1 {
			target = ts[0].IRI
		}
		if !ok || target == "" {
			return nil, fmt.Errorf("item %d (%s): a document item needs a TextualBody with the text and a target IRI", i+1, it.ID)
		}
		if _, dup := byIRI[target]; dup {
			return nil, fmt.Errorf("item %d (%s): document %s appears twice", i+1, it.ID, target)
		}
		byIRI[target] = len(docs)
		docs = append(docs, Doc{Document: model.Document{ID: it.Document.ID, Name: it.Document.Name, Text: text, Meta: metaMap(it.Document.Meta)}})
	}
	annAt := make([][]string, len(docs))
	relAt := make([][]string, len(docs))
	texts := make([]*textpos.Text, len(docs))
	spanDoc := map[string]int{} // span item IRI → document index
	// Spans first, so that relations can find theirs whatever the order.
	for _, linking := range []bool{false, true} {
		for i, it := range items {
			if it.Document != nil || hasString(it.Motivation, "linking") != linking {
				continue
			}
			at := fmt.Sprintf("item %d (%s)", i+1, it.ID)
			created, err := w3cTime(it.Created)
			if err != nil {
				return nil, fmt.Errorf("%s: created: %w", at, err)
			}
			body, err := resources(it.Body)
			if err != nil {
				return nil, fmt.Errorf("%s: body: %w", at, err)
			}
			targets, err := resources(it.Target)
			if err != nil {
				return nil, fmt.Errorf("%s: target: %w", at, err)
			}
			if len(targets) != 1 {
				return nil, fmt.Errorf("%s: has %d targets; Gloss reads annotations with one", at, len(targets))
			}
			if linking {
				rel, from, to, err := w3cRelation(it, body, targets[0])
				if err != nil {
					return nil, fmt.Errorf("%s: %w", at, err)
				}
				d, ok := spanDoc[from]
				if dt, okt := spanDoc[to]; !ok || !okt || d != dt {
					return nil, fmt.Errorf("%s: %w", at, &model.Error{Code: model.CodeRelationEndpoint,
						Message: fmt.Sprintf("%s and %s are not both spans of one document in this collection", from, to)})
				}
				rel.Created = created
				docs[d].Relations = append(docs[d].Relations, rel)
				relAt[d] = append(relAt[d], at)
				continue
			}
			d, ok := byIRI[targets[0].Source]
			if !ok {
				return nil, fmt.Errorf("%s: target source %q is not a document of this collection", at, targets[0].Source)
			}
			if texts[d] == nil {
				texts[d] = textpos.New(docs[d].Document.Text)
			}
			a, err := w3cSpan(it, body, targets[0], texts[d])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", at, err)
			}
			a.Created = created
			if a.Updated, err = w3cTime(it.Modified); err != nil {
				return nil, fmt.Errorf("%s: modified: %w", at, err)
			}
			spanDoc[it.ID] = d
			docs[d].Annotations = append(docs[d].Annotations, a)
			annAt[d] = append(annAt[d], at)
		}
	}
	for i := range docs {
		if err := finish(&docs[i], annAt[i], relAt[i], opt); err != nil {
			return nil, err
		}
	}
	return docs, nil
}

// w3cSpan reads a tagging item. Without a TextQuoteSelector the quote is
// taken from text, the document the target's source names.
func w3cSpan(it w3cItem, body []w3cResource, target w3cResource, text *textpos.Text) (model.Annotation, error) {
	label, ok := textualValue(body)
	if !ok {
		return model.Annotation{}, errors.New("no TextualBody with the label")
	}
	sels, err := oneOrMany(target.Selector)
	if err != nil {
		return model.Annotation{}, fmt.Errorf("selector: %w", err)
	}
	var pos, quote *w3cSelector
	for _, raw := range sels {
		var s w3cSelector
		if err := json.Unmarshal(raw, &s); err != nil {
			return model.Annotation{}, fmt.Errorf("selector: %w", err)
		}
		switch {
		case s.Type == "TextPositionSelector" && pos == nil:
			pos = &s
		case s.Type == "TextQuoteSelector" && quote == nil:
			quote = &s
		}
	}
	if pos == nil || pos.Start == nil || pos.End == nil {
		return model.Annotation{}, errors.New("no TextPositionSelector with start and end")
	}
	a := model.Annotation{ID: localID(it.ID), Layer: it.Layer, Label: label, Start: *pos.Start, End: *pos.End, Author: w3cCreator(it.Creator)}
	if quote != nil && quote.Exact != nil {
		a.Quote = *quote.Exact
	} else if q, err := text.Slice(a.Start, a.End); err == nil {
		a.Quote = q
	}
	return a, nil
}

// w3cRelation reads a linking item: target the span the relation starts
// from, body the span it points to and the type as a TextualBody. It
// returns the two spans' IRIs.
func w3cRelation(it w3cItem, body []w3cResource, target w3cResource) (model.Relation, string, string, error) {
	typ, ok := textualValue(body)
	var to string
	for _, b := range body {
		if b.IRI != "" {
			to = b.IRI
		}
	}
	from := target.IRI
	if !ok || to == "" || from == "" {
		return model.Relation{}, "", "", errors.New("a linking annotation needs a target span IRI, a body span IRI and a TextualBody with the type")
	}
	rel := model.Relation{ID: localID(it.ID), Layer: it.Layer, Type: typ, From: localID(from), To: localID(to), Author: w3cCreator(it.Creator)}
	return rel, from, to, nil
}

// --- brat ---

func readBrat(r io.Reader, opt ReadOptions) ([]Doc, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if n, ok := zipFileCount(data); ok && n > MaxZipFiles {
		return nil, &LimitError{What: "the zip holds", Limit: MaxZipFiles, Unit: "files"}
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	if len(zr.File) > MaxZipFiles {
		return nil, &LimitError{What: "the zip holds", Limit: MaxZipFiles, Unit: "files"}
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	labels := map[string]string{}
	for _, l := range opt.Schema.Labels {
		labels[bratType(l.Name)] = l.Name
	}
	types := map[string]string{}
	for _, t := range opt.Schema.Relations {
		types[bratType(t)] = t
	}
	// The pairs to read, in the zip's order.
	var pairs [][2]*zip.File
	for _, f := range zr.File {
		name, isAnn := strings.CutSuffix(f.Name, ".ann")
		if isAnn {
			if _, ok := files[name+".txt"]; !ok {
				return nil, fmt.Errorf("%s has no %s.txt", f.Name, path.Base(name))
			}
			continue
		}
		name, isTxt := strings.CutSuffix(f.Name, ".txt")
		if !isTxt || f.FileInfo().IsDir() || skipInZip(f.Name) {
			continue
		}
		pairs = append(pairs, [2]*zip.File{f, files[name+".ann"]})
	}
	// Measure first, keeping nothing: a zip bomb is refused having cost
	// one copy buffer, whatever its headers claim.
	sizes := map[*zip.File]int64{}
	var total int64
	for _, p := range pairs {
		for _, f := range p {
			if f == nil {
				continue
			}
			n, err := inflatedSize(f, opt.maxDocument())
			if err != nil {
				return nil, err
			}
			if total += n; total > opt.maxInflated() {
				return nil, &LimitError{What: "the zip inflates to", Limit: opt.maxInflated()}
			}
			sizes[f] = n
		}
	}
	var docs []Doc
	for _, p := range pairs {
		name := strings.TrimSuffix(p[0].Name, ".txt")
		text, err := readZipFile(p[0], sizes[p[0]])
		if err != nil {
			return nil, err
		}
		d := Doc{Document: model.Document{Name: name, Text: string(text)}}
		if af := p[1]; af != nil {
			ann, err := readZipFile(af, sizes[af])
			if err != nil {
				return nil, err
			}
			if err := readBratAnn(&d, af.Name, ann, labels, types, opt); err != nil {
				return nil, err
			}
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// zipFileCount reads the number of files a zip's end-of-directory record
// claims, so that a zip of too many files is refused before its directory
// is parsed. A zip64 count (0xFFFF) counts as too many: no brat export
// has 65,535 files.
func zipFileCount(data []byte) (int, bool) {
	const eocdLen = 22
	lo := max(0, len(data)-(eocdLen+0xFFFF))
	i := bytes.LastIndex(data[lo:], []byte("PK\x05\x06"))
	if i < 0 || lo+i+eocdLen > len(data) {
		return 0, false
	}
	rec := data[lo+i:]
	n := int(rec[10]) | int(rec[11])<<8
	if n == 0xFFFF {
		return math.MaxInt, true
	}
	return n, true
}

// skipInZip reports files that zip tools and operating systems add.
func skipInZip(name string) bool {
	return strings.HasPrefix(name, "__MACOSX/") || strings.HasPrefix(path.Base(name), ".")
}

// inflatedSize inflates f into nothing, counting, and fails once it passes
// limit: the sizes in a zip's headers are the sender's word.
func inflatedSize(f *zip.File, limit int64) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", f.Name, err)
	}
	defer rc.Close()
	n, err := io.Copy(io.Discard, io.LimitReader(rc, limit+1))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", f.Name, err)
	}
	if n > limit {
		return 0, &LimitError{What: f.Name + " inflates to", Limit: limit}
	}
	return n, nil
}

// readZipFile reads f, which inflatedSize measured at size bytes, into a
// buffer of that size; a file that reads longer now is refused.
func readZipFile(f *zip.File, size int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	defer rc.Close()
	b := make([]byte, size+1)
	n, err := io.ReadFull(rc, b)
	if err != io.ErrUnexpectedEOF && err != io.EOF {
		if err == nil {
			return nil, fmt.Errorf("%s: longer than when measured", f.Name)
		}
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	return b[:n], nil
}

// bratNote is what Gloss writes into AnnotatorNotes.
type bratNote struct {
	ID        string    `json:"id"`
	Layer     string    `json:"layer"`
	Annotator string    `json:"annotator"`
	Version   int64     `json:"version"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
}

func readBratAnn(d *Doc, file string, ann []byte, labels, types map[string]string, opt ReadOptions) error {
	text := textpos.New(d.Document.Text)
	var (
		annAt, relAt []string
		spanIdx      = map[string]int{} // brat id → index in d.Annotations
		relArgs      [][2]string        // brat ids of each relation's ends
		relIdx       = map[string]int{}
		notes        = map[string]bratNote{}
	)
	for n, line := range strings.Split(string(ann), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		at := fmt.Sprintf("%s line %d", file, n+1)
		f := strings.SplitN(line, "\t", 3)
		if len(f) < 2 {
			return fmt.Errorf("%s: not a brat annotation line", at)
		}
		id := f[0]
		at += " (" + id + ")"
		switch id[0] {
		case 'T':
			a, err := bratSpan(text, f, labels)
			if err != nil {
				return fmt.Errorf("%s: %w", at, err)
			}
			a.ID = id
			spanIdx[id] = len(d.Annotations)
			d.Annotations = append(d.Annotations, a)
			annAt = append(annAt, at)
		case 'R':
			parts := strings.Fields(f[1])
			if len(parts) != 3 {
				return fmt.Errorf("%s: a relation needs a type and two arguments", at)
			}
			var args [2]string
			for i, p := range parts[1:] {
				_, arg, ok := strings.Cut(p, ":")
				if !ok {
					return fmt.Errorf("%s: argument %q is not ROLE:ID", at, p)
				}
				args[i] = arg
			}
			typ := parts[0]
			if t, ok := types[typ]; ok {
				typ = t
			}
			relIdx[id] = len(d.Relations)
			d.Relations = append(d.Relations, model.Relation{ID: id, Type: typ})
			relArgs = append(relArgs, args)
			relAt = append(relAt, at)
		case '#':
			target, ok := strings.CutPrefix(f[1], "AnnotatorNotes ")
			var note bratNote
			if ok && len(f) == 3 && strings.HasPrefix(f[2], "{") && json.Unmarshal([]byte(f[2]), &note) == nil {
				notes[strings.TrimSpace(target)] = note
			}
		case 'A', 'M', 'N':
			// Attributes and normalizations have no place in Gloss.
		case 'E', '*':
			return fmt.Errorf("%s: brat events and equivalences are not supported", at)
		default:
			return fmt.Errorf("%s: unknown brat annotation type", at)
		}
	}
	for bid, note := range notes {
		if i, ok := spanIdx[bid]; ok {
			a := &d.Annotations[i]
			a.ID, a.Layer, a.Author, a.Version, a.Created, a.Updated = note.ID, note.Layer, note.Annotator, note.Version, note.Created, note.Updated
		} else if i, ok := relIdx[bid]; ok {
			r := &d.Relations[i]
			r.ID, r.Layer, r.Author, r.Version, r.Created = note.ID, note.Layer, note.Annotator, note.Version, note.Created
		}
	}
	for i, args := range relArgs {
		for j, arg := range args {
			k, ok := spanIdx[arg]
			if !ok {
				return fmt.Errorf("%s: argument %s is not a span (T) of this file", relAt[i], arg)
			}
			if j == 0 {
				d.Relations[i].From = d.Annotations[k].ID
			} else {
				d.Relations[i].To = d.Annotations[k].ID
			}
		}
	}
	return finish(d, annAt, relAt, opt)
}

// bratSpan parses the fields of a T line: "TYPE START END[;START END…]"
// and the quote.
func bratSpan(text *textpos.Text, f []string, labels map[string]string) (model.Annotation, error) {
	typ, offsets, ok := strings.Cut(f[1], " ")
	if !ok {
		return model.Annotation{}, errors.New("a span needs a type and offsets")
	}
	if l, ok := labels[typ]; ok {
		typ = l
	}
	var frags [][2]int
	var quote []string
	for _, frag := range strings.Split(offsets, ";") {
		s, e, ok := strings.Cut(strings.TrimSpace(frag), " ")
		start, err1 := strconv.Atoi(s)
		end, err2 := strconv.Atoi(e)
		if !ok || err1 != nil || err2 != nil {
			return model.Annotation{}, fmt.Errorf("offsets %q are not START END", frag)
		}
		if n := len(frags); n > 0 && start < frags[n-1][1] {
			return model.Annotation{}, fmt.Errorf("fragment %d %d overlaps or precedes the one before", start, end)
		}
		// The quote is checked below, for all fragments together; here
		// ValidateSpan checks the range (q is "" when Slice fails).
		q, _ := text.Slice(start, end)
		if err := model.ValidateSpan(text, start, end, q); err != nil {
			return model.Annotation{}, fmt.Errorf("fragment %d %d: %w", start, end, err)
		}
		frags = append(frags, [2]int{start, end})
		quote = append(quote, q)
	}
	if len(f) == 3 && f[2] != strings.Join(quote, " ") {
		return model.Annotation{}, &model.Error{Code: model.CodeQuoteMismatch,
			Message: fmt.Sprintf("text %q does not match the document %q at %s", f[2], strings.Join(quote, " "), offsets)}
	}
	start, end := frags[0][0], frags[len(frags)-1][1]
	whole, _ := text.Slice(start, end)
	return model.Annotation{Label: typ, Start: start, End: end, Quote: whole}, nil
}
