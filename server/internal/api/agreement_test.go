package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gloss/server/internal/auth"
	"gloss/server/internal/store"
	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/textpos"
)

// span is one crafted annotation: layer (annotator), label, [start, end).
type span struct {
	layer, label string
	start, end   int
}

// agreementFixture is a project with four documents whose figures are
// worked out by hand in TestAgreementCrafted, and members of every role.
type agreementFixture struct {
	srv   *Server
	st    store.Store
	users map[string]model.User
	docs  map[string]int64 // by document name
}

// Texts and tokens (agreement.Tokenize) of the crafted documents:
//
//	A "Officials denied it."       Officials denied it .          (4)
//	B "Police said two men fled."  Police said two men fled .     (6)
//	C "Nothing to see here."       Nothing to see here .          (5)
//	D "Quiet day."                 Quiet day .                    (3)
var craftedDocs = []struct {
	name, text string
	spans      []span
}{
	{"A", "Officials denied it.", []span{
		{"alice", "claim", 10, 19}, // "denied it"
		{"bob", "claim", 10, 19},
	}},
	{"B", "Police said two men fled.", []span{
		{"alice", "attribution", 0, 6}, // "Police"
		{"alice", "figure", 12, 19},    // "two men"
		{"bob", "attribution", 0, 6},
		{"bob", "figure", 12, 15},       // "two"
		{"carol", "attribution", 0, 11}, // "Police said"
		{model.GoldLayer, "claim", 0, 25},
	}},
	{"C", "Nothing to see here.", []span{{"alice", "claim", 0, 7}}},
	{"D", "Quiet day.", nil},
}

func newAgreementFixture(t *testing.T) *agreementFixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "gloss.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &agreementFixture{st: st, users: map[string]model.User{}, docs: map[string]int64{}}
	p, err := st.CreateProject(ctx, "crafted", model.DefaultSchema())
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]model.Role{"admin": model.RoleAdmin, "rita": model.RoleReviewer, "alice": model.RoleAnnotator,
		"bob": model.RoleAnnotator, "carol": model.RoleAnnotator, "vic": model.RoleViewer}
	for _, name := range []string{"admin", "rita", "alice", "bob", "carol", "vic", "eve"} {
		u, err := st.CreateUser(ctx, name, []byte("not a real hash"))
		if err != nil {
			t.Fatal(err)
		}
		f.users[name] = u
		if role, ok := roles[name]; ok { // eve belongs to no project
			if err := st.SetMember(ctx, p.ID, u.ID, role); err != nil {
				t.Fatal(err)
			}
		}
	}
	now := time.Now().UTC()
	for _, cd := range craftedDocs {
		docs, err := st.AddDocuments(ctx, p.ID, []model.Document{{Name: cd.name, Text: cd.text}})
		if err != nil {
			t.Fatal(err)
		}
		id := docs[0].ID
		f.docs[cd.name] = id
		tx := textpos.New(cd.text)
		var ops []protocol.Op
		for i, s := range cd.spans {
			q, err := tx.Slice(s.start, s.end)
			if err != nil {
				t.Fatal(err)
			}
			a := model.Annotation{ID: fmt.Sprintf("%s-%d", cd.name, i), Document: id, Layer: s.layer, Label: s.label,
				Start: s.start, End: s.end, Quote: q, Author: s.layer, Version: 1, Created: now, Updated: now}
			ops = append(ops, protocol.Op{ID: "op-" + a.ID, Kind: protocol.KindAdd, Ann: &a, User: s.layer, Time: now.UnixMilli()})
		}
		if len(ops) > 0 {
			if _, err := st.Commit(ctx, id, ops); err != nil {
				t.Fatal(err)
			}
		}
	}
	f.srv = New(st, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), Config{}, http.NotFoundHandler())
	return f
}

// get calls the handler directly as user, for project id.
func (f *agreementFixture) get(user, id string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "/api/projects/"+id+"/agreement", nil)
	r.SetPathValue("id", id)
	w := httptest.NewRecorder()
	f.srv.handleAgreement(w, r, f.users[user])
	return w
}

// num is a wanted score; nil wants null.
func num(v float64) *float64 { return &v }

func checkScore(t *testing.T, what string, got, want *float64) {
	t.Helper()
	switch {
	case want == nil && got != nil:
		t.Errorf("%s = %v, want null", what, *got)
	case want != nil && got == nil:
		t.Errorf("%s = null, want %v", what, *want)
	case want != nil && math.Abs(*got-*want) > 1e-9:
		t.Errorf("%s = %v, want %v", what, *got, *want)
	}
}

// TestAgreementCrafted checks every figure of the crafted project against
// values worked out by hand. Token categories (O: no span; A attribution,
// C claim, F figure) per annotator:
//
//	doc A  alice O C C O   bob O C C O   (carol did not annotate A)
//	doc B  alice A O F F O O   bob A O F O O O   carol A A O O O O
//	doc C  alice only (no pairs, no alpha units); doc D nobody.
//
// The gold layer (a claim over all of B) is not an annotator.
func TestAgreementCrafted(t *testing.T) {
	f := newAgreementFixture(t)
	w := f.get("rita", "1")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if strings.Contains(w.Body.String(), "NaN") {
		t.Fatalf("NaN in %s", w.Body)
	}
	var rep AgreementReport
	if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if want := []string{"alice", "bob", "carol"}; !slices.Equal(rep.Annotators, want) {
		t.Errorf("annotators %v, want %v", rep.Annotators, want)
	}
	if rep.Project.Name != "crafted" || rep.Documents != 4 || rep.Tokens != 4+6+5+3 {
		t.Errorf("project %+v, %d documents, %d tokens; want crafted, 4, 18", rep.Project, rep.Documents, rep.Tokens)
	}

	// Overall alpha: 26 pairable values (18 in B, 8 in A); the
	// coincidence diagonal is 12 (B) + 8 (A) = 20; marginals A4 O15 F3
	// C4, Σn² = 266. α = 1 − 25·(26−20)/(26²−266) = 1 − 150/410 = 26/41.
	all := rep.Overall
	checkScore(t, "overall alpha", all.Alpha, num(26.0/41))
	// Spans, A as reference. Exact: TP 2 (alice–bob: attribution, claim),
	// FP 3, FN 5; overlap: TP 5, FP 0, FN 2.
	checkScore(t, "overall exact F1", all.ExactF1, num(4.0/12))
	checkScore(t, "overall overlap F1", all.OverlapF1, num(10.0/12))
	// Kappa over the 10 tokens alice and bob share: 9 agree; marginals
	// alice A1 O5 F2 C2, bob A1 O6 F1 C2, so n²·pe = 37 and
	// κ = (10·9 − 37)/(100 − 37) = 53/63. alice–carol over B's 6 tokens:
	// 3 agree, n²·pe = 1·2 + 3·4 = 14, κ = (18−14)/(36−14) = 2/11.
	// bob–carol: 4 agree, n²·pe = 1·2 + 4·4 = 18, κ = (24−18)/(36−18) = 1/3.
	wantPairs := []PairAgreement{
		{A: "alice", B: "bob", Docs: 2, Tokens: 10, Exact: SpanMatches{TP: 2, FP: 1, FN: 1}, Overlap: SpanMatches{TP: 3, FP: 0, FN: 0},
			ExactF1: num(4.0 / 6), OverlapF1: num(1), Kappa: num(53.0 / 63)},
		{A: "alice", B: "carol", Docs: 1, Tokens: 6, Exact: SpanMatches{TP: 0, FP: 1, FN: 2}, Overlap: SpanMatches{TP: 1, FP: 0, FN: 1},
			ExactF1: num(0), OverlapF1: num(2.0 / 3), Kappa: num(2.0 / 11)},
		{A: "bob", B: "carol", Docs: 1, Tokens: 6, Exact: SpanMatches{TP: 0, FP: 1, FN: 2}, Overlap: SpanMatches{TP: 1, FP: 0, FN: 1},
			ExactF1: num(0), OverlapF1: num(2.0 / 3), Kappa: num(1.0 / 3)},
	}
	checkPairs(t, "overall", all.Pairs, wantPairs)
	checkScore(t, "overall mean kappa", all.MeanKappa, num((53.0/63+2.0/11+1.0/3)/3))

	// Per label, binary: the label or not.
	wantLabels := []struct {
		label                   string
		alpha, exactF1, overlap *float64
	}{
		// B: A,A,A / O,O,A / four units O,O,O; A: four units O,O.
		// Diagonal 3+1+12+8 = 24, marginals A4 O22: 1 − 25·2/176.
		{"attribution", num(63.0 / 88), num(2.0 / 6), num(1)},
		// Nobody disagrees about claims: diagonal = n.
		{"claim", num(1), num(1), num(1)},
		// B: F,F,O and F,O,O, the rest O: diagonal 14+8 = 22, marginals
		// F3 O23: 1 − 25·4/138 = 19/69. Exact TP0 FP1 FN3; overlap TP1 FN2.
		{"figure", num(19.0 / 69), num(0), num(2.0 / 4)},
	}
	if len(rep.Labels) != len(wantLabels) {
		t.Fatalf("%d labels, want %d: %+v", len(rep.Labels), len(wantLabels), rep.Labels)
	}
	for i, wl := range wantLabels {
		l := rep.Labels[i]
		if l.Label != wl.label {
			t.Errorf("label %d is %q, want %q", i, l.Label, wl.label)
			continue
		}
		checkScore(t, wl.label+" alpha", l.Alpha, wl.alpha)
		checkScore(t, wl.label+" exact F1", l.ExactF1, wl.exactF1)
		checkScore(t, wl.label+" overlap F1", l.OverlapF1, wl.overlap)
	}
	// alice and carol share only B, where neither marked a claim: no
	// claim spans to match and one category only, so F1 and kappa are
	// undefined — null in the JSON.
	claimAC := rep.Labels[1].Pairs[1]
	if claimAC.A != "alice" || claimAC.B != "carol" || claimAC.Docs != 1 {
		t.Fatalf("claim pair 1 = %+v, want alice–carol over 1 document", claimAC)
	}
	checkScore(t, "claim alice–carol exact F1", claimAC.ExactF1, nil)
	checkScore(t, "claim alice–carol kappa", claimAC.Kappa, nil)

	// Documents, lowest agreement first, undefined last. B: 18 values,
	// diagonal 12, marginals A4 O11 F3: α = 1 − 17·6/(324−146) = 38/89;
	// overlap F1 per pair 1, 2/3, 2/3. A: alice and bob agree: α = 1.
	wantDocs := []DocumentAgreement{
		{ID: f.docs["B"], Name: "B", Annotators: 3, Alpha: num(38.0 / 89), OverlapF1: num(7.0 / 9)},
		{ID: f.docs["A"], Name: "A", Annotators: 2, Alpha: num(1), OverlapF1: num(1)},
		{ID: f.docs["C"], Name: "C", Annotators: 1},
		{ID: f.docs["D"], Name: "D", Annotators: 0},
	}
	if len(rep.ByDocument) != len(wantDocs) {
		t.Fatalf("%d documents, want %d", len(rep.ByDocument), len(wantDocs))
	}
	for i, wd := range wantDocs {
		d := rep.ByDocument[i]
		if d.ID != wd.ID || d.Name != wd.Name || d.Annotators != wd.Annotators {
			t.Errorf("document %d = %d %q by %d, want %d %q by %d", i, d.ID, d.Name, d.Annotators, wd.ID, wd.Name, wd.Annotators)
			continue
		}
		checkScore(t, "document "+d.Name+" alpha", d.Alpha, wd.Alpha)
		checkScore(t, "document "+d.Name+" overlap F1", d.OverlapF1, wd.OverlapF1)
	}

	// Undefined is null on the wire, not absent and not NaN.
	var raw struct {
		ByDocument []map[string]json.RawMessage `json:"by_document"`
	}
	json.Unmarshal(w.Body.Bytes(), &raw)
	if got := string(raw.ByDocument[3]["alpha"]); got != "null" {
		t.Errorf(`document D "alpha": %s, want null`, got)
	}
}

func checkPairs(t *testing.T, what string, got, want []PairAgreement) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d pairs, want %d: %+v", what, len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		name := fmt.Sprintf("%s %s–%s", what, w.A, w.B)
		if g.A != w.A || g.B != w.B || g.Docs != w.Docs || g.Tokens != w.Tokens || g.Exact != w.Exact || g.Overlap != w.Overlap {
			t.Errorf("%s: got %s–%s docs %d tokens %d exact %+v overlap %+v, want docs %d tokens %d exact %+v overlap %+v",
				name, g.A, g.B, g.Docs, g.Tokens, g.Exact, g.Overlap, w.Docs, w.Tokens, w.Exact, w.Overlap)
		}
		checkScore(t, name+" exact F1", g.ExactF1, w.ExactF1)
		checkScore(t, name+" overlap F1", g.OverlapF1, w.OverlapF1)
		checkScore(t, name+" kappa", g.Kappa, w.Kappa)
	}
}

// TestAgreementRoles: reviewers and admins only; annotators and viewers
// are members who get 403, others 404 as if the project did not exist.
func TestAgreementRoles(t *testing.T) {
	f := newAgreementFixture(t)
	tests := []struct {
		user, id string
		status   int
		code     string
	}{
		{"admin", "1", http.StatusOK, ""},
		{"rita", "1", http.StatusOK, ""},
		{"alice", "1", http.StatusForbidden, "forbidden"},
		{"carol", "1", http.StatusForbidden, "forbidden"},
		{"vic", "1", http.StatusForbidden, "forbidden"},
		{"eve", "1", http.StatusNotFound, "not_found"},
		{"rita", "2", http.StatusNotFound, "not_found"},
		{"rita", "x", http.StatusBadRequest, "bad_request"},
	}
	for _, tc := range tests {
		t.Run(tc.user+"/"+tc.id, func(t *testing.T) {
			w := f.get(tc.user, tc.id)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.code == "" {
				return
			}
			var e map[string]string
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
				t.Fatal(err)
			}
			if e["type"] != "error" || e["code"] != tc.code || e["message"] == "" {
				t.Errorf("answer %v, want an error with code %s", e, tc.code)
			}
			if strings.Contains(w.Body.String(), "alice") && tc.user != "alice" {
				t.Errorf("a refusal leaks annotator names: %s", w.Body)
			}
		})
	}
}

// TestAgreementRoute goes through the server's routes (authentication
// included) once the route is registered in Handler.
func TestAgreementRoute(t *testing.T) {
	f := newAgreementFixture(t)
	ts := httptest.NewServer(f.srv.Handler())
	defer ts.Close()
	get := func(user string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", ts.URL+"/api/projects/1/agreement", nil)
		if user != "" {
			token, hash := auth.NewToken()
			if _, err := f.st.CreateAPIToken(context.Background(), f.users[user].ID, "test", hash); err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	resp, body := get("rita")
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/projects/{id}/agreement is not served as JSON: %s %s", resp.Status, body)
	}
	var rep AgreementReport
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &rep) != nil || len(rep.ByDocument) != 4 {
		t.Fatalf("as rita: %s %s", resp.Status, body)
	}
	if resp, body := get("alice"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("as alice: %s %s, want 403", resp.Status, body)
	}
	if resp, body := get(""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous: %s %s, want 401", resp.Status, body)
	}
}

// TestAgreementHumansOnly (issue 13, bug 6): an imported machine layer and
// the suggestions in a document change nothing: they are listed as
// excluded, not as annotators, and the document keeps its one annotator.
func TestAgreementHumansOnly(t *testing.T) {
	f := newAgreementFixture(t)
	ctx := context.Background()
	now := time.Now().UTC()
	var ops []protocol.Op
	for i, layer := range []string{"model-v1", model.SuggestionsLayer} {
		a := model.Annotation{ID: fmt.Sprintf("m-%d", i), Document: f.docs["C"], Layer: layer, Label: "claim", Start: 0, End: 7,
			Quote: "Nothing", Author: layer, Version: 1, Created: now, Updated: now}
		ops = append(ops, protocol.Op{ID: "op-" + a.ID, Kind: protocol.KindAdd, Ann: &a, User: "admin", Time: now.UnixMilli()})
	}
	if _, err := f.st.Commit(ctx, f.docs["C"], ops); err != nil {
		t.Fatal(err)
	}
	w := f.get("rita", "1")
	var rep AgreementReport
	if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, w.Body)
	}
	if want := []string{"alice", "bob", "carol"}; !slices.Equal(rep.Annotators, want) {
		t.Errorf("annotators %v, want %v", rep.Annotators, want)
	}
	if want := []string{"model-v1", model.SuggestionsLayer}; !slices.Equal(rep.Excluded, want) {
		t.Errorf("excluded %v, want %v", rep.Excluded, want)
	}
	for _, d := range rep.ByDocument {
		if d.ID == f.docs["C"] && (d.Annotators != 1 || d.Alpha != nil) {
			t.Errorf("document C: %d annotators, alpha %v; want 1, null", d.Annotators, d.Alpha)
		}
	}
}
