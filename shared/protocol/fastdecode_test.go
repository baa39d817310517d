package protocol

import (
	"encoding/json"
	"reflect"
	"testing"

	"gloss/shared/model"
)

func mustMarshal(m Message) []byte {
	data, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return data
}

// decodeFastCases are messages as clients write them and near misses that
// the fast path must leave to encoding/json (or agree with it on).
var decodeFastCases = []struct {
	name, msg string
	fast      bool // the fast path takes it
}{
	{"add", `{"type":"op","op":{"id":"o1","kind":"add","ann":{"id":"a1","label":"claim","start":3,"end":9,"quote":"Zürich 🌊"}}}`, true},
	{"update", `{"type":"op","op":{"id":"o2","kind":"update","version":3,"ann":{"id":"a1","label":"figure","start":3,"end":9,"quote":"x","layer":"l","author":"u","doc":7,"version":4}}}`, true},
	{"delete", `{"type":"op","op":{"id":"o3","kind":"delete","target":"a1","version":2}}`, true},
	{"select", `{"type":"select","start":120,"end":131}`, true},
	{"spaces", " {\n\t\"type\" : \"select\" , \"start\" : 0 , \"end\" : -0 }\r\n", true},
	{"empty object", `{}`, true},
	{"empty op", `{"type":"op","op":{}}`, true},
	{"hello", `{"type":"hello","proto":1,"doc":5}`, false},
	{"escape in quote", `{"type":"op","op":{"id":"o1","kind":"add","ann":{"id":"a1","label":"claim","start":3,"end":9,"quote":"say \"no\""}}}`, false},
	{"escaped key", `{"typ\u0065":"select"}`, false},
	{"key case", `{"Type":"select"}`, false},
	{"repeated key", `{"type":"select","type":"op"}`, false},
	{"repeated nested key", `{"type":"op","op":{"id":"a","id":"b","kind":"add"}}`, false},
	{"null", `{"type":"op","op":null}`, false},
	{"float", `{"type":"select","start":1.5}`, false},
	{"exponent", `{"type":"select","start":1e2}`, false},
	{"leading zero", `{"type":"select","start":01}`, false},
	{"huge", `{"type":"select","start":1234567890123456789012}`, false},
	{"invalid utf8", "{\"type\":\"op\",\"op\":{\"id\":\"\xff\"}}", false},
	{"control char", "{\"type\":\"a\x01\"}", false},
	{"trailing", `{"type":"select"} {}`, false},
	{"trailing comma", `{"type":"select",}`, false},
	{"unclosed", `{"type":"select"`, false},
	{"attrs", `{"type":"op","op":{"id":"o1","kind":"add","ann":{"id":"a1","label":"figure","start":3,"end":9,"quote":"x","attrs":{"value":40}}}}`, false},
	{"created", `{"type":"op","op":{"id":"o1","kind":"add","ann":{"id":"a1","created":"2026-01-01T00:00:00Z"}}}`, false},
	{"marshalled whole", string(mustMarshal(Message{Type: TypeOp, Op: &Op{ID: "o1", Kind: KindAdd, Ann: &model.Annotation{ID: "a1", Label: "claim", Start: 1, End: 4, Quote: "Zür"}}})), true},
	{"zero times", `{"type":"op","op":{"id":"o1","kind":"add","ann":{"id":"a1","created":"0001-01-01T00:00:00Z","updated":"0001-01-01T00:00:00Z"}}}`, true},
	{"zero time offset", `{"type":"op","op":{"id":"o1","kind":"add","ann":{"id":"a1","created":"0001-01-01T00:00:00+00:00"}}}`, false},
	{"at16", `{"type":"op","op":{"id":"o1","kind":"add","at16":[0,1,0,4],"ann":{"id":"a1","label":"claim"}}}`, false},
	{"not an object", `["type"]`, false},
}

func TestDecodeFast(t *testing.T) {
	for _, tc := range decodeFastCases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := decodeFast([]byte(tc.msg))
			if ok != tc.fast {
				t.Fatalf("decodeFast took it: %v, want %v", ok, tc.fast)
			}
			if ok {
				checkAgrees(t, []byte(tc.msg), got)
			}
		})
	}
}

// checkAgrees fails unless encoding/json decodes data to want.
func checkAgrees(t *testing.T, data []byte, want Message) {
	t.Helper()
	slow, err := decodeSlow(data)
	if err != nil {
		t.Fatalf("the fast path took %q, encoding/json refused it: %v", data, err)
	}
	if !reflect.DeepEqual(slow, want) {
		t.Fatalf("%q: fast path %+v (op %+v), encoding/json %+v (op %+v)", data, want, want.Op, slow, slow.Op)
	}
}

// FuzzDecodeFast: whatever the fast path takes, encoding/json decodes to
// the same message.
func FuzzDecodeFast(f *testing.F) {
	for _, tc := range decodeFastCases {
		f.Add([]byte(tc.msg))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if m, ok := decodeFast(data); ok {
			checkAgrees(t, data, m)
		}
	})
}
