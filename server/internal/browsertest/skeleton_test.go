package browsertest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"gloss/sample"
)

// TestTwoAnalystsLive is the walking skeleton end to end: alice tags a
// phrase after the U+00A0 of the second article; bob sees it appear
// without reloading; the JSONL export holds it at the right code points.
func TestTwoAnalystsLive(t *testing.T) {
	srv := startServer(t)
	alice, bob := newBrowser(t), newBrowser(t)
	alice.login(srv.URL, "alice")
	bob.login(srv.URL, "bob")
	alice.openDoc(srv.URL, 2)
	bob.openDoc(srv.URL, 2)

	const phrase = "Regional governor Andrey Vorobyov"
	alice.selectText(phrase, 0)
	alice.key("3") // attribution
	alice.waitFor(segWith(phrase))
	bob.waitFor(segWith(phrase))
	// Bob sees it as another analyst's layer, listed with its author.
	bob.waitFor(`[...document.querySelectorAll('#annlist li.ann.other')].some(li => li.textContent.includes('alice') && li.textContent.includes('attribution'))`)
	// Alice's edit was acknowledged: nothing pending.
	alice.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)

	text := sample.Demo()[1].Text
	nbsp := strings.IndexRune(text, '\u00a0')
	at := strings.Index(text, phrase)
	if nbsp < 0 || at < nbsp {
		t.Fatalf("seed article changed: nbsp at %d, phrase at %d", nbsp, at)
	}
	wantStart := len([]rune(text[:at]))
	c := httpLogin(t, srv.URL, "rita")
	body := get(t, c, srv.URL+"/api/projects/1/export?format=jsonl")
	found := false
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec struct {
			Text  string `json:"text"`
			Spans []struct {
				Start, End  int
				Label, Text string
				Annotator   string
			} `json:"spans"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("bad JSONL line: %v", err)
		}
		for _, s := range rec.Spans {
			if s.Text != phrase {
				continue
			}
			found = true
			if rec.Text != text {
				t.Errorf("exported text differs from the seed file")
			}
			if s.Start != wantStart || s.End != wantStart+len([]rune(phrase)) || s.Label != "attribution" || s.Annotator != "alice" {
				t.Errorf("span = %+v, want start %d label attribution by alice", s, wantStart)
			}
			if got := string([]rune(rec.Text)[s.Start:s.End]); got != phrase {
				t.Errorf("text[start:end] = %q", got)
			}
		}
	}
	if !found {
		t.Fatalf("export lacks the span:\n%s", body)
	}
}
