package protocol

import (
	"errors"
	"testing"
)

// TestDecodeReview is TestDecode for the review and comment op kinds.
func TestDecodeReview(t *testing.T) {
	tests := []struct {
		name string
		in   string
		code string // "" = accepted
	}{
		{"reject", `{"type":"op","op":{"id":"o1","kind":"review","target":"a1","version":1,"status":"rejected"}}`, ""},
		{"reset", `{"type":"op","op":{"id":"o1","kind":"review","target":"a1","version":1,"status":"unreviewed"}}`, ""},
		{"review accepted (into an equal gold span)", `{"type":"op","op":{"id":"o1","kind":"review","target":"a1","version":1,"status":"accepted"}}`, ""},
		{"review edited", `{"type":"op","op":{"id":"o1","kind":"review","target":"a1","version":1,"status":"edited"}}`, CodeBadJSON},
		{"review without status", `{"type":"op","op":{"id":"o1","kind":"review","target":"a1","version":1}}`, CodeBadJSON},
		{"review without version", `{"type":"op","op":{"id":"o1","kind":"review","target":"a1","status":"rejected"}}`, CodeBadJSON},
		{"review without target", `{"type":"op","op":{"id":"o1","kind":"review","version":1,"status":"rejected"}}`, CodeBadJSON},
		{"accept", `{"type":"op","op":{"id":"o1","kind":"accept","target":"a1","version":3,"ann":{"id":"g1","label":"claim","start":0,"end":3,"quote":"abc"}}}`, ""},
		{"accept without copy", `{"type":"op","op":{"id":"o1","kind":"accept","target":"a1","version":3}}`, CodeBadJSON},
		{"accept without version", `{"type":"op","op":{"id":"o1","kind":"accept","target":"a1","ann":{"id":"g1"}}}`, CodeBadJSON},
		{"comment", `{"type":"op","op":{"id":"o1","kind":"comment","comment":{"id":"c1","target":"a1","text":"Why?"}}}`, ""},
		{"comment without comment", `{"type":"op","op":{"id":"o1","kind":"comment"}}`, CodeBadJSON},
		{"delete comment", `{"type":"op","op":{"id":"o1","kind":"delete_comment","target":"c1"}}`, ""},
		{"delete comment without target", `{"type":"op","op":{"id":"o1","kind":"delete_comment"}}`, CodeBadJSON},
		{"doc status", `{"type":"op","op":{"id":"o1","kind":"doc_status","status":"adjudicated"}}`, ""},
		{"doc status unknown", `{"type":"op","op":{"id":"o1","kind":"doc_status","status":"done"}}`, CodeBadJSON},
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
