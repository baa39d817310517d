package hub

import (
	"errors"
	"fmt"

	"gloss/shared/docstate"
	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/selection"
	"gloss/shared/textpos"
)

// placeAt16 turns an add op placed by the browser's selection ("at16":
// paragraph and UTF-16 positions, sent by web/gloss.js before the wasm
// runs) into the code point op every other client sends: the same
// conversion as the desk's (shared/selection over the same paragraph
// split, words snapped), filling the annotation's start, end and quote
// (a quote the client sent is kept, and checked as always). The op is
// then resolved, stored and broadcast like any other, without at16.
// Converting it once, here, keeps a re-sent op's fingerprint the same.
// A refusal is a *docstate.Rejection: bad_position, or span_empty for a
// selection of white space only.
func (r *room) placeAt16(op *protocol.Op) *docstate.Rejection {
	if op.At16 == nil {
		return nil
	}
	at := op.At16
	if r.paras == nil {
		r.paras = textpos.Paragraphs(r.text.String())
	}
	start, end, quote, err := selection.Span(r.text, r.paras,
		selection.Point{Para: at[0], UTF16: at[1]}, selection.Point{Para: at[2], UTF16: at[3]}, true)
	if errors.Is(err, selection.ErrEmpty) {
		return &docstate.Rejection{Code: model.CodeSpanEmpty, Message: "the selection holds no word"}
	}
	if err != nil {
		return &docstate.Rejection{Code: protocol.CodeBadPosition, Message: fmt.Sprintf("the selection [%d,%d]–[%d,%d] is not a place in this document's text: %v", at[0], at[1], at[2], at[3], err)}
	}
	a := *op.Ann
	a.Start, a.End = start, end
	if a.Quote == "" {
		a.Quote = quote
	}
	op.Ann, op.At16 = &a, nil
	return nil
}
