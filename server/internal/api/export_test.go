package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestExportHTTP: the export route streams each format with its
// Content-Type and an attachment Content-Disposition, filters by layer,
// label and document, and refuses what it should.
func TestExportHTTP(t *testing.T) {
	f := newFixture(t)
	c := f.as("viewer") // any member may export
	get := func(c *client, query string) (*http.Response, []byte) {
		resp, err := c.hc.Get(f.srv.URL + "/api/projects/1/export" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	for _, tc := range []struct{ format, ctype, ext string }{
		{"jsonl", "application/x-ndjson", ".jsonl"},
		{"conll", "text/plain", ".conll"},
		{"w3c", "application/ld+json", ".jsonld"},
		{"brat", "application/zip", ".zip"},
		{"card", "application/json", ".json"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			resp, body := get(c, "?format="+tc.format)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %s", resp.Status, body)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.ctype) {
				t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
			}
			if want := `attachment; filename="news` + tc.ext + `"`; resp.Header.Get("Content-Disposition") != want {
				t.Errorf("Content-Disposition %q, want %q", resp.Header.Get("Content-Disposition"), want)
			}
			if len(body) == 0 {
				t.Error("empty body")
			}
		})
	}
	spans := func(body []byte) (n int) {
		sc := bufio.NewScanner(bytes.NewReader(body))
		for sc.Scan() {
			var rec struct{ Spans []json.RawMessage }
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Fatalf("bad line: %v", err)
			}
			n += len(rec.Spans)
		}
		return n
	}
	for query, want := range map[string]int{
		"":                                 1, // bob's claim
		"?layer=bob":                       1,
		"?layer=alice":                     0,
		"?label=figure":                    0,
		"?label=claim,figure":              1,
		fmt.Sprintf("?doc=%d", f.doc):      1,
		fmt.Sprintf("?doc=%d", f.doc+1000): 0,
		"?review=unreviewed":               1, // b1 has no review
		"?review=accepted":                 0,
		"?review=accepted,edited":          0,
	} {
		resp, body := get(c, query)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %s", query, resp.Status)
		}
		if got := spans(body); got != want {
			t.Errorf("export%s has %d spans, want %d", query, got, want)
		}
	}
	for _, tc := range []struct {
		name   string
		c      *client
		query  string
		status int
	}{
		{"unknown format", c, "?format=xml", http.StatusBadRequest},
		{"bad doc", c, "?doc=two", http.StatusBadRequest},
		{"bad review", c, "?review=bogus", http.StatusBadRequest},
		{"not logged in", newClient(t, f.srv.URL), "", http.StatusUnauthorized},
		{"not a member", f.as("outsider"), "", http.StatusNotFound},
	} {
		if resp, body := get(tc.c, tc.query); resp.StatusCode != tc.status {
			t.Errorf("%s: %s %s, want %d", tc.name, resp.Status, body, tc.status)
		}
	}
}
