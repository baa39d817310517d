package model

// SuggestLayer is the machine layer that holds the suggester's proposals
// (shared/suggest). Annotators take a suggestion into their own layer or
// dismiss it; nobody edits it in place.
const SuggestLayer = "suggest"

// Settings are a project's switches, set by its admins.
type Settings struct {
	// Suggest runs the suggester on every imported document, filling
	// its suggest layer.
	Suggest bool `json:"suggest"`
	// Blind is blind annotation: an annotator sees only their own layer
	// of a document until they mark it done or a reviewer puts it in
	// review (see Blind). The server enforces it.
	Blind bool `json:"blind"`
	// BlindSuggestions lets blind annotators see the suggestions too:
	// they are a machine's, not another annotator's.
	BlindSuggestions bool `json:"blindSuggestions"`
}

// DefaultSettings are a new project's settings: suggestions, and blind
// annotation with the suggestions visible (a suggestion leaks no
// colleague's judgement, and hiding them would make Suggest useless).
func DefaultSettings() Settings { return Settings{Suggest: true, Blind: true, BlindSuggestions: true} }

// CanDismiss reports whether a user with role may delete a span of layer
// as a dismissal: suggestions are dismissed by anyone who annotates.
func CanDismiss(role Role, layer string) bool {
	return layer == SuggestLayer && (role == RoleAnnotator || role == RoleReviewer || role == RoleAdmin)
}
