// Package storetest is the conformance suite of store.Store: what every
// implementation must do, checked the same way for each. sqlite_test.go and
// postgres_test.go run it; a new implementation passes it before the
// server uses it.
//
// Ops are built in the shapes docstate.Resolve gives them: an add carries
// the annotation at version 1; an update carries the annotation as it will
// be (version old+1) with op.Version = old; a delete carries Target and
// Version. Where it can, the suite checks a store against docstate itself:
// replaying a document's op log must give its snapshot.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"gloss/server/internal/store"
	"gloss/shared/docstate"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// Run runs the suite. open returns a new, empty store for one test; it is
// called from parallel tests, so it must be safe for concurrent use. Run
// closes the stores it gets.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Epoch", func(t *testing.T, s store.Store) { testEpoch(t, s, open) }},
		{"Users", testUsers},
		{"Sessions", testSessions},
		{"Projects", testProjects},
		{"Members", testMembers},
		{"DocumentText", testDocumentText},
		{"AddDocumentsAllOrNone", testAddDocumentsAllOrNone},
		{"Documents", testDocuments},
		{"CommitSeqs", testCommitSeqs},
		{"CommitUnknownDocument", testCommitUnknownDocument},
		{"OpsSince", testOpsSince},
		{"OpSeqs", testOpSeqs},
		{"DocSeqs", testDocSeqs},
		{"UpdateDelete", testUpdateDelete},
		{"StaleWrites", testStaleWrites},
		{"DeleteCascadesRelations", testDeleteCascadesRelations},
		{"GroupedCommit", testGroupedCommit},
		{"SnapshotOrder", testSnapshotOrder},
		{"QuoteBytes", testQuoteBytes},
		{"ConcurrentCommit", testConcurrentCommit},
		{"SiteAdmins", testSiteAdmins},
		{"DeleteSessions", testDeleteSessions},
		{"DeleteExpiredSessions", testDeleteExpiredSessions},
		{"MarkDone", testMarkDone},
		{"APITokens", testAPITokens},
		{"MemberList", testMemberList},
		{"ImportDocuments", testImportDocuments},
		{"ImportAllOrNone", testImportAllOrNone},
		{"SchemaRename", testSchemaRename},
		{"SchemaRemoveInUse", testSchemaRemoveInUse},
		{"SchemaRelations", testSchemaRelations},
		{"Assignments", testAssignments},
		{"Review", testReview},
		{"ReviewStale", testReviewStale},
		{"CreateProjectWithAdmin", testCreateProjectWithAdmin},
		{"Attrs", testAttrs},
		{"Settings", testSettings},
		{"Stories", testStories},
		{"RightsEpoch", testRightsEpoch},
		{"OpLogRoundTrip", testOpLogRoundTrip},
		{"BlindEpoch", testBlindEpoch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

// BenchmarkCommit measures Commit of batches of 1 and of 64 add ops to one
// document: the hub's group commit turns many small commits into a few
// large ones, and the difference per op is what it buys. open returns a new,
// empty store, which BenchmarkCommit closes.
func BenchmarkCommit(b *testing.B, open func(b *testing.B) store.Store) {
	for _, n := range []int{1, 64} {
		b.Run(fmt.Sprintf("ops=%d", n), func(b *testing.B) {
			s := open(b)
			defer s.Close()
			ctx := context.Background()
			docID := newDoc(b, s, "benchmark text")
			ops := make([]protocol.Op, n)
			i := 0
			for b.Loop() {
				for j := range ops {
					id := fmt.Sprintf("b%d", i)
					i++
					ops[j] = addOp(id, ann(docID, id, "claim", 0, 9, "benchmark"))
				}
				if _, err := s.Commit(ctx, docID, ops); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}

// t0 is the time of the suite's ops. Stores keep milliseconds (the wire's
// unit), so it has none smaller: a snapshot compares equal to the ops.
var t0 = time.UnixMilli(1_700_000_000_123).UTC()

func ann(docID int64, id, label string, start, end int, quote string) model.Annotation {
	return model.Annotation{ID: id, Document: docID, Layer: "ann1", Label: label, Start: start, End: end,
		Quote: quote, Author: "ann1", Created: t0, Updated: t0}
}

// addOp is an add as Resolve makes it: the new annotation at version 1.
func addOp(opID string, a model.Annotation) protocol.Op {
	a.Version = 1
	return protocol.Op{ID: opID, Kind: protocol.KindAdd, Ann: &a, User: a.Author, Time: t0.UnixMilli()}
}

// updateOp relabels cur: the op carries the result at cur.Version+1 and
// is conditional on cur.Version.
func updateOp(opID string, cur model.Annotation, label string) protocol.Op {
	next := cur
	next.Label, next.Version, next.Updated = label, cur.Version+1, t0.Add(time.Second)
	return protocol.Op{ID: opID, Kind: protocol.KindUpdate, Ann: &next, Version: cur.Version, User: cur.Author, Time: t0.UnixMilli()}
}

func deleteOp(opID, target string, version int64) protocol.Op {
	return protocol.Op{ID: opID, Kind: protocol.KindDelete, Target: target, Version: version, User: "ann1", Time: t0.UnixMilli()}
}

func addRelationOp(opID string, docID int64, id, from, to string) protocol.Op {
	r := model.Relation{ID: id, Document: docID, Layer: "ann1", Type: "source", From: from, To: to, Author: "ann1", Version: 1, Created: t0}
	return protocol.Op{ID: opID, Kind: protocol.KindAddRelation, Rel: &r, User: "ann1", Time: t0.UnixMilli()}
}

func deleteRelationOp(opID, target string, version int64) protocol.Op {
	return protocol.Op{ID: opID, Kind: protocol.KindDeleteRelation, Target: target, Version: version, User: "ann1", Time: t0.UnixMilli()}
}

// newDoc adds a project with one document of text and returns its ID.
func newDoc(t testing.TB, s store.Store, text string) int64 {
	t.Helper()
	p, err := s.CreateProject(context.Background(), "p", model.DefaultSchema())
	if err != nil {
		t.Fatal(err)
	}
	docs, err := s.AddDocuments(context.Background(), p.ID, []model.Document{{Name: "d", Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	return docs[0].ID
}

func commit(t *testing.T, s store.Store, docID int64, ops ...protocol.Op) int64 {
	t.Helper()
	first, err := s.Commit(t.Context(), docID, ops)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return first
}

func snapshot(t *testing.T, s store.Store, docID int64) store.Snapshot {
	t.Helper()
	snap, err := s.Snapshot(t.Context(), docID)
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	return snap
}

func allOps(t *testing.T, s store.Store, docID int64) []protocol.Op {
	t.Helper()
	ops, err := s.OpsSince(t.Context(), docID, 0, 1<<20)
	if err != nil {
		t.Fatalf("OpsSince: %v", err)
	}
	return ops
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: err = %v, want %v", what, err, target)
	}
}

// checkReplay checks the store against docstate: replaying the document's
// op log must give its snapshot, in the same order.
func checkReplay(t *testing.T, s store.Store, docID int64) {
	t.Helper()
	st := docstate.New()
	for _, op := range allOps(t, s, docID) {
		st.Apply(op)
	}
	snap := snapshot(t, s, docID)
	if snap.Seq != st.Seq {
		t.Errorf("snapshot seq %d, op log ends at %d", snap.Seq, st.Seq)
	}
	if want := st.Annotations(); !equalSlices(snap.Annotations, want) {
		t.Errorf("snapshot annotations differ from the op log's replay:\n got %+v\nwant %+v", snap.Annotations, want)
	}
	if want := st.Relations(); !equalSlices(snap.Relations, want) {
		t.Errorf("snapshot relations differ from the op log's replay:\n got %+v\nwant %+v", snap.Relations, want)
	}
	checkReviewReplay(t, snap, st)
}

// equalSlices is reflect.DeepEqual that takes nil and empty as equal.
func equalSlices[T any](a, b []T) bool {
	return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b)
}

func testEpoch(t *testing.T, s store.Store, open func(t *testing.T) store.Store) {
	other := open(t)
	defer other.Close()
	if s.Epoch() == "" {
		t.Fatal("empty epoch")
	}
	if s.Epoch() == other.Epoch() {
		t.Errorf("two new databases share epoch %q", s.Epoch())
	}
}

func testUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	// Byte order puts "Carol" first; a language's collation would not.
	for _, name := range []string{"bob", "Carol", "alice"} {
		if _, err := s.CreateUser(ctx, name, []byte("hash-"+name)); err != nil {
			t.Fatalf("CreateUser(%s): %v", name, err)
		}
	}
	_, err := s.CreateUser(ctx, "bob", []byte("x"))
	wantErr(t, "CreateUser(duplicate)", err, store.ErrExists)

	u, hash, err := s.UserByName(ctx, "bob")
	if err != nil || u.Name != "bob" || u.ID == 0 || string(hash) != "hash-bob" {
		t.Errorf("UserByName(bob) = %+v, %q, %v", u, hash, err)
	}
	_, _, err = s.UserByName(ctx, "nobody")
	wantErr(t, "UserByName(unknown)", err, store.ErrNotFound)

	// A hash is bytes, not text.
	newHash := []byte{0, 0xff, 'x', 0}
	if err := s.SetPassword(ctx, u.ID, newHash); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	if _, hash, _ := s.UserByName(ctx, "bob"); !bytes.Equal(hash, newHash) {
		t.Errorf("hash after SetPassword = %x, want %x", hash, newHash)
	}
	wantErr(t, "SetPassword(unknown)", s.SetPassword(ctx, u.ID+1000, newHash), store.ErrNotFound)

	users, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users {
		names = append(names, u.Name)
		if u.SiteAdmin {
			t.Errorf("new user %s is a site admin", u.Name)
		}
	}
	if want := []string{"Carol", "alice", "bob"}; !slices.Equal(names, want) {
		t.Errorf("Users = %q, want %q (byte order)", names, want)
	}
}

func testSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, err := s.CreateUser(ctx, "ann1", []byte("h"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	live, expired, deleted := []byte{1, 0, 0xff}, []byte{2}, []byte{3}
	for token, expires := range map[string]time.Time{string(live): now.Add(time.Hour), string(expired): now.Add(-time.Second), string(deleted): now.Add(time.Hour)} {
		if err := s.CreateSession(ctx, []byte(token), u.ID, expires); err != nil {
			t.Fatalf("CreateSession: %v", err)
		}
	}
	if err := s.DeleteSession(ctx, deleted); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	if err := s.DeleteSession(ctx, []byte("never existed")); err != nil {
		t.Errorf("DeleteSession(unknown) = %v, want nil", err)
	}

	sess, err := s.SessionByToken(ctx, live)
	if err != nil {
		t.Fatalf("SessionByToken(live): %v", err)
	}
	if sess.User != u || !sess.Expires.Equal(time.UnixMilli(now.Add(time.Hour).UnixMilli())) {
		t.Errorf("SessionByToken(live) = %+v, want user %+v expiring %v", sess, u, now.Add(time.Hour))
	}
	for name, token := range map[string][]byte{"expired": expired, "deleted": deleted, "unknown": []byte("x")} {
		_, err := s.SessionByToken(ctx, token)
		wantErr(t, "SessionByToken("+name+")", err, store.ErrNotFound)
	}
}

func testProjects(t *testing.T, s store.Store) {
	ctx := t.Context()
	if ps, err := s.Projects(ctx); err != nil || len(ps) != 0 {
		t.Errorf("Projects of a new store = %v, %v", ps, err)
	}
	custom := model.Schema{Labels: []model.Label{{Name: "Ort", Color: "#000000", Key: "o", Guideline: "Orte, z. B. „Köln“ 😀"}}, Relations: []string{}}
	var created []model.Project
	for _, schema := range []model.Schema{model.DefaultSchema(), custom} {
		p, err := s.CreateProject(ctx, "Nachrichten", schema)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Project(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, p) || !reflect.DeepEqual(got.Schema, schema) {
			t.Errorf("Project(%d) = %+v, want %+v", p.ID, got, p)
		}
		created = append(created, p)
	}
	_, err := s.Project(ctx, created[1].ID+1000)
	wantErr(t, "Project(unknown)", err, store.ErrNotFound)
	ps, err := s.Projects(ctx)
	if err != nil || !reflect.DeepEqual(ps, created) {
		t.Errorf("Projects = %+v, %v; want %+v", ps, err, created)
	}
}

func testMembers(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice, _ := s.CreateUser(ctx, "alice", []byte("h"))
	bob, _ := s.CreateUser(ctx, "bob", []byte("h"))
	p1, _ := s.CreateProject(ctx, "one", model.DefaultSchema())
	p2, _ := s.CreateProject(ctx, "two", model.Schema{Labels: []model.Label{{Name: "x"}}, Relations: []string{}})
	for _, m := range []struct {
		p, u int64
		role model.Role
	}{
		{p2.ID, alice.ID, model.RoleAnnotator},
		{p1.ID, alice.ID, model.RoleViewer},
		{p1.ID, alice.ID, model.RoleReviewer}, // changes the role
		{p1.ID, bob.ID, model.RoleAdmin},
	} {
		if err := s.SetMember(ctx, m.p, m.u, m.role); err != nil {
			t.Fatalf("SetMember: %v", err)
		}
	}
	tests := []struct {
		name    string
		p, u    int64
		want    model.Role
		wantErr error
	}{
		{"changed", p1.ID, alice.ID, model.RoleReviewer, nil},
		{"other project", p2.ID, alice.ID, model.RoleAnnotator, nil},
		{"other user", p1.ID, bob.ID, model.RoleAdmin, nil},
		{"not a member", p2.ID, bob.ID, "", store.ErrNotFound},
		{"unknown project", p2.ID + 1000, alice.ID, "", store.ErrNotFound},
	}
	for _, tc := range tests {
		got, err := s.Role(ctx, tc.p, tc.u)
		if got != tc.want || !errors.Is(err, tc.wantErr) {
			t.Errorf("Role %s = %q, %v; want %q, %v", tc.name, got, err, tc.want, tc.wantErr)
		}
	}
	ms, err := s.Memberships(ctx, alice.ID)
	want := []store.Member{{Project: p1, Role: model.RoleReviewer}, {Project: p2, Role: model.RoleAnnotator}}
	if err != nil || !reflect.DeepEqual(ms, want) {
		t.Errorf("Memberships(alice) = %+v, %v; want %+v", ms, err, want)
	}
	if ms, err := s.Memberships(ctx, bob.ID+1000); err != nil || len(ms) != 0 {
		t.Errorf("Memberships(unknown) = %+v, %v; want none", ms, err)
	}
}

// testDocumentText checks that text comes back byte for byte, whatever it
// holds, and that Chars counts code points as textpos does (an invalid byte
// is one).
func testDocumentText(t *testing.T, s store.Store) {
	ctx := t.Context()
	tests := []struct {
		name  string
		text  string
		chars int
	}{
		{"ascii", "Hello, world.", 13},
		{"empty", "", 0},
		{"crlf", "line one\r\nline two\r\n", 20},
		{"nbsp", "ISIS.\u00a0Regional", 14},
		{"emoji", "😀 said 東京", 9},
		{"combining", "e\u0301", 2},
		{"invalid utf-8", "a\xff\xfeb\xc3", 5},
		{"nul", "a\x00b\x00", 4},
	}
	p, err := s.CreateProject(ctx, "p", model.DefaultSchema())
	if err != nil {
		t.Fatal(err)
	}
	var in []model.Document
	for _, tc := range tests {
		in = append(in, model.Document{Name: tc.name, Text: tc.text, Meta: map[string]string{"source": "wire\x00", "title": tc.name}})
	}
	docs, err := s.AddDocuments(ctx, p.ID, in)
	if err != nil {
		t.Fatalf("AddDocuments: %v", err)
	}
	infos, err := s.Documents(ctx, p.ID)
	if err != nil || len(infos) != len(tests) {
		t.Fatalf("Documents = %+v, %v", infos, err)
	}
	for i, tc := range tests {
		d := docs[i]
		if d.ID == 0 || d.ProjectID != p.ID || d.Name != tc.name || d.Text != tc.text {
			t.Errorf("%s: AddDocuments returned %+v", tc.name, d)
		}
		got, err := s.Document(ctx, d.ID)
		if err != nil {
			t.Fatalf("%s: Document: %v", tc.name, err)
		}
		if got.Text != tc.text {
			t.Errorf("%s: text = %q, want %q", tc.name, got.Text, tc.text)
		}
		if !reflect.DeepEqual(got, d) {
			t.Errorf("%s: Document = %+v, want %+v", tc.name, got, d)
		}
		if want := (store.DocumentInfo{ID: d.ID, Name: tc.name, Chars: tc.chars}); infos[i] != want {
			t.Errorf("%s: Documents row = %+v, want %+v", tc.name, infos[i], want)
		}
	}
	_, err = s.Document(ctx, docs[len(docs)-1].ID+1000)
	wantErr(t, "Document(unknown)", err, store.ErrNotFound)
}

// testAddDocumentsAllOrNone adds to a project that does not exist, the one
// failure the interface lets a caller provoke; none of the documents before
// the failing insert may remain.
func testAddDocumentsAllOrNone(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, err := s.CreateProject(ctx, "p", model.DefaultSchema())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddDocuments(ctx, p.ID, []model.Document{{Name: "kept", Text: "x"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddDocuments(ctx, p.ID+1000, []model.Document{{Name: "a", Text: "x"}, {Name: "b", Text: "y"}}); err == nil {
		t.Fatal("AddDocuments to an unknown project succeeded")
	}
	// Had any insert of the failed call survived, the next document's ID
	// would still be free; the document list shows what is left.
	docs, err := s.AddDocuments(ctx, p.ID, []model.Document{{Name: "after", Text: "z"}})
	if err != nil {
		t.Fatal(err)
	}
	infos, err := s.Documents(ctx, p.ID)
	if err != nil || len(infos) != 2 || infos[0].Name != "kept" || infos[1].Name != "after" {
		t.Errorf("Documents after a failed AddDocuments = %+v, %v", infos, err)
	}
	if _, err := s.Document(ctx, docs[0].ID); err != nil {
		t.Error(err)
	}
	if infos, err := s.Documents(ctx, p.ID+1000); err != nil || len(infos) != 0 {
		t.Errorf("Documents(unknown project) = %+v, %v", infos, err)
	}
}

func testDocuments(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, err := s.CreateProject(ctx, "p", model.DefaultSchema())
	if err != nil {
		t.Fatal(err)
	}
	infos, err := s.Documents(ctx, p.ID)
	if err != nil || infos == nil || len(infos) != 0 {
		t.Errorf("Documents of an empty project = %#v, %v; want an empty, non-nil list (JSON [])", infos, err)
	}
	docs, err := s.AddDocuments(ctx, p.ID, []model.Document{{Name: "b", Text: "one two"}, {Name: "a", Text: "three"}})
	if err != nil {
		t.Fatal(err)
	}
	d := docs[0].ID
	commit(t, s, d, addOp("o1", ann(d, "x", "claim", 0, 3, "one")), addOp("o2", ann(d, "y", "claim", 4, 7, "two")))
	commit(t, s, d, deleteOp("o3", "x", 1), addOp("o4", ann(d, "z", "claim", 0, 7, "one two")), addOp("o5", ann(d, "w", "claim", 0, 3, "one")))
	infos, err = s.Documents(ctx, p.ID)
	want := []store.DocumentInfo{{ID: d, Name: "b", Chars: 7, Annotations: 3}, {ID: docs[1].ID, Name: "a", Chars: 5}}
	if err != nil || !reflect.DeepEqual(infos, want) {
		t.Errorf("Documents = %+v, %v; want %+v", infos, err, want)
	}
}

func testCommitSeqs(t *testing.T, s store.Store) {
	d := newDoc(t, s, "one two three")
	if snap := snapshot(t, s, d); snap.Seq != 0 || len(snap.Annotations)+len(snap.Relations) != 0 {
		t.Errorf("new document's snapshot = %+v", snap)
	}
	a := addOp("o1", ann(d, "a", "claim", 0, 3, "one"))
	batches := [][]protocol.Op{
		{a},
		{addOp("o2", ann(d, "b", "claim", 4, 7, "two")), addOp("o3", ann(d, "c", "claim", 8, 13, "three")), addRelationOp("o4", d, "r", "a", "b")},
		{updateOp("o5", *a.Ann, "figure")},
	}
	var want int64 = 1
	for i, ops := range batches {
		first := commit(t, s, d, ops...)
		if first != want {
			t.Errorf("batch %d: first seq %d, want %d", i, first, want)
		}
		for j, op := range ops {
			if op.Seq != first+int64(j) {
				t.Errorf("batch %d op %d: Seq %d, want %d", i, j, op.Seq, first+int64(j))
			}
		}
		want += int64(len(ops))
	}
	if snap := snapshot(t, s, d); snap.Seq != 5 {
		t.Errorf("snapshot seq %d, want 5", snap.Seq)
	}
	var committed []protocol.Op
	for _, ops := range batches {
		committed = append(committed, ops...)
	}
	if got := allOps(t, s, d); !reflect.DeepEqual(got, committed) {
		t.Errorf("op log differs from the committed ops:\n got %+v\nwant %+v", got, committed)
	}
	checkReplay(t, s, d)
}

func testCommitUnknownDocument(t *testing.T, s store.Store) {
	d := newDoc(t, s, "text")
	_, err := s.Commit(t.Context(), d+1000, []protocol.Op{addOp("o1", ann(d+1000, "a", "claim", 0, 4, "text"))})
	wantErr(t, "Commit(unknown document)", err, store.ErrNotFound)
	_, err = s.Snapshot(t.Context(), d+1000)
	wantErr(t, "Snapshot(unknown document)", err, store.ErrNotFound)
}

func testOpsSince(t *testing.T, s store.Store) {
	d := newDoc(t, s, "0123456789")
	other := newDoc(t, s, "0123456789")
	for i := range 6 {
		id := fmt.Sprintf("a%d", i)
		commit(t, s, d, addOp("o"+id, ann(d, id, "claim", i, i+1, fmt.Sprint(i))))
	}
	commit(t, s, other, addOp("elsewhere", ann(other, "x", "claim", 0, 1, "0")))
	tests := []struct {
		since int64
		limit int
		want  []int64
	}{
		{0, 100, []int64{1, 2, 3, 4, 5, 6}},
		{0, 6, []int64{1, 2, 3, 4, 5, 6}},
		{2, 3, []int64{3, 4, 5}},
		{4, 1, []int64{5}},
		{5, 100, []int64{6}},
		{6, 100, nil},
		{100, 100, nil},
		{0, 0, nil},
	}
	for _, tc := range tests {
		ops, err := s.OpsSince(t.Context(), d, tc.since, tc.limit)
		if err != nil {
			t.Fatalf("OpsSince(%d, %d): %v", tc.since, tc.limit, err)
		}
		var seqs []int64
		for _, op := range ops {
			seqs = append(seqs, op.Seq)
			if op.Kind != protocol.KindAdd || op.Ann == nil || op.Ann.ID != fmt.Sprintf("a%d", op.Seq-1) {
				t.Errorf("OpsSince: op at seq %d is %+v", op.Seq, op)
			}
		}
		if !slices.Equal(seqs, tc.want) {
			t.Errorf("OpsSince(since %d, limit %d) seqs = %v, want %v", tc.since, tc.limit, seqs, tc.want)
		}
	}
}

func testOpSeqs(t *testing.T, s store.Store) {
	ctx := t.Context()
	d := newDoc(t, s, "0123456789")
	other := newDoc(t, s, "0123456789")
	commit(t, s, d, addOp("x", ann(d, "a", "claim", 0, 1, "0")), addOp("y", ann(d, "b", "claim", 1, 2, "1")))
	commit(t, s, d, addOp("z", ann(d, "c", "claim", 2, 3, "2")))
	commit(t, s, other, addOp("w", ann(other, "a", "claim", 0, 1, "0")))

	// More IDs than fit one SQL statement's parameters in some drivers.
	many := []string{"z", "w", "nope"}
	for i := range 1200 {
		many = append(many, fmt.Sprintf("missing-%d", i))
	}
	many = append(many, "x")
	tests := []struct {
		name string
		ids  []string
		want map[string]int64
	}{
		{"none", nil, map[string]int64{}},
		{"all", []string{"x", "y", "z"}, map[string]int64{"x": 1, "y": 2, "z": 3}},
		{"some", []string{"nope", "y"}, map[string]int64{"y": 2}},
		{"other document's", []string{"w"}, map[string]int64{}},
		{"many", many, map[string]int64{"x": 1, "z": 3}},
	}
	for _, tc := range tests {
		got, err := s.OpSeqs(ctx, d, tc.ids)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("OpSeqs(%s) = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

func testUpdateDelete(t *testing.T, s store.Store) {
	d := newDoc(t, s, "one two")
	add := addOp("o1", ann(d, "a", "claim", 0, 3, "one"))
	commit(t, s, d, add)
	up := updateOp("o2", *add.Ann, "figure")
	up.Ann.Start, up.Ann.End, up.Ann.Quote = 4, 7, "two"
	commit(t, s, d, up)
	snap := snapshot(t, s, d)
	if len(snap.Annotations) != 1 || !reflect.DeepEqual(snap.Annotations[0], *up.Ann) {
		t.Fatalf("after update: %+v, want %+v", snap.Annotations, *up.Ann)
	}
	if a := snap.Annotations[0]; a.Version != 2 || a.Label != "figure" || a.Start != 4 || !a.Created.Equal(t0) || !a.Updated.Equal(t0.Add(time.Second)) {
		t.Errorf("updated annotation = %+v", a)
	}
	up2 := updateOp("o3", snap.Annotations[0], "claim")
	commit(t, s, d, up2)
	commit(t, s, d, deleteOp("o4", "a", 3))
	if snap := snapshot(t, s, d); len(snap.Annotations) != 0 || snap.Seq != 4 {
		t.Errorf("after delete: %+v", snap)
	}
	checkReplay(t, s, d)
}

// testStaleWrites commits batches that must be refused as a whole: a write
// conditional on a version the row no longer has, or an ID (op, annotation,
// relation) already used. Nothing may be written: not the seq, not the op
// log, not the state, not the batch's other, valid ops.
func testStaleWrites(t *testing.T, s store.Store) {
	ctx := t.Context()
	// Each case gets a document holding a1 (version 1), a2 (version 2)
	// and the relation r1 from a1 to a2, made by ops s1–s4.
	prepare := func(t *testing.T) (int64, model.Annotation, model.Annotation) {
		d := newDoc(t, s, "one two three")
		a1 := addOp("s1", ann(d, "a1", "claim", 0, 3, "one"))
		a2 := addOp("s2", ann(d, "a2", "claim", 4, 7, "two"))
		up := updateOp("s3", *a2.Ann, "figure")
		commit(t, s, d, a1, a2)
		commit(t, s, d, up, addRelationOp("s4", d, "r1", "a1", "a2"))
		return d, *a1.Ann, *up.Ann
	}
	tests := []struct {
		name string
		ops  func(d int64, a1, a2 model.Annotation) []protocol.Op
	}{
		{"update at an old version", func(d int64, a1, a2 model.Annotation) []protocol.Op {
			old := a2
			old.Version = 1
			return []protocol.Op{updateOp("n1", old, "claim")}
		}},
		{"update at a future version", func(d int64, a1, a2 model.Annotation) []protocol.Op {
			future := a1
			future.Version = 2
			return []protocol.Op{updateOp("n1", future, "figure")}
		}},
		{"update of a missing annotation", func(d int64, a1, a2 model.Annotation) []protocol.Op {
			missing := a1
			missing.ID = "gone"
			return []protocol.Op{updateOp("n1", missing, "figure")}
		}},
		{"delete at an old version", func(d int64, a1, a2 model.Annotation) []protocol.Op {
			return []protocol.Op{deleteOp("n1", "a2", 1)}
		}},
		{"delete of a missing annotation", func(d int64, a1, a2 model.Annotation) []protocol.Op {
			return []protocol.Op{deleteOp("n1", "gone", 1)}
		}},
		{"delete relation at another version", func(d int64, a1, a2 model.Annotation) []protocol.Op {
			return []protocol.Op{deleteRelationOp("n1", "r1", 2)}
		}},
		{"delete of a missing relation", func(d int64, a1, a2 model.Annotation) []protocol.Op {
			return []protocol.Op{deleteRelationOp("n1", "gone", 1)}
		}},
		{"add with an existing annotation id", func(d int64, a1, a2 model.Annotation) []protocol.Op {
			return []protocol.Op{addOp("n1", ann(d, "a1", "figure", 8, 13, "three"))}
		}},
		{"add with an existing relation id", func(d int64, a1, a2 model.Annotation) []protocol.Op {
			return []protocol.Op{addRelationOp("n1", d, "r1", "a2", "a1")}
		}},
		{"valid ops, then a stale one", func(d int64, a1, a2 model.Annotation) []protocol.Op {
			return []protocol.Op{
				addOp("n1", ann(d, "a3", "claim", 8, 13, "three")),
				addRelationOp("n2", d, "r2", "a3", "a2"),
				deleteOp("n3", "a1", 1), // would delete r1 too
				updateOp("n4", a2, "claim"),
				deleteOp("n5", "a2", 2), // stale: n4 moved a2 to version 3
			}
		}},
		// Batches of adds, updates and deletes of distinct annotations,
		// which a store may group by statement.
		{"grouped: a stale delete among valid ones", func(d int64, a1, a2 model.Annotation) []protocol.Op {
			return []protocol.Op{
				addOp("n1", ann(d, "a3", "claim", 8, 13, "three")),
				deleteOp("n2", "a1", 1),
				deleteOp("n3", "a2", 1), // stale: a2 is at version 2
			}
		}},
		{"grouped: an existing id among new ones", func(d int64, a1, a2 model.Annotation) []protocol.Op {
			return []protocol.Op{
				addOp("n1", ann(d, "a3", "claim", 8, 13, "three")),
				addOp("n2", ann(d, "a1", "claim", 0, 3, "one")),
				addOp("n3", ann(d, "a4", "claim", 0, 3, "one")),
			}
		}},
		{"grouped: a stale update among adds and deletes", func(d int64, a1, a2 model.Annotation) []protocol.Op {
			old := a2
			old.Version = 1
			return []protocol.Op{
				addOp("n1", ann(d, "a3", "claim", 8, 13, "three")),
				updateOp("n2", old, "claim"),
				deleteOp("n3", "a1", 1),
			}
		}},
		{"op id already applied", func(d int64, a1, a2 model.Annotation) []protocol.Op {
			return []protocol.Op{addOp("s1", ann(d, "a3", "claim", 8, 13, "three"))}
		}},
		{"op id twice in one batch", func(d int64, a1, a2 model.Annotation) []protocol.Op {
			return []protocol.Op{addOp("n1", ann(d, "a3", "claim", 8, 13, "three")), addOp("n1", ann(d, "a4", "claim", 0, 3, "one"))}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, a1, a2 := prepare(t)
			ops := tc.ops(d, a1, a2)
			var ids []string
			for _, op := range ops {
				ids = append(ids, op.ID)
			}
			snapBefore, opsBefore := snapshot(t, s, d), allOps(t, s, d)
			seqsBefore, err := s.OpSeqs(ctx, d, ids)
			if err != nil {
				t.Fatal(err)
			}

			_, err = s.Commit(ctx, d, ops)
			wantErr(t, "Commit", err, store.ErrStale)

			if snap := snapshot(t, s, d); !reflect.DeepEqual(snap, snapBefore) {
				t.Errorf("snapshot changed:\n got %+v\nwant %+v", snap, snapBefore)
			}
			if got := allOps(t, s, d); !reflect.DeepEqual(got, opsBefore) {
				t.Errorf("op log changed:\n got %+v\nwant %+v", got, opsBefore)
			}
			if seqs, err := s.OpSeqs(ctx, d, ids); err != nil || !reflect.DeepEqual(seqs, seqsBefore) {
				t.Errorf("OpSeqs = %v, %v; want %v", seqs, err, seqsBefore)
			}
			// The refused batch used up no seqs.
			if first := commit(t, s, d, addOp("next", ann(d, "a9", "claim", 8, 13, "three"))); first != snapBefore.Seq+1 {
				t.Errorf("next commit got seq %d, want %d", first, snapBefore.Seq+1)
			}
			checkReplay(t, s, d)
		})
	}
}

func testDeleteCascadesRelations(t *testing.T, s store.Store) {
	d := newDoc(t, s, "one two three")
	commit(t, s, d,
		addOp("o1", ann(d, "a1", "claim", 0, 3, "one")),
		addOp("o2", ann(d, "a2", "claim", 4, 7, "two")),
		addOp("o3", ann(d, "a3", "attribution", 8, 13, "three")),
		addRelationOp("o4", d, "from-a1", "a1", "a2"),
		addRelationOp("o5", d, "to-a1", "a3", "a1"),
		addRelationOp("o6", d, "keep", "a3", "a2"),
	)
	commit(t, s, d, deleteOp("o7", "a1", 1))
	snap := snapshot(t, s, d)
	if len(snap.Relations) != 1 || snap.Relations[0].ID != "keep" {
		t.Errorf("relations after deleting a1 = %+v, want only keep", snap.Relations)
	}
	commit(t, s, d, deleteRelationOp("o8", "keep", 1))
	if snap := snapshot(t, s, d); len(snap.Relations) != 0 || len(snap.Annotations) != 2 {
		t.Errorf("after deleting relation keep: %+v", snap)
	}
	checkReplay(t, s, d)
}

// testSnapshotOrder checks reading order (start, longer first, then ID) and
// relations by ID, both by byte: IDs differing in case and punctuation sort
// differently under a language's collation.
func testSnapshotOrder(t *testing.T, s store.Store) {
	d := newDoc(t, s, "0123456789")
	var ops []protocol.Op
	for i, a := range []struct {
		id         string
		start, end int
	}{
		{"b", 2, 4}, {"B", 2, 4}, {"a", 2, 4}, {"_", 2, 4}, {"-", 2, 4}, {"a1", 2, 4}, {"A-1", 2, 4},
		{"long", 2, 9}, {"first", 0, 1}, {"last", 9, 10}, {"short", 2, 3},
	} {
		ops = append(ops, addOp(fmt.Sprintf("o%d", i), ann(d, a.id, "claim", a.start, a.end, "0123456789"[a.start:a.end])))
	}
	for i, id := range []string{"r", "R", "-r", "_r", "r-1", "r_1"} {
		ops = append(ops, addRelationOp(fmt.Sprintf("r%d", i), d, id, "first", "last"))
	}
	commit(t, s, d, ops...)
	snap := snapshot(t, s, d)
	var got []string
	for _, a := range snap.Annotations {
		got = append(got, a.ID)
	}
	if want := []string{"first", "long", "-", "A-1", "B", "_", "a", "a1", "b", "short", "last"}; !slices.Equal(got, want) {
		t.Errorf("annotation order %q, want %q", got, want)
	}
	got = nil
	for _, r := range snap.Relations {
		got = append(got, r.ID)
	}
	if want := []string{"-r", "R", "_r", "r", "r-1", "r_1"}; !slices.Equal(got, want) {
		t.Errorf("relation order %q, want %q", got, want)
	}
	checkReplay(t, s, d)
}

// testQuoteBytes annotates invalid UTF-8 and NUL: a quote is a slice of
// the text and must survive as the text does. (The op log is JSON, which
// has no invalid UTF-8; only the snapshot keeps these bytes.)
func testQuoteBytes(t *testing.T, s store.Store) {
	text := "ok \xff\x00\xfe end"
	d := newDoc(t, s, text)
	commit(t, s, d, addOp("o1", ann(d, "a", "claim", 3, 6, "\xff\x00\xfe")))
	snap := snapshot(t, s, d)
	if len(snap.Annotations) != 1 || snap.Annotations[0].Quote != "\xff\x00\xfe" {
		t.Errorf("annotations = %+v, want the quote %q", snap.Annotations, "\xff\x00\xfe")
	}
}

// testConcurrentCommit commits from several goroutines at once, as rooms
// on several server instances would: every commit must get its own run of
// consecutive seqs, and together they must leave no gap.
func testConcurrentCommit(t *testing.T, s store.Store) {
	const writers, commits = 8, 25
	d := newDoc(t, s, "0123456789")
	var (
		mu    sync.Mutex
		seqOf = map[string]int64{} // op ID → seq Commit assigned
		wg    sync.WaitGroup
	)
	for w := range writers {
		wg.Go(func() {
			for c := range commits {
				var ops []protocol.Op
				for k := range 1 + c%3 {
					id := fmt.Sprintf("w%d-c%d-k%d", w, c, k)
					ops = append(ops, addOp(id, ann(d, id, "claim", 0, 1, "0")))
				}
				first, err := s.Commit(t.Context(), d, ops)
				if err != nil {
					t.Errorf("Commit: %v", err)
					return
				}
				mu.Lock()
				for k, op := range ops {
					if op.Seq != first+int64(k) {
						t.Errorf("op %s: Seq %d, want %d", op.ID, op.Seq, first+int64(k))
					}
					seqOf[op.ID] = op.Seq
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	ops := allOps(t, s, d)
	for i, op := range ops {
		if op.Seq != int64(i+1) {
			t.Fatalf("op log position %d holds seq %d", i, op.Seq)
		}
		if seqOf[op.ID] != op.Seq {
			t.Errorf("op %s is at seq %d in the log, Commit said %d", op.ID, op.Seq, seqOf[op.ID])
		}
	}
	if len(ops) != len(seqOf) {
		t.Errorf("op log holds %d ops, %d were committed", len(ops), len(seqOf))
	}
	if snap := snapshot(t, s, d); snap.Seq != int64(len(seqOf)) || len(snap.Annotations) != len(seqOf) {
		t.Errorf("snapshot seq %d with %d annotations, want %d", snap.Seq, len(snap.Annotations), len(seqOf))
	}
}
