package protocol

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gloss/shared/model"
	"gloss/shared/textpos"
)

// PackAnnotations encodes annotations compactly for a snapshot sent to a
// browser that asked for it (hello "compact": true): one line per
// annotation, tab-separated
//
//	id  layer  label  start  end  author  version  created-ms  updated-ms
//
// with no quote — the client slices it from the document text it receives
// in the same message. For a 5,000-span document this is a quarter of the
// JSON and decodes about ten times faster in the browser (encoding/json in
// wasm is slow), which is most of the time to first paint.
func PackAnnotations(anns []model.Annotation) string {
	var b strings.Builder
	b.Grow(len(anns) * 64)
	for _, a := range anns {
		b.WriteString(a.ID)
		b.WriteByte('\t')
		packField(&b, a.Layer)
		b.WriteByte('\t')
		packField(&b, a.Label)
		b.WriteByte('\t')
		b.WriteString(strconv.Itoa(a.Start))
		b.WriteByte('\t')
		b.WriteString(strconv.Itoa(a.End))
		b.WriteByte('\t')
		packField(&b, a.Author)
		b.WriteByte('\t')
		b.WriteString(strconv.FormatInt(a.Version, 10))
		b.WriteByte('\t')
		b.WriteString(strconv.FormatInt(a.Created.UnixMilli(), 10))
		b.WriteByte('\t')
		b.WriteString(strconv.FormatInt(a.Updated.UnixMilli(), 10))
		b.WriteByte('\n')
	}
	return b.String()
}

// packField escapes the three bytes the format uses.
func packField(b *strings.Builder, s string) {
	if !strings.ContainsAny(s, "\t\n\\") {
		b.WriteString(s)
		return
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteByte(s[i])
		}
	}
}

func unpackField(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 't':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// UnpackAnnotations decodes PackAnnotations' output for document doc,
// taking each quote from text.
func UnpackAnnotations(packed string, text *textpos.Text, doc int64) ([]model.Annotation, error) {
	out := make([]model.Annotation, 0, strings.Count(packed, "\n"))
	// Layer, label and author repeat thousands of times: share the strings.
	intern := map[string]string{}
	in := func(s string) string {
		if v, ok := intern[s]; ok {
			return v
		}
		s = unpackField(s)
		intern[s] = s
		return s
	}
	var f [9]string
	for line := 1; packed != ""; line++ {
		nl := strings.IndexByte(packed, '\n')
		if nl < 0 {
			return nil, fmt.Errorf("protocol: packed annotations: line %d not terminated", line)
		}
		row := packed[:nl]
		packed = packed[nl+1:]
		n := 0
		for n < 8 {
			tab := strings.IndexByte(row, '\t')
			if tab < 0 {
				break
			}
			f[n], row = row[:tab], row[tab+1:]
			n++
		}
		f[n] = row
		if n != 8 {
			return nil, fmt.Errorf("protocol: packed annotations: line %d has %d fields, want 9", line, n+1)
		}
		start, err1 := strconv.Atoi(f[3])
		end, err2 := strconv.Atoi(f[4])
		ver, err3 := strconv.ParseInt(f[6], 10, 64)
		c, err4 := strconv.ParseInt(f[7], 10, 64)
		u, err5 := strconv.ParseInt(f[8], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil || err5 != nil {
			return nil, fmt.Errorf("protocol: packed annotations: line %d: bad number", line)
		}
		quote, err := text.Slice(start, end)
		if err != nil {
			return nil, fmt.Errorf("protocol: packed annotations: line %d: %w", line, err)
		}
		out = append(out, model.Annotation{ID: f[0], Document: doc, Layer: in(f[1]), Label: in(f[2]), Start: start, End: end,
			Quote: quote, Author: in(f[5]), Version: ver, Created: time.UnixMilli(c).UTC(), Updated: time.UnixMilli(u).UTC()})
	}
	return out, nil
}
