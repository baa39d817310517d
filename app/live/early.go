package live

import (
	"encoding/json"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/shared/protocol"
	"gloss/shared/selection"
	"gloss/shared/textpos"
)

// Early tags: label keys pressed on the pre-rendered document before the
// wasm ran were sent by web/gloss.js on the preconnect socket as add ops
// placed by paragraph/UTF-16 positions ("at16", glossTagEarly). When the
// session takes that socket over it takes these ops over too: once the
// welcome has brought the text, each becomes one of its pending edits,
// converted to code points by the same code as the server's
// (shared/selection), so it shows at once, its echo and ack retire it as
// for any edit, a refusal is shown as any refusal, and if the socket
// dies before its ack it is re-sent (in code points: the server answers
// with the original ack if it had committed it).

// earlyOp is an op web/gloss.js made, and whether it sent it.
type earlyOp struct {
	op   protocol.Op
	sent bool
}

// takeEarly reads the early ops of the preconnect pre (window.glossPre).
func (s *Session) takeEarly(pre app.Value) {
	ops := pre.Get("ops")
	if !ops.Truthy() {
		return
	}
	JSON := app.Window().Get("JSON")
	for i := 0; i < ops.Length(); i++ {
		o := ops.Index(i)
		var op protocol.Op
		if json.Unmarshal([]byte(JSON.Call("stringify", o.Get("op")).String()), &op) != nil || op.Ann == nil || len(op.At16) != 4 {
			continue
		}
		s.early = append(s.early, earlyOp{op: op, sent: o.Get("sent").Truthy()})
		if s.earlyAnns == nil {
			s.earlyAnns = map[string]string{}
		}
		s.earlyAnns[op.ID] = op.Ann.ID
		s.earlyOrder = append(s.earlyOrder, op.ID)
	}
}

// adoptEarly makes the early ops pending edits, now that the welcome
// has brought the text. It returns the IDs of those already sent on
// this socket, not to be sent again. An op whose positions do not
// convert is left to the server, which refuses it as it would (the
// error names an op the session knows: see handle).
func (s *Session) adoptEarly() map[string]bool {
	if len(s.early) == 0 {
		return nil
	}
	text := s.Text()
	if text == nil {
		text = textpos.New(s.Document.Text)
	}
	paras := textpos.Paragraphs(text.String())
	sent := map[string]bool{}
	for _, e := range s.early {
		op, at := e.op, e.op.At16
		start, end, quote, err := selection.Span(text, paras,
			selection.Point{Para: at[0], UTF16: at[1]}, selection.Point{Para: at[2], UTF16: at[3]}, true)
		if err != nil {
			continue
		}
		a := *op.Ann
		a.Document, a.Layer, a.Start, a.End, a.Quote = s.doc, s.You.Layer, start, end, quote
		op.Ann, op.At16 = &a, nil
		s.Doc.Submit(op)
		if e.sent {
			sent[op.ID] = true
		}
	}
	s.early = nil
	s.savePending()
	return sent
}

// EarlyAnnotations returns the IDs of the annotations tagged before the
// wasm ran (sent by web/gloss.js), in the order they were made.
func (s *Session) EarlyAnnotations() []string {
	ids := make([]string, len(s.earlyOrder))
	for i, opID := range s.earlyOrder {
		ids[i] = s.earlyAnns[opID]
	}
	return ids
}

// OnlyEarlySince reports whether the session's state is the one at seq
// with nothing but the early tags on top: each either confirmed (one seq
// each) or pending, and no other edit pending. The desk then adopts a
// pre-render made at seq and draws just those tags over it.
func (s *Session) OnlyEarlySince(seq int64) bool {
	for _, op := range s.PendingOps() {
		if _, ok := s.earlyAnns[op.ID]; !ok {
			return false
		}
	}
	return s.Seq() == seq+int64(s.earlyConfirmed)
}
