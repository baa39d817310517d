package main

import (
	"bytes"
	"net/http"
	"strconv"

	"gloss/server/internal/jsonenc"
	"gloss/shared/protocol"
	"gloss/shared/textpos"
)

// wire is how the load clients talk to one kind of server: Gloss's JSON
// protocol (Gloss and the floor) or Hocuspocus's Yjs sync protocol
// (hocus.go). Everything else — pacing, saturating, timing every
// delivery, the report — is the same for all of them.
type wire interface {
	// path and header are those of the websocket dial.
	path() string
	header(token string) http.Header
	// frame is the websocket message type of what the client sends.
	frame() byte
	// hello are the messages sent after the dial; the client is
	// welcomed when classify says so.
	hello(c *loadClient, doc int64, token string) [][]byte
	// paced is op k of a paced run, sent by c.
	paced(c *loadClient, k int) []byte
	// next is c's next op in saturating mode; acked says how its last
	// one ended (ack is the ack, nil when it was refused).
	next(c *loadClient) []byte
	acked(c *loadClient, ack []byte)
	// echoes says whether the server sends an op to its sender too (or
	// only the ack).
	echoes() bool
	// classify says what a received message is; for ops (a message may
	// carry several) it calls op with who sent each and when.
	classify(msg []byte, op func(sender int, sentAt int64)) msgKind
}

type msgKind int

const (
	msgOther msgKind = iota
	msgWelcome
	msgOp
	msgAck
	msgError   // an error that refers to no op
	msgRefused // an op was refused
)

// glossWire is Gloss's protocol (PROTOCOL.md), which the floor echoes.
type glossWire struct {
	text *textpos.Text
}

var (
	opPrefix    = []byte(`{"type":"op","op":{"id":"s`)
	ackPrefix   = []byte(`{"type":"ack"`)
	errPrefix   = []byte(`{"type":"error"`)
	welcomeSnap = []byte(`{"you":`)
	welcomeType = []byte(`{"type":"welcome"`)
)

func (glossWire) path() string { return "/ws" }
func (glossWire) frame() byte  { return opText }
func (glossWire) echoes() bool { return true }

func (glossWire) header(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

func (glossWire) hello(_ *loadClient, doc int64, _ string) [][]byte {
	return [][]byte{mustJSON(protocol.Message{Type: protocol.TypeHello, Proto: protocol.Version, Doc: doc, Compact: true})}
}

// paced ops are adds.
func (w glossWire) paced(c *loadClient, k int) []byte {
	return w.add(makeOpID(c.idx, k), "a"+strconv.Itoa(k), k*7)
}

// next cycles add, relabel and delete of one annotation of c's.
func (w glossWire) next(c *loadClient) []byte {
	id, ann := makeOpID(c.idx, c.step), "c"+strconv.Itoa(c.idx)+"-"+strconv.Itoa(c.step/3)
	switch c.step % 3 {
	case 0:
		return w.add(id, ann, c.idx*37+c.step)
	case 1:
		return w.relabel(id, ann, c.version, c.idx*37+c.step-1)
	default:
		return del(id, ann, c.version)
	}
}

func (glossWire) acked(c *loadClient, ack []byte) {
	if ack == nil {
		c.step = (c.step/3 + 1) * 3 // refused: start with a new annotation
		return
	}
	if i := bytes.Index(ack, []byte(`"version":`)); i >= 0 {
		rest := ack[i+10:]
		if j := bytes.IndexAny(rest, ",}"); j >= 0 {
			c.version, _ = strconv.ParseInt(string(rest[:j]), 10, 64)
		}
	}
	c.step++
}

func (glossWire) classify(msg []byte, op func(int, int64)) msgKind {
	switch {
	case bytes.HasPrefix(msg, opPrefix):
		sender, sentAt, ok := parseOpID(msg[len(opPrefix):])
		if !ok {
			return msgOther
		}
		op(sender, sentAt)
		return msgOp
	case bytes.HasPrefix(msg, ackPrefix):
		return msgAck
	case bytes.HasPrefix(msg, errPrefix):
		if bytes.Contains(msg, []byte(`"opId"`)) {
			return msgRefused
		}
		return msgError
	case bytes.HasPrefix(msg, welcomeSnap) || bytes.HasPrefix(msg, welcomeType):
		return msgWelcome
	}
	return msgOther
}

// add, relabel and del are the ops' messages as json.Marshal writes a
// protocol.Message (wire_test.go holds them to it), built by appending:
// the tool sends thousands a second, and reflection was a tenth of its
// CPU.
func (w glossWire) add(opID, annID string, start int) []byte {
	return w.annOp(opID, protocol.KindAdd, annID, "claim", 0, start)
}

func (w glossWire) relabel(opID, annID string, version int64, start int) []byte {
	return w.annOp(opID, protocol.KindUpdate, annID, "figure", version, start)
}

func (w glossWire) annOp(opID, kind, annID, label string, version int64, start int) []byte {
	start %= w.text.Len() - 20
	q, _ := w.text.Slice(start, start+8)
	b := make([]byte, 0, 320)
	b = append(b, `{"type":"op","op":{"id":`...)
	b = jsonenc.AppendString(b, opID)
	b = append(b, `,"kind":`...)
	b = jsonenc.AppendString(b, kind)
	b = append(b, `,"ann":{"id":`...)
	b = jsonenc.AppendString(b, annID)
	b = append(b, `,"doc":0,"layer":"","label":`...)
	b = jsonenc.AppendString(b, label)
	b = append(b, `,"start":`...)
	b = strconv.AppendInt(b, int64(start), 10)
	b = append(b, `,"end":`...)
	b = strconv.AppendInt(b, int64(start+8), 10)
	b = append(b, `,"quote":`...)
	b = jsonenc.AppendString(b, q)
	b = append(b, `,"author":"","version":0,"created":"0001-01-01T00:00:00Z","updated":"0001-01-01T00:00:00Z"}`...)
	return appendVersionEnd(b, version)
}

func del(opID, annID string, version int64) []byte {
	b := make([]byte, 0, 100)
	b = append(b, `{"type":"op","op":{"id":`...)
	b = jsonenc.AppendString(b, opID)
	b = append(b, `,"kind":`...)
	b = jsonenc.AppendString(b, protocol.KindDelete)
	b = append(b, `,"target":`...)
	b = jsonenc.AppendString(b, annID)
	return appendVersionEnd(b, version)
}

func appendVersionEnd(b []byte, version int64) []byte {
	if version != 0 { // omitempty
		b = append(b, `,"version":`...)
		b = strconv.AppendInt(b, version, 10)
	}
	return append(b, "}}"...)
}
