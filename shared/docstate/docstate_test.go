package docstate

import (
	"errors"
	"testing"
	"time"

	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/textpos"
)

func TestResolve(t *testing.T) {
	text := textpos.New("CNN reported that at least 40 people died.")
	schema := model.DefaultSchema()
	now := time.Unix(100, 123456789) // Resolve keeps milliseconds, as stores do
	alice := Actor{User: "alice", Role: model.RoleAnnotator}
	rita := Actor{User: "rita", Role: model.RoleReviewer}
	viewer := Actor{User: "vic", Role: model.RoleViewer}
	base := func() *State {
		s := New()
		s.Reset(2, []model.Annotation{
			{ID: "a1", Layer: "alice", Label: "attribution", Start: 0, End: 12, Quote: "CNN reported", Author: "alice", Version: 3},
			{ID: "b1", Layer: "bob", Label: "claim", Start: 18, End: 41, Quote: "at least 40 people died", Author: "bob", Version: 1},
		}, []model.Relation{{ID: "r1", Layer: "alice", Type: "source", From: "a1", To: "b1", Version: 1}})
		return s
	}
	add := func(id, layer, label string, s, e int, q string) protocol.Op {
		return protocol.Op{ID: "op", Kind: protocol.KindAdd, Ann: &model.Annotation{ID: id, Layer: layer, Label: label, Start: s, End: e, Quote: q}}
	}
	tests := []struct {
		name string
		who  Actor
		op   protocol.Op
		code string
	}{
		{"add own layer", alice, add("n1", "", "figure", 18, 29, "at least 40"), ""},
		{"add other's layer", alice, add("n1", "bob", "figure", 18, 29, "at least 40"), protocol.CodeForbidden},
		{"add gold as annotator", alice, add("n1", "gold", "figure", 18, 29, "at least 40"), protocol.CodeForbidden},
		{"reviewer adds gold by default", rita, add("n1", "", "figure", 18, 29, "at least 40"), ""},
		{"reviewer own layer", rita, add("n1", "rita", "figure", 18, 29, "at least 40"), protocol.CodeForbidden},
		{"viewer", viewer, add("n1", "", "figure", 18, 29, "at least 40"), protocol.CodeForbidden},
		{"duplicate id", alice, add("a1", "", "figure", 18, 29, "at least 40"), protocol.CodeDuplicateID},
		{"bad quote", alice, add("n1", "", "figure", 18, 29, "at most 40"), model.CodeQuoteMismatch},
		{"unknown label", alice, add("n1", "", "opinion", 18, 29, "at least 40"), model.CodeUnknownLabel},
		{"update current", alice, protocol.Op{ID: "op", Kind: protocol.KindUpdate, Version: 3, Ann: &model.Annotation{ID: "a1", Label: "claim", Start: 0, End: 12, Quote: "CNN reported"}}, ""},
		{"update stale", alice, protocol.Op{ID: "op", Kind: protocol.KindUpdate, Version: 2, Ann: &model.Annotation{ID: "a1", Label: "claim", Start: 0, End: 12, Quote: "CNN reported"}}, protocol.CodeConflict},
		{"update other's", alice, protocol.Op{ID: "op", Kind: protocol.KindUpdate, Version: 1, Ann: &model.Annotation{ID: "b1", Label: "figure", Start: 18, End: 41, Quote: "at least 40 people died"}}, protocol.CodeForbidden},
		{"update missing", alice, protocol.Op{ID: "op", Kind: protocol.KindUpdate, Version: 1, Ann: &model.Annotation{ID: "zz"}}, protocol.CodeNotFound},
		{"delete stale", alice, protocol.Op{ID: "op", Kind: protocol.KindDelete, Target: "a1", Version: 1}, protocol.CodeConflict},
		{"delete", alice, protocol.Op{ID: "op", Kind: protocol.KindDelete, Target: "a1", Version: 3}, ""},
		{"relation to missing", alice, protocol.Op{ID: "op", Kind: protocol.KindAddRelation, Rel: &model.Relation{ID: "r2", Type: "source", From: "a1", To: "zz"}}, model.CodeRelationEndpoint},
		{"relation unknown type", alice, protocol.Op{ID: "op", Kind: protocol.KindAddRelation, Rel: &model.Relation{ID: "r2", Type: "cause", From: "a1", To: "b1"}}, model.CodeUnknownRelation},
		{"relation", alice, protocol.Op{ID: "op", Kind: protocol.KindAddRelation, Rel: &model.Relation{ID: "r2", Type: "source", From: "a1", To: "b1"}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := base()
			before := s.Clone()
			out, err := s.Resolve(tc.op, text, schema, 9, tc.who, now)
			if tc.code != "" {
				var rej *Rejection
				if !errors.As(err, &rej) || rej.Code != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				if tc.code == protocol.CodeConflict && rej.Current == nil {
					t.Error("conflict without current state")
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected %v", err)
			}
			if len(s.Anns) != len(before.Anns) || s.Seq != before.Seq {
				t.Fatal("Resolve changed the state")
			}
			out.Seq = s.Seq + 1
			s.Apply(out)
			if s.Seq != 3 {
				t.Errorf("Seq after Apply = %d", s.Seq)
			}
			switch tc.op.Kind {
			case protocol.KindAdd:
				a := s.Anns["n1"]
				if a.Version != 1 || a.Author != tc.who.User || a.Document != 9 || a.Layer == "" || a.Created.Nanosecond() != 123000000 {
					t.Errorf("added %+v", a)
				}
			case protocol.KindUpdate:
				if a := s.Anns["a1"]; a.Version != 4 || a.Label != "claim" {
					t.Errorf("updated %+v", a)
				}
			case protocol.KindDelete:
				if _, ok := s.Anns["a1"]; ok || len(s.Rels) != 0 {
					t.Errorf("delete left %v / relations %v", s.Anns["a1"], s.Rels)
				}
			case protocol.KindAddRelation:
				if r := s.Rels["r2"]; r.Version != 1 || r.Layer != "alice" {
					t.Errorf("relation %+v", r)
				}
			}
		})
	}
}

func TestAnnotationsOrder(t *testing.T) {
	s := New()
	s.Reset(0, []model.Annotation{{ID: "c", Start: 5, End: 6}, {ID: "b", Start: 0, End: 3}, {ID: "a", Start: 0, End: 9}, {ID: "d", Start: 0, End: 3}}, nil)
	var got string
	for _, a := range s.Annotations() {
		got += a.ID
	}
	if got != "abdc" {
		t.Fatalf("order %s, want abdc (start, longer first, id)", got)
	}
}
