// Package tokens splits text into the tokens that Gloss's CoNLL export
// writes and its agreement figures count, so that the dataset card's
// agreement is measured over the same units as the tokens it ships
// beside. The rules are deterministic, language-agnostic and simple
// enough for others to reproduce:
//   - separators, never part of a token: Unicode white space
//     (unicode.IsSpace, which includes U+00A0), control characters (Cc) and
//     U+200B ZERO WIDTH SPACE;
//   - a word is a maximal run of letters and digits (L, N);
//   - every other character (punctuation, symbols, emoji) is a token by
//     itself;
//   - combining marks (M) and format characters (Cf, e.g. U+200D ZWJ)
//     stay with the token they follow, so "é" written as e + U+0301 is one
//     token;
//   - a sentence ends at a line break (\n, \r, \v, \f, U+0085, U+2028,
//     U+2029) and after a token that is exactly ".", "!" or "?" when the
//     next character is white space. Text may hold invalid UTF-8: each
//     invalid byte is a one-code-point token (U+FFFD), as in shared/textpos.
package tokens

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Split returns the tokens of text.
func Split(text string) []Token { return Append(nil, text) }

// Token is a token's position: [Start, End) in code points, [BStart,
// BEnd) in bytes of the text. SentenceEnd marks the last token of a
// sentence.
type Token struct {
	Start, End   int
	BStart, BEnd int
	SentenceEnd  bool
}

const (
	noToken = iota
	wordToken
	otherToken
)

// Character classes of the tokenizer.
const (
	clsOther   = iota // a token by itself
	clsSpace          // white space: separates, and may end a sentence after . ! ?
	clsControl        // control character or U+200B: separates
	clsExtend         // combining mark or format character: joins the token before
	clsWord           // letter or digit
)

// asciiClass is charClass for ASCII, which is most of news text, without
// the unicode table lookups.
var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for r := range rune(utf8.RuneSelf) {
		t[r] = charClassSlow(r)
	}
	return t
}()

func charClass(r rune) uint8 {
	if r < utf8.RuneSelf {
		return asciiClass[r]
	}
	return charClassSlow(r)
}

func charClassSlow(r rune) uint8 {
	switch {
	case unicode.IsSpace(r):
		return clsSpace
	case unicode.IsControl(r) || r == '\u200b':
		return clsControl
	case unicode.In(r, unicode.M, unicode.Cf):
		return clsExtend
	case unicode.In(r, unicode.L, unicode.N):
		return clsWord
	}
	return clsOther
}

// Append appends the tokens of text to toks, following the rules in the
// package comment, and returns the extended slice (pass toks[:0] to reuse
// its memory).
func Append(toks []Token, text string) []Token {
	kind := noToken
	var cur Token
	closeToken := func(cp, b int) {
		if kind != noToken {
			cur.End, cur.BEnd = cp, b
			toks = append(toks, cur)
			kind = noToken
		}
	}
	open := func(k, cp, b int) {
		kind = k
		cur = Token{Start: cp, BStart: b}
	}
	cp := 0
	for b, r := range text {
		switch cls := charClass(r); cls {
		case clsSpace, clsControl:
			closeToken(cp, b)
			if n := len(toks); n > 0 {
				last := &toks[n-1]
				if isLineBreak(r) ||
					cls == clsSpace && last.End == cp && last.BEnd-last.BStart == 1 && strings.IndexByte(".!?", text[last.BStart]) >= 0 {
					last.SentenceEnd = true
				}
			}
		case clsExtend:
			if kind == noToken {
				open(wordToken, cp, b)
			}
		case clsWord:
			if kind != wordToken {
				closeToken(cp, b)
				open(wordToken, cp, b)
			}
		default:
			closeToken(cp, b)
			open(otherToken, cp, b)
		}
		cp++
	}
	closeToken(cp, len(text))
	if n := len(toks); n > 0 {
		toks[n-1].SentenceEnd = true
	}
	return toks
}

func isLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}
