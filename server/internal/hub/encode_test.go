package hub

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"gloss/shared/model"
	"gloss/shared/protocol"
)

// TestEncodeOpAck holds the hand-written op and ack frames to what
// encode (encoding/json) writes for the same messages, including the
// ops encodeOp leaves to it.
func TestEncodeOpAck(t *testing.T) {
	t0 := time.Date(2026, 11, 29, 20, 0, 0, 0, time.UTC)
	ann := &model.Annotation{ID: "a<1>", Document: 3, Layer: "alice", Label: "claim", Start: 1, End: 4, Quote: "東京 😀",
		Author: "alice", Version: 1, Created: t0, Updated: t0}
	for _, op := range []protocol.Op{
		{ID: "o1", Kind: protocol.KindAdd, Ann: ann, Seq: 9, User: "alice", Time: t0.UnixMilli()},
		{ID: "o2", Kind: protocol.KindDelete, Target: "a<1>", Version: 1, Seq: 10},
		{Kind: protocol.KindHidden, Seq: 11},
		{ID: "o3", Kind: protocol.KindAddRelation, Rel: &model.Relation{ID: "r", From: "a", To: "b", Type: "source"}, Seq: 12},
	} {
		want, err := encode(protocol.Message{Type: protocol.TypeOp, Op: &op})
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeOp(&op)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("encodeOp(%+v) = %q, %v\n want %q", op, got, err, want)
		}
	}
	for _, a := range []struct {
		id           string
		seq, version int64
	}{{"o1", 9, 1}, {"o\"2", 10, 0}, {"", 0, 0}} {
		want, _ := encode(protocol.Message{Type: protocol.TypeAck, OpID: a.id, Seq: a.seq, Version: a.version})
		if got := encodeAck(a.id, a.seq, a.version); !bytes.Equal(got, want) {
			t.Errorf("encodeAck(%q, %d, %d) = %q, want %q", a.id, a.seq, a.version, got, want)
		}
	}
	// A long op (frame length in the 16-bit form) is framed alike.
	long := protocol.Op{ID: "o4", Kind: protocol.KindAdd, Ann: &model.Annotation{Quote: string(bytes.Repeat([]byte("x"), 70000)), Created: t0, Updated: t0}}
	want, _ := encode(protocol.Message{Type: protocol.TypeOp, Op: &long})
	if got, _ := encodeOp(&long); !bytes.Equal(got, want) {
		t.Errorf("encodeOp of a %d-byte op differs from encode", len(want))
	}
	var m protocol.Message
	if err := json.Unmarshal(want[10:], &m); err != nil || m.Op == nil || m.Op.ID != "o4" {
		t.Errorf("the long frame's payload does not decode: %v", err)
	}
}
