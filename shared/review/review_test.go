package review

import (
	"fmt"
	"strings"
	"testing"

	"gloss/shared/model"
)

func ann(id, layer, label string, start, end int) model.Annotation {
	return model.Annotation{ID: id, Layer: layer, Label: label, Start: start, End: end}
}

// describe renders a result compactly: kind:A|B=resolution, one per
// disagreement, then "agreed" ones.
func describe(r Result) string {
	var parts []string
	for _, d := range r.Disagreements {
		parts = append(parts, fmt.Sprintf("%s:%s=%s", d.Kind, d.Key(), d.Resolution))
	}
	for _, d := range r.Agreed {
		parts = append(parts, fmt.Sprintf("agree:%s=%s", d.Key(), d.Resolution))
	}
	return strings.Join(parts, " ")
}

func TestCompare(t *testing.T) {
	accepted := func(src, gold string, st model.ReviewStatus) map[string]model.Review {
		return map[string]model.Review{src: {Annotation: src, Status: st, Gold: gold}, gold: {Annotation: gold, Status: st, Source: src}}
	}
	rejected := func(ids ...string) map[string]model.Review {
		m := map[string]model.Review{}
		for _, id := range ids {
			m[id] = model.Review{Annotation: id, Status: model.ReviewRejected}
		}
		return m
	}
	tests := []struct {
		name    string
		a, b    []model.Annotation
		gold    []model.Annotation
		reviews map[string]model.Review
		want    string
	}{
		{"nothing", nil, nil, nil, nil, ""},
		{"agreement", []model.Annotation{ann("a1", "alice", "claim", 0, 10)}, []model.Annotation{ann("b1", "bob", "claim", 0, 10)}, nil, nil,
			"agree:a1|b1="},
		{"same span, different label", []model.Annotation{ann("a1", "alice", "figure", 5, 9)}, []model.Annotation{ann("b1", "bob", "claim", 5, 9)}, nil, nil,
			"label:a1|b1="},
		{"overlap, same label", []model.Annotation{ann("a1", "alice", "claim", 0, 10)}, []model.Annotation{ann("b1", "bob", "claim", 2, 12)}, nil, nil,
			"boundary:a1|b1="},
		{"overlap, different label", []model.Annotation{ann("a1", "alice", "claim", 0, 10)}, []model.Annotation{ann("b1", "bob", "figure", 8, 12)}, nil, nil,
			"boundary:a1|b1="},
		{"touching is not overlapping", []model.Annotation{ann("a1", "alice", "claim", 0, 10)}, []model.Annotation{ann("b1", "bob", "claim", 10, 12)}, nil, nil,
			"only_a:a1|= only_b:|b1="},
		{"only one layer", []model.Annotation{ann("a1", "alice", "claim", 0, 4)}, nil, nil, nil, "only_a:a1|="},
		{"exact match beats a label pair", // b2 agrees with a1, so b1 pairs with nothing of the same span
			[]model.Annotation{ann("a1", "alice", "claim", 0, 10)},
			[]model.Annotation{ann("b1", "bob", "figure", 0, 10), ann("b2", "bob", "claim", 0, 10)}, nil, nil,
			"only_b:|b1= agree:a1|b2="},
		{"same label preferred among overlaps",
			[]model.Annotation{ann("a1", "alice", "claim", 0, 10)},
			[]model.Annotation{ann("b1", "bob", "figure", 0, 9), ann("b2", "bob", "claim", 1, 12)}, nil, nil,
			"boundary:a1|b2= only_b:|b1="},
		{"largest overlap wins",
			[]model.Annotation{ann("a1", "alice", "claim", 0, 10)},
			[]model.Annotation{ann("b1", "bob", "claim", 8, 20), ann("b2", "bob", "claim", 2, 11)}, nil, nil,
			"boundary:a1|b2= only_b:|b1="},
		{"nested spans, both layers", // claim with a figure inside, both agree on the claim
			[]model.Annotation{ann("a1", "alice", "claim", 0, 40), ann("a2", "alice", "figure", 10, 20)},
			[]model.Annotation{ann("b1", "bob", "claim", 0, 40), ann("b2", "bob", "figure", 10, 25)}, nil, nil,
			"boundary:a2|b2= agree:a1|b1="},
		{"accepted A", []model.Annotation{ann("a1", "alice", "figure", 5, 9)}, []model.Annotation{ann("b1", "bob", "claim", 5, 9)},
			[]model.Annotation{ann("g1", "gold", "figure", 5, 9)}, accepted("a1", "g1", model.ReviewAccepted), "label:a1|b1=a"},
		{"accepted B", []model.Annotation{ann("a1", "alice", "figure", 5, 9)}, []model.Annotation{ann("b1", "bob", "claim", 5, 9)},
			[]model.Annotation{ann("g1", "gold", "claim", 5, 9)}, accepted("b1", "g1", model.ReviewAccepted), "label:a1|b1=b"},
		{"accepted with changes", []model.Annotation{ann("a1", "alice", "figure", 5, 9)}, []model.Annotation{ann("b1", "bob", "claim", 5, 9)},
			[]model.Annotation{ann("g1", "gold", "attribution", 5, 9)}, accepted("b1", "g1", model.ReviewEdited), "label:a1|b1=gold"},
		{"gold copy deleted: open again", []model.Annotation{ann("a1", "alice", "figure", 5, 9)}, []model.Annotation{ann("b1", "bob", "claim", 5, 9)},
			nil, accepted("a1", "g1", model.ReviewAccepted), "label:a1|b1="},
		{"gold made by hand on A's span", []model.Annotation{ann("a1", "alice", "claim", 0, 10)}, []model.Annotation{ann("b1", "bob", "claim", 2, 12)},
			[]model.Annotation{ann("g1", "gold", "claim", 0, 10)}, nil, "boundary:a1|b1=a"},
		{"gold made by hand, own label", []model.Annotation{ann("a1", "alice", "claim", 0, 10)}, []model.Annotation{ann("b1", "bob", "claim", 2, 12)},
			[]model.Annotation{ann("g1", "gold", "figure", 2, 12)}, nil, "boundary:a1|b1=gold"},
		{"gold on the reviewer's own boundaries", []model.Annotation{ann("a1", "alice", "claim", 0, 10)}, []model.Annotation{ann("b1", "bob", "claim", 2, 12)},
			[]model.Annotation{ann("g1", "gold", "claim", 1, 11)}, nil, "boundary:a1|b1=gold"},
		{"a gold claim around a figure pair settles nothing", []model.Annotation{ann("a1", "alice", "figure", 5, 9)}, []model.Annotation{ann("b1", "bob", "figure", 5, 8)},
			[]model.Annotation{ann("g1", "gold", "claim", 0, 20)}, nil, "boundary:a1|b1="},
		{"gold elsewhere settles nothing", []model.Annotation{ann("a1", "alice", "claim", 0, 10)}, nil,
			[]model.Annotation{ann("g1", "gold", "claim", 10, 30)}, nil, "only_a:a1|="},
		{"one side rejected", []model.Annotation{ann("a1", "alice", "figure", 5, 9)}, []model.Annotation{ann("b1", "bob", "claim", 5, 9)},
			nil, rejected("a1"), "label:a1|b1="},
		{"both sides rejected", []model.Annotation{ann("a1", "alice", "figure", 5, 9)}, []model.Annotation{ann("b1", "bob", "claim", 5, 9)},
			nil, rejected("a1", "b1"), "label:a1|b1=rejected"},
		{"lone span rejected", nil, []model.Annotation{ann("b1", "bob", "claim", 5, 9)}, nil, rejected("b1"), "only_b:|b1=rejected"},
		{"reading order", // input in no order; output by start, longer first
			[]model.Annotation{ann("a3", "alice", "claim", 30, 35), ann("a1", "alice", "claim", 0, 5)},
			[]model.Annotation{ann("b2", "bob", "claim", 10, 20), ann("b1", "bob", "figure", 10, 12)}, nil, nil,
			"only_a:a1|= only_b:|b2= only_b:|b1= only_a:a3|="},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Compare(tc.a, tc.b, tc.gold, tc.reviews)
			if got := describe(r); got != tc.want {
				t.Errorf("Compare:\n got %s\nwant %s", got, tc.want)
			}
			open := 0
			for _, d := range r.Disagreements {
				if !d.Resolved() {
					open++
				}
				if d.Resolved() != (d.Resolution != Open) || (d.Resolution == ResolvedA || d.Resolution == ResolvedB || d.Resolution == ResolvedGold) != (d.Gold != nil) {
					t.Errorf("%s: resolution %q with gold %v", d.Key(), d.Resolution, d.Gold)
				}
			}
			if r.Open() != open {
				t.Errorf("Open() = %d, want %d", r.Open(), open)
			}
		})
	}
}

func TestLayers(t *testing.T) {
	names, by := Layers([]model.Annotation{ann("1", "bob", "claim", 0, 1), ann("2", "gold", "claim", 0, 1), ann("3", "alice", "claim", 0, 1), ann("4", "bob", "claim", 0, 1)})
	if strings.Join(names, ",") != "alice,bob" || len(by["bob"]) != 2 || len(by["gold"]) != 1 {
		t.Errorf("Layers = %v, %v", names, by)
	}
}
