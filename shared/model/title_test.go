package model

import "testing"

func TestDocumentTitle(t *testing.T) {
	long := "A very long first line that goes on and on well past the eighty characters a list can show nicely"
	tests := []struct{ name, text, want string }{
		{"000_307bc43b3c6d2c1a", "\n  Moscow: The ISIS has   claimed it.\nMore.", "Moscow: The ISIS has claimed it."},
		{"2024-03-22", "Budget day\n", "Budget day"},
		{"election-night", "Polls closed.", "election-night"},
		{"beef", "Cows.", "beef"}, // a word, not a hash: too short
		{"deadbeef01", "", "deadbeef01"},
		{"123456", long, long[:79] + "…"},
	}
	for _, tt := range tests {
		if got := DocumentTitle(tt.name, tt.text); got != tt.want {
			t.Errorf("DocumentTitle(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
