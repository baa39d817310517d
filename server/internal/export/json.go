package export

import (
	"strconv"
	"time"
)

// The JSON writers (jsonl, w3c, brat's notes) build their output with
// append functions instead of encoding/json: a million spans go out in a
// fraction of the time and without a map or reflection per value. Their
// strings are byte-identical to encoding/json's (jsonenc; json_test.go
// checks the whole output). One of its choices matters for exports: each
// byte of invalid UTF-8 becomes \ufffd, one code point for one byte,
// exactly as textpos counts it, so code point offsets stay valid for a
// reader of the JSON even though the text is no longer byte-identical. A
// valid U+FFFD in the text is written unescaped, so an export of an import
// of such a file differs from the first export in exactly those
// characters, and is stable from then on.

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
