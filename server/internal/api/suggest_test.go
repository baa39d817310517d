package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"gloss/shared/httpapi"
	"gloss/shared/model"
)

// TestSuggestRoute: an annotator asks for suggestions, gets the figure of
// the fixture's sentence in the suggest layer, asks again and gets nothing
// twice; a viewer may not ask; another project's document is not found.
func TestSuggestRoute(t *testing.T) {
	f := newFixture(t)
	alice := f.as("annotator")
	path := fmt.Sprintf("/api/documents/%d/suggest", f.doc)
	st, data := alice.do("POST", path, nil)
	var res httpapi.SuggestResult
	if st != http.StatusOK || json.Unmarshal(data, &res) != nil || res.Added == 0 {
		t.Fatalf("suggest: %d %s", st, data)
	}
	snap, err := f.st.Snapshot(context.Background(), f.doc)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range snap.Annotations {
		if a.Layer == model.SuggestLayer && a.Label == "figure" && a.Attrs != nil && a.Attrs.Value != nil && *a.Attrs.Value == 40 && a.Attrs.Qualifier == "at least" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no suggested figure 'at least 40' in %+v", snap.Annotations)
	}
	st, data = alice.do("POST", path, nil)
	if st != http.StatusOK || json.Unmarshal(data, &res) != nil || res.Added != 0 || res.Skipped == 0 {
		t.Fatalf("second suggest: %d %s, want nothing added", st, data)
	}
	if st, data := f.as("viewer").do("POST", path, nil); st != http.StatusForbidden {
		t.Errorf("viewer suggest: %d %s, want 403", st, data)
	}
	if st, _ := alice.do("POST", fmt.Sprintf("/api/documents/%d/suggest", f.doc+1), nil); st != http.StatusNotFound {
		t.Errorf("another project's document: %d, want 404", st)
	}
}
