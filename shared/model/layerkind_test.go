package model

import "testing"

func TestKindOfLayer(t *testing.T) {
	accounts := map[string]bool{"alice": true, "bob": true}
	isAccount := func(n string) bool { return accounts[n] }
	tests := []struct {
		layer string
		acc   func(string) bool
		want  LayerKind
	}{
		{"alice", isAccount, LayerHuman},
		{"gold", isAccount, LayerGold},
		{"suggest", isAccount, LayerSuggestions},
		{"suggest-ner", isAccount, LayerSuggestions},
		{"suggestion", isAccount, LayerMachine},
		{"model-v1", isAccount, LayerMachine},
		{"model-v1", nil, LayerHuman},
		{"gold", nil, LayerGold},
	}
	for _, tt := range tests {
		if got := KindOfLayer(tt.layer, tt.acc); got != tt.want {
			t.Errorf("KindOfLayer(%q) = %s, want %s", tt.layer, got, tt.want)
		}
	}
}

func TestRoleArticle(t *testing.T) {
	for r, want := range map[Role]string{RoleAnnotator: "an annotator", RoleAdmin: "an admin", RoleReviewer: "a reviewer", RoleViewer: "a viewer"} {
		if got := r.Article(); got != want {
			t.Errorf("%s.Article() = %q, want %q", r, got, want)
		}
	}
}
