package model

import (
	"strings"
	"unicode"
)

// DocumentTitle is the name a document is listed under: name, unless it
// looks machine-made (a file hash or number such as "000_307bc43b3c6d2c1a"),
// then the first non-empty line of text, clipped to 80 characters. An
// import that names its documents keeps those names.
func DocumentTitle(name, text string) string {
	if !machineName(name) {
		return name
	}
	for line := range strings.Lines(text) {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			continue
		}
		if r := []rune(line); len(r) > 80 {
			line = strings.TrimSpace(string(r[:79])) + "…"
		}
		return line
	}
	return name
}

// machineName reports whether name has no word in it: only digits, hex
// letters and separators, with at least 6 digits/hex letters.
func machineName(name string) bool {
	n := 0
	for _, r := range name {
		switch {
		case unicode.IsDigit(r) || strings.ContainsRune("abcdefABCDEF", r):
			n++
		case r == '_' || r == '-' || r == '.':
		default:
			return false
		}
	}
	return n >= 6
}
