package suggest

import "strings"

// attr is one attribution in a sentence, as token index ranges [from, to)
// of its source, cue, recipient ("told TASS") and claim.
type attr struct {
	src, cue, rec, claim [2]int
	trailing             bool // the cue follows its claim
	boundary             int  // trailing: the token where the claim ends
	// openBefore: the claim is a quotation whose opening quote is in an
	// earlier sentence ("A. B," he said): Extract extends it back.
	openBefore bool
}

var (
	// Reporting verbs that introduce content on their own ("X said Y").
	sayVerbs = set("said", "says", "say", "told", "tells", "reported", "reports", "stated", "states", "wrote", "writes",
		"argued", "argues", "insisted", "insists", "noted", "notes", "explained", "explains", "believes", "asserted",
		"maintained", "maintains", "testified", "recalled", "recalls", "tweeted", "posted", "commented", "observed",
		"concluded", "predicted", "predicts", "estimated", "estimates", "indicated", "suggested", "suggests", "replied",
		"responded", "cautioned", "contended", "contends", "reiterated", "disclosed")
	// Verbs that report only with that/quote/colon after them or after their content.
	thatVerbs = set("confirmed", "confirms", "claimed", "claims", "added", "adds", "announced", "announces", "warned",
		"warns", "acknowledged", "acknowledges", "admitted", "admits", "declared", "declares", "alleged", "alleges",
		"revealed", "reveals", "stressed", "stresses", "emphasised", "emphasized", "denied", "denies", "conceded",
		"concedes", "boasted", "agreed", "affirmed", "underlined", "highlighted", "repeated", "continued", "clarified",
		"quoted", "cited", "tell", "argue", "warn", "insist", "claim", "believe", "note", "admit", "acknowledge",
		"confirm", "stress", "explain", "allege", "deny", "fear", "predict", "estimate", "report", "add", "announce")
	pronouns       = set("he", "she", "they", "it", "we", "i", "you")
	articles       = set("the", "a", "an", "this", "that", "these", "those", "his", "her", "its", "their", "our", "my", "your")
	clauseJoin     = set("but", "while", "and", "whereas", "although", "though", "yet")
	commaJoin      = set("while", "whereas", "although", "though", "as", "which", "when", "after", "before", "with", "amid", "despite", "even")
	objPronounsBad = set("about", "of", "to", "for", "with", "on", "in")
	// Heads of noun phrases that can speak.
	sourceNouns = set("police", "ministry", "agency", "authorities", "government", "witnesses", "witness", "sources", "source",
		"report", "reports", "statement", "media", "military", "army", "navy", "study", "survey", "company", "firm",
		"department", "office", "group", "organisation", "organization", "committee", "council", "court", "judge", "staff",
		"newspaper", "paper", "outlet", "network", "service", "services", "union", "team", "board", "bank", "family",
		"families", "people", "police", "data", "figures", "research", "analysis", "poll", "website", "channel", "tv",
		"television", "radio", "press", "spokesman", "spokeswoman", "spokesperson", "chief", "head", "official", "officials",
		"staff", "coalition", "opposition", "administration", "cabinet", "parliament", "regime", "embassy", "mission",
		"campaign", "forces", "force", "guard", "unit", "squad", "crew", "party", "kremlin", "pentagon", "who", "un",
		"minister", "president", "governor", "mayor", "chairman", "chairwoman", "chair", "director", "commander",
		"secretary", "ambassador", "envoy", "adviser", "advisor", "aide", "lawyer", "lawyers", "attorney", "attorneys",
		"prosecutor", "prosecutors", "investigators", "researchers", "scientists", "experts", "expert", "analyst",
		"analysts", "doctor", "doctors", "medics", "paramedics", "residents", "resident", "locals", "activists",
		"observers", "monitor", "monitors", "leaders", "leader", "colleague", "colleagues", "neighbour", "neighbor",
		"neighbours", "neighbors", "father", "mother", "son", "daughter", "wife", "husband", "brother", "sister",
		"friend", "friends", "relative", "relatives", "victim", "victims", "survivor", "survivors", "coach", "captain", "pilot", "nurse", "soldier", "soldiers", "general", "admiral", "priest", "bishop", "pope", "king", "queen", "prince", "senator", "mp", "mps", "candidate", "diplomat", "diplomats", "envoy", "coastguard", "brigade", "operator", "organisers",
		"organizers", "health", "institute", "centre", "center", "foundation", "charity", "watchdog", "regulator",
		"authority", "agencies", "ministries", "governments", "companies", "operator", "airline", "hospital",
		"hospitals", "university", "school", "club", "federation", "association", "body", "bureau", "command",
		"headquarters", "sheriff", "coroner", "inspector", "detective", "officer", "officers", "spokespeople",
		"representative", "representatives", "correspondent", "reporter", "reporters", "journalist", "journalists",
		"editor", "author", "authors", "economist", "economists", "historian", "official's", "woman", "man", "men",
		"women", "boy", "girl", "owner", "owners", "manager", "managers", "ceo", "founder", "counsel", "judges",
		"jury", "panel", "commission", "inquiry", "review", "document", "documents", "filing", "letter", "memo",
		"records", "release", "post", "tweet", "communique", "notice", "bulletin", "update", "briefing", "ngo")
	// Words that end a speaker's noun phrase when walking back from the cue.
	npStop = set("according", "that", "which", "who", "whom", "whose", "when", "while", "where", "because", "as", "if", "after",
		"before", "since", "although", "though", "but", "or", "so", "than", "is", "was", "were", "are", "be", "been",
		"being", "not", "also", "there", "what", "how", "why", "whether", "once", "until", "unless", "said", "says",
		"told", "reported", "however", "meanwhile", "yet", "nor", "then", "later", "earlier", "now", "and",
		"into", "by", "about", "over", "under", "against", "between", "this", "these", "those", "has", "have",
		"had", "do", "does", "did", "will", "would", "can", "could", "may", "might", "must", "should", "it's")
	npInner = set("of", "for", "at", "in", "from", "on", "de", "del", "von", "van", "al", "bin", "&", "to", "with")
	// Words between a speaker and the cue: "has also said", "had previously warned".
	cueAux = set("has", "have", "had", "also", "later", "previously", "earlier", "then", "again", "reportedly",
		"publicly", "privately", "separately", "repeatedly", "recently", "further", "would", "will", "once", "initially",
		"first", "subsequently", "since", "already", "both", "all", "himself", "herself", "themselves", "itself", "too",
		"originally", "officially", "formally", "quickly", "swiftly", "frequently", "often", "has also", "always")
	// Words after the cue that stay with it before the content: "said on Friday that".
	adjunctStart = set("on", "in", "late", "last", "earlier", "this", "yesterday", "today", "tonight", "overnight",
		"recently", "previously", "later", "separately", "afterwards", "shortly", "at", "during", "via", "through",
		"when", "after", "before", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
		"privately", "publicly", "repeatedly", "again", "also", "too", "then", "earlier", "told", "to", "from", "by",
		"while", "as", "under", "over", "without", "with", "within", "outside", "inside")
	determiners = set("the", "a", "an", "its", "his", "her", "their", "our", "my", "your", "media", "news", "these",
		"those", "unconfirmed", "initial", "such", "some", "press", "earlier", "previous", "recent", "new", "latest",
		"first", "local", "other", "many", "several", "conflicting", "false", "similar", "official", "these", "those",
		"any", "no", "that", "this", "whose", "both")
	nounVerbs = set("reports", "claims", "states", "notes", "estimates", "report", "claim", "posted", "review")
)

func isCloseQuote(st []token, i int) bool {
	return i >= 0 && i < len(st) && st[i].kind == kPunct && isQuote([]rune(st[i].text)[0]) &&
		(i+1 >= len(st) || st[i+1].space || st[i+1].kind == kPunct)
}

func isQuoteTok(t token) bool { return t.kind == kPunct && isQuote([]rune(t.text)[0]) }

func low(st []token, i int) string {
	if i < 0 || i >= len(st) {
		return ""
	}
	return st[i].low
}

// contentEnd is the index after the sentence's last token that is not
// closing punctuation.
func contentEnd(st []token) int {
	e := len(st)
	for e > 0 && st[e-1].kind == kPunct && (strings.Contains(".!?;:,\u2026", st[e-1].text) || isQuoteTok(st[e-1]) || st[e-1].text == ")") {
		e--
	}
	return e
}

// speakerHead reports whether t can head a noun phrase that speaks.
func speakerHead(t token) bool {
	if t.kind != kWord {
		return false
	}
	w := t.low
	if pronouns[w] || sourceNouns[w] || (t.upper && !npStop[w]) || allCaps(t.text) {
		return true
	}
	for _, suf := range []string{"er", "ers", "or", "ors", "ist", "ists", "ian", "ians", "ent", "ents", "ant", "ants", "man", "men", "person", "ary", "aries", "ive", "ives", "ess"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf)+2 {
			return true
		}
	}
	return false
}

// npBefore walks back from token e-1 over a speaker's noun phrase and
// returns its start, or e when there is none.
func npBefore(st []token, e int) int {
	s := e
	for k := e - 1; k >= 0 && e-k <= 10; k-- {
		t := st[k]
		if t.kind == kPunct {
			if (t.text == "-" || t.text == "." || t.text == "&") && !t.space && k > 0 {
				continue
			}
			break
		}
		if t.kind == kNum {
			break
		}
		w := t.low
		if npStop[w] && !(pronouns[w] && k == e-1) && !allCaps(t.text) {
			if w == "and" && k > 0 && st[k-1].upper && k+1 < e && st[k+1].upper {
				continue
			}
			break
		}
		if strings.HasSuffix(w, "ed") && !t.upper && k < e-1 && !sourceNouns[w] && w != "armed" && w != "united" {
			break // a verb of another clause
		}
		s = k
		if pronouns[w] {
			break
		}
		if (w == "the" || w == "a" || w == "an" || w == "its" || w == "his" || w == "her" || w == "their") && !(k > 0 && npInner[st[k-1].low]) {
			break // the start of the noun phrase
		}
	}
	for s < e && (npInner[st[s].low] || st[s].kind == kPunct) {
		s++
	}
	return s
}

// npAfter reads a speaker's noun phrase from token s: a name and, after a
// comma, an apposition such as "a counterterrorism analyst". It returns
// its end, or s when there is none.
func npAfter(st []token, s, limit int) int {
	e := s
	for k := s; k < limit && k-s < 12; k++ {
		t := st[k]
		if t.kind == kPunct {
			if (t.text == "-" || t.text == "." || t.text == "'" || t.text == "\u2019") && !t.space {
				continue
			}
			break
		}
		if t.kind == kNum {
			break
		}
		if npStop[t.low] && !(pronouns[t.low] && k == s) {
			break
		}
		if npInner[t.low] && !(k+1 < limit && (st[k+1].upper || determiners[st[k+1].low])) {
			break
		}
		e = k + 1
	}
	if e > s && e+1 < limit && st[e].text == "," && (determiners[st[e+1].low] && st[e+1].low != "that" && st[e+1].low != "this" ||
		st[e+1].kind == kWord && !st[e+1].upper && !npStop[st[e+1].low] && !strings.HasSuffix(st[e+1].low, "ing") && !strings.HasSuffix(st[e+1].low, "ed") && !npInner[st[e+1].low]) {
		k := e + 2
		for k < limit && st[k].kind == kWord && !npInner[st[k].low] && !npStop[st[k].low] && k-e < 6 {
			k++
		}
		if k > e+2 {
			e = k
		}
	}
	return e
}

func attributions(st []token) []attr {
	var out []attr
	ce := contentEnd(st)
	if ce == 0 {
		return nil
	}
	covered := -1 // tokens before it belong to an "according to" source
	for i := 0; i < ce; i++ {
		w := st[i].low
		if i < covered {
			continue
		}
		switch {
		case w == "according" && low(st, i+1) == "to":
			if a, ok := afterCue(st, i, i+2, ce); ok {
				out = append(out, a)
				covered = a.src[1]
			}
		case w == "as" && low(st, i+1) == "reported" && (low(st, i+2) == "by" || low(st, i+2) == "in"):
			if a, ok := afterCue(st, i, i+3, ce); ok {
				out = append(out, a)
				covered = a.src[1]
			}
		case (w == "citing" || w == "quoting") && i > 0 && st[i-1].text == ",":
			if a, ok := afterCue(st, i, i+1, ce); ok {
				out = append(out, a)
				covered = a.src[1]
			}
		case (sayVerbs[w] || thatVerbs[w]) && !st[i].upper:
			if a, ok := verbCue(st, i, ce); ok {
				out = append(out, a)
			}
		}
	}
	// A content-first attribution ends the claims of cues before it, and
	// so does a second speaker: "X said A, but Y said B".
	for k := range out {
		if out[k].trailing {
			continue
		}
		for _, b := range out {
			if b.trailing && b.boundary > out[k].cue[1] && b.boundary < out[k].claim[1] {
				out[k].claim[1] = b.boundary
			}
			if !b.trailing && b.src[0] > out[k].cue[1] && b.src[0] < out[k].claim[1] {
				e := b.src[0]
				for e > out[k].cue[1] && (st[e-1].kind == kPunct && !isQuoteTok(st[e-1]) || clauseJoin[st[e-1].low]) {
					e--
				}
				if e < b.src[0] { // only at a clause boundary
					out[k].claim[1] = e
				}
			}
		}
		out[k].claim = trimClaim(st, out[k].claim)
	}
	var keep []attr
	for _, a := range out {
		if a.claim[1]-a.claim[0] >= 2 {
			keep = append(keep, a)
		}
	}
	return keep
}

// trimClaim drops punctuation, "that" and unbalanced quotes at a claim's edges.
func trimClaim(st []token, c [2]int) [2]int {
	for c[0] < c[1] && (st[c[0]].kind == kPunct && !isQuoteTok(st[c[0]]) || st[c[0]].low == "that") {
		c[0]++
	}
	for c[1] > c[0] && st[c[1]-1].kind == kPunct && (strings.Contains(".,;:!?\u2014-\u2013", st[c[1]-1].text) || isQuoteTok(st[c[1]-1])) {
		c[1]--
	}
	n := 0
	for k := c[0]; k < c[1]; k++ {
		if isQuoteTok(st[k]) && st[k].text != "'" && st[k].text != "\u2019" {
			n++
		}
	}
	if n%2 == 1 && c[0] < c[1] && isQuoteTok(st[c[0]]) {
		c[0]++
	}
	return c
}

// afterCue reads "according to X", "as reported by X", ", citing X": the
// source follows the cue; the claim is the rest of the sentence.
func afterCue(st []token, cs, ce, end int) (attr, bool) {
	se := ce
	for se < end && st[se].text != "," && st[se].text != ";" && !isQuoteTok(st[se]) && st[se].text != "(" && se-ce < 14 {
		se++
	}
	if se == ce {
		return attr{}, false
	}
	ok := se-ce >= 2 && determiners[st[ce].low] && st[ce].low != "plan"
	for k := ce; k < se; k++ {
		if speakerHead(st[k]) {
			ok = true
		}
	}
	if !ok {
		return attr{}, false
	}
	a := attr{src: [2]int{ce, se}, cue: [2]int{cs, ce}}
	if cs == 0 || (cs <= 3 && st[cs-1].text == ",") { // "According to X, …"
		if se < end && st[se].text == "," {
			a.claim = [2]int{se + 1, end}
			return a, true
		}
		return attr{}, false
	}
	a.trailing, a.boundary = true, cs
	b := cs
	for b > 0 && st[b-1].kind == kPunct && !isQuoteTok(st[b-1]) {
		b--
	}
	a.claim = trimClaim(st, [2]int{0, b})
	return a, true
}

// verbCue reads an attribution around the reporting verb at v.
func verbCue(st []token, v, end int) (attr, bool) {
	w := st[v].low
	prev := low(st, v-1)
	next := low(st, v+1)
	if prev == "was" || prev == "were" || prev == "been" || prev == "is" || prev == "are" || prev == "be" || prev == "being" {
		return attr{}, false // passive: "is said to", "was confirmed by"
	}
	if nounVerbs[w] && (determiners[prev] || v == 0) {
		return attr{}, false
	}
	if (thatVerbs[w] || w == "say") && !strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ed") && w != "told" && w != "wrote" {
		// A base form ("experts say"): after a plural or a pronoun
		// speaker or a modal, never an infinitive or a noun.
		plural := false
		for q := npBefore(st, v); q < v; q++ {
			pw := st[q].low
			if st[q].kind == kWord && (strings.HasSuffix(pw, "s") && !strings.HasSuffix(pw, "ss") && !strings.HasSuffix(pw, "'s") ||
				pw == "they" || pw == "we" || pw == "i" || pw == "you" || pw == "people" || pw == "police" || pw == "media") {
				plural = true
			}
		}
		modal := prev == "will" || prev == "would" || prev == "did" || prev == "do" || prev == "does" || prev == "could" ||
			prev == "may" || prev == "might" || prev == "can" || prev == "also" || prev == "often"
		if prev == "to" || determiners[prev] || v == 0 || !plural && !modal || prev == "it" || prev == "he" || prev == "she" {
			return attr{}, false
		}
	}
	if w == "said" || w == "say" || w == "says" {
		switch next {
		case "goodbye", "hello", "grace", "sorry", "thanks", "farewell", "prayers", "amen":
			return attr{}, false
		}
	}
	// "cited unnamed officials as saying", "quoted X as saying".
	if w == "cited" || w == "quoted" || w == "citing" || w == "quoting" {
		for q := v + 1; q < end-1 && q-v < 10; q++ {
			if st[q].low == "as" && (st[q+1].low == "saying" || st[q+1].low == "telling") && q > v+1 {
				return attr{src: [2]int{v + 1, q}, cue: [2]int{v, v + 1}, claim: [2]int{q + 2, end}}, true
			}
		}
	}
	// Where the cue's own words end: recipient ("told TASS"), adjunct ("on Friday").
	k := v + 1
	rec := [2]int{k, k}
	if w == "told" || w == "tells" || w == "tell" || w == "warned" || w == "assured" {
		r := k
		for r < end && st[r].kind == kWord && !npStop[st[r].low] && r-k < 6 && !adjunctStart[st[r].low] &&
			!(r > k && (articles[st[r].low] || pronouns[st[r].low])) && !(r > k && pronouns[st[r-1].low]) &&
			!(npInner[st[r].low] && !st[r].upper) && !objPronounsBad[st[r].low] {
			r++
		}
		if r > k && !objPronounsBad[st[k].low] {
			rec = [2]int{k, r}
			k = r
		}
	}
	adj := k
	if adj < end && adjunctStart[low(st, adj)] {
		m := adj
		for m < end && m-adj < 7 && st[m].kind == kWord && st[m].low != "that" && !sayVerbs[st[m].low] {
			m++
		}
		if m >= end || low(st, m) == "that" || st[m].text == "," {
			adj = m
		}
	}
	atEnd := adj >= end || st[adj].text == ";" || (st[adj].text == "," && adj+1 < end && (commaJoin[st[adj+1].low] || isQuoteTok(st[adj+1]) || st[adj+1].low == "adding" || st[adj+1].low == "citing" || st[adj+1].low == "saying" || st[adj+1].low == "quoting" || st[adj+1].low == "but" || st[adj+1].low == "and"))
	clauseAfterRec := rec[1] > rec[0] && k < end && (articles[st[k].low] || pronouns[st[k].low] || st[k].upper)
	opensContent := clauseAfterRec || k < end && (st[k].low == "that" || st[k].text == ":" || st[k].text == "," || isQuoteTok(st[k])) ||
		adj < end && adj > k && st[adj].low == "that"
	if (thatVerbs[w] || w == "told" || w == "tells") && !opensContent && !atEnd {
		return attr{}, false
	}
	if (w == "claimed" || w == "claims") && (next == "responsibility" || next == "credit") {
		return attr{}, false
	}
	// Speaker before the verb.
	b := v
	for b > 0 && cueAux[st[b-1].low] {
		b--
	}
	if b > 0 && (st[b-1].low == "not" || st[b-1].low == "never" || st[b-1].low == "n't") {
		return attr{}, false
	}
	s := npBefore(st, b)
	if s < b && !speakerHead(st[b-1]) {
		// Any noun phrase speaks before "that" or a quote, or after its
		// content (", the coastguard said"), or with a determiner before "said".
		det := determiners[st[s].low] || s > 0 && st[s-1].text == "," || s == 0 && b-s <= 4
		if !(opensContent || atEnd || (w == "said" || w == "says" || w == "say" || w == "told") && det) || b-s > 6 {
			s = b
		}
	}
	// "X, who …, said": skip a relative clause or an apposition.
	if s == b && b > 0 && st[b-1].text == "," {
		for c := b - 2; c > 0 && b-c < 25; c-- {
			if st[c].text == "," {
				rw := low(st, c+1)
				if rw == "who" || rw == "which" || rw == "the" || rw == "a" || rw == "an" || rw == "whose" || strings.HasSuffix(rw, "ing") ||
					st[c+1].upper && b-c <= 5 || rw == "released" || rw == "published" || rw == "aged" || st[c+1].kind == kNum && b-c <= 3 {
					if s2 := npBefore(st, c); s2 < c && speakerHead(st[c-1]) {
						s = s2
						b = b - 1
					}
				}
				break
			}
		}
		if s < b {
			a := attr{src: [2]int{s, b}, cue: [2]int{v, v + 1}, rec: rec}
			return leadingOrTrailing(st, a, s, adj, end, atEnd)
		}
	}
	if s < b {
		if s > 0 && (st[s-1].low == "what" || st[s-1].low == "whatever" || st[s-1].low == "all") {
			return attr{}, false // "what she said": the saying is the subject
		}
		a := attr{src: [2]int{s, b}, cue: [2]int{v, v + 1}, rec: rec}
		return leadingOrTrailing(st, a, s, adj, end, atEnd)
	}
	// Inverted: "…," said Colin P Clarke, a counterterrorism analyst.
	if v > 0 && w != "told" && w != "tells" && (st[v-1].text == "," || isCloseQuote(st, v-1) || st[v-1].text == "\u2014") {
		se := npAfter(st, v+1, end)
		if se == v+1 || !speakerHead(st[v+1]) && !speakerHead(st[se-1]) {
			return attr{}, false
		}
		ok := false
		for q := v + 1; q < se; q++ {
			if st[q].upper || pronouns[st[q].low] || sourceNouns[st[q].low] {
				ok = true
			}
		}
		if !ok {
			return attr{}, false
		}
		cb := v
		for cb > 0 && st[cb-1].kind == kPunct && !isQuoteTok(st[cb-1]) {
			cb--
		}
		a := attr{src: [2]int{v + 1, se}, cue: [2]int{v, v + 1}, trailing: true, boundary: cb}
		a.claim = trimClaim(st, [2]int{0, v})
		a.openBefore = oddQuotes(st[:v]) && !isQuoteTok(st[0])
		return a, true
	}
	return attr{}, false
}

// leadingOrTrailing finishes an attribution whose speaker precedes the
// verb: content after it ("X said Y") or before it ("Y, X said").
func leadingOrTrailing(st []token, a attr, s, adj, end int, atEnd bool) (attr, bool) {
	if s > 2 && (st[s-1].text == "," || isQuoteTok(st[s-1]) || st[s-1].text == "\u2014") && atEnd {
		b := s
		for b > 0 && st[b-1].kind == kPunct && !isQuoteTok(st[b-1]) {
			b--
		}
		a.trailing, a.boundary = true, b
		a.claim = trimClaim(st, [2]int{0, s})
		a.openBefore = oddQuotes(st[:s]) && !isQuoteTok(st[0])
		return a, true
	}
	if adj >= end {
		return attr{}, false
	}
	a.claim = [2]int{adj, end}
	return a, true
}

func allCaps(s string) bool {
	n := 0
	for _, r := range s {
		if r >= 'a' && r <= 'z' {
			return false
		}
		if r >= 'A' && r <= 'Z' {
			n++
		}
	}
	return n > 1
}

// isDoubleQuote reports whether t is a double quotation mark (straight,
// curly or guillemet); single quotes double as apostrophes, so they do
// not count.
func isDoubleQuote(t token) bool {
	if t.kind != kPunct {
		return false
	}
	switch t.text {
	case "\"", "\u201c", "\u201d", "\u00ab", "\u00bb", "\u201e":
		return true
	}
	return false
}

func oddQuotes(st []token) bool {
	n := 0
	for _, t := range st {
		if isDoubleQuote(t) {
			n++
		}
	}
	return n%2 == 1
}

// quoteStart finds, walking back from token i within the paragraph and
// at most a few hundred tokens, the opening quote of a quotation that
// closes later, and returns the index of the token after it, or -1.
func quoteStart(toks []token, i int) int {
	for k := i - 1; k >= 0 && i-k < 400; k-- {
		if toks[k+1].nl {
			return -1
		}
		if isDoubleQuote(toks[k]) {
			if k+1 < len(toks) && !toks[k+1].space && (k == 0 || toks[k].space) {
				return k + 1
			}
			return -1 // a closing quote: the quotation is not open here
		}
	}
	return -1
}
