package model

// View is what one member may see of one document: everything, or under
// blind annotation only their own layer (and the suggestions if the
// project allows). The zero View sees everything. It is comparable, so
// the server can share one encoding of a snapshot per View.
type View struct {
	Blind bool
	// Own is the blind member's layer; Suggest says whether the
	// suggestion layers are visible to them as well.
	Own     string
	Suggest bool
}

// ViewOf is the rule of blind annotation: in a project with Blind set, an
// annotator is blind on a document until they have marked it done or its
// review status has left "not reviewed" (a reviewer or admin put it in
// review or adjudicated it). Reviewers, admins and viewers see everything.
// Gold is hidden from blind annotators like every other layer: it would
// give the answer away.
func ViewOf(s Settings, role Role, user string, done bool, review DocReview) View {
	if !s.Blind || role != RoleAnnotator || done || review.State() != DocNotReviewed {
		return View{}
	}
	return View{Blind: true, Own: user, Suggest: s.BlindSuggestions}
}

// Sees reports whether the view shows annotations and relations of layer.
func (v View) Sees(layer string) bool {
	return !v.Blind || layer == v.Own && layer != GoldLayer || v.Suggest && KindOfLayer(layer, nil) == LayerSuggestions
}

// Filter returns what v shows of a document's state: the annotations and
// relations of visible layers (a relation only if both its ends are
// visible), the review records and comments of visible annotations only.
func (v View) Filter(anns []Annotation, rels []Relation, reviews []Review, comments []Comment) ([]Annotation, []Relation, []Review, []Comment) {
	if !v.Blind {
		return anns, rels, reviews, comments
	}
	seen := map[string]bool{}
	var outA []Annotation
	for _, a := range anns {
		if v.Sees(a.Layer) {
			seen[a.ID] = true
			outA = append(outA, a)
		}
	}
	var outR []Relation
	for _, r := range rels {
		if v.Sees(r.Layer) && seen[r.From] && seen[r.To] {
			outR = append(outR, r)
		}
	}
	var outV []Review
	for _, r := range reviews {
		if seen[r.Annotation] && (r.Gold == "" || seen[r.Gold]) && (r.Source == "" || seen[r.Source]) {
			outV = append(outV, r)
		}
	}
	var outC []Comment
	for _, c := range comments {
		if seen[c.Target] {
			outC = append(outC, c)
		}
	}
	return outA, outR, outV, outC
}
