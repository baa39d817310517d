package store

import (
	"testing"
	"time"

	"gloss/shared/model"
	"gloss/shared/protocol"
)

// appendOpCases are ops of the shapes appendOp writes, with the strings
// and times where a hand-written encoder could part from encoding/json.
func appendOpCases() []protocol.Op {
	t := time.UnixMilli(1_767_323_049_120).UTC()
	ann := func(quote string, created time.Time) *model.Annotation {
		return &model.Annotation{ID: "a1", Document: 7, Layer: "bob", Label: "claim", Start: 4, End: 17, Quote: quote,
			Author: "bob", Version: 2, Created: created, Updated: created.Add(1500 * time.Millisecond)}
	}
	ops := []protocol.Op{
		{ID: "op1", Kind: protocol.KindAdd, Ann: ann("reported that", t), Seq: 5, User: "bob", Time: t.UnixMilli()},
		{ID: "op2", Kind: protocol.KindUpdate, Ann: ann("x", t), Version: 1, Seq: 6, User: "bob", Time: t.UnixMilli()},
		{ID: "op3", Kind: protocol.KindDelete, Target: "a1", Version: 3, Seq: 7, User: "bob", Time: t.UnixMilli()},
		{ID: "", Kind: protocol.KindDelete},
		{ID: "op4", Kind: protocol.KindAdd, Ann: ann("", time.Time{}), Seq: 1},
		{ID: "op5", Kind: protocol.KindAdd, Ann: ann("q", time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)))},
		{ID: "op6", Kind: protocol.KindAdd, Ann: ann("q", time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC))},
		{ID: "op7", Kind: protocol.KindDelete, Target: "a1", Version: -1, Seq: -2, Time: -3, Status: "s"},
	}
	for i, q := range []string{
		"<b>&amp;</b>", `"quoted" \back\slash`, "\x00\x01\x1f\x7f \b\f\n\r\t", "bad \xff\xfe utf-8 \xe2\x82",
		"line\u2028para\u2029", "émoji 😀 中文", "\u00a0\ufeff", "end\\",
	} {
		ops = append(ops, protocol.Op{ID: q, Kind: protocol.KindAdd, Ann: ann(q, t), Seq: int64(i), User: q, Status: q})
	}
	return ops
}

// TestAppendOp checks that appendOp writes what json.Marshal writes
// (marshalOp), byte for byte, and declines the ops it does not know.
func TestAppendOp(t *testing.T) {
	for _, op := range appendOpCases() {
		want, err := marshalOp(op)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := appendOp(nil, op)
		if !ok || string(got) != want {
			t.Errorf("appendOp(%+v) = %q, %v\n want %q", op, got, ok, want)
		}
	}
	attrs := &model.Attrs{}
	for _, op := range []protocol.Op{
		{Kind: protocol.KindAddRelation, Rel: &model.Relation{ID: "r"}},
		{Kind: protocol.KindComment, Comment: &model.Comment{ID: "c"}},
		{Kind: protocol.KindReview, Reviews: []model.Review{{Annotation: "a"}}},
		{Kind: protocol.KindDocStatus, DocReview: &model.DocReview{}},
		{Kind: protocol.KindAdd, Ann: &model.Annotation{Attrs: attrs}},
		{Kind: protocol.KindAdd, Ann: &model.Annotation{Created: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
	} {
		if _, ok := appendOp(nil, op); ok {
			t.Errorf("appendOp(%+v) wrote it, want it left to encoding/json", op)
		}
	}
}

// FuzzAppendOp compares appendOp with json.Marshal on any strings.
func FuzzAppendOp(f *testing.F) {
	for _, op := range appendOpCases() {
		if op.Ann != nil {
			f.Add(op.ID, op.Ann.Quote, op.User, op.Ann.Created.UnixNano())
		}
	}
	f.Fuzz(func(t *testing.T, id, quote, user string, nanos int64) {
		ts := time.Unix(0, nanos).UTC()
		op := protocol.Op{ID: id, Kind: protocol.KindAdd, User: user, Seq: nanos % 1000,
			Ann: &model.Annotation{ID: id, Quote: quote, Label: user, Created: ts, Updated: ts}}
		want, err := marshalOp(op)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := appendOp(nil, op); !ok || string(got) != want {
			t.Errorf("appendOp = %q, %v\n want %q", got, ok, want)
		}
	})
}
