package story

import (
	"sort"
	"strings"

	"gloss/shared/model"
)

// Label and relation names of the default news schema that the story
// view reads.
const (
	LabelClaim       = "claim"
	LabelFigure      = "figure"
	LabelAttribution = "attribution"
	RelationSource   = "source"
)

// SuggestLayer is the machine layer the suggester writes to.
const SuggestLayer = "suggest"

// Attributed reports, for every claim and figure among anns, whether it is
// attributed: a `source` relation points at it, or at a claim that
// contains it (start ≤ its start and its end ≤ end; the same span counts).
//
// Containment crosses layers: whether a sentence is sourced is a fact of
// the text, not of who tagged it, so a figure in alice's layer inside a
// claim that the gold layer links to a source is attributed. Relations in
// the suggest layer are the exception: a machine guess vouches only for
// the suggest layer's own spans, never for an analyst's. Relations whose
// ends are missing from anns are ignored. Nothing else counts, in
// particular not the publishing outlet vouching for itself ("Business
// Times has been able to verify"): only a link an analyst made.
//
// Pass a document's whole state (every layer), then keep the layers you
// export: a figure in the gold layer may be sourced through a claim in an
// analyst's layer.
func Attributed(anns []model.Annotation, rels []model.Relation) map[string]bool {
	return attributed(anns, rels, indexByID(anns))
}

func indexByID(anns []model.Annotation) map[string]*model.Annotation {
	byID := make(map[string]*model.Annotation, len(anns))
	for i := range anns {
		byID[anns[i].ID] = &anns[i]
	}
	return byID
}

func attributed(anns []model.Annotation, rels []model.Relation, byID map[string]*model.Annotation) map[string]bool {
	// Sourced claims, by layer class: human (any non-suggest layer) or
	// suggest.
	type span struct{ start, end int }
	var human, machine []span
	out := make(map[string]bool, len(anns))
	for _, r := range rels {
		if r.Type != RelationSource {
			continue
		}
		from, to := byID[r.From], byID[r.To]
		if from == nil || to == nil {
			continue
		}
		suggested := r.Layer == SuggestLayer
		if suggested && to.Layer != SuggestLayer {
			continue
		}
		if to.Label == LabelClaim || to.Label == LabelFigure {
			out[to.ID] = true
		}
		if to.Label == LabelClaim {
			if suggested {
				machine = append(machine, span{to.Start, to.End})
			} else {
				human = append(human, span{to.Start, to.End})
			}
		}
	}
	// Sorted by start, a span's containers are among those starting at
	// or before it; claims are few, so a scan of that prefix is enough.
	byStart := func(s []span) {
		sort.Slice(s, func(i, j int) bool { return s[i].start < s[j].start })
	}
	byStart(human)
	byStart(machine)
	contained := func(s []span, a *model.Annotation) bool {
		n := sort.Search(len(s), func(i int) bool { return s[i].start > a.Start })
		for _, c := range s[:n] {
			if c.end >= a.End {
				return true
			}
		}
		return false
	}
	for i := range anns {
		a := &anns[i]
		if a.Label != LabelClaim && a.Label != LabelFigure {
			continue
		}
		if out[a.ID] {
			continue
		}
		ok := contained(human, a) || (a.Layer == SuggestLayer && contained(machine, a))
		out[a.ID] = ok
	}
	return out
}

// sources returns the attribution spans sourcing each claim and figure
// (directly or through a containing claim), by the rules of Attributed,
// as the names the table shows: the attribution's text without its cue
// words ("CNN" for "CNN reported").
func sources(anns []model.Annotation, rels []model.Relation, byID map[string]*model.Annotation) map[string][]string {
	type sourced struct {
		start, end int
		layer      string
		names      []string
	}
	direct := map[string][]string{}
	var claims []sourced
	for _, r := range rels {
		if r.Type != RelationSource {
			continue
		}
		from, to := byID[r.From], byID[r.To]
		if from == nil || to == nil {
			continue
		}
		if r.Layer == SuggestLayer && to.Layer != SuggestLayer {
			continue
		}
		name := sourceName(from)
		direct[to.ID] = appendUnique(direct[to.ID], name)
		if to.Label == LabelClaim {
			layer := ""
			if r.Layer == SuggestLayer {
				layer = SuggestLayer
			}
			claims = append(claims, sourced{to.Start, to.End, layer, []string{name}})
		}
	}
	out := make(map[string][]string, len(direct))
	for i := range anns {
		a := &anns[i]
		if a.Label != LabelFigure && a.Label != LabelClaim {
			continue
		}
		names := direct[a.ID]
		for _, c := range claims {
			if c.start <= a.Start && a.End <= c.end && (c.layer == "" || a.Layer == SuggestLayer) {
				for _, n := range c.names {
					names = appendUnique(names, n)
				}
			}
		}
		if len(names) > 0 {
			out[a.ID] = names
		}
	}
	return out
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// sourceName is an attribution's source as words: its text with the cue
// cut off ("CNN reported" → "CNN", "according to US officials" → "US
// officials"), trimmed of spaces and punctuation. Without a cue it is the
// whole text.
func sourceName(a *model.Annotation) string {
	q := a.Quote
	if a.Attrs != nil && a.Attrs.Cue != nil {
		r := []rune(q)
		cs, ce := a.Attrs.Cue[0]-a.Start, a.Attrs.Cue[1]-a.Start
		if 0 <= cs && cs < ce && ce <= len(r) {
			// The source is on one side of the cue: before it ("the
			// Russian Health Ministry told TASS": TASS is the audience),
			// or after it when nothing precedes ("according to US
			// officials", "said Colin P Clarke").
			if before := strings.TrimSpace(string(r[:cs])); before != "" {
				q = before
			} else {
				q = string(r[ce:])
			}
		}
	}
	q = strings.Join(strings.Fields(q), " ")
	q = strings.Trim(q, " ,.;:\"'“”‘’")
	if a.Attrs == nil || a.Attrs.Cue == nil {
		q = stripCue(q)
	}
	if q == "" {
		q = strings.TrimSpace(a.Quote)
	}
	return q
}

// Cue words stripped from an attribution without a marked cue.
var (
	leadingCues  = []string{"according to ", "as reported by ", "as cited by ", "quoted by ", "citing "}
	trailingCues = []string{" said", " says", " reported", " reports", " told", " stated", " confirmed", " claimed", " added", " announced", " warned"}
)

// stripCue removes one common cue phrase at either end of q.
func stripCue(q string) string {
	l := strings.ToLower(q)
	for _, c := range leadingCues {
		if strings.HasPrefix(l, c) && len(q) > len(c) {
			return strings.TrimSpace(q[len(c):])
		}
	}
	for _, c := range trailingCues {
		if strings.HasSuffix(l, c) && len(q) > len(c) {
			return strings.TrimSpace(q[:len(q)-len(c)])
		}
	}
	// "said Colin P Clarke, …": a leading verb.
	for _, c := range trailingCues {
		if v := c[1:] + " "; strings.HasPrefix(l, v) && len(q) > len(v) {
			return strings.TrimSpace(q[len(v):])
		}
	}
	return q
}
