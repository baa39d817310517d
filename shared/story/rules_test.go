package story

import (
	"math"
	"testing"
)

func TestFoldQuantity(t *testing.T) {
	tests := []struct {
		quantity, unit, text string
		want                 string
	}{
		{"dead", "people", "", Dead},
		{"killed", "", "", Dead},
		{"Killed", "", "", Dead},
		{"death toll", "", "", Dead},
		{"deaths", "", "", Dead},
		{"died", "", "", Dead},
		{"fatalities", "", "", Dead},
		{"lost their lives", "", "", Dead},
		{"wounded", "", "", Wounded},
		{"injured", "", "", Wounded},
		{"Injuries", "", "", Wounded},
		{"hurt", "", "", Wounded},
		{"hospitalised", "", "", Hospitalised},
		{"hospitalized", "", "", Hospitalised},
		{"Hospitalisation", "", "", Hospitalised},
		{"in hospital", "", "", Hospitalised},
		{"admitted", "", "", Hospitalised},
		{"in serious condition", "", "", Serious},
		{"in a 'serious condition'", "", "", Serious},
		{"critical", "", "", Serious},
		{"critically injured", "", "", Serious},
		{"seriously wounded", "", "", Serious},
		{"died in hospital", "", "", Dead},
		{"injured taken to hospital", "", "", Hospitalised},
		{"evacuated", "", "", Evacuated},
		{"evacuees", "", "", Evacuated},
		{"missing", "", "", Missing},
		{"detained", "", "", Arrested},
		{"arrests", "", "", Arrested},
		{"displaced", "", "", Displaced},
		{"casualties", "", "", Casualties},
		// Unknown quantity keeps its own row.
		{"Affected  Households", "", "", "affected households"},
		// Empty quantity: hints from unit, then text.
		{"", "people", "115 people have been hospitalised", Hospitalised},
		{"", "", "145 hospitalized", Hospitalised},
		{"", "", "60 of whom are in serious condition", Serious},
		{"", "fatalities", "", Dead},
		{"", "ambulance teams", "more than 70 ambulance teams", Other},
		{"", "", "the deadliest attack in decades", Other}, // "deadliest" is not "dead"
		{"", "%", "19 per cent", Other},
		{"", "", "", Other},
	}
	for _, tc := range tests {
		if got := FoldQuantity(tc.quantity, tc.unit, tc.text); got != tc.want {
			t.Errorf("FoldQuantity(%q, %q, %q) = %q, want %q", tc.quantity, tc.unit, tc.text, got, tc.want)
		}
	}
}

func TestUnitGroup(t *testing.T) {
	tests := []struct{ unit, want string }{
		{"", ""}, {"people", ""}, {"People", ""}, {"victims", ""}, {"civilians", ""},
		{"children", "children"}, {"ambulance teams", "ambulance team"}, {"Ambulance team", "ambulance team"},
		{"%", "%"}, {"per cent", "%"}, {"Percent", "%"}, {"dollars", "$"}, {"degrees Celsius", "degrees celsius"},
	}
	for _, tc := range tests {
		if got := UnitGroup(tc.unit); got != tc.want {
			t.Errorf("UnitGroup(%q) = %q, want %q", tc.unit, got, tc.want)
		}
	}
}

func num(v float64) *float64 { return &v }

// fig is a figure as the rules see it: a value or a range and a qualifier.
type fig struct {
	v, lo, hi *float64
	q         string
}

func (f fig) read() Reading { return Read(f.v, f.lo, f.hi, f.q) }

func val(q string, v float64) fig      { return fig{v: num(v), q: q} }
func rng(q string, lo, hi float64) fig { return fig{lo: num(lo), hi: num(hi), q: q} }

func TestAgree(t *testing.T) {
	tests := []struct {
		name string
		a, b fig
		want bool
	}{
		{"40 vs 60", val("", 40), val("", 60), false},
		{"40 vs 40", val("", 40), val("", 40), true},
		{"at least 40 vs at least 60", val("at least", 40), val("at least", 60), false},
		{"at least 40 vs 60", val("at least", 40), val("", 60), false},
		{"at least 40 vs 40", val("at least", 40), val("", 40), true},
		{"exact 60 vs at least 60", val("", 60), val("At Least", 60), true},
		{"more than 70 vs more than 70", val("more than", 70), val("more than", 70), true},
		{"more than 70 vs over 70", val("more than", 70), val("over", 70), true},
		{"more than 70 vs at least 70", val("more than", 70), val("at least", 70), true},
		{"more than 100 vs 100", val("more than", 100), val("", 100), true},
		{"more than 100 vs under 100", val("more than", 100), val("under", 100), false},
		{"more than 100 vs at most 100", val("more than", 100), val("at most", 100), false},
		{"at least 100 vs at most 100", val("at least", 100), val("at most", 100), true},
		{"up to 100 vs 100", val("up to", 100), val("", 100), true},
		{"up to 100 vs 80", val("up to", 100), val("", 80), false},
		{"about 100 vs around 100", val("about", 100), val("around", 100), true},
		{"about 100 vs around 110", val("about", 100), val("around", 110), true},
		{"about 100 vs around 120", val("about", 100), val("around", 120), false},
		{"about 100 vs 105", val("about", 100), val("", 105), true},
		{"about 100 vs 115", val("about", 100), val("", 115), false},
		{"nearly 100 vs 100", val("nearly", 100), val("", 100), true},
		{"nearly 100 vs 101", val("nearly", 100), val("", 101), false},
		{"nearly 100 vs 95", val("nearly", 100), val("", 95), true},
		{"some 100 vs at least 100", val("some", 100), val("at least", 100), true},
		{"unknown hedge reads as about", val("give or take", 100), val("", 108), true},
		{"range 40-60 vs 50", rng("", 40, 60), val("", 50), true},
		{"range 40-60 vs 70", rng("", 40, 60), val("", 70), false},
		{"range 40-60 vs 55-80", rng("", 40, 60), rng("", 55, 80), true},
		{"range 40-60 vs at least 60", rng("", 40, 60), val("at least", 60), true},
		{"range 40-60 vs at least 61", rng("", 40, 60), val("at least", 61), false},
		{"range 1-1.5 vs 1-1.5", rng("", 1, 1.5), rng("", 1, 1.5), true},
		{"dozens vs 40", fig{q: "dozens"}, val("", 40), true},
		{"dozens vs 150", fig{q: "dozens"}, val("", 150), false},
		{"dozens vs hundreds", fig{q: "dozens"}, fig{q: "hundreds"}, false},
		{"dozens (24-99 from extractor) vs at least 30", rng("dozens", 24, 99), val("at least", 30), true},
		{"dozens with value 24 vs 12", val("dozens", 24), val("", 12), false},
		{"no number agrees with anything", fig{}, val("", 5), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := tc.a.read(), tc.b.read()
			if got := Agree(a, b); got != tc.want {
				t.Errorf("Agree = %v, want %v (a %+v, b %+v)", got, tc.want, a, b)
			}
			if got := Agree(b, a); got != tc.want {
				t.Errorf("Agree reversed = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReadConservative(t *testing.T) {
	tests := []struct {
		f    fig
		want float64 // NaN: vouches for no lower count
	}{
		{val("", 40), 40}, {val("at least", 40), 40}, {val("more than", 70), 70}, {val("about", 100), 100},
		{val("nearly", 100), 90}, {rng("", 40, 60), 40}, {fig{q: "dozens"}, 24}, {val("up to", 100), math.NaN()},
		{val("fewer than", 10), math.NaN()},
	}
	for _, tc := range tests {
		got := tc.f.read().Conservative
		if !(got == tc.want || math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("Read(%+v).Conservative = %v, want %v", tc.f, got, tc.want)
		}
	}
}

func TestQualifierKinds(t *testing.T) {
	tests := []struct {
		q    string
		want Kind
	}{
		{"", Exact}, {"  ", Exact}, {"at least", AtLeast}, {"At  least", AtLeast}, {"more than", MoreThan},
		{"over", MoreThan}, {"Over", MoreThan}, {"up to", AtMost}, {"under", LessThan}, {"fewer than", LessThan},
		{"about", About}, {"around", About}, {"approximately", About}, {"some", About}, {"nearly", Nearly},
		{"almost", Nearly}, {"just over", JustOver}, {"dozens", Vague}, {"hundreds", Vague}, {"whatever", About},
	}
	for _, tc := range tests {
		if got := Qualifier(tc.q); got != tc.want {
			t.Errorf("Qualifier(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

func TestReadQuote(t *testing.T) {
	tests := []struct {
		quote     string
		value     float64 // -1: none
		qualifier string
	}{
		{"at least 40 people dead", 40, "at least"},
		{"More than 70 ambulance teams", 70, "more than"},
		{"115 people have been hospitalised", 115, ""},
		{"five children", 5, ""},
		{"a dozen police officers", 12, ""},
		{"no more than 3,000 people", 3000, "no more than"},
		{"about 1.5 million", 1.5e6, "about"},
		{"$13.6m", 13.6e6, ""},
		{"dozens of people", -1, "dozens"},
		{"the wounded", -1, ""},
		{"Around 100 people were evacuated", 100, "around"},
	}
	for _, tc := range tests {
		v, q := ReadQuote(tc.quote)
		if tc.value < 0 {
			if v != nil {
				t.Errorf("ReadQuote(%q) value = %v, want none", tc.quote, *v)
			}
		} else if v == nil || *v != tc.value {
			t.Errorf("ReadQuote(%q) value = %v, want %v", tc.quote, v, tc.value)
		}
		if q != tc.qualifier {
			t.Errorf("ReadQuote(%q) qualifier = %q, want %q", tc.quote, q, tc.qualifier)
		}
	}
}
