package suggest

import (
	"strings"
	"unicode"
)

type kind uint8

const (
	kWord kind = iota
	kNum
	kPunct
)

// token is a word, an ASCII-digit number or one punctuation rune, with its
// code point offsets in the text.
type token struct {
	s, e  int
	kind  kind
	text  string
	low   string // lower case, for words
	space bool   // whitespace before it
	nl    bool   // a line break before it
	upper bool   // starts with an upper-case letter
}

// Number group separators that may sit inside a figure: "3 000" with a
// no-break, thin or narrow no-break space.
func isGroupSpace(r rune) bool { return r == '\u00a0' || r == '\u2009' || r == '\u202f' }

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) }

func isQuote(r rune) bool {
	switch r {
	case '"', '\'', '\u2018', '\u2019', '\u201c', '\u201d', '\u00ab', '\u00bb', '\u201e':
		return true
	}
	return false
}

// tokenize splits r into tokens. Words keep inner hyphens and apostrophes
// ("state-run", "Russia's") and dotted initials ("U.S."); numbers keep
// their group separators and decimal point ("3,000", "1.5", "3 000").
func tokenize(r []rune) []token {
	toks := make([]token, 0, len(r)/5+1)
	space, nl := true, false
	n := len(r)
	for i := 0; i < n; {
		c := r[i]
		if unicode.IsSpace(c) {
			space = true
			if c == '\n' || c == '\r' || c == '\u2029' {
				nl = true
			}
			i++
			continue
		}
		t := token{s: i, space: space, nl: nl}
		switch {
		case isDigit(c):
			j := i + 1
			for j < n {
				switch {
				case isDigit(r[j]):
					j++
					continue
				case r[j] == '.' && j+1 < n && isDigit(r[j+1]):
					j += 2
					continue
				case (r[j] == ',' || isGroupSpace(r[j])) && j+3 < n+1 && threeDigits(r, j+1):
					j += 4
					continue
				}
				break
			}
			t.kind, t.e = kNum, j
		case isWordRune(c):
			j := i + 1
			dotted := false
			for j < n {
				if isWordRune(r[j]) {
					j++
					continue
				}
				if (r[j] == '-' || r[j] == '\'' || r[j] == '\u2019' || r[j] == '\u2011') && j+1 < n && isWordRune(r[j+1]) {
					j += 2
					continue
				}
				// U.S., U.N.: single letters separated by dots.
				if r[j] == '.' && j+1 < n && unicode.IsUpper(r[j+1]) && (j-1 == i || r[j-2] == '.') && (j+2 >= n || !isWordRune(r[j+2])) {
					dotted = true
					j += 2
					continue
				}
				break
			}
			if dotted && j < n && r[j] == '.' {
				j++
			}
			t.kind, t.e = kWord, j
			t.upper = unicode.IsUpper(c)
		default:
			t.kind, t.e = kPunct, i+1
		}
		t.text = string(r[t.s:t.e])
		if t.kind == kWord {
			t.low = strings.ToLower(t.text)
		} else {
			t.low = t.text
		}
		toks = append(toks, t)
		i = t.e
		space, nl = false, false
	}
	return toks
}

// threeDigits reports whether r[i:i+3] are digits not followed by a fourth.
func threeDigits(r []rune, i int) bool {
	if i+3 > len(r) {
		return false
	}
	for k := i; k < i+3; k++ {
		if !isDigit(r[k]) {
			return false
		}
	}
	return i+3 == len(r) || !isDigit(r[i+3])
}

var abbrevs = set("mr", "mrs", "ms", "dr", "st", "gen", "lt", "col", "sgt", "capt", "cpl", "sen", "rep", "gov", "prof",
	"no", "nos", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "inc", "ltd", "co",
	"corp", "jr", "sr", "vs", "etc", "approx", "est", "fig", "vol", "pp", "ft", "mt", "rev", "hon", "maj", "adm", "cmdr", "insp", "supt", "det")

// sentences splits toks into sentences [start, end) by token index: after
// . ! ? (and the closing quotes that follow) when the next token starts a
// new sentence, and at every line break.
func sentences(toks []token) [][2]int {
	var out [][2]int
	start := 0
	for i := 0; i < len(toks); i++ {
		if toks[i].nl && i > start {
			out = append(out, [2]int{start, i})
			start = i
		}
		t := toks[i]
		if t.kind != kPunct || (t.text != "." && t.text != "!" && t.text != "?" && t.text != "\u2026") {
			continue
		}
		j := i + 1
		for j < len(toks) && !toks[j].space && toks[j].kind == kPunct && (isQuote([]rune(toks[j].text)[0]) || toks[j].text == ")") {
			j++
		}
		if j >= len(toks) {
			continue
		}
		nx := toks[j]
		if !nx.space || nx.nl {
			continue
		}
		if !(nx.upper || nx.kind == kNum || (nx.kind == kPunct && (isQuote([]rune(nx.text)[0]) || nx.text == "(" || nx.text == "$" || nx.text == "£" || nx.text == "€"))) {
			continue
		}
		if t.text == "." && i > 0 && toks[i-1].kind == kWord && toks[i-1].e == t.s {
			p := toks[i-1]
			if abbrevs[p.low] || (len([]rune(p.text)) == 1 && p.upper) {
				continue
			}
		}
		out = append(out, [2]int{start, j})
		start = j
		i = j - 1
	}
	if start < len(toks) {
		out = append(out, [2]int{start, len(toks)})
	}
	return out
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
