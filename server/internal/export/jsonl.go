package export

import (
	"fmt"
	"io"
	"iter"
	"maps"
	"slices"
	"strconv"

	"gloss/server/internal/jsonenc"
	"gloss/shared/model"
)

// JSONL: one line per document,
//
//	{"id":1,"text":"…","spans":[{"start":0,"end":6,"label":"claim","text":"…","annotator":"alice",
//	  "id":"a1","layer":"alice","version":1,"created":"…","updated":"…"}],"meta":{…},"name":"…",
//	  "relations":[{"id":"r1","type":"source","from":"a3","to":"a1","annotator":"alice",
//	  "layer":"alice","version":1,"created":"…"}]}
//
// The first four keys and the first five span keys are the widely used
// "text + spans" shape (Prodigy, spaCy, doccano read it); the rest is
// Gloss's own. start/end are code points, so Python's text[start:end] ==
// span["text"]. "text" is the stored text byte for byte (see json.go for
// invalid UTF-8). Spans are in reading order (start, longer first, id),
// relations by id, meta keys sorted; times are RFC 3339 in UTC. "meta" and
// "relations" are always present, empty or not, so every line has the same
// keys.
//
// A figure or attribution span with structured fields (model.Attrs) adds
// them flat after "updated" (AppendAttrs): "value" (a number or [low,
// high]), "qualifier", "unit", "quantity", "cue" ([start, end] code
// points), "from" (the machine layer it was taken from); spans without
// them look as before.
//
// Review (adjudication) adds keys only where there is something to say, so
// that unreviewed data looks as before. A reviewed span gains
//
//	"review":"accepted"|"rejected"|"edited","reviewer":"rita","reviewed":"…"
//
// and, on a gold span accepted from an annotator's, "source" (that span's
// id) and "proposer" (its annotator); on an accepted annotator's span,
// "gold" (its gold copy's id). A document whose review status was set
// gains "review":{"status":"adjudicated","reviewer":"rita","time":"…"} at
// the end of its line.

func writeJSONL(w io.Writer, docs iter.Seq2[Doc, error], opt Options) error {
	p := newPreparer(opt)
	var buf []byte
	for d, err := range docs {
		if err != nil {
			return fmt.Errorf("export: jsonl: %w", err)
		}
		v, err := p.prepare(d)
		if err != nil {
			return fmt.Errorf("export: jsonl: %w", err)
		}
		buf = appendJSONLDoc(buf[:0], v)
		if _, err := w.Write(buf); err != nil {
			return fmt.Errorf("export: jsonl: %w", err)
		}
	}
	return nil
}

func appendJSONLDoc(b []byte, v docView) []byte {
	b = append(b, `{"id":`...)
	b = appendJSONInt(b, v.doc.ID)
	b = append(b, `,"text":`...)
	b = jsonenc.AppendString(b, v.doc.Text)
	b = append(b, `,"spans":[`...)
	for i, a := range v.anns {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"start":`...)
		b = appendJSONInt(b, int64(a.Start))
		b = append(b, `,"end":`...)
		b = appendJSONInt(b, int64(a.End))
		b = append(b, `,"label":`...)
		b = jsonenc.AppendString(b, a.Label)
		b = append(b, `,"text":`...)
		b = jsonenc.AppendString(b, a.Quote) // prepare checked it equals the text there
		// Claims and figures: whether a source relation vouches for them
		// (story.Attributed over the whole document).
		if at, ok := v.attributed[a.ID]; ok {
			b = append(b, `,"attributed":`...)
			b = strconv.AppendBool(b, at)
		}
		b = append(b, `,"annotator":`...)
		b = jsonenc.AppendString(b, a.Author)
		b = append(b, `,"id":`...)
		b = jsonenc.AppendString(b, a.ID)
		b = append(b, `,"layer":`...)
		b = jsonenc.AppendString(b, a.Layer)
		b = append(b, `,"version":`...)
		b = appendJSONInt(b, a.Version)
		b = append(b, `,"created":`...)
		b = appendJSONTime(b, a.Created)
		b = append(b, `,"updated":`...)
		b = appendJSONTime(b, a.Updated)
		b = AppendAttrs(b, a.Attrs)
		if r, ok := v.reviews[a.ID]; ok {
			b = appendJSONReview(b, r)
		}

		b = append(b, '}')
	}
	b = append(b, `],"meta":`...)
	b = appendJSONMeta(b, v.doc.Meta)
	b = append(b, `,"name":`...)
	b = jsonenc.AppendString(b, v.doc.Name)
	b = append(b, `,"relations":[`...)
	for i, r := range v.rels {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = jsonenc.AppendString(b, r.ID)
		b = append(b, `,"type":`...)
		b = jsonenc.AppendString(b, r.Type)
		b = append(b, `,"from":`...)
		b = jsonenc.AppendString(b, r.From)
		b = append(b, `,"to":`...)
		b = jsonenc.AppendString(b, r.To)
		b = append(b, `,"annotator":`...)
		b = jsonenc.AppendString(b, r.Author)
		b = append(b, `,"layer":`...)
		b = jsonenc.AppendString(b, r.Layer)
		b = append(b, `,"version":`...)
		b = appendJSONInt(b, r.Version)
		b = append(b, `,"created":`...)
		b = appendJSONTime(b, r.Created)
		b = append(b, '}')
	}
	b = append(b, ']')
	if d := v.docReview; d.Status != "" {
		b = append(b, `,"review":{"status":`...)
		b = jsonenc.AppendString(b, string(d.Status))
		b = append(b, `,"reviewer":`...)
		b = jsonenc.AppendString(b, d.Reviewer)
		b = append(b, `,"time":`...)
		b = appendJSONTime(b, d.Time)
		b = append(b, '}')
	}
	return append(b, "}\n"...)
}

// appendJSONReview appends a reviewed span's review keys: its status, who
// reviewed it and when, and for a gold copy the span it was accepted from
// and that span's author, for an accepted span its gold copy.
func appendJSONReview(b []byte, r model.Review) []byte {
	b = append(b, `,"review":`...)
	b = jsonenc.AppendString(b, string(r.Status))
	b = append(b, `,"reviewer":`...)
	b = jsonenc.AppendString(b, r.Reviewer)
	b = append(b, `,"reviewed":`...)
	b = appendJSONTime(b, r.Time)
	if r.Source != "" {
		b = append(b, `,"source":`...)
		b = jsonenc.AppendString(b, r.Source)
		b = append(b, `,"proposer":`...)
		b = jsonenc.AppendString(b, r.Proposer)
	}
	if r.Gold != "" {
		b = append(b, `,"gold":`...)
		b = jsonenc.AppendString(b, r.Gold)
	}
	return b
}

// appendJSONMeta appends a string map as a JSON object with sorted keys,
// as encoding/json does.
func appendJSONMeta(b []byte, meta map[string]string) []byte {
	b = append(b, '{')
	for i, k := range slices.Sorted(maps.Keys(meta)) {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendString(b, k)
		b = append(b, ':')
		b = jsonenc.AppendString(b, meta[k])
	}
	return append(b, '}')
}
