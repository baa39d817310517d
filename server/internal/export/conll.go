package export

import (
	"fmt"
	"io"
	"iter"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"gloss/server/internal/jsonenc"
	"gloss/shared/model"
	"gloss/shared/tokens"
)

// CoNLL: CoNLL-2003-style IOB2 for token classification.
//
//	# global.columns = TOKEN START END claim figure attribution
//	# doc_id = 1
//	# doc_name = "000_307bc43b3c6d2c1a"
//	-DOCSTART- -X- -X- O O O
//
//	Moscow 0 6 O O O
//	: 6 7 O O O
//	The 8 11 B-claim O O
//	…
//
// One token per line, fields separated by one space: the token, its start
// and end in code points, then one IOB2 tag column per label. A blank line
// ends each sentence. The first line names the columns (the CoNLL-U Plus
// convention); each document starts with its id and JSON-quoted name as
// comments, then a -DOCSTART- line and a blank line.
//
// Columns: one per label, so overlapping spans of different labels (a figure
// inside a claim) are both kept. The labels are Options.Labels in that order,
// or else the schema's labels; annotations with other labels are not
// exported. When Options.Layers names more than one layer the columns are
// per layer and label ("alice/claim", "bob/claim", …) so that annotators
// who disagree don't overwrite each other; otherwise layers share a column.
// Whitespace in a label becomes "_" in column names and tags.
//
// A span tags every token it overlaps, even partly. Within one column a
// token carries at most one span: spans are placed in reading order, and a
// span that would share a token with one already in its column (two
// annotators' claims in a shared column), or that covers no token (only
// spaces), cannot be represented. Such spans are listed by id in a
// "# dropped = b1 b2" comment after the document's name, so nothing
// disappears silently. A span continuing into the next sentence starts
// again with B- there, so every column is well-formed IOB2 (I-X only after
// B-X or I-X, within a sentence). Relations have no place in CoNLL and are
// not exported.
//
// Tokens and sentences are shared/tokens' (its package comment has the
// rules), the same units the dataset card's agreement counts. An invalid
// UTF-8 byte is a one-code-point token written as U+FFFD.

func writeCoNLL(w io.Writer, project model.Project, docs iter.Seq2[Doc, error], opt Options) error {
	cols := conllColumns(project.Schema, opt)
	p := newPreparer(opt)
	b := []byte("# global.columns = TOKEN START END")
	for _, c := range cols {
		b = append(b, ' ')
		b = append(b, c.name...)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("export: conll: %w", err)
	}
	var (
		toks  []tokens.Token
		owner []int32
	)
	for d, err := range docs {
		if err != nil {
			return fmt.Errorf("export: conll: %w", err)
		}
		v, err := p.prepare(d)
		if err != nil {
			return fmt.Errorf("export: conll: %w", err)
		}
		toks = tokens.Append(toks[:0], v.doc.Text)
		b = append(b[:0], "# doc_id = "...)
		b = appendJSONInt(b, v.doc.ID)
		b = append(b, "\n# doc_name = "...)
		b = jsonenc.AppendString(b, v.doc.Name)
		b = append(b, '\n')
		owner, b = tagColumns(v, toks, cols, owner, b)
		b = appendCoNLLDoc(b, v, toks, cols, owner)
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("export: conll: %w", err)
		}
	}
	return nil
}

// column is one IOB2 tag column: a label, optionally restricted to a layer.
type column struct {
	name, layer, label string
	begin, inside      string // "B-label", "I-label"
}

func conllColumns(schema model.Schema, opt Options) []column {
	labels := opt.Labels
	if len(labels) == 0 {
		for _, l := range schema.Labels {
			labels = append(labels, l.Name)
		}
	}
	layers := []string{""}
	if len(opt.Layers) > 1 {
		layers = opt.Layers
	}
	var cols []column
	for _, layer := range layers {
		for _, label := range labels {
			tag := noSpace(label)
			name := tag
			if layer != "" {
				name = noSpace(layer) + "/" + tag
			}
			cols = append(cols, column{name: name, layer: layer, label: label, begin: "B-" + tag, inside: "I-" + tag})
		}
	}
	return cols
}

// noSpace replaces white space and control characters, which would break
// the space-separated columns, with "_".
func noSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, s)
}

// tagColumns decides which span owns each token in each column:
// owner[t*len(cols)+c] is an index into v.anns or -1. It appends a
// "# dropped" comment to b for the spans it could not place.
func tagColumns(v docView, toks []tokens.Token, cols []column, owner []int32, b []byte) ([]int32, []byte) {
	n := len(toks) * len(cols)
	owner = owner[:0]
	for range n {
		owner = append(owner, -1)
	}
	dropped := false
	for k, a := range v.anns {
		c := columnOf(cols, a)
		if c < 0 {
			continue
		}
		t0 := sort.Search(len(toks), func(i int) bool { return toks[i].End > a.Start })
		t1 := t0
		free := true
		for t1 < len(toks) && toks[t1].Start < a.End {
			if owner[t1*len(cols)+c] >= 0 {
				free = false
			}
			t1++
		}
		if t0 == t1 || !free {
			if !dropped {
				b = append(b, "# dropped ="...)
				dropped = true
			}
			b = append(b, ' ')
			b = append(b, a.ID...)
			continue
		}
		for t := t0; t < t1; t++ {
			owner[t*len(cols)+c] = int32(k)
		}
	}
	if dropped {
		b = append(b, '\n')
	}
	return owner, b
}

func columnOf(cols []column, a model.Annotation) int {
	for i, c := range cols {
		if c.label == a.Label && (c.layer == "" || c.layer == a.Layer) {
			return i
		}
	}
	return -1
}

func appendCoNLLDoc(b []byte, v docView, toks []tokens.Token, cols []column, owner []int32) []byte {
	b = append(b, "-DOCSTART- -X- -X-"...)
	for range cols {
		b = append(b, " O"...)
	}
	b = append(b, "\n\n"...)
	sentenceStart := true
	for t, tok := range toks {
		b = appendValidUTF8(b, v.doc.Text[tok.BStart:tok.BEnd])
		b = append(b, ' ')
		b = appendJSONInt(b, int64(tok.Start))
		b = append(b, ' ')
		b = appendJSONInt(b, int64(tok.End))
		for c, col := range cols {
			o := owner[t*len(cols)+c]
			switch {
			case o < 0:
				b = append(b, " O"...)
			case sentenceStart || owner[(t-1)*len(cols)+c] != o:
				b = append(b, ' ')
				b = append(b, col.begin...)
			default:
				b = append(b, ' ')
				b = append(b, col.inside...)
			}
		}
		b = append(b, '\n')
		sentenceStart = tok.SentenceEnd || t == len(toks)-1
		if sentenceStart {
			b = append(b, '\n')
		}
	}
	return b
}

// appendValidUTF8 appends s with each invalid byte replaced by U+FFFD, one
// for one, so that the code point offsets beside it stay right.
func appendValidUTF8(b []byte, s string) []byte {
	if utf8.ValidString(s) {
		return append(b, s...)
	}
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && n == 1 {
			b = utf8.AppendRune(b, utf8.RuneError)
		} else {
			b = append(b, s[:n]...)
		}
		s = s[n:]
	}
	return b
}
