package model

import "strings"

// LayerKind says whose annotations a layer holds. Agreement figures (the
// dashboard, its matrix, the dataset card) compare human annotators only:
// an imported model's layer or the suggester's is no annotator.
type LayerKind string

// Layer kinds.
const (
	LayerHuman       LayerKind = "human"       // an annotator's own layer, named after their account
	LayerGold        LayerKind = "gold"        // the adjudicated layer (GoldLayer)
	LayerMachine     LayerKind = "machine"     // imported, e.g. a model's output ("model-v1")
	LayerSuggestions LayerKind = "suggestions" // the suggester's proposals (SuggestionsLayer…)
)

// SuggestionsLayer is the layer of machine suggestions; layers named
// "suggest-…" are suggestions too.
const SuggestionsLayer = "suggest"

// KindOfLayer is the rule: gold is gold; "suggest" and "suggest-…" are
// suggestions; a layer named after a user account is that annotator's;
// any other layer was imported (machine). isAccount reports whether a
// name is an account's; nil means every other layer is human (use it only
// where the accounts are not known).
func KindOfLayer(layer string, isAccount func(name string) bool) LayerKind {
	switch {
	case layer == GoldLayer:
		return LayerGold
	case layer == SuggestionsLayer || strings.HasPrefix(layer, SuggestionsLayer+"-"):
		return LayerSuggestions
	case isAccount == nil || isAccount(layer):
		return LayerHuman
	}
	return LayerMachine
}
