// Package selection turns a browser selection into a document span.
// web/gloss.js reads the DOM Selection as paragraph index + UTF-16 offset
// pairs and the pages (app/view) pass them here as Points; this pure part
// converts them to code points through shared/textpos and trims or snaps
// the edges.
package selection

import (
	"errors"
	"fmt"
	"unicode"

	"gloss/shared/textpos"
)

// Point is a DOM position: a paragraph and a UTF-16 offset inside its text.
type Point struct {
	Para  int
	UTF16 int
}

// ErrEmpty means the selection holds no text worth tagging.
var ErrEmpty = errors.New("selection: empty")

// Span converts a DOM selection to document code point offsets [start,
// end) and the quote. Leading and trailing white space is dropped (a
// double-click or triple-click often takes a trailing space or newline);
// with snap, the edges also grow to whole words.
func Span(doc *textpos.Text, paras []textpos.Para, from, to Point, snap bool) (start, end int, quote string, err error) {
	s, err := toCP(paras, from)
	if err != nil {
		return 0, 0, "", err
	}
	e, err := toCP(paras, to)
	if err != nil {
		return 0, 0, "", err
	}
	if e < s {
		s, e = e, s
	}
	runes := []rune(doc.String())
	if e > len(runes) {
		return 0, 0, "", fmt.Errorf("selection: end %d past the document (%d)", e, len(runes))
	}
	for s < e && unicode.IsSpace(runes[s]) {
		s++
	}
	for e > s && unicode.IsSpace(runes[e-1]) {
		e--
	}
	if snap && s < e {
		for s > 0 && isWord(runes[s-1]) && isWord(runes[s]) {
			s--
		}
		for e < len(runes) && isWord(runes[e-1]) && isWord(runes[e]) {
			e++
		}
	}
	if s >= e {
		return 0, 0, "", ErrEmpty
	}
	q, err := doc.Slice(s, e)
	if err != nil {
		return 0, 0, "", err
	}
	return s, e, q, nil
}

// isWord counts letters, digits, combining marks and in-word
// punctuation (apostrophes) as word characters.
func isWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '\'' || r == '’'
}

func toCP(paras []textpos.Para, p Point) (int, error) {
	if p.Para < 0 || p.Para >= len(paras) {
		return 0, fmt.Errorf("selection: paragraph %d of %d", p.Para, len(paras))
	}
	para := paras[p.Para]
	cp, err := para.Text.CodePoint(p.UTF16)
	if errors.Is(err, textpos.ErrInsideSurrogatePair) {
		// The browser may put a caret between the halves of an emoji in
		// edge cases; round to after the emoji rather than fail.
		cp, err = para.Text.CodePoint(p.UTF16 + 1)
	}
	if err != nil {
		return 0, fmt.Errorf("selection: %w", err)
	}
	return para.Start + cp, nil
}
