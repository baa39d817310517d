package suggest

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"gloss/shared/model"
)

func figureSpans(res Result) []Span {
	var out []Span
	for _, s := range res.Spans {
		if s.Label == LabelFigure {
			out = append(out, s)
		}
	}
	return out
}

func fmtValue(s Span) float64 {
	if s.Attrs.Value != nil {
		return *s.Attrs.Value
	}
	return -1
}

func TestFigureForms(t *testing.T) {
	type fig struct {
		text      string
		value     float64 // -1 for a range
		low, high float64
		qual      string
		unit      string
		quantity  string
	}
	tests := []struct {
		in   string
		want []fig
	}{
		{"The attack left at least 40 people dead.", []fig{{"at least 40 people dead", 40, 0, 0, "at least", "people", "dead"}}},
		{"115 people have been hospitalised.", []fig{{"115 people have been hospitalised", 115, 0, 0, "", "people", "hospitalised"}}},
		{"More than 70 ambulance teams were sent.", []fig{{"More than 70 ambulance teams", 70, 0, 0, "more than", "ambulance teams", ""}}},
		{"They include five children.", []fig{{"five children", 5, 0, 0, "", "children", ""}}},
		{"Revenue was $13.6M.", []fig{{"$13.6M", 13.6e6, 0, 0, "", "$", ""}}},
		{"Support fell to 19 per cent.", []fig{{"19 per cent", 19, 0, 0, "", "%", ""}}},
		{"It warmed by 1 to 1.5 degrees Celsius.", []fig{{"1 to 1.5 degrees Celsius", -1, 1, 1.5, "", "degrees Celsius", ""}}},
		{"Forty-two miners are trapped.", []fig{{"Forty-two miners are trapped", 42, 0, 0, "", "miners", "trapped"}}},
		{"A dozen houses burned.", []fig{{"A dozen houses", 12, 0, 0, "", "houses", ""}}},
		{"Dozens of people fled.", []fig{{"Dozens of people", -1, 24, 99, "", "people", ""}}},
		{"Hundreds of homes were lost.", []fig{{"Hundreds of homes", -1, 200, 999, "", "homes", ""}}},
		{"The city has 1.5 million residents.", []fig{{"1.5 million residents", 1.5e6, 0, 0, "", "residents", ""}}},
		{"About 3,000 troops moved.", []fig{{"About 3,000 troops", 3000, 0, 0, "about", "troops", ""}}},
		{"It got 3\u00a0000 letters.", []fig{{"3\u00a0000 letters", 3000, 0, 0, "", "letters", ""}}},
		{"It got 3\u2009000 letters.", []fig{{"3\u2009000 letters", 3000, 0, 0, "", "letters", ""}}},
		{"The town won $8m in funding.", []fig{{"$8m", 8e6, 0, 0, "", "$", ""}}},
		{"The bombs killed at least 103 people and wounded 211 others.", []fig{
			{"at least 103 people", 103, 0, 0, "at least", "people", "killed"}, {"211 others", 211, 0, 0, "", "others", "wounded"}}},
		{"60 people are in a 'serious condition'.", []fig{{"60 people are in a 'serious condition'", 60, 0, 0, "", "people", "in serious condition"}}},
		{"Around 100 people were evacuated.", []fig{{"Around 100 people were evacuated", 100, 0, 0, "around", "people", "evacuated"}}},
		{"Over 100 wounded arrived.", []fig{{"Over 100 wounded", 100, 0, 0, "over", "", "wounded"}}},
		{"Between 200 and 300 people came.", []fig{{"Between 200 and 300 people", -1, 200, 300, "", "people", ""}}},
		{"A 45-year-old man was held.", []fig{{"45-year-old", 45, 0, 0, "", "year-old", ""}}},
		{"One soldier died.", []fig{{"One soldier died", 1, 0, 0, "", "soldier", "died"}}},
		{"Revenue rose 8.3% to $4.1bn.", []fig{{"8.3%", 8.3, 0, 0, "", "%", ""}, {"$4.1bn", 4.1e9, 0, 0, "", "$", ""}}},
		{"Shares rose 5p to 120p.", []fig{{"5p", 5, 0, 0, "", "p", ""}, {"120p", 120, 0, 0, "", "p", ""}}},
		{"Sales rose 8% to 1,200 units.", []fig{{"8%", 8, 0, 0, "", "%", ""}, {"1,200 units", 1200, 0, 0, "", "units", ""}}},
		{"Between 15% and 20% of staff left.", []fig{{"Between 15% and 20%", -1, 15, 20, "", "%", ""}}},
		{"The death toll rose to 60.", []fig{{"60", 60, 0, 0, "", "", "death toll"}}},
		{"It injured dozens more.", []fig{{"dozens", -1, 24, 99, "", "", "injured"}}},
		// Not figures.
		{"The vote took place on March 7, 2024.", nil},
		{"The meeting began at 10:30 on Friday.", nil},
		{"She came second in the 2022 election.", nil},
		{"It was the 19th attack this year.", nil},
		{"Call 0800 555 0199 now.", nil},
		{"He was charged under Section 427 of the code.", nil},
		{"They sat in Row 14.", nil},
		{"Flight 370 vanished in 2014.", nil},
		{"No one was hurt and one of them fled.", nil},
		{"The summit runs from 3 to 5 June.", nil},
		{"Covid-19 rules and the G7 summit ended.", nil},
		{"The team won 3-1.", nil},
		{"He was born in the 1950s.", nil},
		{"Manchester United beat Liverpool 2-1.", nil},
		{"The Group of 20 met in Rio.", nil},
		{"Three quarters of the money went.", nil},
		{"No. 10 said nothing.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := figureSpans(Extract(tt.in))
			if len(got) != len(tt.want) {
				var texts []string
				for _, g := range got {
					texts = append(texts, g.Text)
				}
				t.Fatalf("got %d figures %q, want %d", len(got), texts, len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Text != w.text || g.Attrs.Qualifier != w.qual || g.Attrs.Unit != w.unit || g.Attrs.Quantity != w.quantity {
					t.Errorf("figure %d = %q q=%q u=%q qt=%q, want %q q=%q u=%q qt=%q", i, g.Text, g.Attrs.Qualifier,
						g.Attrs.Unit, g.Attrs.Quantity, w.text, w.qual, w.unit, w.quantity)
				}
				if w.value >= 0 && fmtValue(g) != w.value {
					t.Errorf("figure %q value %v, want %v", g.Text, fmtValue(g), w.value)
				}
				if w.value < 0 && (g.Attrs.Low == nil || *g.Attrs.Low != w.low || *g.Attrs.High != w.high) {
					t.Errorf("figure %q: want range %v-%v, got %+v", g.Text, w.low, w.high, g.Attrs)
				}
			}
		})
	}
}

// attributionsOf lists "attribution text => claim text" with the cue words.
func attributionsOf(res Result) map[string]string {
	out := map[string]string{}
	r := res
	for _, rel := range r.Relations {
		a, c := r.Spans[rel.From], r.Spans[rel.To]
		out[a.Text] = c.Text
	}
	return out
}

func TestAttributionForms(t *testing.T) {
	tests := []struct {
		in          string
		attribution string // "" when none is expected
		cue         string
		claim       string
	}{
		{"The attack left 40 dead, CNN reported.", "CNN reported", "reported", "The attack left 40 dead"},
		{"The claim was confirmed, the New York Times reported.", "the New York Times reported", "reported", "The claim was confirmed"},
		{"The plot was foiled, according to US officials.", "according to US officials", "according to", "The plot was foiled"},
		{"According to Reuters, the deal is off.", "According to Reuters", "According to", "the deal is off"},
		{"ISIS members are active in Russia, a US official said.", "a US official said", "said", "ISIS members are active in Russia"},
		{`"They are fixated on Russia," said Colin P Clarke, a counterterrorism analyst at the Soufan Group.`,
			"said Colin P Clarke, a counterterrorism analyst", "said", "They are fixated on Russia"},
		{"115 people have been hospitalised, the Russian Health Ministry told TASS.", "the Russian Health Ministry told TASS", "told", "115 people have been hospitalised"},
		{"The governor said everything was being done.", "The governor said", "said", "everything was being done"},
		{"The ministry confirmed that two soldiers died.", "The ministry confirmed", "confirmed", "two soldiers died"},
		{"The minister stated, \"There will be no new taxes.\"", "The minister stated", "stated", "There will be no new taxes"},
		{"Rescuers are working, as reported by CNN.", "as reported by CNN", "as reported by", "Rescuers are working"},
		{"\"We will respond,\" he added.", "he added", "added", "We will respond"},
		{"Experts say the drought is linked to climate change.", "Experts say", "say", "the drought is linked to climate change"},
		{"The newspaper cited officials as saying that the plan was shelved.", "cited officials", "cited", "the plan was shelved"},
		{"The UN warned that famine was near.", "The UN warned", "warned", "famine was near"},
		{"Aid groups say supplies will run out.", "Aid groups say", "say", "supplies will run out"},
		{"\"We are ready. We will win,\" the general said.", "the general said", "said", "We are ready. We will win"},
		{"He spoke. \"We are ready. We will win,\" he added.", "he added", "added", "We are ready. We will win"},
		// Not attributions.
		{"ISIS has claimed responsibility for the attack.", "", "", ""},
		{"The US had warned Iran of a possible attack.", "", "", ""},
		{"The claim was confirmed by US officials.", "", "", ""},
		{"They had privately told Russian officials about the plot.", "", "", ""},
		{"The United States collected intelligence in March.", "", "", ""},
		{"She said goodbye to her family.", "", "", ""},
		{"He told the story of his escape.", "", "", ""},
		{"The report was released on Monday.", "", "", ""},
		{"He was told to leave.", "", "", ""},
		{"What she said shocked the room.", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			res := Extract(tt.in)
			var attrs []Span
			for _, s := range res.Spans {
				if s.Label == LabelAttribution {
					attrs = append(attrs, s)
				}
			}
			if tt.attribution == "" {
				if len(attrs) > 0 {
					t.Fatalf("want no attribution, got %q", attrs[0].Text)
				}
				return
			}
			if len(attrs) != 1 {
				t.Fatalf("want 1 attribution, got %d: %+v", len(attrs), attrs)
			}
			a := attrs[0]
			r := []rune(tt.in)
			if a.Text != tt.attribution || string(r[a.Attrs.Cue[0]:a.Attrs.Cue[1]]) != tt.cue {
				t.Errorf("attribution %q cue %q, want %q cue %q", a.Text, string(r[a.Attrs.Cue[0]:a.Attrs.Cue[1]]), tt.attribution, tt.cue)
			}
			if got := attributionsOf(res)[a.Text]; got != tt.claim {
				t.Errorf("claim %q, want %q", got, tt.claim)
			}
		})
	}
}

// TestSeedArticles holds every figure and attribution of the two demo
// articles: values, qualifiers, quantities, and the claim each attribution
// sources.
func TestSeedArticles(t *testing.T) {
	type fig struct {
		text     string
		value    float64
		qual     string
		quantity string
	}
	tests := []struct {
		file    string
		figures []fig
		attribs map[string]string // attribution text → start of its claim
	}{
		{"000_307bc43b3c6d2c1a.txt", []fig{
			{"at least 40 people dead", 40, "at least", "dead"},
			{"over 100 wounded", 100, "over", "wounded"},
			{"two years", 2, "", ""},
			{"at least 103 people", 103, "at least", "killed"},
			{"211 others", 211, "", "wounded"},
			{"four years", 4, "", ""},
			{"more than 70 ambulance teams", 70, "more than", ""},
			{"115 people have been hospitalised", 115, "", "hospitalised"},
			{"five children", 5, "", ""},
			{"60 people are in a 'serious condition'", 60, "", "in serious condition"},
			{"dozens of people", -1, "", ""},
			{"Around 100 people were evacuated", 100, "around", "evacuated"},
		}, map[string]string{
			"CNN reported":                                    "Moscow: The ISIS has claimed responsibility",
			"State-run RIA Novosti reported":                  "the armed individuals",
			"the news agency said":                            "They then",
			"The US officials said":                           "they had privately apprised",
			"according to officials":                          "The United States collected intelligence",
			"a US official said":                              "ISIS members have been active in Russia",
			"according to US counterterrorism officials":      "After a period of relative quiet",
			"according to the NYT":                            "The attack on Friday in Moscow",
			"said Colin P Clarke, a counterterrorism analyst": "\"ISIS-K has been fixated on Russia",
			"he added":                               "ISIS-K accuses the Kremlin",
			"regional governor Andrey Vorobyov said": "everything was being done",
			"the Russian Health Ministry told TASS":  "115 people have been hospitalised, including five children",
			"as reported by CNN":                     "Moscow City Duma Chairman",
			"TASS reported":                          "Around 100 people were evacuated",
			"according to the Main Directorate of the Ministry of Emergency Situations of the Russian Federation": "Rescuers are still working",
		}},
		{"002_8450b356199d244b.txt", []fig{
			{"at least 60 people dead", 60, "at least", "dead"},
			{"145 hospitalized", 145, "", "hospitalized"},
			{"More than 70 ambulance teams", 70, "more than", ""},
			{"145 people hospitalized", 145, "", "hospitalized"},
			{"60 of whom are in serious condition", 60, "", "in serious condition"},
			{"around 100 people", 100, "around", "evacuated"},
			{"more than two years", 2, "more than", ""},
		}, map[string]string{
			"According to state media reports":                      "the attackers stormed the venue",
			"The Russia Prosecutor General's Office stated":         "Unidentified people in camouflage",
			"Regional governor Andrey Vorobyov said":                "everything was being done",
			"Russian authorities reported":                          "thwarting several ISIS-related incidents",
			"Ukrainian presidential adviser Mykhailo Podolyak said": "he believed Russia would use the attack",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile("../../sample/demo/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			res := Extract(string(b))
			checkOffsets(t, string(b), res)
			got := figureSpans(res)
			if len(got) != len(tt.figures) {
				for _, g := range got {
					t.Logf("figure %q", g.Text)
				}
				t.Fatalf("%d figures, want %d", len(got), len(tt.figures))
			}
			for i, w := range tt.figures {
				g := got[i]
				if g.Text != w.text || g.Attrs.Qualifier != w.qual || g.Attrs.Quantity != w.quantity || w.value >= 0 && fmtValue(g) != w.value {
					t.Errorf("figure %d = %q %v q=%q qt=%q, want %q %v q=%q qt=%q", i, g.Text, fmtValue(g), g.Attrs.Qualifier,
						g.Attrs.Quantity, w.text, w.value, w.qual, w.quantity)
				}
			}
			// Every attribution, and a source relation to its claim.
			claims := map[string][]string{}
			for _, rel := range res.Relations {
				claims[res.Spans[rel.From].Text] = append(claims[res.Spans[rel.From].Text], res.Spans[rel.To].Text)
			}
			for a, claim := range tt.attribs {
				found := false
				for _, c := range claims[a] {
					if strings.HasPrefix(c, claim) {
						found = true
					}
				}
				if !found {
					t.Errorf("attribution %q: claims %q, want one starting %q", a, claims[a], claim)
				}
			}
			for a := range claims {
				if _, ok := tt.attribs[a]; !ok && a != "the New York Times reported" {
					t.Errorf("unexpected attribution %q", a)
				}
			}
			if tt.file[:3] == "000" && len(claims["the New York Times reported"]) != 3 {
				t.Errorf("the New York Times reported: %d claims, want 3", len(claims["the New York Times reported"]))
			}
		})
	}
}

// checkOffsets asserts the invariants every result keeps.
func checkOffsets(t *testing.T, text string, res Result) {
	t.Helper()
	r := []rune(text)
	for i, s := range res.Spans {
		if s.Start < 0 || s.End > len(r) || s.Start >= s.End {
			t.Fatalf("span %d [%d, %d) outside text of %d code points", i, s.Start, s.End, len(r))
		}
		if string(r[s.Start:s.End]) != s.Text {
			t.Fatalf("span %d text %q, text there %q", i, s.Text, string(r[s.Start:s.End]))
		}
		if s.Attrs.Cue != nil && (s.Attrs.Cue[0] < s.Start || s.Attrs.Cue[1] > s.End || s.Attrs.Cue[0] >= s.Attrs.Cue[1]) {
			t.Fatalf("span %d cue %v outside [%d, %d)", i, *s.Attrs.Cue, s.Start, s.End)
		}
		if err := s.Attrs.Validate(s.Start, s.End); err != nil {
			t.Fatalf("span %d attrs: %v", i, err)
		}
		if i > 0 && (res.Spans[i-1].Start > s.Start) {
			t.Fatalf("spans out of order at %d", i)
		}
	}
	for _, rel := range res.Relations {
		if rel.From < 0 || rel.From >= len(res.Spans) || rel.To < 0 || rel.To >= len(res.Spans) ||
			res.Spans[rel.From].Label != LabelAttribution || res.Spans[rel.To].Label != LabelClaim || rel.Type != RelationSource {
			t.Fatalf("bad relation %+v", rel)
		}
	}
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{"At least 40 people dead, CNN reported.", "3\u00a0000 $8m 1 to 1.5 degrees", "\"x,\" said Y, a z.",
		"according to", "U.S. 1.2.3 ,,, 10:30 -5", "rose 8.3% to $4.1bn", "from 5% to 6%", "between 1% and", "\xff\xfe 12", "between 5 and", "tens of thousands of"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		res := Extract(s)
		if !utf8.ValidString(s) {
			// Offsets count code points as Go's rune conversion does.
			s = string([]rune(s))
		}
		checkOffsets(t, s, res)
	})
}

func BenchmarkExtract(b *testing.B) {
	var sb strings.Builder
	for _, f := range []string{"000_307bc43b3c6d2c1a.txt", "002_8450b356199d244b.txt"} {
		d, err := os.ReadFile("../../sample/demo/" + f)
		if err != nil {
			b.Fatal(err)
		}
		sb.Write(d)
		sb.WriteString("\n\n")
	}
	eval, err := os.ReadFile("testdata/attributions.eval")
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(eval), "\n") {
		if s, ok := strings.CutPrefix(l, "S: "); ok {
			sb.WriteString(s + " ")
		}
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		Extract(text)
	}
}

// TestLongUnits: a word glued to a number, or the words after it, that
// are longer than a figure's unit may be are not taken as its unit (the
// fuzzer found "0A000…"), so every suggestion is a span the store takes.
func TestLongUnits(t *testing.T) {
	long := strings.Repeat("a", model.MaxAttrText-50)
	for _, s := range []string{
		"0A" + strings.Repeat("0", model.MaxAttrText+1),
		"At least 5 " + long + " " + long + " died.",
		"At least 5 " + strings.Repeat("b", model.MaxAttrText+1) + " died.",
	} {
		res := Extract(s)
		checkOffsets(t, s, res)
		for _, sp := range res.Spans {
			if utf8.RuneCountInString(sp.Attrs.Unit) > model.MaxAttrText {
				t.Errorf("Extract(%.20q…): a unit of %d characters", s, utf8.RuneCountInString(sp.Attrs.Unit))
			}
		}
	}
}
