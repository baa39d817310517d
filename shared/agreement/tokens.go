package agreement

import (
	"sort"

	"gloss/shared/tokens"
)

// None is the category of a token that no span covers. It is the empty
// string because an empty label names nothing in a schema and Compute
// rejects spans without a label, so None never collides with a real one.
const None = ""

// Token is one unit for kappa and alpha: [Start, End) in code points.
type Token struct {
	Start, End int
}

// Tokenize splits text into token units: shared/tokens' tokens, the
// ones the CoNLL export writes, so that agreement is measured over the
// units a dataset's users train on. Punctuation and symbols are tokens of
// their own, so "U.S.-led" gives "U" "." "S" "." "-" "led", which keeps
// punctuation that one annotator includes in a span and another leaves
// out from blurring a word's label.
func Tokenize(text string) []Token {
	split := tokens.Split(text)
	toks := make([]Token, len(split))
	for i, t := range split {
		toks[i] = Token{Start: t.Start, End: t.End}
	}
	return toks
}

// tokenLabels is one annotator's labelling of a document's tokens.
type tokenLabels struct {
	// best[i] is token i's single category for the overall coefficients.
	best []string
	// has[l][i] tells whether a span labelled l touches token i, for the
	// per-label binary coefficients; nil for labels the annotator never used.
	has map[string][]bool
}

// labelTokens gives each token the labels of the spans that share at
// least one code point with it; a span cut mid-word still labels the word.
// When spans with different labels touch one token, the shortest span wins
// (it is the more specific annotation, e.g. a figure inside a claim), and
// among equally long ones the label that sorts first, so the result never
// depends on span order. Per-label coefficients need no such rule.
func labelTokens(toks []Token, spans []Span) tokenLabels {
	tl := tokenLabels{best: make([]string, len(toks)), has: map[string][]bool{}}
	bestLen := make([]int, len(toks))
	for _, s := range spans {
		h := tl.has[s.Label]
		if h == nil {
			h = make([]bool, len(toks))
			tl.has[s.Label] = h
		}
		n := s.End - s.Start
		i := sort.Search(len(toks), func(i int) bool { return toks[i].End > s.Start })
		for ; i < len(toks) && toks[i].Start < s.End; i++ {
			h[i] = true
			if tl.best[i] == None || n < bestLen[i] || n == bestLen[i] && s.Label < tl.best[i] {
				tl.best[i], bestLen[i] = s.Label, n
			}
		}
	}
	return tl
}

// category returns token i's category for the coefficients of label l:
// l or None, or with l == None, the overall category.
func (tl tokenLabels) category(l string, i int) string {
	if l == None {
		return tl.best[i]
	}
	if h := tl.has[l]; h != nil && h[i] {
		return l
	}
	return None
}
