package export

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// The JSON writers (jsonl, w3c, brat's notes) build their output with
// append functions instead of encoding/json: a million spans go out in a
// fraction of the time and without a map or reflection per value. The
// strings they produce are byte-identical to encoding/json's
// (json_test.go checks this), including its choices that matter for
// safety and for round trips:
//
//   - <, > and & are written as \u003c, \u003e and \u0026, so an export
//     pasted into HTML cannot close a script element;
//   - U+2028 and U+2029 are escaped, as JavaScript once required;
//   - each byte of invalid UTF-8 becomes \ufffd, one code point for one
//     byte, exactly as textpos counts it, so code point offsets stay valid
//     for a reader of the JSON even though the text is no longer
//     byte-identical. A valid U+FFFD in the text is written unescaped, so
//     an export of an import of such a file differs from the first export
//     in exactly those characters, and is stable from then on.

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

// appendJSONString appends s as a quoted JSON string.
func appendJSONString(dst []byte, s string) []byte {
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

// appendJSONKey appends "key": for a key known to need no escaping.
func appendJSONKey(dst []byte, key string) []byte {
	dst = append(dst, '"')
	dst = append(dst, key...)
	return append(dst, '"', ':')
}

// appendJSONTime appends t as a quoted RFC 3339 UTC timestamp with as many
// fractional digits as it needs, which is what encoding/json writes for a
// UTC time.Time and what it parses back to the same instant.
func appendJSONTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.UTC().AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}

func appendJSONInt(dst []byte, n int64) []byte {
	return strconv.AppendInt(dst, n, 10)
}
