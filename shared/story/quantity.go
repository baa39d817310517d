package story

import (
	"strings"
	"unicode"
)

// Canonical quantities: the rows of a story's comparison table, in the
// order the table shows them. Other quantities an analyst types keep their
// own (lower-cased) name; a figure whose quantity cannot be told is Other.
const (
	Dead         = "dead"
	Wounded      = "wounded"
	Hospitalised = "hospitalised"
	Serious      = "in serious condition"
	Evacuated    = "evacuated"
	Missing      = "missing"
	Arrested     = "arrested"
	Displaced    = "displaced"
	Rescued      = "rescued"
	Casualties   = "casualties"
	Other        = "other"
)

// canonicalOrder ranks the canonical quantities for row order.
var canonicalOrder = map[string]int{
	Dead: 0, Wounded: 1, Hospitalised: 2, Serious: 3, Evacuated: 4, Missing: 5,
	Arrested: 6, Displaced: 7, Rescued: 8, Casualties: 9,
}

// phrases are multi-word cues, checked before single words because their
// words alone mean something else ("lives" in "saved lives").
var phrases = []struct{ words, quantity string }{
	{"lost their lives", Dead}, {"lost his life", Dead}, {"lost her life", Dead}, {"lives lost", Dead},
	{"lost lives", Dead}, {"death toll", Dead}, {"intensive care", Serious}, {"life threatening", Serious},
	{"in hospital", Hospitalised}, {"to hospital", Hospitalised}, {"unaccounted for", Missing},
	{"taken into custody", Arrested}, {"fled their homes", Displaced}, {"left homeless", Displaced},
}

// words maps word forms (lower case, after spelling folding) to their
// quantity. Regular inflections are also reached through stem (below).
var words = map[string]string{
	"dead": Dead, "death": Dead, "deaths": Dead, "died": Dead, "die": Dead, "dies": Dead, "dying": Dead,
	"kill": Dead, "killed": Dead, "kills": Dead, "killing": Dead, "fatalities": Dead, "fatality": Dead,
	"perished": Dead, "slain": Dead, "toll": Dead, "bodies": Dead, "murdered": Dead, "deceased": Dead,
	"wounded": Wounded, "wound": Wounded, "wounds": Wounded, "wounding": Wounded, "injured": Wounded,
	"injury": Wounded, "injuries": Wounded, "injuring": Wounded, "injure": Wounded, "hurt": Wounded,
	"hospitalized": Hospitalised, "hospitalize": Hospitalised, "hospitalization": Hospitalised,
	"hospitalizations": Hospitalised, "hospitalizing": Hospitalised, "hospital": Hospitalised,
	"hospitals": Hospitalised, "admitted": Hospitalised, "inpatients": Hospitalised,
	"serious": Serious, "seriously": Serious, "critical": Serious, "critically": Serious, "grave": Serious,
	"gravely": Serious, "severe": Serious, "severely": Serious,
	"evacuated": Evacuated, "evacuate": Evacuated, "evacuation": Evacuated, "evacuations": Evacuated,
	"evacuees": Evacuated, "evacuating": Evacuated,
	"missing": Missing, "unaccounted": Missing, "disappeared": Missing,
	"arrested": Arrested, "arrest": Arrested, "arrests": Arrested, "detained": Arrested,
	"detention": Arrested, "detainees": Arrested, "apprehended": Arrested, "custody": Arrested,
	"displaced": Displaced, "homeless": Displaced, "refugees": Displaced, "fled": Displaced,
	"rescued": Rescued, "rescue": Rescued, "saved": Rescued,
	"casualties": Casualties, "casualty": Casualties,
}

// precedence decides between cues in one text: the most specific
// condition wins ("seriously injured" is serious, "died in hospital" is
// dead, "injured taken to hospital" is hospitalised).
var precedence = []string{Serious, Dead, Hospitalised, Wounded, Evacuated, Missing, Arrested, Displaced, Rescued, Casualties}

// FoldQuantity returns the canonical row quantity of a figure: from its
// quantity field when that names one, else from hints in its unit and its
// span text; a quantity field that names nothing known keeps its own
// name (lower-cased, its words joined by single spaces); otherwise Other.
// A quantity of punctuation only counts as empty.
func FoldQuantity(quantity, unit, text string) string {
	if q := strings.Join(tokens(quantity), " "); q != "" {
		if k := detect(q); k != "" {
			return k
		}
		return q
	}
	if k := detect(unit); k != "" {
		return k
	}
	if k := detect(text); k != "" {
		return k
	}
	return Other
}

// detect finds the highest-precedence quantity cue in s, or "".
func detect(s string) string {
	toks := tokens(s)
	if len(toks) == 0 {
		return ""
	}
	found := map[string]bool{}
	joined := " " + strings.Join(toks, " ") + " "
	for _, p := range phrases {
		if strings.Contains(joined, " "+p.words+" ") {
			found[p.quantity] = true
		}
	}
	for _, t := range toks {
		if k, ok := words[t]; ok {
			found[k] = true
		} else if k, ok := words[stem(t)]; ok {
			found[k] = true
		}
	}
	for _, k := range precedence {
		if found[k] {
			return k
		}
	}
	return ""
}

// tokens lower-cases s, folds British spellings to one form and splits it
// into words (letters and digits; everything else separates).
func tokens(s string) []string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range f {
		f[i] = spelling(w)
	}
	return f
}

// spelling folds -ise/-isation forms to -ize/-ization ("hospitalised" →
// "hospitalized"), the British/American pair that news copy varies on.
func spelling(w string) string {
	for _, p := range [][2]string{{"isation", "ization"}, {"isations", "izations"}, {"ised", "ized"}, {"ising", "izing"}, {"ise", "ize"}} {
		if strings.HasSuffix(w, p[0]) && strings.HasPrefix(w, "hospital") {
			return strings.TrimSuffix(w, p[0]) + p[1]
		}
	}
	return w
}

// stem strips a regular inflection, for forms the word table lacks
// ("evacuees'", "detaining").
func stem(w string) string {
	for _, suf := range []string{"ing", "ed", "es", "s"} {
		if len(w) > len(suf)+3 && strings.HasSuffix(w, suf) {
			b := strings.TrimSuffix(w, suf)
			if _, ok := words[b]; ok {
				return b
			}
			if _, ok := words[b+"e"]; ok {
				return b + "e"
			}
		}
	}
	return w
}

// genericUnits count people without saying which: they share a row.
var genericUnits = map[string]bool{
	"": true, "people": true, "person": true, "persons": true, "individual": true, "individuals": true,
	"victim": true, "victims": true, "civilian": true, "civilians": true, "others": true, "other": true,
	"human": true, "humans": true, "resident": true, "residents": true,
}

// UnitGroup returns the row sub-key of a unit: "" for units that count
// people in general, else the unit lower-cased with a plain plural -s
// removed, so "5 children hospitalised" is not compared with "115 people
// hospitalised" and "ambulance teams" meets "ambulance team".
func UnitGroup(unit string) string {
	if a, ok := unitAliases[strings.ToLower(strings.Join(strings.Fields(unit), " "))]; ok {
		return a
	}
	t := tokens(unit)
	if len(t) == 0 {
		// A unit of symbols only ("%", "$") keeps them.
		return strings.TrimSpace(unit)
	}
	u := strings.Join(t, " ")
	if genericUnits[u] {
		return ""
	}
	if n := len(u); n > 3 && u[n-1] == 's' && u[n-2] != 's' && u[n-2] != 'u' {
		u = u[:n-1]
	}
	return u
}

// unitAliases fold the spellings of common units to one symbol.
var unitAliases = map[string]string{
	"per cent": "%", "percent": "%", "pct": "%", "percentage points": "pp", "percentage point": "pp",
	"dollars": "$", "dollar": "$", "usd": "$", "us$": "$", "us dollars": "$",
	"euros": "€", "euro": "€", "eur": "€", "pounds": "£", "gbp": "£",
}
