package suggest

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gloss/shared/model"
)

// figure is a suggested figure in code points with its structured fields.
type figure struct {
	start, end int
	attrs      numAttrs
}

type numAttrs struct {
	value, low, high           float64
	isRange                    bool
	qual, unit, quantity, curr string
}

func (f figure) span(r []rune) Span {
	sp := Span{Start: f.start, End: f.end, Label: LabelFigure, Text: string(r[f.start:f.end])}
	a := f.attrs
	if a.isRange {
		lo, hi := a.low, a.high
		sp.Attrs.Low, sp.Attrs.High = &lo, &hi
	} else {
		v := a.value
		sp.Attrs.Value = &v
	}
	sp.Attrs.Qualifier, sp.Attrs.Unit, sp.Attrs.Quantity = a.qual, a.unit, a.quantity
	return sp
}

var (
	unitWords = map[string]float64{"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
		"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
		"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
		"fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
	scaleWords = map[string]float64{"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
	// Abbreviated scales after a number: "$8m", "£2bn", "13.6M".
	scaleAbbr = map[string]float64{"m": 1e6, "mn": 1e6, "mln": 1e6, "bn": 1e9, "b": 1e9, "bln": 1e9, "k": 1e3,
		"tn": 1e12, "trn": 1e12, "million": 1e6, "billion": 1e9, "trillion": 1e12, "thousand": 1e3}
	// Vague plurals: "dozens" is at least two dozen and fewer than a hundred.
	vagueWords = map[string][2]float64{"dozens": {24, 99}, "scores": {40, 99}, "hundreds": {200, 999},
		"thousands": {2000, 9999}, "millions": {2e6, 999e6}, "billions": {2e9, 999e9}}
	currencies = map[string]string{"$": "$", "£": "£", "€": "€", "¥": "¥", "₹": "₹", "₽": "₽", "₩": "₩", "₺": "₺"}
	currNames  = set("dollars", "dollar", "euros", "euro", "pounds", "yen", "yuan", "rupees", "roubles", "rubles", "francs",
		"pesos", "riyals", "dirhams", "shekels", "rand", "naira", "hryvnias", "lira", "usd", "eur", "gbp")
	months = set("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
		"november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")
	timeWords = set("am", "pm", "a.m", "p.m", "gmt", "utc", "bst", "est", "edt", "et", "cet", "pt", "pst", "hrs", "o'clock", "h", "a.m.", "p.m.")
	// Words before a number that make it a name or a reference, not a count.
	nameNums = set("section", "article", "row", "room", "flight", "chapter", "page", "pages", "no", "number", "route", "highway",
		"gate", "platform", "seat", "block", "apartment", "unit", "level", "stage", "phase", "part", "volume", "vol", "episode",
		"season", "series", "act", "bill", "resolution", "rule", "clause", "paragraph", "item", "table", "figure", "fig", "lot",
		"bus", "line", "terminal", "ward", "district", "precinct", "division", "grade", "class", "category", "type", "model",
		"version", "channel", "track", "pier", "exit", "interstate", "boeing", "airbus", "apollo", "windows", "iphone", "galaxy",
		"formula", "zone", "sector", "code", "tel", "phone", "ext", "box", "suite", "floor", "week", "day", "game", "round",
		"match", "year", "psalm", "verse", "amendment", "protocol", "regulation", "case", "camp", "cell", "tu", "su", "mig",
		"f", "ak", "covid", "mh", "g", "su-", "no.", "#", "ward", "pod", "bay", "junction", "exit", "gate", "hangar", "wing", "corridor", "rd", "st")
	yearPreps = set("in", "since", "by", "until", "till", "from", "during", "before", "after", "of", "mid", "early", "late",
		"the", "this", "last", "next", "year", "between", "around", "circa", "c", "through", "to", "and", "or", "spring",
		"summer", "autumn", "winter", "fall", "fiscal", "'s", "at", "for", "on")
	// Qualifiers before a number, longest first within each start word.
	qualifiers = [][]string{
		{"no", "fewer", "than"}, {"no", "more", "than"}, {"no", "less", "than"}, {"not", "more", "than"},
		{"more", "than"}, {"less", "than"}, {"fewer", "than"}, {"greater", "than"}, {"at", "least"}, {"at", "most"}, {"up", "to"},
		{"as", "many", "as"}, {"as", "few", "as"}, {"as", "much", "as"}, {"as", "little", "as"}, {"close", "to"},
		{"just", "over"}, {"just", "under"}, {"just", "above"}, {"just", "below"}, {"well", "over"}, {"well", "above"},
		{"well", "below"}, {"upwards", "of"}, {"in", "excess", "of"}, {"an", "estimated"}, {"almost"}, {"nearly"},
		{"about"}, {"around"}, {"approximately"}, {"roughly"}, {"some"}, {"over"}, {"under"}, {"above"}, {"below"},
		{"estimated"}, {"approx"}, {"circa"}, {"exactly"}, {"precisely"}, {"only"}, {"just"}, {"barely"}, {"maybe"},
		{"perhaps"}, {"beyond"}, {"over", "a"}, {"more", "than", "a"},
	}
	// Words that end a counted noun phrase.
	unitStop = set("of", "in", "on", "at", "to", "from", "by", "for", "with", "and", "or", "but", "who", "whom", "which",
		"that", "were", "was", "are", "is", "have", "has", "had", "be", "been", "being", "will", "would", "could", "can",
		"may", "might", "should", "must", "did", "do", "does", "as", "than", "after", "before", "since", "during", "while",
		"when", "where", "into", "across", "including", "according", "said", "says", "say", "told", "reported", "ago",
		"later", "earlier", "more", "less", "the", "a", "an", "this", "these", "those", "their", "its", "his", "her", "our",
		"per", "each", "apiece", "so", "if", "not", "no", "also", "then", "there", "here", "over", "under", "about",
		"between", "among", "amid", "against", "within", "without", "through", "toward", "towards", "out", "up", "down",
		"off", "because", "though", "although", "until", "till", "now", "still", "just", "only", "all", "both", "either",
		"reportedly", "allegedly", "it", "they", "he", "she", "we", "you", "i", "left", "killing", "injuring", "wounding",
		"whose", "what", "how", "why", "nor", "yet", "via", "plus", "or", "versus", "vs", "like", "unlike", "such", "other",
		"another", "every", "any", "some", "many", "much", "most", "few", "several", "very", "too", "again", "away", "back",
		"around", "near", "behind", "beyond", "above", "below", "upon", "onto", "inside", "outside", "along", "past", "ahead")
	// What happened to what a figure counts.
	quantityWords = set("dead", "killed", "died", "wounded", "injured", "hurt", "hospitalised", "hospitalized", "evacuated",
		"missing", "arrested", "detained", "displaced", "rescued", "infected", "affected", "homeless", "deaths",
		"fatalities", "casualties", "injuries", "dying", "perished", "drowned", "stranded", "trapped", "kidnapped",
		"abducted", "captured", "sickened", "poisoned", "confirmed", "recovered", "released", "freed", "executed", "murdered",
		"slain", "shot", "stabbed", "buried", "deported", "expelled", "charged", "convicted", "sentenced", "jailed",
		"imprisoned", "unaccounted", "sheltering", "quarantined", "vaccinated", "tested", "treated", "admitted")
	quantityVerbs = map[string]string{"killed": "killed", "wounded": "wounded", "injured": "injured", "evacuated": "evacuated",
		"hospitalised": "hospitalised", "hospitalized": "hospitalized", "rescued": "rescued", "arrested": "arrested",
		"detained": "detained", "displaced": "displaced", "infected": "infected", "killing": "killed", "injuring": "injured",
		"wounding": "wounded", "kill": "killed", "kills": "killed", "evacuating": "evacuated", "arresting": "arrested",
		"hurt": "hurt", "hurting": "hurt", "left": "", "claimed": "", "kidnapped": "kidnapped", "abducted": "abducted",
		"detaining": "detained", "displacing": "displaced", "treated": "treated", "admitted": "admitted"}
	auxWords = set("have", "has", "had", "been", "were", "was", "are", "is", "be", "being", "now", "reportedly", "also",
		"still", "later", "feared", "believed", "said", "thought", "presumed", "confirmed", "already", "so", "far", "reported",
		"seriously", "critically", "badly", "severely", "slightly", "fatally", "all", "officially", "since")
	conditionAdjs = set("serious", "critical", "stable", "grave", "severe", "life-threatening", "satisfactory", "fair", "poor", "good")
)

// parsed is one number read from the tokens.
type parsed struct {
	v, lo, hi float64
	vague     bool
	curr      string
	unit      string // glued unit ("5km") or "%"
	scale     float64
	end       int // token index after the number
	digits    bool
	ok        bool
	bad       bool // not a figure (ordinal, time, decade): skip
}

type figScanner struct {
	st   []token
	used []bool
}

func figures(st []token) []figure {
	fs := &figScanner{st: st, used: make([]bool, len(st))}
	var out []figure
	for i := 0; i < len(st); i++ {
		if fs.used[i] || !fs.mayStartNumber(i) {
			continue
		}
		if f, ok := fs.at(i); ok && f.start < f.end {
			out = append(out, f)
		}
	}
	return out
}

func (fs *figScanner) word(i int) string {
	if i < 0 || i >= len(fs.st) {
		return ""
	}
	return fs.st[i].low
}

func (fs *figScanner) glued(i int) bool { // token i touches token i-1
	return i > 0 && i < len(fs.st) && !fs.st[i].space
}

// number reads one number starting at token i: an optional currency sign,
// digits or number words, and a scale.
func (fs *figScanner) number(i int) parsed {
	st := fs.st
	var p parsed
	if i >= len(st) {
		return p
	}
	if c, ok := currencies[st[i].text]; ok && i+1 < len(st) && st[i+1].kind == kNum && fs.glued(i+1) {
		p.curr = c
		i++
	}
	t := st[i]
	switch {
	case t.kind == kNum:
		p.digits = true
		s := strings.Map(func(r rune) rune {
			if r == ',' || isGroupSpace(r) {
				return -1
			}
			return r
		}, t.text)
		if strings.Count(s, ".") > 1 {
			s = strings.ReplaceAll(s, ".", "")
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return p
		}
		p.v, p.ok, p.end = v, true, i+1
		if i+1 < len(st) && fs.glued(i+1) && st[i+1].kind == kWord {
			w := st[i+1].low
			switch {
			case w == "st" || w == "nd" || w == "rd" || w == "th" || w == "s" || w == "'s" || timeWords[w],
				utf8.RuneCountInString(w) > model.MaxAttrText: // an identifier, not a figure's unit
				p.bad = true
				return p
			case scaleAbbr[w] != 0 && (p.curr != "" || w != "m" && w != "b" || st[i+1].text == "M"):
				p.scale = scaleAbbr[w]
				p.end = i + 2
			default:
				p.unit = st[i+1].text
				p.end = i + 2
			}
		} else if i+2 < len(st) && fs.glued(i+1) && (st[i+1].text == "-" || st[i+1].text == "\u2011") && fs.glued(i+2) && st[i+2].kind == kWord && isUnitCompound(st[i+2].low) {
			p.unit = st[i+2].text // "45-year-old", "10-day"
			p.end = i + 3
		} else if i+1 < len(st) && st[i+1].kind == kWord && (scaleWords[st[i+1].low] > 100 || (p.curr != "" && scaleAbbr[st[i+1].low] != 0)) {
			p.scale = scaleAbbr[st[i+1].low]
			p.end = i + 2
		}
		if p.scale != 0 {
			// Scale in decimal, so that 4.1bn is 4100000000, not 4099999999.9999995.
			if v, err := strconv.ParseFloat(s+"e"+strconv.Itoa(int(math.Round(math.Log10(p.scale)))), 64); err == nil {
				p.v = v
			} else {
				p.v *= p.scale
			}
		}
	case t.kind == kWord:
		if vr, ok := vagueWords[t.low]; ok {
			// "tens of thousands", "hundreds of thousands"
			if (t.low == "hundreds" || t.low == "tens") && fs.word(i+1) == "of" && scaleWords[strings.TrimSuffix(fs.word(i+2), "s")] >= 1e3 {
				sc := scaleWords[strings.TrimSuffix(fs.word(i+2), "s")]
				p.lo, p.hi, p.vague, p.ok, p.end = 2*sc, 10*sc-1, true, true, i+3
				if t.low == "hundreds" {
					p.lo, p.hi = 200*sc, 1000*sc-1
				}
				return p
			}
			if nx := fs.word(i + 1); nx != "of" && nx != "more" && nx != "others" {
				return p
			}
			p.lo, p.hi, p.vague, p.ok, p.end = vr[0], vr[1], true, true, i+1
			return p
		}
		if t.low == "tens" && fs.word(i+1) == "of" && fs.word(i+2) == "thousands" {
			p.lo, p.hi, p.vague, p.ok, p.end = 2e4, 99999, true, true, i+3
			return p
		}
		v, end, ok := fs.words(i)
		if !ok {
			return p
		}
		p.v, p.ok, p.end = v, true, end
	}
	return p
}

// words reads a number written in words: "five", "forty-two", "a dozen",
// "one hundred and twenty", "two million".
func (fs *figScanner) words(i int) (float64, int, bool) {
	st := fs.st
	total, cur := 0.0, 0.0
	any, j := false, i
	if fs.word(j) == "a" || fs.word(j) == "an" {
		nx := fs.word(j + 1)
		if scaleWords[nx] == 0 && nx != "dozen" {
			return 0, 0, false
		}
		cur, j = 1, j+1
	}
	for ; j < len(st); j++ {
		t := st[j]
		if t.kind != kWord {
			break
		}
		w := t.low
		if w == "and" && any && unitWords[fs.word(j+1)] > 0 && cur >= 100 {
			continue
		}
		if u, ok := unitWords[w]; ok {
			cur += u
			any = true
			continue
		}
		if parts := strings.SplitN(w, "-", 2); j == i && len(parts) == 2 && unitWords[parts[0]] > 0 && unitWords[parts[1]] == 0 && isUnitCompound(parts[1]) {
			return unitWords[parts[0]], j + 1, true
		}
		if parts := strings.Split(w, "-"); len(parts) == 2 && unitWords[parts[0]] >= 20 && unitWords[parts[1]] > 0 && unitWords[parts[1]] < 10 {
			cur += unitWords[parts[0]] + unitWords[parts[1]]
			any = true
			continue
		}
		if w == "dozen" {
			cur = max(cur, 1) * 12
			any = true
			continue
		}
		if s, ok := scaleWords[w]; ok {
			if s == 100 {
				cur = max(cur, 1) * 100
			} else {
				total += max(cur, 1) * s
				cur = 0
			}
			any = true
			continue
		}
		break
	}
	if !any {
		return 0, 0, false
	}
	return total + cur, j, true
}

// qualifier finds a qualifier ending just before token i.
func (fs *figScanner) qualifier(i int) (string, int) {
	best, bs := "", i
	for _, q := range qualifiers {
		s := i - len(q)
		if s < 0 || s >= bs {
			continue
		}
		ok := true
		for k, w := range q {
			if fs.st[s+k].low != w {
				ok = false
				break
			}
		}
		if ok {
			best, bs = strings.Join(q, " "), s
		}
	}
	if strings.HasSuffix(best, " a") { // "over a dozen": the "a" belongs to the number
		return strings.TrimSuffix(best, " a"), bs
	}
	return best, bs
}

func isCountNoun(w string, t token) bool {
	if t.kind != kWord || t.upper {
		return false
	}
	if unitStop[w] || strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "ly") || strings.HasSuffix(w, "ing") {
		return false
	}
	return true
}

// isPluralNoun reports whether t looks like a plural count noun ("people", "votes").
func isPluralNoun(t token) bool {
	w := t.low
	return isCountNoun(w, t) && (strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "'s") ||
		w == "people" || w == "men" || w == "women" || w == "children" || w == "staff" || w == "police" || w == "cattle")
}

var streetWords = set("street", "st", "road", "rd", "avenue", "ave", "lane", "drive", "boulevard", "square", "place", "way", "court", "terrace")

// at tries to read a figure whose number starts at token i.
func (fs *figScanner) at(i int) (figure, bool) {
	st := fs.st
	p := fs.number(i)
	if p.bad {
		for k := i; k < min(p.end+1, len(st)); k++ {
			fs.used[k] = true
		}
		fs.used[i] = true
		if i+1 < len(st) {
			fs.used[i+1] = true
		}
		return figure{}, false
	}
	if !p.ok {
		return figure{}, false
	}
	numTok := i
	if p.curr != "" {
		numTok = i + 1
	}
	nt := st[numTok]
	j := p.end
	a := numAttrs{value: p.v, curr: p.curr}
	if p.vague {
		a.isRange, a.low, a.high = true, p.lo, p.hi
	}
	qual, qs := fs.qualifier(i)
	if i > 0 && st[i-1].low == "a" && !p.digits { // "over a dozen": qualifier sits before the "a"
		qual, qs = fs.qualifier(i - 1)
		if qual == "" {
			qs = i
		}
	}
	a.qual = qual
	prev := qs - 1
	pw := fs.word(prev)
	next := fs.word(j)
	skip := func() (figure, bool) {
		// "2-1", "12-15": the second number goes with the first.
		if j+1 < len(st) && fs.glued(j) && (next == "-" || next == "\u2013") && st[j+1].kind == kNum && fs.glued(j+1) {
			j += 2
		}
		for k := i; k < j; k++ {
			fs.used[k] = true
		}
		return figure{}, false
	}
	if p.digits {
		txt := nt.text
		switch {
		case prev >= 0 && !st[qs].space && (st[prev].text == "+" || st[prev].text == "#"):
			return skip()
		case j < len(st) && fs.glued(j) && (st[j].text == ":" || st[j].text == "/") && j+1 < len(st) && st[j+1].kind == kNum && fs.glued(j+1):
			fs.used[j+1] = true
			return skip()
		case timeWords[next] || (next == "a" || next == "p") && fs.word(j+1) == ".":
			return skip()
		case months[pw] || months[next] || pw == "." && months[fs.word(prev-1)] || (pw == "," && months[fs.word(prev-1)]) || (next == "of" && months[fs.word(j+1)]):
			return skip()
		case len(txt) > 1 && txt[0] == '0' && !strings.HasPrefix(txt, "0."):
			return skip()
		case pw == "(" && next == ")" && p.curr == "":
			return skip()
		}
		// A year: four bare digits unless they count something.
		if p.curr == "" && p.scale == 0 && p.unit == "" && len(txt) == 4 && p.v >= 1000 && p.v <= 2100 && qual == "" {
			if yearPreps[pw] || prev < 0 || j >= len(st) || !isCountNoun(next, st[j]) || strings.HasSuffix(next, "'s") {
				return skip()
			}
		}
		// Two bare numbers in a row (phone numbers, codes).
		if j < len(st) && st[j].kind == kNum && p.curr == "" && len(txt) >= 3 && len(st[j].text) >= 3 {
			fs.used[j] = true
			return skip()
		}
	}
	if p.digits || p.v != 1 || p.vague {
		// A name or reference: "Section 427", "Flight 370", "Boeing 737".
		if qual == "" && prev >= 0 && p.curr == "" && (nameNums[pw] || pw == "." && nameNums[fs.word(prev-1)]) {
			if j >= len(st) || !isPluralNoun(st[j]) {
				return skip()
			}
		}
		if qual == "" && prev > 0 && p.curr == "" && st[prev].kind == kWord && st[prev].upper && !months[pw] {
			if j >= len(st) || !isCountNoun(next, st[j]) {
				return skip()
			}
		}
		// A name: "the Group of 20", "Article 5".
		if qual == "" && pw == "of" && prev > 0 && st[prev-1].upper && (j >= len(st) || !isPluralNoun(st[j])) {
			return skip()
		}
		// An address: "221 Baker Street".
		if j+1 < len(st) && st[j].upper && streetWords[fs.word(j+1)] {
			return skip()
		}
	}
	if !p.digits && !p.vague && p.v == 1 && fs.word(i) == "one" { // "one" counts only before a noun
		if j >= len(st) || !isCountNoun(next, st[j]) || oneStop[next] || oneBefore[pw] {
			return skip()
		}
	}
	// Ranges: "1 to 1.5", "10-20", "between 10 and 20".
	rangeEnd := -1
	pctFirst := false
	if next == "%" && (fs.word(j+1) == "to" || fs.word(j+1) == "-" || fs.word(j+1) == "\u2013" || fs.word(j+1) == "and" && pw == "between") && fs.number(j+2).ok {
		pctFirst = true
		j++
		next = fs.word(j)
	}
	change := changeVerbs[pw] || pw == "from" && fs.word(prev-1) != "ranging" && fs.word(prev-1) != "range" && fs.word(prev-1) != "anywhere"
	if change && next == "to" {
		if q := fs.number(j + 1); q.ok && months[fs.word(q.end)] {
			for k := i; k < q.end; k++ {
				fs.used[k] = true
			}
			return figure{}, false
		}
	}
	if change && pctFirst {
		j--
		next = fs.word(j)
		pctFirst = false
	}
	if !p.vague && !change && j+1 < len(st) && (next == "to" || next == "-" || next == "\u2013" || next == "\u2014" || (next == "and" && pw == "between")) {
		q := fs.number(j + 1)
		// "8.3% to $4.1bn" joins two figures, not a range.
		mixed := (pctFirst || p.unit == "%") && q.curr != "" || p.curr != "" && q.end < len(st) && st[q.end].text == "%"
		if q.ok && !q.vague && !q.bad && !mixed {
			lo := p.v
			if p.scale == 0 && q.scale != 0 && lo*q.scale <= q.v {
				lo *= q.scale
			}
			if q.v >= lo {
				a.isRange, a.low, a.high = true, lo, q.v
				if a.curr == "" {
					a.curr = q.curr
				}
				if p.unit == "" {
					p.unit = q.unit
				}
				rangeEnd = q.end
			} else if next == "-" || next == "\u2013" {
				for k := i; k < q.end; k++ {
					fs.used[k] = true
				}
				return figure{}, false // a score or a code
			}
		}
	}
	if rangeEnd > 0 && (months[fs.word(rangeEnd)] || months[pw]) {
		for k := i; k < rangeEnd; k++ {
			fs.used[k] = true
		}
		return figure{}, false // "from 3 to 5 June": dates
	}
	if rangeEnd < 0 && pctFirst {
		j--
		next = fs.word(j)
	}
	if rangeEnd > 0 {
		if pctFirst && p.unit == "" {
			p.unit = "%"
		}
		if pw == "between" || pw == "from" {
			qs, prev = prev, prev-1
			a.qual = ""
		}
		j = rangeEnd
		next = fs.word(j)
	}
	end := st[j-1].e
	// Post-qualifiers: "100 or more", "100-plus", "100+".
	if next == "or" && (fs.word(j+1) == "more" || fs.word(j+1) == "so") && a.qual == "" {
		a.qual = "or " + fs.word(j+1)
		end, j = st[j+1].e, j+2
		next = fs.word(j)
	} else if (next == "+" || next == "-plus" || next == "plus") && fs.glued(j) && a.qual == "" {
		a.qual = "plus"
		end, j = st[j].e, j+1
		next = fs.word(j)
	}
	// Unit.
	unit := p.unit
	if unit == "%" || next == "%" {
		unit = "%"
		if next == "%" {
			end, j = st[j].e, j+1
		}
	} else if next == "per" && fs.word(j+1) == "cent" {
		unit, end, j = "%", st[j+1].e, j+2
	} else if next == "percent" || next == "pc" || next == "pct" {
		unit, end, j = "%", st[j].e, j+1
	} else if next == "percentage" && fs.word(j+1) == "points" {
		unit, end, j = "percentage points", st[j+1].e, j+2
	}
	if unit == "" && a.curr != "" {
		unit = a.curr
		if currNames[next] {
			unit, end, j = st[j].text, st[j].e, j+1
		}
	}
	if unit == "" {
		k := j
		if p.vague && fs.word(k) == "of" {
			k++
		}
		var ws []string
		ulen := -1 // code points of the unit so far, with the spaces between words
		for n := 0; k < len(st) && n < 3; n++ {
			t := st[k]
			w := t.low
			if t.kind != kWord || unitStop[w] || quantityWords[w] && n > 0 || strings.HasSuffix(w, "ly") {
				break
			}
			if ulen += 1 + utf8.RuneCountInString(t.text); ulen > model.MaxAttrText {
				break // no unit is that long (and a span's fields may not be)
			}
			if quantityWords[w] && !strings.HasSuffix(w, "s") && n == 0 {
				break // "100 wounded": what happened, not what is counted
			}
			if t.upper && !(n > 0 && (ws[n-1] == "degrees" || ws[n-1] == "degree")) && !(n == 0 && k+1 < len(st) && !st[k+1].upper && st[k+1].kind == kWord && !unitStop[st[k+1].low]) &&
				!(n == 0 && strings.HasSuffix(w, "s") && len(w) > 4 && !allCaps(t.text)) {
				break
			}
			if n > 0 && (strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "ing")) && !quantityWords[w] {
				break
			}
			ws = append(ws, t.text)
			end, k = t.e, k+1
			if quantityWords[w] {
				break
			}
			if w == "degrees" && (fs.word(k) == "celsius" || fs.word(k) == "fahrenheit" || fs.word(k) == "centigrade") {
				continue
			}
			plural := strings.HasSuffix(w, "s") || w == "people" || w == "men" || w == "women" || w == "children" || w == "police" || w == "staff"
			if plural && n == 0 && !(k < len(st) && st[k].kind == kWord && !unitStop[st[k].low] && !quantityWords[st[k].low] && !st[k].upper && (strings.HasSuffix(st[k].low, "s") || st[k].low == "people" || st[k].low == "men" || st[k].low == "women" || st[k].low == "children")) {
				break // a plural noun ends the phrase: "people", "years"
			}
		}
		if len(ws) > 0 && fractions[strings.ToLower(ws[0])] && !p.digits {
			return skip() // "three quarters": a fraction, not a count
		}
		if len(ws) > 0 {
			unit = strings.Join(ws, " ")
			j = k
		}
		if p.vague && unit == "" && p.end-i < 3 && next != "more" && next != "others" && next != "other" {
			return skip()
		}
	}
	lu := strings.ToLower(unit)
	if quantityWords[lu] && strings.HasSuffix(lu, "s") {
		a.quantity = lu
	}
	// Quantity after: "115 people have been hospitalised", "60 of whom are in serious condition".
	k := j
	if fs.word(k) == "of" && (fs.word(k+1) == "whom" || fs.word(k+1) == "them" || fs.word(k+1) == "those") {
		k += 2
	}
	for n := 0; n < 4 && auxWords[fs.word(k)]; n++ {
		k++
	}
	if w := fs.word(k); quantityWords[w] && a.quantity == "" && !(w == "confirmed" || w == "tested" || w == "treated" || w == "admitted" || w == "charged") {
		a.quantity, end = w, st[k].e
	} else if w == "in" && a.quantity == "" {
		m := k + 1
		for m < len(st) && (fs.word(m) == "a" || fs.word(m) == "an" || fs.word(m) == "the" || st[m].kind == kPunct && isQuote([]rune(st[m].text)[0])) {
			m++
		}
		if conditionAdjs[fs.word(m)] && fs.word(m+1) == "condition" {
			a.quantity, end = "in "+fs.word(m)+" condition", st[m+1].e
			if m+2 < len(st) && fs.glued(m+2) && isQuoteTok(st[m+2]) && m > k+1 && isQuoteTok(st[m-1]) {
				end = st[m+2].e
			}
		}
	}
	// Quantity before: "killed at least 103 people", "wounded 211 others".
	if a.quantity == "" && prev >= 0 {
		if q, ok := quantityVerbs[pw]; ok && q != "" {
			a.quantity = q
		}
	}
	// "the death toll rose to 60", "a death toll of 60".
	for k := prev; a.quantity == "" && k > 0 && prev-k < 5; k-- {
		if fs.word(k) == "toll" && fs.word(k-1) == "death" {
			a.quantity = "death toll"
		}
	}
	a.unit = unit
	if a.curr != "" && unit == "" {
		a.unit = a.curr
	}
	for k := i; k < j; k++ {
		fs.used[k] = true
	}
	start := st[qs].s
	if a.qual == "" || strings.HasPrefix(a.qual, "or ") || a.qual == "plus" {
		start = st[i].s
		if rangeEnd > 0 && qs < i {
			start = st[qs].s
		}
	}
	return figure{start: start, end: end, attrs: a}, true
}

var (
	oneStop = set("of", "another", "way", "thing", "day", "time", "point", "side", "hand", "such", "more", "other", "reason",
		"another", "occasion", "moment", "issue", "problem", "question", "factor", "example", "option", "step", "sign", "thing",
		"part", "place", "area", "aspect", "key", "major", "big", "main", "last", "final", "first", "single", "particular")
	oneBefore = set("no", "any", "every", "each", "the", "this", "that", "which", "someone", "anyone", "everyone", "at",
		"only", "for", "is", "was", "one", "as", "like", "little", "with", "another", "and")
)

func isUpper(s string) bool {
	for _, r := range s {
		return unicode.IsUpper(r)
	}
	return false
}

// isUnitCompound reports whether a hyphenated number word's second part
// is a unit: "three-day", "five-year-old", "two-storey".
func isUnitCompound(w string) bool {
	first, _, _ := strings.Cut(w, "-")
	return compoundUnits[first]
}

var compoundUnits = set("day", "week", "month", "year", "hour", "minute", "second", "mile", "metre", "meter", "kilometre",
	"kilometer", "storey", "story", "floor", "bedroom", "point", "game", "match", "member", "seat", "man", "person", "lane",
	"hour-long", "day-long", "percent", "per", "times", "fold", "strong", "room", "page", "judge", "nation", "party", "car")

// mayStartNumber is a cheap test that token i can begin a number, so that
// most words cost one map look-up.
func (fs *figScanner) mayStartNumber(i int) bool {
	t := fs.st[i]
	switch t.kind {
	case kNum:
		return true
	case kPunct:
		_, ok := currencies[t.text]
		return ok
	}
	w := t.low
	if w == "a" || w == "an" {
		nx := fs.word(i + 1)
		return scaleWords[nx] != 0 || nx == "dozen"
	}
	if _, ok := unitWords[w]; ok {
		return true
	}
	if _, ok := vagueWords[w]; ok || w == "tens" {
		return true
	}
	if k := strings.IndexByte(w, '-'); k > 0 {
		_, ok := unitWords[w[:k]]
		return ok
	}
	return false
}

var (
	fractions   = set("quarters", "quarter", "thirds", "third", "fifths", "fifth", "tenths", "halves", "half", "eighths", "sixths")
	changeVerbs = set("rose", "fell", "rise", "fall", "rises", "falls", "increased", "decreased", "climbed", "dropped",
		"jumped", "slipped", "grew", "declined", "gained", "lost", "raised", "lowered", "slumped", "surged", "soared",
		"plunged", "tumbled", "edged", "went", "moved", "changed", "cut", "up", "down", "increase", "decrease")
)
