package story

import (
	"strconv"
	"strings"
	"unicode"
)

// numberWords are the number words a figure's text most often spells out.
var numberWords = map[string]float64{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
	"ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
	"fifty": 50, "hundred": 100, "a hundred": 100, "a dozen": 12, "dozen": 12,
}

// scales multiply the number before them ("1.5 million").
var scales = map[string]float64{"thousand": 1e3, "million": 1e6, "billion": 1e9}

// qualifiersByLength lists the known qualifiers, longest first, so that
// "no more than" wins over "more than".
var qualifiersByLength = func() []string {
	var qs []string
	for q := range qualifierKinds {
		if strings.IndexFunc(q, unicode.IsLetter) >= 0 {
			qs = append(qs, q)
		}
	}
	for q := range vagueWords {
		qs = append(qs, q)
	}
	// Longest first; ties alphabetically, for a stable choice.
	for i := 1; i < len(qs); i++ {
		for j := i; j > 0 && (len(qs[j]) > len(qs[j-1]) || len(qs[j]) == len(qs[j-1]) && qs[j] < qs[j-1]); j-- {
			qs[j], qs[j-1] = qs[j-1], qs[j]
		}
	}
	return qs
}()

// ReadQuote reads a figure's number and qualifier from its text, for
// figures tagged without structured fields (before the suggester, or by
// hand): the first number in digits ("3,000", "1.5") or a common number
// word, and the qualifier words right before it ("at least 40 people
// dead" → 40, "at least"). A vague quantity word ("dozens") without a
// number is returned as the qualifier alone. It is deliberately small:
// the suggester's extractor reads figures fully, and analysts correct the
// fields; this keeps the table useful on spans that have none.
func ReadQuote(quote string) (value *float64, qualifier string) {
	words := strings.FieldsFunc(strings.ToLower(quote), func(r rune) bool {
		return unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' || r == '\'' || r == '“' || r == '”'
	})
	for i, w := range words {
		w = strings.TrimRight(w, ",.;:!?")
		v, ok := parseNumber(w)
		if !ok && i+1 < len(words) {
			v, ok = numberWords[w+" "+strings.TrimRight(words[i+1], ",.;:")] // "a dozen"
		}
		if !ok {
			v, ok = numberWords[w]
		}
		if !ok {
			continue
		}
		if i+1 < len(words) {
			if m, ok := scales[strings.TrimRight(words[i+1], ",.;:")]; ok {
				v *= m
			}
		}
		before := strings.Join(words[:i], " ")
		for _, q := range qualifiersByLength {
			if before == q || strings.HasSuffix(before, " "+q) {
				qualifier = q
				break
			}
		}
		return &v, qualifier
	}
	text := " " + strings.Join(words, " ") + " "
	for _, q := range qualifiersByLength {
		if _, vague := vagueWords[q]; vague && strings.Contains(text, " "+q+" ") {
			return nil, q
		}
	}
	return nil, ""
}

// parseNumber reads "40", "3,000", "1.5", "13.6m" style digits.
func parseNumber(w string) (float64, bool) {
	w = strings.TrimPrefix(w, "$")
	mult := 1.0
	switch {
	case strings.HasSuffix(w, "m") && len(w) > 1 && isDigit(w[len(w)-2]):
		w, mult = w[:len(w)-1], 1e6
	case strings.HasSuffix(w, "k") && len(w) > 1 && isDigit(w[len(w)-2]):
		w, mult = w[:len(w)-1], 1e3
	}
	w = strings.TrimSuffix(w, "%")
	if w == "" || !isDigit(w[0]) {
		return 0, false
	}
	w = strings.ReplaceAll(w, ",", "")
	v, err := strconv.ParseFloat(w, 64)
	if err != nil {
		return 0, false
	}
	return v * mult, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
