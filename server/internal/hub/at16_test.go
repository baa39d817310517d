package hub_test

import (
	"strings"
	"testing"
	"unicode/utf16"

	"gloss/server/internal/synctest"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// at16Text has, before the spans the test tags, what UTF-16 and code
// points count differently or a naive split gets wrong: an emoji (two
// UTF-16 units, one code point), CJK, a combining mark, a no-break space.
const at16Text = "Intro line.\n\n😀 東京 e\u0301te\u0301\u00a0said the governor Andrey Vorobyov today.\nLast 😀 line"

// u16 is the UTF-16 length of s, as the browser's Range.toString().length.
func u16(s string) int { return len(utf16.Encode([]rune(s))) }

// cpOf is the code point offset of the first sub in at16Text, counted
// here without shared/textpos.
func cpOf(t *testing.T, sub string) int {
	t.Helper()
	i := strings.Index(at16Text, sub)
	if i < 0 {
		t.Fatalf("%q not in the text", sub)
	}
	return len([]rune(at16Text[:i]))
}

func at16Op(opID, annID string, at ...int) protocol.Message {
	return protocol.Message{Type: protocol.TypeOp, Op: &protocol.Op{ID: opID, Kind: protocol.KindAdd, At16: at,
		Ann: &model.Annotation{ID: annID, Label: "claim"}}}
}

// TestAt16 follows an add op placed by paragraph/UTF-16 positions (what
// web/gloss.js sends before the wasm runs): the server converts it as the
// desk would, and everyone — the sender's ack, the broadcast, the store —
// sees code points only.
func TestAt16(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{Text: at16Text})
	s.AddUser("alice", model.RoleAnnotator)
	s.AddUser("bob", model.RoleAnnotator)
	doc := s.Doc.ID
	a := connect(t, s, "alice", doc)
	b := connect(t, s, "bob", doc)
	p1 := "😀 東京 e\u0301te\u0301\u00a0said the "           // paragraph 1 before "governor"
	pre := "😀 東京 e\u0301te\u0301\u00a0said the governor " // … before "Andrey"

	cases := []struct {
		name  string
		at    []int
		start int
		quote string
	}{
		{"a word after emoji, CJK, combining marks and U+00A0", []int{1, u16(p1), 1, u16(p1 + "governor")},
			cpOf(t, "governor"), "governor"},
		{"a part of words grows to whole words", []int{1, u16(p1) + 2, 1, u16(pre + "Andr")},
			cpOf(t, "governor"), "governor Andrey"},
		{"white space around is dropped", []int{1, u16(pre) - 1, 1, u16(pre+"Andrey") + 1},
			cpOf(t, "Andrey"), "Andrey"},
		{"across paragraphs", []int{0, u16("Intro "), 1, u16("😀")},
			cpOf(t, "line."), "line.\n\n😀"},
		{"after an emoji in the last paragraph", []int{2, u16("Last 😀 "), 2, u16("Last 😀 line")},
			len([]rune(at16Text)) - 4, "line"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opID, annID := "at16op"+string(rune('a'+i)), "at16ann"+string(rune('a'+i))
			ack := mustAck(t, a, at16Op(opID, annID, c.at...))
			want := model.Annotation{ID: annID, Label: "claim", Layer: "alice", Start: c.start,
				End: c.start + len([]rune(c.quote)), Quote: c.quote}
			m := await(t, b, "the op at bob", func(m protocol.Message) bool { return m.Type == protocol.TypeOp && m.Op.ID == opID })
			if m.Op.At16 != nil {
				t.Errorf("the broadcast carries at16 %v", m.Op.At16)
			}
			got := *m.Op.Ann
			if got.ID != want.ID || got.Label != want.Label || got.Layer != want.Layer || got.Start != want.Start || got.End != want.End || got.Quote != want.Quote {
				t.Fatalf("broadcast %+v, want %+v", got, want)
			}
			stored := s.Snapshot(doc)
			var found bool
			for _, sa := range stored.Annotations {
				if sa.ID == annID {
					found = sa.Start == want.Start && sa.End == want.End && sa.Quote == want.Quote
				}
			}
			if !found {
				t.Fatalf("the store lacks %s at [%d,%d) %q", annID, want.Start, want.End, want.Quote)
			}
			// The wasm re-sends an op it took over in code points: the
			// same op, answered with the original ack.
			again := send(t, a, synctest.Add(opID, annID, "claim", at16Text, want.Start, want.End))
			if again.Type != protocol.TypeAck || again.Seq != ack.Seq {
				t.Fatalf("re-sent in code points: %s %s seq %d, want the ack of seq %d", again.Type, again.Code, again.Seq, ack.Seq)
			}
		})
	}

	refused := []struct {
		name string
		msg  protocol.Message
		code string
	}{
		{"no such paragraph", at16Op("bad1", "b1", 7, 0, 7, 3), protocol.CodeBadPosition},
		{"past the paragraph's end", at16Op("bad2", "b2", 2, 0, 2, u16("Last 😀 line")+1), protocol.CodeBadPosition},
		{"negative", at16Op("bad3", "b3", 1, -1, 1, 3), protocol.CodeBadPosition},
		{"white space only", at16Op("bad4", "b4", 1, u16(p1)-1, 1, u16(p1)), model.CodeSpanEmpty},
		{"a quote that is not the text there", func() protocol.Message {
			m := at16Op("bad5", "b5", 1, u16(p1), 1, u16(p1+"governor"))
			m.Op.Ann.Quote = "minister"
			return m
		}(), model.CodeQuoteMismatch},
		{"three numbers", at16Op("bad6", "b6", 1, 0, 1), protocol.CodeBadJSON},
		{"on an update", func() protocol.Message {
			m := at16Op("bad7", "at16anna", 1, 0, 1, 3)
			m.Op.Kind, m.Op.Version = protocol.KindUpdate, 1
			return m
		}(), protocol.CodeBadJSON},
	}
	before := s.Snapshot(doc)
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			r := send(t, a, c.msg)
			if r.Type != protocol.TypeError || r.Code != c.code {
				t.Fatalf("got %s %s (%s), want error %s", r.Type, r.Code, r.Text, c.code)
			}
		})
	}
	if d := unchanged(before, s.Snapshot(doc)); d != "" {
		t.Fatalf("a refused op changed the store: %s", d)
	}
}
