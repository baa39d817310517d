package textpos

// Para is one paragraph: a maximal run of text between newlines. Start and
// End are code point offsets into the document; the DOM text of the
// paragraph's element is exactly the document text between them, so a
// DOM position inside it converts to a document offset exactly.
type Para struct {
	Index      int
	Start, End int
	Text       *Text
}

// Paragraphs splits text at newlines (one or more, with any \r), which
// reads both "one paragraph per line" and "blank line between
// paragraphs" articles as paragraphs. The newlines themselves belong to
// no paragraph. The document view draws one element per paragraph
// (app/markup), and a browser selection is read back as paragraph and
// UTF-16 offset pairs against the same split, by the desk and by the
// server alike (shared/selection).
func Paragraphs(text string) []Para {
	var out []Para
	cp, start, startByte := 0, -1, 0
	for i, r := range text {
		if r == '\n' || r == '\r' {
			if start >= 0 {
				out = append(out, Para{Index: len(out), Start: start, End: cp, Text: New(text[startByte:i])})
				start = -1
			}
		} else if start < 0 {
			start, startByte = cp, i
		}
		cp++
	}
	if start >= 0 {
		out = append(out, Para{Index: len(out), Start: start, End: cp, Text: New(text[startByte:])})
	}
	return out
}
