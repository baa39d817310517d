package protocol

import (
	"unicode/utf8"

	"gloss/shared/model"
)

// decodeFast decodes the messages that are nearly all of a client's
// traffic — an op on an annotation, a selection — without reflection:
// encoding/json was ≈ 10 % of the server's CPU under load, on every op.
// It accepts a strict subset of JSON: the keys below spelled exactly and
// each given once, strings without escapes (valid UTF-8), integers
// without fraction or exponent, no null. On anything else (ok false) the
// caller decodes with encoding/json, which must agree with it on
// everything it accepts (FuzzDecodeFast checks).
func decodeFast(data []byte) (Message, bool) {
	var m Message
	p := fastParser{b: data}
	var seen uint8
	for key, ok := p.open(); ok; key, ok = p.next() {
		switch string(key) {
		case "type":
			ok = once(&seen, 1) && p.str(&m.Type)
		case "start":
			ok = once(&seen, 2) && p.int(&m.Start)
		case "end":
			ok = once(&seen, 4) && p.int(&m.End)
		case "op":
			m.Op = &Op{}
			ok = once(&seen, 8) && p.op(m.Op)
		default:
			ok = false
		}
		if !ok {
			return m, false
		}
	}
	if !p.closed {
		return m, false
	}
	p.space()
	return m, p.i == len(p.b)
}

// fastParser reads one object at a time: open, then next after each
// value, until closed (or an error: both say false, closed tells).
type fastParser struct {
	b      []byte
	i      int
	closed bool
}

// open reads "{" and the first key, if any.
func (p *fastParser) open() ([]byte, bool) {
	p.space()
	if p.i >= len(p.b) || p.b[p.i] != '{' {
		return nil, false
	}
	p.i++
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		p.closed = true
		return nil, false
	}
	return p.key()
}

// next reads what follows a value: "," and the next key, or "}".
func (p *fastParser) next() ([]byte, bool) {
	p.space()
	if p.i >= len(p.b) {
		return nil, false
	}
	switch p.b[p.i] {
	case ',':
		p.i++
		p.space()
		return p.key()
	case '}':
		p.i++
		p.closed = true
	}
	return nil, false
}

func (p *fastParser) key() ([]byte, bool) {
	k, ok := p.raw()
	if !ok {
		return nil, false
	}
	p.space()
	if p.i >= len(p.b) || p.b[p.i] != ':' {
		return nil, false
	}
	p.i++
	p.space()
	return k, true
}

// once marks a key read, refusing it the second time: encoding/json
// keeps a repeated key's last value.
func once[T uint8 | uint16](seen *T, bit T) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	return true
}

// reset clears closed after a nested object, for the enclosing one.
func (p *fastParser) reset() bool {
	p.closed = false
	return true
}

func (p *fastParser) op(op *Op) bool {
	var seen uint8
	for key, ok := p.open(); ok; key, ok = p.next() {
		switch string(key) {
		case "id":
			ok = once(&seen, 1) && p.str(&op.ID)
		case "kind":
			ok = once(&seen, 2) && p.str(&op.Kind)
		case "target":
			ok = once(&seen, 4) && p.str(&op.Target)
		case "version":
			ok = once(&seen, 8) && p.int64(&op.Version)
		case "ann":
			op.Ann = &model.Annotation{}
			ok = once(&seen, 16) && p.ann(op.Ann)
		default:
			ok = false
		}
		if !ok {
			return false
		}
	}
	return p.closed && p.reset()
}

func (p *fastParser) ann(a *model.Annotation) bool {
	var seen uint16
	for key, ok := p.open(); ok; key, ok = p.next() {
		switch string(key) {
		case "id":
			ok = once(&seen, 1) && p.str(&a.ID)
		case "doc":
			ok = once(&seen, 2) && p.int64(&a.Document)
		case "layer":
			ok = once(&seen, 4) && p.str(&a.Layer)
		case "label":
			ok = once(&seen, 8) && p.str(&a.Label)
		case "start":
			ok = once(&seen, 16) && p.int(&a.Start)
		case "end":
			ok = once(&seen, 32) && p.int(&a.End)
		case "quote":
			ok = once(&seen, 64) && p.str(&a.Quote)
		case "author":
			ok = once(&seen, 128) && p.str(&a.Author)
		case "version":
			ok = once(&seen, 256) && p.int64(&a.Version)
		case "created":
			ok = once(&seen, 512) && p.zeroTime()
		case "updated":
			ok = once(&seen, 1024) && p.zeroTime()
		default:
			ok = false
		}
		if !ok {
			return false
		}
	}
	return p.closed && p.reset()
}

func (p *fastParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// raw reads a string with no escape and no control character, valid
// UTF-8: its bytes are then the value, as encoding/json would give.
func (p *fastParser) raw() ([]byte, bool) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return nil, false
	}
	start := p.i + 1
	ascii := true
	for j := start; j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == '"':
			s := p.b[start:j]
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			p.i = j + 1
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

func (p *fastParser) str(into *string) bool {
	s, ok := p.raw()
	if ok {
		*into = string(s)
	}
	return ok
}

// zeroTime reads the zero time.Time as encoding/json writes it: clients
// marshal a model.Annotation whole, and the server sets the times itself.
// Any other time is left to encoding/json.
func (p *fastParser) zeroTime() bool {
	s, ok := p.raw()
	return ok && string(s) == "0001-01-01T00:00:00Z"
}

// int64 reads -?(0|[1-9][0-9]*) of at most 18 digits (no overflow), not
// followed by a fraction or an exponent.
func (p *fastParser) int64(into *int64) bool {
	j := p.i
	neg := j < len(p.b) && p.b[j] == '-'
	if neg {
		j++
	}
	start := j
	var v int64
	for j < len(p.b) && p.b[j] >= '0' && p.b[j] <= '9' {
		v = v*10 + int64(p.b[j]-'0')
		j++
	}
	digits := j - start
	if digits == 0 || digits > 18 || (digits > 1 && p.b[start] == '0') {
		return false
	}
	if j < len(p.b) && (p.b[j] == '.' || p.b[j] == 'e' || p.b[j] == 'E') {
		return false
	}
	p.i = j
	if neg {
		v = -v
	}
	*into = v
	return true
}

func (p *fastParser) int(into *int) bool {
	var v int64
	ok := p.int64(&v)
	*into = int(v) // int is 64 bits on every target Gloss builds for (amd64, arm64, wasm)
	return ok
}
