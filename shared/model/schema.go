package model

import "strings"

// Label is one span label of a project's schema.
type Label struct {
	Name      string `json:"name"`
	Color     string `json:"color"`
	Key       string `json:"key"`
	Guideline string `json:"guideline,omitempty"`
}

// Schema is the set of span labels and relation types a project allows.
type Schema struct {
	Labels    []Label  `json:"labels"`
	Relations []string `json:"relations"`
}

// DefaultSchema is the news schema Gloss ships with: claims, figures and
// attributions (PARC-style source + cue), linked by "source" relations.
// The colours come from the Okabe–Ito palette, which stays distinguishable
// under the common forms of colour blindness.
func DefaultSchema() Schema {
	return Schema{
		Labels: []Label{
			{Name: "claim", Color: "#0072B2", Key: "1", Guideline: "A statement presented as fact that could be checked."},
			{Name: "figure", Color: "#D55E00", Key: "2", Guideline: "A number together with what it counts, e.g. \"at least 40 people dead\"."},
			{Name: "attribution", Color: "#009E73", Key: "3", Guideline: "Who says so: the source and the cue, e.g. \"CNN reported\", \"according to US officials\"."},
		},
		Relations: []string{"source"},
	}
}

// Label returns the label called name and whether it exists.
func (s Schema) Label(name string) (Label, bool) {
	for _, l := range s.Labels {
		if l.Name == name {
			return l, true
		}
	}
	return Label{}, false
}

// LabelForKey returns the label whose shortcut key is key.
func (s Schema) LabelForKey(key string) (Label, bool) {
	for _, l := range s.Labels {
		if l.Key != "" && strings.EqualFold(l.Key, key) {
			return l, true
		}
	}
	return Label{}, false
}

// HasRelation reports whether typ is one of the schema's relation types.
func (s Schema) HasRelation(typ string) bool {
	for _, r := range s.Relations {
		if r == typ {
			return true
		}
	}
	return false
}
