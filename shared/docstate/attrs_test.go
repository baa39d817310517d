package docstate

import (
	"errors"
	"testing"
	"time"

	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/textpos"
)

// TestResolveAttrs: an add carries Attrs and has them checked; an update
// without Attrs keeps them (a relabel from a client that does not know
// them), with Attrs replaces them, and with an empty object clears them.
func TestResolveAttrs(t *testing.T) {
	text := textpos.New("CNN reported that at least 40 people died.")
	schema := model.DefaultSchema()
	alice := Actor{User: "alice", Role: model.RoleAnnotator}
	forty, sixty := 40.0, 60.0
	have := &model.Attrs{Value: &forty, Qualifier: "at least", Unit: "people", Quantity: "dead"}
	base := func() *State {
		s := New()
		s.Reset(1, []model.Annotation{{ID: "f", Layer: "alice", Label: "figure", Start: 18, End: 41, Quote: "at least 40 people died", Author: "alice", Version: 1, Attrs: have}}, nil)
		return s
	}
	update := func(attrs *model.Attrs) protocol.Op {
		return protocol.Op{ID: "op", Kind: protocol.KindUpdate, Version: 1, Ann: &model.Annotation{ID: "f", Label: "claim", Start: 18, End: 41, Quote: "at least 40 people died", Attrs: attrs}}
	}
	tests := []struct {
		name string
		op   protocol.Op
		code string
		want *model.Attrs
	}{
		{"relabel keeps", update(nil), "", have},
		{"replace", update(&model.Attrs{Value: &sixty}), "", &model.Attrs{Value: &sixty}},
		{"clear", update(&model.Attrs{}), "", nil},
		{"cue outside the span", update(&model.Attrs{Cue: &[2]int{0, 3}}), model.CodeBadAttrs, nil},
		{"value and range", update(&model.Attrs{Value: &forty, Low: &forty, High: &sixty}), model.CodeBadAttrs, nil},
		{"add with attrs", protocol.Op{ID: "op", Kind: protocol.KindAdd, Ann: &model.Annotation{ID: "a", Label: "attribution", Start: 0, End: 12, Quote: "CNN reported", Attrs: &model.Attrs{Cue: &[2]int{4, 12}}}}, "", &model.Attrs{Cue: &[2]int{4, 12}}},
		{"add with a bad range", protocol.Op{ID: "op", Kind: protocol.KindAdd, Ann: &model.Annotation{ID: "a", Label: "figure", Start: 18, End: 29, Quote: "at least 40", Attrs: &model.Attrs{Low: &sixty, High: &forty}}}, model.CodeBadAttrs, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := base().Resolve(tc.op, text, schema, 9, alice, time.Unix(100, 0))
			if tc.code != "" {
				var rej *Rejection
				if !errors.As(err, &rej) || rej.Code != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := out.Ann.Attrs
			if (got == nil) != (tc.want == nil) {
				t.Fatalf("attrs = %+v, want %+v", got, tc.want)
			}
			if got != nil && (!sameNum(got.Value, tc.want.Value) || got.Qualifier != tc.want.Qualifier || (got.Cue == nil) != (tc.want.Cue == nil)) {
				t.Fatalf("attrs = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func sameNum(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
