package protocol

import "testing"

// BenchmarkDecode is the server's cost of reading one client message: an
// op as the desk sends it, and a selection.
func BenchmarkDecode(b *testing.B) {
	for _, bc := range []struct{ name, msg string }{
		{"add", `{"type":"op","op":{"id":"s12_1764440000000000000_33","kind":"add","ann":{"id":"c12-11","label":"claim","start":123,"end":131,"quote":"Zürich s"}}}`},
		{"update", `{"type":"op","op":{"id":"s12_1764440000000000000_34","kind":"update","version":3,"ann":{"id":"c12-11","label":"figure","start":123,"end":131,"quote":"Zürich s"}}}`},
		{"add-marshalled", `{"type":"op","op":{"id":"s12_1764440000000000000_35","kind":"add","ann":{"id":"c12-12","doc":0,"layer":"","label":"claim","start":123,"end":131,"quote":"Zürich s","author":"","version":0,"created":"0001-01-01T00:00:00Z","updated":"0001-01-01T00:00:00Z"}}}`},
		{"select", `{"type":"select","start":120,"end":131}`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			data := []byte(bc.msg)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
