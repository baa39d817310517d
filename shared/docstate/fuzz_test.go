package docstate

import (
	"testing"
	"time"

	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/textpos"
)

// FuzzResolve sends arbitrary messages through what the room does with an
// op — decode, Resolve, Apply — against a text with an emoji outside the
// BMP, CJK, a combining mark and U+00A0. Nothing may panic, and whatever
// Resolve accepts must leave a state whose spans lie inside the text and
// quote it exactly.
func FuzzResolve(f *testing.F) {
	text := textpos.New("CNN reported 🙂 at least 40\u00a0people died; 東京 café\u0301.")
	schema := model.DefaultSchema()
	who := []Actor{{User: "alice", Role: model.RoleAnnotator}, {User: "rita", Role: model.RoleReviewer}, {User: "vic", Role: model.RoleViewer}}
	seeds := []string{
		`{"type":"op","op":{"id":"o1","kind":"add","ann":{"id":"n1","label":"figure","start":15,"end":26,"quote":"at least 40"}}}`,
		`{"type":"op","op":{"id":"o2","kind":"update","ann":{"id":"a1","label":"claim","start":0,"end":3,"quote":"CNN","version":1}}}`,
		`{"type":"op","op":{"id":"o3","kind":"delete","ann":{"id":"a1","version":1}}}`,
		`{"type":"op","op":{"id":"o4","kind":"add","rel":{"id":"r2","type":"source","from":"a1","to":"b1"}}}`,
		`{"type":"op","op":{"id":"o5","kind":"add","ann":{"id":"n2","label":"figure","start":13,"end":14,"quote":"🙂","attrs":{"value":40}}}}`,
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i))
	}
	quote := func(start, end int) string {
		q, err := text.Slice(start, end)
		if err != nil {
			f.Fatal(err)
		}
		return q
	}
	f.Fuzz(func(t *testing.T, data []byte, actor uint8) {
		m, err := protocol.Decode(data)
		if err != nil || m.Type != protocol.TypeOp || m.Op == nil {
			return
		}
		s := New()
		s.Reset(2, []model.Annotation{
			{ID: "a1", Layer: "alice", Label: "attribution", Start: 0, End: 12, Quote: "CNN reported", Author: "alice", Version: 1},
			{ID: "b1", Layer: "alice", Label: "claim", Start: 15, End: 38, Quote: quote(15, 38), Author: "alice", Version: 1},
		}, nil)
		out, err := s.Resolve(*m.Op, text, schema, 9, who[int(actor)%len(who)], time.Unix(100, 0))
		if err != nil {
			return
		}
		s.Apply(out)
		for _, a := range s.Annotations() {
			if a.Start < 0 || a.End > text.Len() || a.Start >= a.End {
				t.Fatalf("span %s [%d,%d) outside the text (%d)", a.ID, a.Start, a.End, text.Len())
			}
			if q, err := text.Slice(a.Start, a.End); err != nil || q != a.Quote {
				t.Fatalf("span %s quotes %q, the text has %q", a.ID, a.Quote, q)
			}
		}
		for _, r := range s.Relations() {
			if _, ok := s.Anns[r.From]; !ok {
				t.Fatalf("relation %s from missing span %s", r.ID, r.From)
			}
		}
	})
}
