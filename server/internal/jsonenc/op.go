package jsonenc

import (
	"strconv"
	"time"

	"gloss/shared/protocol"
)

// AppendOp appends the ops live sync sends most — an add, update or
// delete of an annotation without structured fields, review records or
// at16 — exactly as json.Marshal writes a protocol.Op (TestAppendOp,
// FuzzAppendOp), without reflection: encoding/json was a tenth of a
// commit's CPU in the store and of a broadcast's in the hub. It reports
// false, having appended nothing, for any other op, which its caller then
// marshals.
func AppendOp(b []byte, op protocol.Op) ([]byte, bool) {
	if op.Rel != nil || op.Comment != nil || len(op.Reviews) > 0 || op.DocReview != nil || len(op.At16) > 0 ||
		op.Ann != nil && op.Ann.Attrs != nil {
		return b, false
	}
	start := len(b)
	b = append(b, `{"id":`...)
	b = AppendString(b, op.ID)
	b = append(b, `,"kind":`...)
	b = AppendString(b, op.Kind)
	if a := op.Ann; a != nil {
		b = append(b, `,"ann":{"id":`...)
		b = AppendString(b, a.ID)
		b = append(b, `,"doc":`...)
		b = strconv.AppendInt(b, a.Document, 10)
		b = append(b, `,"layer":`...)
		b = AppendString(b, a.Layer)
		b = append(b, `,"label":`...)
		b = AppendString(b, a.Label)
		b = append(b, `,"start":`...)
		b = strconv.AppendInt(b, int64(a.Start), 10)
		b = append(b, `,"end":`...)
		b = strconv.AppendInt(b, int64(a.End), 10)
		b = append(b, `,"quote":`...)
		b = AppendString(b, a.Quote)
		b = append(b, `,"author":`...)
		b = AppendString(b, a.Author)
		b = append(b, `,"version":`...)
		b = strconv.AppendInt(b, a.Version, 10)
		var ok bool
		b = append(b, `,"created":`...)
		if b, ok = appendTime(b, a.Created); !ok {
			return b[:start], false
		}
		b = append(b, `,"updated":`...)
		if b, ok = appendTime(b, a.Updated); !ok {
			return b[:start], false
		}
		b = append(b, '}')
	}
	str := func(name, v string) {
		if v != "" {
			b = append(b, `,"`...)
			b = append(b, name...)
			b = append(b, `":`...)
			b = AppendString(b, v)
		}
	}
	num := func(name string, v int64) {
		if v != 0 {
			b = append(b, `,"`...)
			b = append(b, name...)
			b = append(b, `":`...)
			b = strconv.AppendInt(b, v, 10)
		}
	}
	str("target", op.Target)
	num("version", op.Version)
	num("seq", op.Seq)
	str("user", op.User)
	num("time", op.Time)
	str("status", op.Status)
	return append(b, '}'), true
}

// appendTime appends t as time.Time's MarshalJSON does, or reports false
// for a year that it refuses.
func appendTime(b []byte, t time.Time) ([]byte, bool) {
	if y := t.Year(); y < 0 || y > 9999 {
		return b, false
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), true
}
