package api_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"gloss/shared/model"
	"gloss/shared/protocol"
)

// TestRolesReview is the role table of review and adjudication over the
// real websocket and hub: who may write gold, reject and accept bob's
// span, comment on it, and set the document's review status. A refused op
// is refused as forbidden and changes nothing in the store.
func TestRolesReview(t *testing.T) {
	const quote = "at least 40 people died" // 15–38 of the fixture's text
	cases := []struct {
		name string
		op   func(n int) protocol.Op
		want [4]bool // admin, reviewer, annotator, viewer
	}{
		{"write gold", func(n int) protocol.Op {
			id := fmt.Sprintf("g%d", n)
			return protocol.Op{Kind: protocol.KindAdd, Ann: &model.Annotation{ID: id, Layer: model.GoldLayer, Label: "figure", Start: 15, End: 38, Quote: quote}}
		}, [4]bool{true, true, false, false}},
		{"reject an annotator's span", func(int) protocol.Op {
			return protocol.Op{Kind: protocol.KindReview, Target: "b1", Version: 1, Status: string(model.ReviewRejected)}
		}, [4]bool{true, true, false, false}},
		{"accept an annotator's span into gold", func(n int) protocol.Op {
			return protocol.Op{Kind: protocol.KindAccept, Target: "b1", Version: 1,
				Ann: &model.Annotation{ID: fmt.Sprintf("copy%d", n), Label: "claim", Start: 0, End: 14, Quote: "Officials said"}}
		}, [4]bool{true, true, false, false}},
		{"comment on a span", func(n int) protocol.Op {
			return protocol.Op{Kind: protocol.KindComment, Comment: &model.Comment{ID: fmt.Sprintf("c%d", n), Target: "b1", Text: "Why a claim?"}}
		}, [4]bool{true, true, true, false}},
		{"set the document's review status", func(int) protocol.Op {
			return protocol.Op{Kind: protocol.KindDocStatus, Status: string(model.DocAdjudicated)}
		}, [4]bool{true, true, false, false}},
	}
	for i, role := range roles[:4] {
		t.Run(role, func(t *testing.T) {
			f := newFixture(t)
			conn, _, err := f.as(role).ws(nil)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := hello(conn, f.doc); err != nil {
				t.Fatal(err)
			}
			for n, oc := range cases {
				op := oc.op(n)
				op.ID = fmt.Sprintf("%s-%d", role, n)
				before, _ := f.st.Snapshot(context.Background(), f.doc)
				m, err := send(conn, op)
				if err != nil {
					t.Fatalf("%s: %v", oc.name, err)
				}
				after, _ := f.st.Snapshot(context.Background(), f.doc)
				got := m.Type == protocol.TypeAck
				if got != oc.want[i] {
					t.Errorf("%s: %s → %s %s %s, want allowed=%v", role, oc.name, m.Type, m.Code, m.Text, oc.want[i])
				}
				switch {
				case !got && m.Code != protocol.CodeForbidden:
					t.Errorf("%s: %s refused with %q, want %q", role, oc.name, m.Code, protocol.CodeForbidden)
				case !got && !reflect.DeepEqual(after, before):
					t.Errorf("%s: the refused %s changed the document", role, oc.name)
				case got && after.Seq != before.Seq+1:
					t.Errorf("%s: %s acked but the store is at seq %d (was %d)", role, oc.name, after.Seq, before.Seq)
				}
			}
		})
	}
}
