package model

import (
	"fmt"

	"gloss/shared/textpos"
)

// Error codes of validation failures. They travel to the client in
// protocol error messages, so they are part of the wire format.
const (
	CodeSpanEmpty        = "span_empty"
	CodeSpanOutOfRange   = "span_out_of_range"
	CodeQuoteMismatch    = "quote_mismatch"
	CodeUnknownLabel     = "unknown_label"
	CodeUnknownRelation  = "unknown_relation"
	CodeBadID            = "bad_id"
	CodeRelationEndpoint = "relation_endpoint"
	CodeBadAttrs         = "bad_attrs"
)

// Error is a validation failure with a machine-readable code and a message
// a user can act on.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// idPattern limits client-chosen IDs to something safe to store, log and
// put in HTML attributes.
// (checked by hand rather than with regexp, which would add ~100 KB to the wasm)

// ValidID reports whether id is acceptable as an annotation, relation or op ID.
func ValidID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// MaxQuote bounds a single span; a news article is far shorter, and the
// bound keeps one message from pinning a large string in every client.
const MaxQuote = 100_000

// ValidateSpan checks that [start,end) is a non-empty code point range
// inside text and that quote equals the text there.
func ValidateSpan(text *textpos.Text, start, end int, quote string) error {
	if start >= end {
		return errorf(CodeSpanEmpty, "span [%d,%d) is empty", start, end)
	}
	if start < 0 || end > text.Len() {
		return errorf(CodeSpanOutOfRange, "span [%d,%d) is outside the document (0..%d code points)", start, end, text.Len())
	}
	got, _ := text.Slice(start, end)
	if got != quote {
		return errorf(CodeQuoteMismatch, "quote %q does not match the document text %q at [%d,%d)", clip(quote), clip(got), start, end)
	}
	return nil
}

// ValidateAnnotation checks an annotation's ID, label and span.
func ValidateAnnotation(text *textpos.Text, schema Schema, a Annotation) error {
	if !ValidID(a.ID) {
		return errorf(CodeBadID, "annotation id %q must be 1–64 letters, digits, '-' or '_'", clip(a.ID))
	}
	if _, ok := schema.Label(a.Label); !ok {
		return errorf(CodeUnknownLabel, "label %q is not in this project's schema", clip(a.Label))
	}
	if err := a.Attrs.Validate(a.Start, a.End); err != nil {
		return errorf(CodeBadAttrs, "%v", err)
	}
	return ValidateSpan(text, a.Start, a.End, a.Quote)
}

// clip is how much of a user's string an error message quotes.
func clip(s string) string { return Clip(s, 60) }
