package agreement

import (
	"errors"
	"math"
	"strings"
	"testing"
)

const tol = 1e-3

func near(s Score, want float64, defined bool) bool {
	return s.Defined == defined && math.Abs(s.Value-want) < tol
}

// table expands a 2×2 table of counts (rows: coder 1, columns: coder 2)
// into per-unit labels.
func table(yy, yn, ny, nn int) (x, y []string) {
	for _, c := range []struct {
		n    int
		a, b string
	}{{yy, "Y", "Y"}, {yn, "Y", "N"}, {ny, "N", "Y"}, {nn, "N", "N"}} {
		for range c.n {
			x, y = append(x, c.a), append(y, c.b)
		}
	}
	return x, y
}

func TestCohenKappa(t *testing.T) {
	tests := []struct {
		name           string
		yy, yn, ny, nn int
		want           float64
		defined        bool
	}{
		// Wikipedia, "Cohen's kappa", worked example: po = 0.7, pe = 0.5.
		{"wikipedia worked example", 20, 5, 10, 15, 0.4, true},
		// Wikipedia's two tables with the same 60% agreement but different
		// marginals.
		{"wikipedia same agreement 1", 45, 15, 25, 15, 0.1304, true},
		{"wikipedia same agreement 2", 25, 35, 5, 35, 0.2593, true},
		{"all agree", 3, 0, 0, 7, 1, true},
		{"always opposite", 0, 5, 5, 0, -1, true},
		{"all agree on one category", 10, 0, 0, 0, 1, false},
		{"no units", 0, 0, 0, 0, 1, false},
		// One coder says Y throughout: no better than chance.
		{"constant coder", 6, 0, 4, 0, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, y := table(tc.yy, tc.yn, tc.ny, tc.nn)
			got, err := CohenKappa(x, y)
			if err != nil || !near(got, tc.want, tc.defined) {
				t.Errorf("CohenKappa = %+v, %v; want %v (defined %v)", got, err, tc.want, tc.defined)
			}
		})
	}
	t.Run("length mismatch", func(t *testing.T) {
		if _, err := CohenKappa([]string{"Y"}, nil); !errors.Is(err, ErrLengthMismatch) {
			t.Errorf("err = %v, want ErrLengthMismatch", err)
		}
	})
}

// units turns coder rows of space-separated values, "." for missing, into
// per-unit value lists.
func units(rows ...string) [][]string {
	var us [][]string
	for _, row := range rows {
		for i, v := range strings.Fields(row) {
			if i >= len(us) {
				us = append(us, nil)
			}
			if v != "." {
				us[i] = append(us[i], v)
			}
		}
	}
	return us
}

func TestKrippendorffAlpha(t *testing.T) {
	tests := []struct {
		name    string
		units   [][]string
		want    float64
		defined bool
	}{
		// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
		// A: binary data, two observers, no missing data.
		{"krippendorff 2011 binary", units(
			"0 1 0 0 0 0 0 0 1 0",
			"1 1 1 0 0 1 0 0 0 0"), 0.095, true},
		// Ibid., B: nominal data, two observers, no missing data.
		{"krippendorff 2011 nominal two observers", units(
			"a a b b d c c c e d d a",
			"b a b b b c c c e d d d"), 0.692, true},
		// Ibid., C: nominal data, four observers, missing data; unit 12 has
		// one value and is unpairable.
		{"krippendorff 2011 nominal four observers", units(
			"1 2 3 3 2 1 4 1 2 . . .",
			"1 2 3 3 2 2 4 1 2 5 . 3",
			". 3 3 3 2 3 4 2 2 5 1 .",
			"1 2 3 3 2 4 4 1 2 5 1 ."), 0.743, true},
		{"all agree", units("a b c a", "a b c a", "a b . a"), 1, true},
		{"all one category", units("a a a", "a a a"), 1, false},
		{"one coder", units("a b c"), 1, false},
		{"no units", nil, 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := KrippendorffAlpha(tc.units); !near(got, tc.want, tc.defined) {
				t.Errorf("KrippendorffAlpha = %+v, want %v (defined %v)", got, tc.want, tc.defined)
			}
		})
	}
}

// FuzzCoefficients checks properties that hold for any two coders: kappa
// and alpha are symmetric, lie in [-1, 1], and are 1 for identical coding.
func FuzzCoefficients(f *testing.F) {
	f.Add([]byte{0, 1, 2, 2, 1, 0, 0, 0})
	f.Add([]byte{5, 5, 5, 5})
	f.Fuzz(func(t *testing.T, data []byte) {
		var x, y []string
		var us, swapped [][]string
		for i := 0; i+1 < len(data); i += 2 {
			a, b := string('a'+rune(data[i]%3)), string('a'+rune(data[i+1]%4))
			x, y = append(x, a), append(y, b)
			us, swapped = append(us, []string{a, b}), append(swapped, []string{b, a})
		}
		kxy, _ := CohenKappa(x, y)
		kyx, _ := CohenKappa(y, x)
		axy, ayx := KrippendorffAlpha(us), KrippendorffAlpha(swapped)
		kxx, _ := CohenKappa(x, x)
		for _, c := range []struct {
			name string
			ok   bool
		}{
			{"kappa symmetric", kxy == kyx},
			{"alpha symmetric", axy == ayx},
			{"kappa in range", kxy.Value >= -1-1e-9 && kxy.Value <= 1+1e-9},
			{"alpha in range", axy.Value >= -1-1e-9 && axy.Value <= 1+1e-9},
			{"kappa of identical coding", kxx.Value == 1},
		} {
			if !c.ok {
				t.Errorf("%s fails for x=%v y=%v: kappa %+v/%+v alpha %+v/%+v", c.name, x, y, kxy, kyx, axy, ayx)
			}
		}
	})
}
