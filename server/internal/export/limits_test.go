package export

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func zipOf(t *testing.T, files map[string]string, extra int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(data))
	}
	for i := range extra {
		zw.Create(fmt.Sprintf("x/%d", i))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestReadLimits: each limit refuses with ErrTooLarge and a message that
// names it; a file just under the limits is read.
func TestReadLimits(t *testing.T) {
	text := strings.Repeat("Officials said. ", 64) // 1,024 bytes
	opt := ReadOptions{Layer: "machine", MaxDocument: 1 << 10, MaxInflated: 3 << 10}
	tests := []struct {
		name   string
		format string
		data   []byte
		want   string // "" = accepted
	}{
		{"zip under the limits", FormatBrat, zipOf(t, map[string]string{"a.txt": text, "b.txt": text}, 0), ""},
		{"zip file too large", FormatBrat, zipOf(t, map[string]string{"a.txt": text + "!"}, 0), "a.txt inflates to more than 1 KB"},
		{"annotations too large", FormatBrat, zipOf(t, map[string]string{"a.txt": "x", "a.ann": strings.Repeat("#1\tAnnotatorNotes T1\tx\n", 100)}, 0), "a.ann inflates to more than 1 KB"},
		{"zip inflates too much", FormatBrat, zipOf(t, map[string]string{"a.txt": text, "b.txt": text, "c.txt": text, "d.txt": text}, 0), "the zip inflates to more than 3 KB"},
		{"zip of too many files", FormatBrat, zipOf(t, nil, MaxZipFiles+1), "more than 10000 files"},
		{"jsonl document too large", FormatJSONL, []byte(`{"text":"` + text + `!"}`), "has more than 1 KB"},
		{"w3c document too large", FormatW3C, []byte(`{"type":"AnnotationPage","items":[{"id":"d","gloss:document":{"id":1},"body":{"type":"TextualBody","value":"` + text + `!"},"target":"urn:d"}]}`), "has more than 1 KB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(tc.data), tc.format, opt)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want == "":
			case !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), tc.want):
				t.Fatalf("err = %v, want ErrTooLarge naming %q", err, tc.want)
			}
		})
	}
}
