package export

import (
	"encoding/json"

	"gloss/shared/model"
)

// Record is one line of Gloss JSONL as Read decodes it, before any check
// against its text or a schema. The importer decodes uploads with it, so
// that an upload and a re-read export see the same fields (meta values
// kept as their JSON text, not through float64; whatever span fields the
// format gains).
type Record = jsonlLine

// RecordSpan is a span of a Record.
type RecordSpan = jsonlSpan

// MetaStrings turns a Record's meta into the strings model.Document
// keeps: strings as they are, anything else as its compact JSON text.
func MetaStrings(meta map[string]json.RawMessage) map[string]string { return metaMap(meta) }

// Attrs returns the span's structured fields (value, qualifier, unit,
// quantity, cue, from), nil when it has none, as the JSONL reader reads
// them.
func (j jsonlAttrs) Attrs() (*model.Attrs, error) { return j.attrs() }
