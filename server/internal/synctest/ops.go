package synctest

import (
	"sync"

	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/textpos"
)

// indexed holds the texts Quote has indexed, so that building many ops
// on one document does not index it again each time.
var indexed sync.Map // string → *textpos.Text

// Quote returns text between code points start and end, as a client
// would cut it out of the document.
func Quote(text string, start, end int) string {
	t, ok := indexed.Load(text)
	if !ok {
		t, _ = indexed.LoadOrStore(text, textpos.New(text))
	}
	q, err := t.(*textpos.Text).Slice(start, end)
	if err != nil {
		panic(err)
	}
	return q
}

// Add is an op message adding annotation annID over [start,end) of text.
func Add(opID, annID, label, text string, start, end int) protocol.Message {
	return protocol.Message{Type: protocol.TypeOp, Op: &protocol.Op{ID: opID, Kind: protocol.KindAdd,
		Ann: &model.Annotation{ID: annID, Label: label, Start: start, End: end, Quote: Quote(text, start, end)}}}
}

// Update is an op message changing annotation annID, at version, to label
// over [start,end) of text.
func Update(opID, annID string, version int64, label, text string, start, end int) protocol.Message {
	return protocol.Message{Type: protocol.TypeOp, Op: &protocol.Op{ID: opID, Kind: protocol.KindUpdate, Version: version,
		Ann: &model.Annotation{ID: annID, Label: label, Start: start, End: end, Quote: Quote(text, start, end)}}}
}

// Relabel is an Update that keeps the span of a.
func Relabel(opID string, a model.Annotation, label string) protocol.Message {
	return protocol.Message{Type: protocol.TypeOp, Op: &protocol.Op{ID: opID, Kind: protocol.KindUpdate, Version: a.Version,
		Ann: &model.Annotation{ID: a.ID, Label: label, Start: a.Start, End: a.End, Quote: a.Quote}}}
}

// Delete is an op message deleting annotation target at version.
func Delete(opID, target string, version int64) protocol.Message {
	return protocol.Message{Type: protocol.TypeOp, Op: &protocol.Op{ID: opID, Kind: protocol.KindDelete, Target: target, Version: version}}
}

// IsAck reports whether m acknowledges opID.
func IsAck(m protocol.Message, opID string) bool {
	return m.Type == protocol.TypeAck && m.OpID == opID
}
