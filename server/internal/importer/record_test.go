package importer

import "testing"

// TestMetaKeptAsWritten: the upload path reads JSONL with export's record
// decoder, so meta numbers keep their digits. The importer's own parser
// went through float64 and turned 12345678901234567890 into
// 12345678901234567000 and 1.10 into 1.1.
func TestMetaKeptAsWritten(t *testing.T) {
	data := `{"text":"abc","meta":{"n":12345678901234567890,"f":1.10,"s":"x","o":{"a": [1, 2]}}}`
	docs, err := Parse([]File{{Name: "m.jsonl", Data: []byte(data)}}, opts())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"n": "12345678901234567890", "f": "1.10", "s": "x", "o": `{"a":[1,2]}`, "source": "m.jsonl:1"}
	for k, v := range want {
		if got := docs[0].Meta[k]; got != v {
			t.Errorf("meta %q = %q, want %q", k, got, v)
		}
	}
}
