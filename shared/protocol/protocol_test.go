package protocol

import (
	"errors"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		in   string
		code string // "" = accepted
	}{
		{"hello", `{"type":"hello","proto":1,"doc":2,"since":4,"epoch":"e"}`, ""},
		{"select", `{"type":"select","start":1,"end":3}`, ""},
		{"add", `{"type":"op","op":{"id":"o1","kind":"add","ann":{"id":"a1","label":"claim","start":0,"end":3,"quote":"abc"}}}`, ""},
		{"update", `{"type":"op","op":{"id":"o1","kind":"update","version":2,"ann":{"id":"a1","label":"claim"}}}`, ""},
		{"delete", `{"type":"op","op":{"id":"o1","kind":"delete","target":"a1","version":1}}`, ""},
		{"relation", `{"type":"op","op":{"id":"o1","kind":"add_relation","rel":{"id":"r1","type":"source","from":"a","to":"b"}}}`, ""},
		{"not json", `{"type":`, CodeBadJSON},
		{"array", `[1,2]`, CodeBadJSON},
		{"trailing", `{"type":"hello"} {"type":"hello"}`, CodeBadJSON},
		{"wrong field type", `{"type":"hello","doc":"two"}`, CodeBadJSON},
		{"no type", `{"doc":1}`, CodeUnknownType},
		{"unknown type", `{"type":"shutdown"}`, CodeUnknownType},
		{"op without op", `{"type":"op"}`, CodeBadJSON},
		{"unknown kind", `{"type":"op","op":{"id":"o1","kind":"merge"}}`, CodeUnknownKind},
		{"bad op id", `{"type":"op","op":{"id":"o 1","kind":"delete","target":"a","version":1}}`, "bad_id"},
		{"add without ann", `{"type":"op","op":{"id":"o1","kind":"add"}}`, CodeBadJSON},
		{"update without version", `{"type":"op","op":{"id":"o1","kind":"update","ann":{"id":"a1"}}}`, CodeBadJSON},
		{"delete without target", `{"type":"op","op":{"id":"o1","kind":"delete","version":1}}`, CodeBadJSON},
		{"relation without rel", `{"type":"op","op":{"id":"o1","kind":"add_relation"}}`, CodeBadJSON},
		{"add by at16", `{"type":"op","op":{"id":"o1","kind":"add","at16":[0,1,0,4],"ann":{"id":"a1","label":"claim"}}}`, ""},
		{"at16 on an update", `{"type":"op","op":{"id":"o1","kind":"update","version":1,"at16":[0,1,0,4],"ann":{"id":"a1"}}}`, CodeBadJSON},
		{"at16 on a delete", `{"type":"op","op":{"id":"o1","kind":"delete","target":"a1","version":1,"at16":[0,1,0,4]}}`, CodeBadJSON},
		{"at16 on a relation", `{"type":"op","op":{"id":"o1","kind":"add_relation","rel":{"id":"r1","type":"source","from":"a","to":"b"},"at16":[0,0,0,1]}}`, CodeBadJSON},
		{"at16 of three", `{"type":"op","op":{"id":"o1","kind":"add","at16":[0,1,4],"ann":{"id":"a1","label":"claim"}}}`, CodeBadJSON},
		{"too large", `{"type":"hello","epoch":"` + strings.Repeat("x", MaxMessage) + `"}`, CodeTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode([]byte(tc.in))
			if tc.code == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var de *DecodeError
			if !errors.As(err, &de) || de.Code != tc.code {
				t.Fatalf("err = %v, want code %s", err, tc.code)
			}
		})
	}
}

func TestShouldReconnect(t *testing.T) {
	for code, want := range map[int]bool{1000: true, 1001: true, 1006: true, 1009: true, CloseSlow: true, CloseRestart: true,
		CloseProtocol: false, CloseUnauthenticated: false, CloseForbidden: false, CloseNotFound: false} {
		if got := ShouldReconnect(code); got != want {
			t.Errorf("ShouldReconnect(%d) = %v", code, got)
		}
	}
}

// FuzzDecode: any input either decodes to a message of a known type or is
// refused with a DecodeError; it never panics.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"type":"hello","proto":1,"doc":2}`, `{"type":"op","op":{"id":"x","kind":"add","ann":{}}}`, `{}`, `[`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) || de.Code == "" {
				t.Fatalf("error without code: %v", err)
			}
			return
		}
		switch m.Type {
		case TypeHello, TypeSelect:
		case TypeOp:
			if m.Op == nil {
				t.Fatal("op message without op accepted")
			}
		default:
			t.Fatalf("accepted type %q", m.Type)
		}
	})
}
