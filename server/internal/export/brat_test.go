package export

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"gloss/shared/textpos"
)

// dumpZip lists a zip's entries with their times and contents, for golden
// files and readable failures.
func dumpZip(t testing.TB, data []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "=== %s (%s, %s)\n%s\n", f.Name, f.Modified.UTC().Format("2006-01-02T15:04:05Z"), methodName(f.Method), content)
	}
	return b.Bytes()
}

func methodName(m uint16) string {
	if m == zip.Deflate {
		return "deflate"
	}
	return strconv.Itoa(int(m))
}

func zipEntries(t testing.TB, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		m[f.Name] = string(b)
	}
	return m
}

// TestBratFiles checks the brat rules that matter to brat itself: every
// fragment lies within one line and its text is what the .ann says, the
// .txt files are the stored text byte for byte, and the zip holds the
// configuration and the card.
func TestBratFiles(t *testing.T) {
	docs := demoDocs(t)
	files := zipEntries(t, export(t, FormatBrat, docs, demoOptions()))
	for _, name := range []string{"annotation.conf", "visual.conf", "README.md"} {
		if files[name] == "" {
			t.Errorf("no %s in the zip", name)
		}
	}
	if !strings.Contains(files["annotation.conf"], "[entities]\nclaim\nfigure\nattribution\n") ||
		!strings.Contains(files["annotation.conf"], "source\tArg1:<ENTITY>, Arg2:<ENTITY>") {
		t.Errorf("annotation.conf:\n%s", files["annotation.conf"])
	}
	names := map[int64]string{1: "000_307bc43b3c6d2c1a", 2: "002_8450b356199d244b", 3: "emoji____quotes___script_", 4: "empty"}
	for _, d := range docs {
		name := names[d.Document.ID]
		if files[name+".txt"] != d.Document.Text {
			t.Errorf("%s.txt is not the stored text", name)
		}
		text := textpos.New(d.Document.Text)
		ann := files[name+".ann"]
		for _, line := range strings.Split(strings.TrimSuffix(ann, "\n"), "\n") {
			if line == "" || line[0] != 'T' {
				continue
			}
			f := strings.Split(line, "\t")
			_, offsets, _ := strings.Cut(f[1], " ")
			var parts []string
			for _, frag := range strings.Split(offsets, ";") {
				var s, e int
				if _, err := fmt.Sscanf(frag, "%d %d", &s, &e); err != nil {
					t.Fatalf("%s: %q: %v", name, line, err)
				}
				q, err := text.Slice(s, e)
				if err != nil || strings.ContainsAny(q, "\r\n") || q == "" {
					t.Errorf("%s: fragment %d %d is %q (%v)", name, s, e, q, err)
				}
				parts = append(parts, q)
			}
			if got := strings.Join(parts, " "); got != f[2] {
				t.Errorf("%s: %s: quote %q, text there %q", name, f[0], f[2], got)
			}
		}
	}
	// The claim across the blank line after U+00A0 becomes two fragments:
	// the two line breaks are adjacent and belong to neither.
	ann := files["002_8450b356199d244b.ann"]
	c4 := ""
	for _, line := range strings.Split(ann, "\n") {
		if strings.Contains(line, "Business Times has been able") {
			c4 = line
		}
	}
	if strings.Count(c4, ";") != 1 || !strings.Contains(c4, "ISIS.\u00a0 Regional governor") {
		t.Errorf("multi-line claim written as %q", c4)
	}
}

func TestBratNames(t *testing.T) {
	used := map[string]bool{}
	tests := []struct {
		name string
		id   int64
		want string
	}{
		{"report", 1, "report"},
		{"Report", 2, "Report-2"},
		{"../../etc/passwd", 3, "_.._etc_passwd"},
		{"", 4, "document"},
		{"...", 5, "document-5"},
		{"Straße 東京 😀", 6, "Straße_東京__"},
	}
	for _, tc := range tests {
		d := demoDocs(t)[3].Document
		d.Name, d.ID = tc.name, tc.id
		if got := bratName(d, used); got != tc.want {
			t.Errorf("bratName(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
