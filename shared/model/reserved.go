package model

import "strings"

// ReservedNames are layer names that no user may take, because a layer
// named like a user is that user's own: the reviewers' gold layer, the
// default layer of imports, machine suggestions, and the names of the
// kinds of layer. Whoever adds a machine layer or a layer kind adds its
// name here, so that no account can write into it or pass as it.
var ReservedNames = []string{
	GoldLayer, "import", "suggest", "suggestions", "machine", "human", "annotator",
	"system", "gloss",
}

// Reserved reports whether name (in any case) is one of ReservedNames.
func Reserved(name string) bool {
	for _, r := range ReservedNames {
		if strings.EqualFold(name, r) {
			return true
		}
	}
	return false
}
