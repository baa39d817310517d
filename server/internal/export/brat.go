package export

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"iter"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"gloss/server/internal/jsonenc"
	"gloss/shared/model"
)

// brat: a zip of brat standoff files (https://brat.nlplab.org/standoff.html),
// ready to unpack into a brat data directory:
//
//	annotation.conf  entity and relation types from the schema, overlaps allowed
//	visual.conf      the schema's label colours
//	NAME.txt         a document's text, byte for byte as stored
//	NAME.ann         its annotations
//	README.md        the dataset card (card.go) and a description of these files
//
// In NAME.ann, spans are T lines in reading order, relations R lines by id:
//
//	T1	claim 8 153	The ISIS has claimed …
//	#1	AnnotatorNotes T1	{"id":"a1","layer":"alice","annotator":"alice","version":1,"created":"…","updated":"…"}
//	A1	Attributed T1
//	R1	source Arg1:T4 Arg2:T1
//	#5	AnnotatorNotes R1	{"id":"r1","layer":"alice","annotator":"alice","version":1,"created":"…"}
//
// Offsets are characters, which for brat (Python 3 strings) means code
// points, like Gloss. brat does not allow a span to cross a line break, so
// a span containing \n or \r is written as discontinuous fragments
// "start end;start end", split at every run of line breaks and leaving
// them out, and its quote is the fragments' texts joined by one space
// (brat's own convention). A span made only of line breaks cannot be
// written at all and is left out, with any relation touching it. Read
// joins fragments back into one span from the first start to the last
// end. brat ids are T1…, R1… in file order; Gloss's own ids, layers,
// annotators, versions and times ride along as JSON in AnnotatorNotes, so
// nothing is lost, and brat shows them as notes. Each claim and figure
// has an A line, the binary attribute Attributed or Unattributed: whether
// a source relation vouches for it (story.Attributed, the JSONL export's
// "attributed"); annotation.conf declares both.
//
// NAME is the document name with everything but letters, digits, '-', '_'
// and '.' replaced by '_' (and no leading '.'); a name already used in the
// zip, ignoring case, gets "-ID" appended. brat type names get the same
// treatment, without '.'; Read maps them back to schema labels. brat has no
// place for document ids or metadata: they are not in the zip. Every zip
// entry is stamped with Options.Now, so the archive is reproducible.

func writeBrat(w io.Writer, project model.Project, docs iter.Seq2[Doc, error], opt Options) error {
	now := opt.now()
	zw := zip.NewWriter(w)
	// Text compresses well even at the fastest level, which is several
	// times faster than the default and keeps a large export from being
	// bound by compression.
	// Entries are written one after the other, so one compressor serves.
	var fw *flate.Writer
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		if fw == nil {
			var err error
			fw, err = flate.NewWriter(out, flate.BestSpeed)
			return fw, err
		}
		fw.Reset(out)
		return fw, nil
	})
	put := func(name string, data []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now})
		if err != nil {
			return fmt.Errorf("export: brat: %s: %w", name, err)
		}
		if _, err := f.Write(data); err != nil {
			return fmt.Errorf("export: brat: %s: %w", name, err)
		}
		return nil
	}
	if err := put("annotation.conf", bratAnnotationConf(project, opt)); err != nil {
		return err
	}
	if err := put("visual.conf", bratVisualConf(project.Schema)); err != nil {
		return err
	}
	p := newPreparer(opt)
	var (
		stats Stats
		used  = map[string]bool{}
		ann   []byte
		frags [][2]int
		tnum  = map[string]int{}
	)
	for d, err := range docs {
		if err != nil {
			return fmt.Errorf("export: brat: %w", err)
		}
		v, err := p.prepare(d)
		if err != nil {
			return fmt.Errorf("export: brat: %w", err)
		}
		name := bratName(v.doc, used)
		if err := put(name+".txt", []byte(v.doc.Text)); err != nil {
			return err
		}
		ann, v, frags = appendBratAnn(ann[:0], v, frags, tnum)
		if err := put(name+".ann", ann); err != nil {
			return err
		}
		// Hand what is complete to w now rather than when zip's buffer
		// fills, so that a download shows progress.
		if err := zw.Flush(); err != nil {
			return fmt.Errorf("export: brat: %w", err)
		}
		stats.add(v, opt)
	}
	var readme bytes.Buffer
	if err := WriteCard(&readme, project, stats, opt); err != nil {
		return fmt.Errorf("export: brat: %w", err)
	}
	readme.WriteString(bratReadme)
	if err := put("README.md", readme.Bytes()); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("export: brat: %w", err)
	}
	return nil
}

const bratReadme = `
## Files

This is a [brat](https://brat.nlplab.org/) standoff dataset.

- ` + "`NAME.txt`" + `: a document's text, UTF-8, exactly as stored in Gloss.
- ` + "`NAME.ann`" + `: its annotations. Offsets are characters (Unicode code points), end exclusive.
  A span that crosses line breaks is written as fragments ` + "`start end;start end`" + ` around them.
  Each T (span) and R (relation) line is followed by an AnnotatorNotes line holding Gloss's
  id, layer, annotator, version and times as JSON. Claims and figures then have an A line,
  ` + "`Attributed`" + ` or ` + "`Unattributed`" + `: whether a source relation vouches for them.
- ` + "`annotation.conf`, `visual.conf`" + `: brat configuration generated from the project's label schema.
`

// appendBratAnn appends v's .ann file to b. It drops from v the spans that
// brat cannot hold (only line breaks) and the relations that touch them,
// and returns v so amended for the card's counts.
func appendBratAnn(b []byte, v docView, frags [][2]int, tnum map[string]int) ([]byte, docView, [][2]int) {
	clear(tnum)
	note, attr := 0, 0
	kept := v.anns[:0]
	for _, a := range v.anns {
		frags = bratFragments(a, frags[:0])
		if len(frags) == 0 {
			continue
		}
		kept = append(kept, a)
		t := len(kept)
		tnum[a.ID] = t
		b = append(b, 'T')
		b = strconv.AppendInt(b, int64(t), 10)
		b = append(b, '\t')
		b = append(b, bratType(a.Label)...)
		for i, f := range frags {
			if i == 0 {
				b = append(b, ' ')
			} else {
				b = append(b, ';')
			}
			b = strconv.AppendInt(b, int64(f[0]), 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(f[1]), 10)
		}
		b = append(b, '\t')
		for i, f := range frags {
			if i > 0 {
				b = append(b, ' ')
			}
			s, _ := v.text.Slice(f[0], f[1])
			b = append(b, s...)
		}
		note++
		b = appendBratNote(b, note, "T", t)
		b = append(b, `{"id":`...)
		b = jsonenc.AppendString(b, a.ID)
		b = appendBratMeta(b, a.Layer, a.Author, a.Version, a.Created)
		b = append(b, `,"updated":`...)
		b = appendJSONTime(b, a.Updated)
		b = append(b, "}\n"...)
		if at, ok := v.attributed[a.ID]; ok {
			attr++
			b = append(b, 'A')
			b = strconv.AppendInt(b, int64(attr), 10)
			if at {
				b = append(b, "\t"+bratAttributed+" T"...)
			} else {
				b = append(b, "\t"+bratUnattributed+" T"...)
			}
			b = strconv.AppendInt(b, int64(t), 10)
			b = append(b, '\n')
		}
	}
	v.anns = kept
	keptRels := v.rels[:0]
	for _, r := range v.rels {
		from, to := tnum[r.From], tnum[r.To]
		if from == 0 || to == 0 {
			continue
		}
		keptRels = append(keptRels, r)
		n := len(keptRels)
		b = append(b, 'R')
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, '\t')
		b = append(b, bratType(r.Type)...)
		b = append(b, " Arg1:T"...)
		b = strconv.AppendInt(b, int64(from), 10)
		b = append(b, " Arg2:T"...)
		b = strconv.AppendInt(b, int64(to), 10)
		note++
		b = appendBratNote(b, note, "R", n)
		b = append(b, `{"id":`...)
		b = jsonenc.AppendString(b, r.ID)
		b = appendBratMeta(b, r.Layer, r.Author, r.Version, r.Created)
		b = append(b, "}\n"...)
	}
	v.rels = keptRels
	return b, v, frags
}

// appendBratNote ends the previous line and starts an AnnotatorNotes line
// for kind+n.
func appendBratNote(b []byte, note int, kind string, n int) []byte {
	b = append(b, "\n#"...)
	b = strconv.AppendInt(b, int64(note), 10)
	b = append(b, "\tAnnotatorNotes "...)
	b = append(b, kind...)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, '\t')
}

func appendBratMeta(b []byte, layer, author string, version int64, created time.Time) []byte {
	b = append(b, `,"layer":`...)
	b = jsonenc.AppendString(b, layer)
	b = append(b, `,"annotator":`...)
	b = jsonenc.AppendString(b, author)
	b = append(b, `,"version":`...)
	b = appendJSONInt(b, version)
	b = append(b, `,"created":`...)
	return appendJSONTime(b, created)
}

// bratFragments splits a's code point range at line breaks.
func bratFragments(a model.Annotation, frags [][2]int) [][2]int {
	start := -1
	cp := a.Start
	for _, r := range a.Quote {
		if r == '\n' || r == '\r' {
			if start >= 0 {
				frags = append(frags, [2]int{start, cp})
				start = -1
			}
		} else if start < 0 {
			start = cp
		}
		cp++
	}
	if start >= 0 {
		frags = append(frags, [2]int{start, cp})
	}
	return frags
}

// bratType makes a label or relation type usable as a brat type name.
func bratType(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// bratName picks a file name for d that no earlier document in the zip
// has, ignoring case, and records it in used.
func bratName(d model.Document, used map[string]bool) string {
	name := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, d.Name)
	name = strings.TrimLeft(name, ".")
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	if name == "" {
		name = "document"
	}
	for used[strings.ToLower(name)] {
		name += "-" + strconv.FormatInt(d.ID, 10)
	}
	used[strings.ToLower(name)] = true
	return name
}

// The brat attributes of claims and figures (see appendBratAnn).
const (
	bratAttributed   = "Attributed"
	bratUnattributed = "Unattributed"
)

func bratAnnotationConf(project model.Project, opt Options) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# brat configuration generated by %s from the label schema of project %d.\n", oneLine(opt.tool()), project.ID)
	b.WriteString("[entities]\n")
	labels := opt.Labels
	if len(labels) == 0 {
		for _, l := range project.Schema.Labels {
			labels = append(labels, l.Name)
		}
	}
	for _, l := range labels {
		b.WriteString(bratType(l) + "\n")
	}
	b.WriteString("\n[relations]\n")
	for _, r := range project.Schema.Relations {
		b.WriteString(bratType(r) + "\tArg1:<ENTITY>, Arg2:<ENTITY>\n")
	}
	// Gloss lets any spans overlap (a figure inside a claim); so must brat.
	b.WriteString("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n")
	b.WriteString("\n[events]\n\n[attributes]\n")
	// Whether a claim or figure has a source (story.Attributed): one of
	// two binary attributes on each, so that brat shows both states.
	b.WriteString(bratAttributed + "\tArg:<ENTITY>\n" + bratUnattributed + "\tArg:<ENTITY>\n")
	return b.Bytes()
}

// oneLine keeps s on one line of a configuration file.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

var hexColor = regexp.MustCompile(`^#[0-9A-Fa-f]{3}([0-9A-Fa-f]{3})?$`)

func bratVisualConf(schema model.Schema) []byte {
	var b bytes.Buffer
	b.WriteString("[labels]\n\n[drawing]\n")
	for _, l := range schema.Labels {
		if hexColor.MatchString(l.Color) {
			b.WriteString(bratType(l.Name) + "\tbgColor:" + l.Color + "\n")
		}
	}
	return b.Bytes()
}
