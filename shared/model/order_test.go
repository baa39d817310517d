package model

import (
	"slices"
	"testing"
)

func TestReadingOrder(t *testing.T) {
	in := []Annotation{
		{ID: "d", Start: 5, End: 6},
		{ID: "c", Start: 0, End: 3},
		{ID: "b", Start: 0, End: 9},
		{ID: "a", Start: 0, End: 3},
	}
	slices.SortFunc(in, ReadingOrder)
	var got []string
	for _, a := range in {
		got = append(got, a.ID)
	}
	// Enclosing span first, then same span by ID, then later starts.
	if want := []string{"b", "a", "c", "d"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc…"},
		{"éééé", 2, "éé…"},
		{"日本語", 3, "日本語"},
	} {
		if got := Clip(tc.s, tc.n); got != tc.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

func TestDisplayColor(t *testing.T) {
	for c, want := range map[string]string{"#a1B2c3": "#a1B2c3", "red": FallbackColor, `#fff" onload="x`: FallbackColor, "": FallbackColor} {
		if got := DisplayColor(c); got != want {
			t.Errorf("DisplayColor(%q) = %q, want %q", c, got, want)
		}
	}
}
