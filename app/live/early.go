package live

import (
	"encoding/json"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/shared/protocol"
	"gloss/shared/selection"
	"gloss/shared/textpos"
)

// Early tags: label keys pressed on the pre-rendered document before the
// desk is live are sent by web/gloss.js (glossTagEarly) as add ops placed
// by paragraph/UTF-16 positions ("at16"), on the socket it opened at page
// load — before the wasm runs, and on after the session took that socket
// over, until the desk is live: Go's start-up takes most of a second, and
// a tag made on sight meanwhile need not wait for it. The page keeps them
// in window.glossPre.ops. The session takes them over when it can — at
// its welcome, which brings the text, and when the desk goes live
// (AdoptEarly) — making each one of its pending edits, converted to code
// points by the same code as the server's (shared/selection): it shows
// at once, its echo and ack retire it as for any edit, a refusal is shown
// as any refusal, and if the socket dies before its ack it is re-sent (in
// code points: the server answers with the original ack if it had
// committed it). An op whose echo or refusal came before the session took
// it over is not made pending again.

// AdoptEarly takes over the tags the page sent or queued since the last
// call (see above). The desk calls it before its first render, then
// EndEarly.
func (s *Session) AdoptEarly() {
	if s.pre == nil || !s.Ready {
		return
	}
	ops := s.pre.Get("ops")
	if !ops.Truthy() {
		return
	}
	JSON := app.Window().Get("JSON")
	var text *textpos.Text
	var paras []textpos.Para
	adopted := false
	for i := 0; i < ops.Length(); i++ {
		o := ops.Index(i)
		if o.Get("taken").Truthy() {
			continue
		}
		o.Set("taken", true)
		var op protocol.Op
		if json.Unmarshal([]byte(JSON.Call("stringify", o.Get("op")).String()), &op) != nil || op.Ann == nil || len(op.At16) != 4 {
			continue
		}
		if s.earlyAnns == nil {
			s.earlyAnns = map[string]string{}
		}
		s.earlyAnns[op.ID] = op.Ann.ID
		s.earlyOrder = append(s.earlyOrder, op.ID)
		if s.earlyFailed[op.ID] {
			continue // refused already; the notice is shown
		}
		if _, ok := s.Annotation(op.Ann.ID); ok {
			s.earlyConfirmed++ // committed already: its echo came first
			continue
		}
		if text == nil {
			if text = s.Text(); text == nil {
				text = textpos.New(s.Document.Text)
			}
			paras = textpos.Paragraphs(text.String())
		}
		at := op.At16
		start, end, quote, err := selection.Span(text, paras,
			selection.Point{Para: at[0], UTF16: at[1]}, selection.Point{Para: at[2], UTF16: at[3]}, true)
		if err != nil {
			continue // the server refuses it as well, and the notice names it (handle)
		}
		a := *op.Ann
		a.Document, a.Layer, a.Start, a.End, a.Quote = s.doc, s.You.Layer, start, end, quote
		op.Ann, op.At16 = &a, nil
		s.Doc.Submit(op)
		adopted = true
		// Sent by the page on the socket the session has: on its way.
		if !(o.Get("sent").Truthy() && s.ws != nil && s.ws.Equal(s.pre.Get("ws"))) && s.Status == Connected {
			s.sendMsg(protocol.Message{Type: protocol.TypeOp, Op: &op})
		}
	}
	if adopted {
		s.savePending()
		s.changed()
	}
}

// EndEarly tells the page that the desk is live: label keys are the
// desk's from now on.
func (s *Session) EndEarly() {
	if s.pre == nil {
		return
	}
	s.pre.Set("done", true)
	s.pre, s.earlyFailed = nil, nil
	app.Window().Set("glossPre", nil)
}

// EarlyAnnotations returns the IDs of the annotations tagged before the
// desk was live (sent by web/gloss.js), in the order they were made.
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
