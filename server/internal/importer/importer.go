// Package importer turns files into documents for store.ImportDocuments:
// plain-text articles (.txt, one document per file) and JSONL (.jsonl or
// .ndjson, one {"text": …, "meta": {…}, "spans": [{"start", "end",
// "label"}]} per line, optionally with "title", "outlet" and "published"
// for stories), and, into a named layer (Options.Layer, required
// for these), W3C Web Annotation collections (.jsonld) and brat standoff
// zips (.zip of NAME.txt/NAME.ann pairs) as Gloss exports them, read with
// export.Read. The HTTP upload and the CLI share it.
//
// The import path stores documents and annotations only: relations in a
// .jsonld or brat file are dropped (their spans are kept), and so are
// review records.
//
// It checks everything before the caller writes anything, and the first
// problem stops the import with an *Error naming the file and line. Text
// is kept byte for byte: no trimming, no newline or Unicode normalisation.
// It must be valid UTF-8, because span offsets count code points.
package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gloss/server/internal/export"
	"gloss/server/internal/store"
	"gloss/shared/model"
	"gloss/shared/story"
	"gloss/shared/textpos"
)

// MaxBytes is the most the HTTP upload takes in one request by default
// (api.Config.MaxUpload, the server's -max-upload-mib). The CLI has no
// upload limit; the document and inflated-size limits below apply to both.
const MaxBytes = 50 << 20

// DefaultLayer is the layer imported spans go to when neither the import
// nor the span names one.
const DefaultLayer = "import"

// File is one uploaded or named file. Name is used for the document name
// and in errors; a folder upload's relative path is fine.
type File struct {
	Name string
	Data []byte
}

// Options are what Parse checks spans against.
type Options struct {
	// Schema is the project's: every span's label must be in it.
	Schema model.Schema
	// Layer, if set, receives every span, whatever layer a span names.
	Layer string
	// Now stamps the imported annotations.
	Now time.Time
	// MaxDocument bounds one document's text in bytes, and one file
	// inside a zip; 0 means export.DefaultMaxDocument.
	MaxDocument int64
	// MaxInflated bounds what a zip inflates to; 0 means
	// export.DefaultMaxInflated.
	MaxInflated int64
}

func (o Options) maxDocument() int64 {
	if o.MaxDocument > 0 {
		return o.MaxDocument
	}
	return export.DefaultMaxDocument
}

// Error is a file that cannot be imported: which file, which line (0 when
// the problem is the whole file) and why.
type Error struct {
	File string
	Line int
	Msg  string
	// Unit is what Line counts: "line" (the default) or "document".
	Unit string
	// Err is the cause, when there is one to test with errors.Is (such as
	// export.ErrTooLarge).
	Err error
}

func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	if e.Line > 0 {
		unit := e.Unit
		if unit == "" {
			unit = "line"
		}
		return fmt.Sprintf("%s, %s %d: %s", e.File, unit, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// tooLarge is the refusal of a file over a size limit.
func tooLarge(name string, line int, what string, limit int64) *Error {
	err := &export.LimitError{What: what, Limit: limit}
	return &Error{File: name, Line: line, Msg: err.Error(), Err: err}
}

func fileErr(name string, line int, format string, args ...any) *Error {
	return &Error{File: name, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Supported reports whether Parse reads files with this name (by
// extension), so that folder walks can skip the rest.
func Supported(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".txt", ".jsonl", ".ndjson", ".jsonld", ".zip":
		return true
	}
	return false
}

// Parse reads every file, in order, into documents. It returns the first
// error; then nothing should be imported.
func Parse(files []File, opt Options) ([]store.NewDocument, error) {
	if opt.Layer != "" && !ValidLayer(opt.Layer) {
		return nil, fmt.Errorf("layer %q must be 1–64 letters, digits, '-' or '_'", opt.Layer)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no files to import")
	}
	var out []store.NewDocument
	for _, f := range files {
		docs, err := ParseFile(f, opt)
		if err != nil {
			return nil, err
		}
		out = append(out, docs...)
	}
	return out, nil
}

// ParseFile reads one file.
func ParseFile(f File, opt Options) ([]store.NewDocument, error) {
	ext := strings.ToLower(path.Ext(f.Name))
	if !Supported(f.Name) {
		return nil, fileErr(f.Name, 0, "unsupported file type %q: import .txt (one article per file), .jsonl (one JSON object per line), .jsonld (W3C Web Annotation) or .zip (brat standoff)", ext)
	}
	if len(f.Data) == 0 {
		return nil, fileErr(f.Name, 0, "the file is empty")
	}
	if ext == ".txt" && int64(len(f.Data)) > opt.maxDocument() {
		return nil, tooLarge(f.Name, 0, "the document is", opt.maxDocument())
	}
	if ext == ".zip" {
		return parseExport(f, export.FormatBrat, opt)
	}
	if off, ok := invalidUTF8(f.Data); ok {
		line := bytes.Count(f.Data[:off], []byte("\n")) + 1
		return nil, fileErr(f.Name, line, "not valid UTF-8: byte 0x%02x at byte offset %d; save the file as UTF-8", f.Data[off], off)
	}
	if ext == ".txt" {
		return []store.NewDocument{{Document: model.Document{
			// A hash-like file name gives way to the text's first line.
			Name: model.DocumentTitle(strings.TrimSuffix(path.Base(f.Name), path.Ext(f.Name)), string(f.Data)),
			Text: string(f.Data),
			Meta: map[string]string{"source": f.Name},
		}}}, nil
	}
	if ext == ".jsonld" {
		return parseExport(f, export.FormatW3C, opt)
	}
	return parseJSONL(f, opt)
}

// parseExport reads a W3C (.jsonld) or brat (.zip) file with export.Read
// into opt.Layer. Annotation ids are the file's; authors are the layer
// and times opt.Now, as for JSONL imported into a layer. Relations are
// dropped: the import path stores annotations only.
func parseExport(f File, format string, opt Options) ([]store.NewDocument, error) {
	if opt.Layer == "" {
		return nil, fileErr(f.Name, 0, "name the layer to import %s annotations into (-layer, or the upload's layer field)", format)
	}
	docs, err := export.Read(bytes.NewReader(f.Data), format, export.ReadOptions{Layer: opt.Layer, Schema: opt.Schema,
		MaxDocument: opt.MaxDocument, MaxInflated: opt.MaxInflated})
	if err != nil {
		e := fileErr(f.Name, 0, "%s", strings.TrimPrefix(err.Error(), "export: "))
		e.Err = err
		return nil, e
	}
	if len(docs) == 0 {
		return nil, fileErr(f.Name, 0, "holds no documents")
	}
	base := strings.TrimSuffix(path.Base(f.Name), path.Ext(f.Name))
	out := make([]store.NewDocument, len(docs))
	for i, d := range docs {
		if !utf8.ValidString(d.Document.Text) {
			return nil, fileErr(f.Name, 0, "document %q: the text is not valid UTF-8", d.Document.Name)
		}
		doc := model.Document{Name: firstNonEmpty(d.Document.Name, fmt.Sprintf("%s-%d", base, i+1)), Text: d.Document.Text, Meta: map[string]string{}}
		if doc.Text == "" {
			return nil, fileErr(f.Name, 0, "document %q has no text", doc.Name)
		}
		for k, v := range d.Document.Meta {
			doc.Meta[k] = v
		}
		doc.Meta["source"] = f.Name
		anns := make([]model.Annotation, len(d.Annotations))
		for j, a := range d.Annotations {
			a.Document, a.Author, a.Version, a.Created, a.Updated = 0, opt.Layer, 1, opt.Now, opt.Now
			anns[j] = a
		}
		out[i] = store.NewDocument{Document: doc, Annotations: anns}
	}
	return out, nil
}

// invalidUTF8 returns the byte offset of the first byte that is not part
// of valid UTF-8.
func invalidUTF8(b []byte) (int, bool) {
	if utf8.Valid(b) {
		return 0, false
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i, true
		}
		i += size
	}
	return 0, false
}

// record is one JSONL line: Gloss's record (export.Record), read by the
// same decoder as re-read exports, except that the document "id" of other
// tools' records may be a string or a number (it only names the document).
// Fields beyond these are ignored, so that other tools' records (and
// Gloss's own export) import as they are.
type record struct {
	export.Record
	ID json.RawMessage `json:"id"`
	// Title, Outlet and Published are the story view's document fields
	// (shared/story's metadata keys), accepted at the top level as well
	// as in "meta"; the top level wins.
	Title     *string `json:"title"`
	Outlet    *string `json:"outlet"`
	Published *string `json:"published"`
}

// storyFields copies rec's top-level title, outlet and published into
// meta, checking that published is a time the story view can order by.
func storyFields(rec *record, meta map[string]string) error {
	for _, f := range []struct {
		key string
		v   *string
	}{{"title", rec.Title}, {story.MetaOutlet, rec.Outlet}, {story.MetaPublished, rec.Published}} {
		if f.v == nil {
			continue
		}
		v := strings.TrimSpace(*f.v)
		if v == "" {
			continue
		}
		if f.key == story.MetaPublished {
			if _, ok := story.ParsePublished(v); !ok {
				return fmt.Errorf(`"published" %q is not a date or time like 2024-03-22 or 2024-03-22T21:00:00Z`, v)
			}
		}
		meta[f.key] = v
	}
	return nil
}

func parseJSONL(f File, opt Options) ([]store.NewDocument, error) {
	var out []store.NewDocument
	base := strings.TrimSuffix(path.Base(f.Name), path.Ext(f.Name))
	for i, line := range bytes.Split(f.Data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		d, err := parseRecord(line, fmt.Sprintf("%s-%d", base, i+1), fmt.Sprintf("%s:%d", f.Name, i+1), opt)
		if err != nil {
			e := fileErr(f.Name, i+1, "%s", err)
			e.Err = err
			return nil, e
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, fileErr(f.Name, 0, "holds no documents (every line is blank)")
	}
	return out, nil
}

// ParseRecords reads documents sent as JSON objects of the JSONL shape
// (an HTTP request's "documents" array). Errors name source, and the
// record's 1-based position as the line.
func ParseRecords(source string, recs []json.RawMessage, opt Options) ([]store.NewDocument, error) {
	if opt.Layer != "" && !ValidLayer(opt.Layer) {
		return nil, fmt.Errorf("layer %q must be 1–64 letters, digits, '-' or '_'", opt.Layer)
	}
	if len(recs) == 0 {
		return nil, fileErr(source, 0, "holds no documents")
	}
	out := make([]store.NewDocument, 0, len(recs))
	for i, raw := range recs {
		d, err := parseRecord(raw, fmt.Sprintf("%s-%d", source, i+1), fmt.Sprintf("%s:%d", source, i+1), opt)
		if err != nil {
			return nil, &Error{File: source, Line: i + 1, Msg: err.Error(), Unit: "document", Err: err}
		}
		out = append(out, d)
	}
	return out, nil
}

// parseRecord reads one JSON object; name is used when the record names
// no document, source is recorded in the document's meta.
func parseRecord(raw []byte, name, source string, opt Options) (store.NewDocument, error) {
	var rec record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return store.NewDocument{}, fmt.Errorf("not a JSON object: %s", jsonErr(err))
	}
	if rec.Text == nil {
		return store.NewDocument{}, errors.New(`no "text" field`)
	}
	if *rec.Text == "" {
		return store.NewDocument{}, errors.New(`"text" is empty`)
	}
	if int64(len(*rec.Text)) > opt.maxDocument() {
		return store.NewDocument{}, &export.LimitError{What: `"text" has`, Limit: opt.maxDocument()}
	}
	d := model.Document{Name: rec.Name, Text: *rec.Text, Meta: map[string]string{}}
	for k, v := range export.MetaStrings(rec.Meta) {
		d.Meta[k] = v
	}
	if err := storyFields(&rec, d.Meta); err != nil {
		return store.NewDocument{}, err
	}
	if d.Name == "" {
		d.Name = firstNonEmpty(d.Meta["name"], d.Meta["title"], idString(rec.ID), name)
	}
	d.Meta["source"] = source
	anns, err := spans(rec.Spans, d.Text, opt)
	if err != nil {
		return store.NewDocument{}, err
	}
	return store.NewDocument{Document: d, Annotations: anns}, nil
}

func jsonErr(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%s (at byte %d of the line)", se.Error(), se.Offset)
	case errors.As(err, &te):
		// The path runs through record's embedded export.Record, which
		// the file does not know about.
		return fmt.Sprintf("field %q should be %s, not a JSON %s", strings.TrimPrefix(te.Field, "Record."), te.Type, te.Value)
	}
	return err.Error()
}

func idString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// spans checks a record's spans against its text and the schema and turns
// them into annotations.
func spans(in []export.RecordSpan, text string, opt Options) ([]model.Annotation, error) {
	if len(in) == 0 {
		return nil, nil
	}
	t := textpos.New(text)
	out := make([]model.Annotation, 0, len(in))
	for i, s := range in {
		where := fmt.Sprintf("span %d", i+1)
		if s.Start == nil || s.End == nil {
			return nil, fmt.Errorf(`%s: needs "start" and "end"`, where)
		}
		if _, ok := opt.Schema.Label(s.Label); !ok {
			return nil, fmt.Errorf("%s: label %q is not in the project's schema (%s); add it first", where, s.Label, labelNames(opt.Schema))
		}
		start, end := *s.Start, *s.End
		if start < 0 || end > t.Len() || start >= end {
			return nil, fmt.Errorf("%s: [%d, %d) is not a non-empty range of the text's %d characters (offsets count Unicode code points, as Python's text[start:end])", where, start, end, t.Len())
		}
		quote, _ := t.Slice(start, end)
		if s.Text != nil && *s.Text != quote {
			return nil, fmt.Errorf("%s: \"text\" is %s but the text at [%d, %d) is %s (offsets count Unicode code points, not bytes or UTF-16 units)",
				where, clip(*s.Text), start, end, clip(quote))
		}
		layer := firstNonEmpty(opt.Layer, s.Layer, DefaultLayer)
		if !ValidLayer(layer) {
			return nil, fmt.Errorf("%s: layer %q must be 1–64 letters, digits, '-' or '_'", where, layer)
		}
		author := layer
		if opt.Layer == "" && s.Annotator != "" {
			author = s.Annotator
		}
		attrs, err := s.Attrs()
		if err == nil {
			err = attrs.Validate(start, end)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		out = append(out, model.Annotation{ID: "i" + strconv.Itoa(i+1), Layer: layer, Label: s.Label, Start: start, End: end,
			Quote: quote, Author: author, Attrs: attrs, Created: opt.Now, Updated: opt.Now})
	}
	return out, nil
}

// ValidLayer reports whether name can be a layer: a user name or gold in
// practice, so the characters of an ID.
func ValidLayer(name string) bool { return model.ValidID(name) }

func labelNames(s model.Schema) string {
	names := make([]string, len(s.Labels))
	for i, l := range s.Labels {
		names[i] = strconv.Quote(l.Name)
	}
	sort.Strings(names)
	return "labels: " + strings.Join(names, ", ")
}

// clip quotes as much of a file's string as an error message shows.
func clip(s string) string { return strconv.Quote(model.Clip(s, 40)) }
