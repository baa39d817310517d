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
}

// DefaultSettings are a new project's settings.
func DefaultSettings() Settings { return Settings{Suggest: true} }

// CanDismiss reports whether a user with role may delete a span of layer
// as a dismissal: suggestions are dismissed by anyone who annotates.
func CanDismiss(role Role, layer string) bool {
	return layer == SuggestLayer && (role == RoleAnnotator || role == RoleReviewer || role == RoleAdmin)
}
