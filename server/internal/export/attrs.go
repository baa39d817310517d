package export

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"

	"gloss/server/internal/jsonenc"
	"gloss/shared/model"
)

// AppendAttrs appends a figure's or an attribution's structured fields as
// flat JSON keys after a span's others:
//
//	,"value":40,"qualifier":"at least","unit":"people","quantity":"dead"
//	,"value":[1,1.5],"unit":"degrees Celsius"
//	,"cue":[120,128],"from":"suggest"
//
// value is a number, or [low, high] for a range; empty fields are left
// out, so a span without Attrs encodes as if they did not exist. The JSONL
// export and `gloss suggest` both write spans through it, and the JSONL
// reader takes the same keys back.
func AppendAttrs(b []byte, a *model.Attrs) []byte {
	if a.IsZero() {
		return b
	}
	switch {
	case a.Value != nil:
		b = append(b, `,"value":`...)
		b = appendJSONFloat(b, *a.Value)
	case a.Low != nil && a.High != nil:
		b = append(b, `,"value":[`...)
		b = appendJSONFloat(b, *a.Low)
		b = append(b, ',')
		b = appendJSONFloat(b, *a.High)
		b = append(b, ']')
	}
	for _, kv := range [...]struct{ k, v string }{{"qualifier", a.Qualifier}, {"unit", a.Unit}, {"quantity", a.Quantity}} {
		if kv.v != "" {
			b = append(b, ',')
			b = appendJSONKey(b, kv.k)
			b = jsonenc.AppendString(b, kv.v)
		}
	}
	if a.Cue != nil {
		b = append(b, `,"cue":[`...)
		b = appendJSONInt(b, int64(a.Cue[0]))
		b = append(b, ',')
		b = appendJSONInt(b, int64(a.Cue[1]))
		b = append(b, ']')
	}
	if a.From != "" {
		b = append(b, `,"from":`...)
		b = jsonenc.AppendString(b, a.From)
	}
	return b
}

// AppendSpan appends the span object of `gloss suggest`:
// {"start":…,"end":…,"label":…,"text":…} with a's fields (AppendAttrs).
func AppendSpan(b []byte, start, end int, label, text string, a *model.Attrs) []byte {
	b = append(b, `{"start":`...)
	b = appendJSONInt(b, int64(start))
	b = append(b, `,"end":`...)
	b = appendJSONInt(b, int64(end))
	b = append(b, `,"label":`...)
	b = jsonenc.AppendString(b, label)
	b = append(b, `,"text":`...)
	b = jsonenc.AppendString(b, text)
	b = AppendAttrs(b, a)
	return append(b, '}')
}

// AppendString appends s as a JSON string, as every export writes text.
func AppendString(b []byte, s string) []byte { return jsonenc.AppendString(b, s) }

// appendJSONFloat appends a finite number in the shortest form that reads
// back the same (40, 1.5, 13600000); Attrs.Validate keeps NaN and ±Inf out.
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

// jsonlAttrs are the keys AppendAttrs writes, as the JSONL reader takes them.
type jsonlAttrs struct {
	Value     json.RawMessage `json:"value"`
	Qualifier string          `json:"qualifier"`
	Unit      string          `json:"unit"`
	Quantity  string          `json:"quantity"`
	Cue       *[2]int         `json:"cue"`
	From      string          `json:"from"`
}

// attrs converts the keys back; nil when there are none.
func (j jsonlAttrs) attrs() (*model.Attrs, error) {
	a := &model.Attrs{Qualifier: j.Qualifier, Unit: j.Unit, Quantity: j.Quantity, Cue: j.Cue, From: j.From}
	if len(j.Value) > 0 && string(j.Value) != "null" {
		var v float64
		var r [2]float64
		switch {
		case json.Unmarshal(j.Value, &v) == nil:
			a.Value = &v
		case json.Unmarshal(j.Value, &r) == nil:
			a.Low, a.High = &r[0], &r[1]
		default:
			return nil, errors.New(`"value" must be a number or [low, high]`)
		}
	}
	if a.IsZero() {
		return nil, nil
	}
	return a, nil
}
