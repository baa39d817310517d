package textpos

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

func TestConversions(t *testing.T) {
	tests := []struct {
		name string
		text string
		// cp → expected utf16 offset for every code point boundary
		u16 []int
	}{
		{"ascii", "abc", []int{0, 1, 2, 3}},
		{"emoji", "a😀b", []int{0, 1, 3, 4}},
		{"two emoji", "😀😀", []int{0, 2, 4}},
		{"cjk", "東京x", []int{0, 1, 2, 3}},
		{"combining", "e\u0301x", []int{0, 1, 2, 3}},
		{"nbsp", "ISIS.\u00a0\n", []int{0, 1, 2, 3, 4, 5, 6, 7}},
		{"flag and rtl", "🇫🇷 שלום", []int{0, 2, 4, 5, 6, 7, 8, 9}},
		{"empty", "", []int{0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx := New(tc.text)
			if got, want := tx.Len(), len([]rune(tc.text)); got != want {
				t.Fatalf("Len = %d, want %d", got, want)
			}
			if got, want := tx.LenUTF16(), len(utf16.Encode([]rune(tc.text))); got != want {
				t.Fatalf("LenUTF16 = %d, want %d", got, want)
			}
			for cp, want := range tc.u16 {
				got, err := tx.UTF16(cp)
				if err != nil || got != want {
					t.Errorf("UTF16(%d) = %d, %v; want %d", cp, got, err, want)
				}
				back, err := tx.CodePoint(want)
				if err != nil || back != cp {
					t.Errorf("CodePoint(%d) = %d, %v; want %d", want, back, err, cp)
				}
			}
			// Slicing by code points agrees with []rune slicing.
			runes := []rune(tc.text)
			for i := 0; i <= len(runes); i++ {
				for j := i; j <= len(runes); j++ {
					got, err := tx.Slice(i, j)
					if err != nil || got != string(runes[i:j]) {
						t.Fatalf("Slice(%d,%d) = %q, %v; want %q", i, j, got, err, string(runes[i:j]))
					}
				}
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tx := New("a😀b")
	if _, err := tx.CodePoint(2); !errors.Is(err, ErrInsideSurrogatePair) {
		t.Errorf("CodePoint inside pair: err = %v", err)
	}
	for _, u := range []int{-1, 5} {
		if _, err := tx.CodePoint(u); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("CodePoint(%d): err = %v", u, err)
		}
	}
	for _, r := range [][2]int{{-1, 1}, {0, 4}, {2, 1}} {
		if _, err := tx.Slice(r[0], r[1]); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("Slice%v: err = %v", r, err)
		}
	}
	if _, err := tx.CodePointAtByte(2); err == nil {
		t.Error("CodePointAtByte inside a rune: want error")
	}
	if cp, err := tx.CodePointAtByte(5); err != nil || cp != 2 {
		t.Errorf("CodePointAtByte(5) = %d, %v; want 2", cp, err)
	}
}

func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"", "abc", "a😀b", "東京 e\u0301 \u00a0 שלום 🇫🇷", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tx := New(s)
		runes := []rune(s)
		if tx.Len() != len(runes) {
			t.Fatalf("Len %d != %d", tx.Len(), len(runes))
		}
		u, b := 0, 0
		for cp := 0; cp <= len(runes); cp++ {
			if got, err := tx.ByteOffset(cp); err != nil || got != b {
				t.Fatalf("ByteOffset(%d) = %d, %v; want %d", cp, got, err, b)
			}
			if got, err := tx.CodePointAtByte(b); err != nil || got != cp {
				t.Fatalf("CodePointAtByte(%d) = %d, %v; want %d", b, got, err, cp)
			}
			got, err := tx.UTF16(cp)
			if err != nil || got != u {
				t.Fatalf("UTF16(%d) = %d, %v; want %d", cp, got, err, u)
			}
			back, err := tx.CodePoint(u)
			if err != nil || back != cp {
				t.Fatalf("CodePoint(%d) = %d, %v; want %d", u, back, err, cp)
			}
			if cp < len(runes) {
				u += len(utf16.Encode(runes[cp : cp+1]))
				_, n := utf8.DecodeRuneInString(s[b:])
				b += n
			}
		}
	})
}

// TestLongText crosses many marks of the sparse index, with multi-byte,
// astral and invalid characters, and checks every offset against []rune.
func TestLongText(t *testing.T) {
	s := strings.Repeat("Zürich said 😀 e\u0301 \xff东京 ", 200)
	tx := New(s)
	runes := []rune(s)
	if tx.Len() != len(runes) {
		t.Fatalf("Len %d != %d", tx.Len(), len(runes))
	}
	b := 0
	for cp := 0; cp <= len(runes); cp++ {
		if got, err := tx.ByteOffset(cp); err != nil || got != b {
			t.Fatalf("ByteOffset(%d) = %d, %v; want %d", cp, got, err, b)
		}
		if got, err := tx.CodePointAtByte(b); err != nil || got != cp {
			t.Fatalf("CodePointAtByte(%d) = %d, %v; want %d", b, got, err, cp)
		}
		if cp < len(runes) {
			_, n := utf8.DecodeRuneInString(s[b:])
			if n > 1 {
				if _, err := tx.CodePointAtByte(b + 1); err == nil {
					t.Fatalf("CodePointAtByte(%d) inside a rune: want error", b+1)
				}
			}
			b += n
		}
	}
	if got, _ := tx.Slice(100, 700); !slices.Equal([]rune(got), runes[100:700]) {
		t.Errorf("Slice(100,700) = %q", got)
	}
}

// TestIndexSize: the index of a 1 MB text costs at most a sixteenth of a
// byte per character (a dense table cost 4–8), and nothing for ASCII.
func TestIndexSize(t *testing.T) {
	ascii := New(strings.Repeat("Officials said at least 40 people died. ", 25_000))
	if ascii.marks != nil {
		t.Errorf("an ASCII text has %d marks, want none", len(ascii.marks))
	}
	mixed := New(strings.Repeat("Zürich, 東京. ", 100_000))
	if got, max := 4*len(mixed.marks), mixed.Len()/16; got > max {
		t.Errorf("index of %d characters takes %d bytes, want ≤ %d", mixed.Len(), got, max)
	}
}
