package main

import (
	"encoding/binary"
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"
)

// hocusWire is Hocuspocus's protocol (@hocuspocus/server 4.x): binary
// messages, each the document's name (a lib0 varString), a message type
// (varUint) and its body; the document is a Yjs document and an op is a
// Yjs update. Each op sets a new key of one shared map, its value the op's
// id (sender and send time, as Gloss's op ids carry them), so that a
// receiver times the delivery from the update itself. The server answers
// each update with SyncStatus (its ack: applied in memory) and sends the
// update to every connection of the document, the sender's too, merged
// with the others that arrived in the same turn of its event loop.
type hocusWire struct{}

// Hocuspocus message types and the Yjs sync protocol's (y-protocols).
const (
	hpSync       = 0
	hpAuth       = 2
	hpSyncReply  = 4
	hpSyncStatus = 8

	yjsStep1  = 0
	yjsStep2  = 1
	yjsUpdate = 2

	authToken = 0
)

// ycids gives every load client a Yjs client id of its own: a document
// ignores an update of a (client, clock) it has seen.
var ycids atomic.Uint64

func (*hocusWire) path() string                  { return "/" }
func (*hocusWire) header(string) http.Header     { return nil }
func (*hocusWire) frame() byte                   { return opBinary }
func (*hocusWire) echoes() bool                  { return true }
func (*hocusWire) acked(c *loadClient, _ []byte) { c.step++ }

func docName(doc int64) string { return "d" + strconv.FormatInt(doc, 10) }

// hello authenticates (Hocuspocus waits for it, whatever the token) and
// starts the sync with an empty state vector.
func (*hocusWire) hello(c *loadClient, doc int64, token string) [][]byte {
	c.ycid = ycids.Add(1)
	c.docName = docName(doc)
	auth := appendVarString(nil, c.docName)
	auth = binary.AppendUvarint(auth, hpAuth)
	auth = binary.AppendUvarint(auth, authToken)
	auth = appendVarString(auth, token)
	step1 := appendVarString(nil, c.docName)
	step1 = binary.AppendUvarint(step1, hpSync)
	step1 = binary.AppendUvarint(step1, yjsStep1)
	step1 = appendVarBytes(step1, []byte{0}) // state vector: no clients
	return [][]byte{auth, step1}
}

func (w *hocusWire) paced(c *loadClient, k int) []byte {
	m := w.update(c, makeOpID(c.idx, k))
	c.step++ // the paced run takes no acks into account
	return m
}

func (w *hocusWire) next(c *loadClient) []byte { return w.update(c, makeOpID(c.idx, c.step)) }

// update is a sync message with the Yjs update (v1 encoding) that sets
// key "k<ycid>_<step>" (a new one: no deletion) of the root map "m" to
// the string id, as client c.ycid at
// clock c.step: one struct group, one Item (info 0x28: a parentSub, and
// ContentAny), no deletions.
func (*hocusWire) update(c *loadClient, id string) []byte {
	u := []byte{1, 1}
	u = binary.AppendUvarint(u, c.ycid)
	u = binary.AppendUvarint(u, uint64(c.step))
	u = append(u, 0x28, 1) // info; parent is a root type (a "ykey")
	u = appendVarString(u, "m")
	u = appendVarString(u, "k"+strconv.FormatUint(c.ycid, 10)+"_"+strconv.Itoa(c.step))
	u = append(u, 1, 119) // one value, a string
	u = appendVarString(u, id)
	u = append(u, 0) // delete set: empty
	m := appendVarString(nil, c.docName)
	m = binary.AppendUvarint(m, hpSync)
	m = binary.AppendUvarint(m, yjsUpdate)
	return appendVarBytes(m, u)
}

func (*hocusWire) classify(msg []byte, op func(int, int64)) msgKind {
	r := lib0{b: msg}
	r.bytes() // the document
	typ := r.uint()
	switch {
	case r.err != nil:
		return msgOther
	case typ == hpSyncStatus:
		if r.uint() == 1 {
			return msgAck
		}
		return msgRefused
	case typ != hpSync && typ != hpSyncReply:
		return msgOther
	}
	switch r.uint() {
	case yjsStep2:
		return msgWelcome
	case yjsUpdate:
		if readUpdate(r.bytes(), op) {
			return msgOp
		}
	}
	return msgOther
}

// readUpdate calls op for each of the load clients' map entries in a Yjs
// update (v1), which Hocuspocus may have merged from several: groups of
// structs per client, each struct an Item (our entries), or GC or Skip
// (a run of clocks). It reports whether the update was read whole.
func readUpdate(b []byte, op func(int, int64)) bool {
	u := lib0{b: b}
	for groups := u.uint(); groups > 0 && u.err == nil; groups-- {
		structs := u.uint()
		u.uint() // client
		u.uint() // first clock
		for ; structs > 0 && u.err == nil; structs-- {
			info := u.byte()
			switch info & 0x1f {
			case 0, 10: // GC, Skip: a length
				u.uint()
				continue
			case 8: // ContentAny: ours
			default:
				return false
			}
			if info&0x80 != 0 { // origin
				u.uint()
				u.uint()
			}
			if info&0x40 != 0 { // right origin
				u.uint()
				u.uint()
			}
			if info&0xc0 == 0 {
				if u.uint() == 1 { // the parent: a root type's name, or an item's id
					u.bytes()
				} else {
					u.uint()
					u.uint()
				}
				if info&0x20 != 0 {
					u.bytes() // the key
				}
			}
			for n := u.uint(); n > 0 && u.err == nil; n-- {
				if u.byte() != 119 { // a string
					return false
				}
				if id := u.bytes(); len(id) > 1 && id[0] == 's' {
					if sender, sentAt, ok := parseOpID(id[1:]); ok {
						op(sender, sentAt)
					}
				}
			}
		}
	}
	return u.err == nil
}

// lib0 reads lib0's encoding (varUint, varString, varUint8Array).
type lib0 struct {
	b   []byte
	err error
}

var errShort = errors.New("lib0: message ends early")

func (r *lib0) uint() uint64 {
	if len(r.b) > 0 && r.b[0] < 0x80 { // one byte, as most are: inlined
		v := r.b[0]
		r.b = r.b[1:]
		return uint64(v)
	}
	return r.longUint()
}

func (r *lib0) longUint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err, r.b = errShort, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *lib0) byte() byte {
	if len(r.b) == 0 {
		r.err = errShort
		return 0
	}
	b := r.b[0]
	r.b = r.b[1:]
	return b
}

func (r *lib0) bytes() []byte {
	n := r.uint()
	if uint64(len(r.b)) < n {
		r.err, r.b = errShort, nil
		return nil
	}
	b := r.b[:n]
	r.b = r.b[n:]
	return b
}

func appendVarString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendVarBytes(b, p []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(p)))
	return append(b, p...)
}
