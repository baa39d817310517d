package jsonenc

import (
	"encoding/json"
	"testing"
	"time"

	"gloss/shared/model"
	"gloss/shared/protocol"
)

var t0 = time.Date(2026, 11, 29, 20, 0, 0, 123000000, time.UTC)

func opCases() []protocol.Op {
	ann := func(quote string) *model.Annotation {
		return &model.Annotation{ID: "a1", Document: 7, Layer: "alice", Label: "claim", Start: 3, End: 9,
			Quote: quote, Author: "alice", Version: 1, Created: t0, Updated: t0}
	}
	relabel := ann("ISIS.\u00a0")
	relabel.Label, relabel.Version, relabel.Updated = "figure", 2, t0.Add(time.Second)
	return []protocol.Op{
		{ID: "op1", Kind: protocol.KindAdd, Ann: ann("😀 東京 e\u0301 <b>&"), Seq: 12, User: "alice", Time: t0.UnixMilli()},
		{ID: "op2", Kind: protocol.KindUpdate, Ann: relabel, Version: 1, Seq: 13, User: "alice", Time: t0.UnixMilli()},
		{ID: "op3", Kind: protocol.KindDelete, Target: "a1", Version: 2, Seq: 14, User: "bob"},
		{ID: "", Kind: protocol.KindDelete},
		{ID: "op4", Kind: protocol.KindHidden, Seq: 15},
		{ID: "op5", Kind: protocol.KindAccept, Target: "a1", Version: 2, Status: "accepted", Ann: ann("bad \xff utf-8")},
	}
}

// TestAppendOp holds AppendOp to json.Marshal, and checks it leaves
// every op it does not write to encoding/json, untouched.
func TestAppendOp(t *testing.T) {
	for _, op := range opCases() {
		want, err := json.Marshal(op)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := AppendOp([]byte("prefix"), op)
		if !ok || string(got) != "prefix"+string(want) {
			t.Errorf("AppendOp(%+v) = %q, %v\n want prefix%s", op, got, ok, want)
		}
	}
	for _, op := range []protocol.Op{
		{Kind: protocol.KindAddRelation, Rel: &model.Relation{ID: "r"}},
		{Kind: protocol.KindComment, Comment: &model.Comment{ID: "c"}},
		{Kind: protocol.KindReview, Reviews: []model.Review{{Annotation: "a"}}},
		{Kind: protocol.KindDocStatus, DocReview: &model.DocReview{}},
		{Kind: protocol.KindAdd, Ann: &model.Annotation{Attrs: &model.Attrs{}}},
		{Kind: protocol.KindAdd, At16: []int{0, 1, 0, 4}},
		{Kind: protocol.KindAdd, Ann: &model.Annotation{Created: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{Kind: protocol.KindAdd, Ann: &model.Annotation{Created: t0, Updated: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}},
	} {
		if got, ok := AppendOp([]byte("prefix"), op); ok || string(got) != "prefix" {
			t.Errorf("AppendOp(%+v) = %q, %v; want it left to encoding/json", op, got, ok)
		}
	}
}

func FuzzAppendOp(f *testing.F) {
	for _, op := range opCases() {
		if op.Ann != nil {
			f.Add(op.ID, op.Ann.Quote, op.User, op.Ann.Created.UnixNano(), op.Seq)
		}
	}
	f.Fuzz(func(t *testing.T, id, quote, user string, nanos, seq int64) {
		ts := time.Unix(0, nanos).UTC()
		op := protocol.Op{ID: id, Kind: protocol.KindAdd, User: user, Seq: seq,
			Ann: &model.Annotation{ID: id, Quote: quote, Label: user, Created: ts, Updated: ts}}
		want, err := json.Marshal(op)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := AppendOp(nil, op); !ok || string(got) != string(want) {
			t.Errorf("AppendOp = %q, %v\n want %q", got, ok, want)
		}
	})
}
