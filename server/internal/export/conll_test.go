package export

import (
	"strconv"
	"strings"
	"testing"
)

// conllFile is a parsed CoNLL export.
type conllFile struct {
	columns []string
	docs    []conllDoc
}

type conllDoc struct {
	id        int64
	dropped   []string
	sentences [][]conllToken
}

type conllToken struct {
	text       string
	start, end int
	tags       []string
}

// parseCoNLL reads an export strictly, failing on anything malformed.
func parseCoNLL(t *testing.T, out string) conllFile {
	t.Helper()
	lines := strings.Split(out, "\n")
	header, ok := strings.CutPrefix(lines[0], "# global.columns = TOKEN START END ")
	if !ok {
		t.Fatalf("header %q", lines[0])
	}
	f := conllFile{columns: strings.Split(header, " ")}
	var doc *conllDoc
	var sent []conllToken
	for n, line := range lines[1:] {
		n += 2
		switch {
		case strings.HasPrefix(line, "# doc_id = "):
			id, err := strconv.ParseInt(strings.TrimPrefix(line, "# doc_id = "), 10, 64)
			if err != nil || sent != nil {
				t.Fatalf("line %d: %q", n, line)
			}
			f.docs = append(f.docs, conllDoc{id: id})
			doc = &f.docs[len(f.docs)-1]
		case strings.HasPrefix(line, "# dropped = "):
			doc.dropped = strings.Split(strings.TrimPrefix(line, "# dropped = "), " ")
		case strings.HasPrefix(line, "# doc_name = "):
		case strings.HasPrefix(line, "-DOCSTART- "):
			if got := len(strings.Split(line, " ")); got != 3+len(f.columns) {
				t.Fatalf("line %d: -DOCSTART- line has %d fields", n, got)
			}
		case line == "":
			if sent != nil {
				doc.sentences = append(doc.sentences, sent)
				sent = nil
			}
		default:
			fields := strings.Split(line, " ")
			if len(fields) != 3+len(f.columns) {
				t.Fatalf("line %d: %d fields in %q", n, len(fields), line)
			}
			start, err1 := strconv.Atoi(fields[1])
			end, err2 := strconv.Atoi(fields[2])
			if err1 != nil || err2 != nil || start >= end {
				t.Fatalf("line %d: bad offsets in %q", n, line)
			}
			sent = append(sent, conllToken{text: fields[0], start: start, end: end, tags: fields[3:]})
		}
	}
	if sent != nil {
		t.Fatal("output does not end with a blank line")
	}
	return f
}

// checkIOB2 fails unless every column of every sentence is IOB2: each
// I-X follows B-X or I-X, and every tag is O, B-label or I-label of its
// column's label.
func checkIOB2(t *testing.T, f conllFile) {
	t.Helper()
	for _, d := range f.docs {
		for si, sent := range d.sentences {
			for c, col := range f.columns {
				label := col[strings.LastIndex(col, "/")+1:]
				prev := "O"
				for _, tok := range sent {
					tag := tok.tags[c]
					switch {
					case tag == "O" || tag == "B-"+label:
					case tag == "I-"+label:
						if prev == "O" {
							t.Errorf("doc %d sentence %d column %s: %s at %q follows O", d.id, si, col, tag, tok.text)
						}
					default:
						t.Errorf("doc %d column %s: tag %q", d.id, col, tag)
					}
					prev = tag
				}
			}
		}
	}
}

func TestCoNLL(t *testing.T) {
	docs := demoDocs(t)
	layered := demoOptions()
	layered.Layers = []string{"alice", "bob"}
	for _, tc := range []struct {
		name    string
		opt     Options
		columns string
		dropped map[int64]string
	}{
		// Layers share columns: bob's claim b1 starts where alice's a1
		// does and cannot be placed; nor can bob's figure b2 inside a2,
		// nor alice's claim c2, which bob's c4 overlaps.
		{"merged", demoOptions(), "claim figure attribution", map[int64]string{1: "b1 b2", 2: "c2"}},
		// Per-layer columns keep both annotators, gold is not asked for.
		{"per layer", layered, "alice/claim alice/figure alice/attribution bob/claim bob/figure bob/attribution", map[int64]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := parseCoNLL(t, string(export(t, FormatCoNLL, docs, tc.opt)))
			if got := strings.Join(f.columns, " "); got != tc.columns {
				t.Errorf("columns %q, want %q", got, tc.columns)
			}
			checkIOB2(t, f)
			if len(f.docs) != len(docs) {
				t.Fatalf("%d documents, want %d", len(f.docs), len(docs))
			}
			for i, d := range f.docs {
				if got := strings.Join(d.dropped, " "); got != tc.dropped[d.id] {
					t.Errorf("doc %d dropped %q, want %q", d.id, got, tc.dropped[d.id])
				}
				runes := []rune(docs[i].Document.Text)
				for _, s := range d.sentences {
					for _, tok := range s {
						if got := string(runes[tok.start:tok.end]); got != tok.text {
							t.Errorf("doc %d: token %q at %d:%d is %q in the text", d.id, tok.text, tok.start, tok.end, got)
						}
					}
				}
			}
		})
	}

	// The figure nested in the claim is in both columns.
	f := parseCoNLL(t, string(export(t, FormatCoNLL, docs[:1], demoOptions())))
	found := false
	for _, s := range f.docs[0].sentences {
		for i, tok := range s {
			if !found && tok.text == "least" && s[i-1].text == "at" {
				found = tok.tags[0] == "I-claim" && tok.tags[1] == "I-figure" && s[i-1].tags[1] == "B-figure"
				if !found {
					t.Errorf("first \"at least\" tagged %v %v", s[i-1].tags, tok.tags)
				}
				found = true
			}
		}
	}
	if !found {
		t.Error(`no "at least" in the first document`)
	}
}
