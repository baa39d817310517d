// Package textpos converts between the three ways a position in a text is
// counted: Unicode code points (Gloss's wire and export unit, Python's
// str indexing), UTF-16 code units (what the browser's DOM and JavaScript
// count) and UTF-8 bytes (what Go strings count). Every conversion in Gloss
// goes through here so that there is exactly one place to get it right.
package textpos

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrOutOfRange reports an offset outside the text.
var ErrOutOfRange = errors.New("offset out of range")

// ErrInsideSurrogatePair reports a UTF-16 offset that falls between the two
// halves of a surrogate pair, i.e. inside one code point.
var ErrInsideSurrogatePair = errors.New("utf-16 offset splits a surrogate pair")

// Text is a string indexed for code point slicing and O(log n) UTF-16
// conversion. Build it once per document; it is read-only after.
//
// The index is sparse, because a document may be tens of megabytes: an
// ASCII text (most news) needs none, since code point and byte offsets
// are equal; any other text keeps the byte offset of every stride-th code
// point (4 bytes per 64 characters) and walks at most stride-1 code points
// from there. A dense table cost 4–8 bytes per character.
type Text struct {
	s string
	// n is the length in code points.
	n int
	// marks[k] is the byte offset of code point k*stride; nil for ASCII.
	marks []int32
	// astral holds, in increasing order, the code point indices of the
	// characters outside the BMP, which take two UTF-16 units. Most news
	// text has none or few, so this stays tiny.
	astral []int32
}

// stride is the distance in code points between two marks.
const stride = 64

// New indexes s. Invalid UTF-8 bytes count as one code point each (U+FFFD),
// as both Go's range loop and a lenient decoder would see them.
func New(s string) *Text {
	t := &Text{s: s}
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		t.n = len(s)
		return t
	}
	// Sized for the worst case of two bytes per code point; astral-heavy
	// text over-reserves a little.
	t.marks = make([]int32, 0, len(s)/(2*stride)+1)
	cp := 0
	for i := 0; i < len(s); cp++ {
		if cp%stride == 0 {
			t.marks = append(t.marks, int32(i))
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r >= 0x10000 {
			t.astral = append(t.astral, int32(cp))
		}
		i += n
	}
	t.n = cp
	return t
}

// String returns the indexed text.
func (t *Text) String() string { return t.s }

// Len returns the length in code points.
func (t *Text) Len() int { return t.n }

// LenUTF16 returns the length in UTF-16 code units.
func (t *Text) LenUTF16() int { return t.Len() + len(t.astral) }

// byteAt returns the byte offset of code point cp, 0 <= cp <= Len.
func (t *Text) byteAt(cp int) int {
	if t.marks == nil {
		return cp
	}
	if cp == t.n {
		return len(t.s)
	}
	b := int(t.marks[cp/stride])
	for k := cp % stride; k > 0; k-- {
		_, n := utf8.DecodeRuneInString(t.s[b:])
		b += n
	}
	return b
}

// Slice returns the text between code point offsets start and end.
func (t *Text) Slice(start, end int) (string, error) {
	if start < 0 || end > t.Len() || start > end {
		return "", fmt.Errorf("textpos: slice [%d,%d) of %d code points: %w", start, end, t.Len(), ErrOutOfRange)
	}
	return t.s[t.byteAt(start):t.byteAt(end)], nil
}

// ByteOffset converts a code point offset to a byte offset.
func (t *Text) ByteOffset(cp int) (int, error) {
	if cp < 0 || cp > t.Len() {
		return 0, fmt.Errorf("textpos: code point %d of %d: %w", cp, t.Len(), ErrOutOfRange)
	}
	return t.byteAt(cp), nil
}

// CodePointAtByte converts a byte offset, which must fall on a code point
// boundary, to a code point offset.
func (t *Text) CodePointAtByte(b int) (int, error) {
	bad := fmt.Errorf("textpos: byte %d is not a code point boundary: %w", b, ErrOutOfRange)
	if b < 0 || b > len(t.s) {
		return 0, bad
	}
	if t.marks == nil {
		return b, nil
	}
	if b == len(t.s) {
		return t.n, nil
	}
	// The last mark at or before b, then walk.
	lo, hi := 0, len(t.marks)
	for lo < hi {
		m := (lo + hi) / 2
		if int(t.marks[m]) <= b {
			lo = m + 1
		} else {
			hi = m
		}
	}
	k := lo - 1
	cp, at := k*stride, int(t.marks[k])
	for at < b {
		_, n := utf8.DecodeRuneInString(t.s[at:])
		at += n
		cp++
	}
	if at != b {
		return 0, bad
	}
	return cp, nil
}

// astralBefore counts astral code points at indices < cp.
func (t *Text) astralBefore(cp int) int {
	lo, hi := 0, len(t.astral)
	for lo < hi {
		m := (lo + hi) / 2
		if int(t.astral[m]) < cp {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// UTF16 converts a code point offset to a UTF-16 offset.
func (t *Text) UTF16(cp int) (int, error) {
	if cp < 0 || cp > t.Len() {
		return 0, fmt.Errorf("textpos: code point %d of %d: %w", cp, t.Len(), ErrOutOfRange)
	}
	return cp + t.astralBefore(cp), nil
}

// CodePoint converts a UTF-16 offset to a code point offset. An offset
// inside a surrogate pair is an error rather than silently rounded, because
// it means the caller's notion of the text differs from ours.
func (t *Text) CodePoint(u16 int) (int, error) {
	if u16 < 0 || u16 > t.LenUTF16() {
		return 0, fmt.Errorf("textpos: utf-16 offset %d of %d: %w", u16, t.LenUTF16(), ErrOutOfRange)
	}
	// Find the number k of astral code points before the answer: the
	// largest k such that astral[k-1] + (k-1) + 2 <= u16, i.e. the pair ends
	// at or before u16.
	lo, hi := 0, len(t.astral)
	for lo < hi {
		m := (lo + hi) / 2
		if int(t.astral[m])+m+2 <= u16 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	k := lo
	if k < len(t.astral) && int(t.astral[k])+k+1 == u16 {
		return 0, fmt.Errorf("textpos: utf-16 offset %d: %w", u16, ErrInsideSurrogatePair)
	}
	return u16 - k, nil
}

// CodePointLen returns the number of code points in s, counting each
// invalid byte as one, exactly as New does.
func CodePointLen(s string) int {
	return utf8.RuneCountInString(s)
}

// UTF16Len returns the number of UTF-16 code units needed for s.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
