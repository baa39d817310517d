// Package jsonenc appends JSON strings byte for byte as encoding/json
// writes them, without reflection: the export writers, the store's op
// bodies and the load tool's ops build their JSON with append functions
// on hot paths, and one quoting rule serves them all. Its choices, which
// matter for safety and for round trips:
//
//   - <, > and & are written as \u003c, \u003e and \u0026, so JSON pasted
//     into HTML cannot close a script element;
//   - U+2028 and U+2029 are escaped, as JavaScript once required;
//   - each byte of invalid UTF-8 becomes \ufffd, one code point for one
//     byte (what textpos counts), so code point offsets stay valid.
package jsonenc

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// jsonSafe[b] reports whether ASCII byte b needs no escape in a JSON string
// under encoding/json's HTML-safe rules.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = true
	}
	for _, b := range []byte{'"', '\\', '<', '>', '&'} {
		t[b] = false
	}
	return t
}()

// AppendString appends s as encoding/json quotes it (Marshal of a string,
// HTML escaping on).
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if jsonSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
