package storetest

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"gloss/server/internal/auth"
	"gloss/server/internal/store"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// This file checks accounts (site admins, API tokens), project
// administration (members, schema changes), imports and assignments.

func testSiteAdmins(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, err := s.CreateUser(ctx, "root", []byte("h"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetSiteAdmin(ctx, u.ID, true); err != nil {
		t.Fatalf("SetSiteAdmin: %v", err)
	}
	users, err := s.Users(ctx)
	if err != nil || len(users) != 1 || !users[0].SiteAdmin || users[0].User != u {
		t.Errorf("Users = %+v, %v; want root as site admin", users, err)
	}
	token := []byte("tok")
	if err := s.CreateSession(ctx, token, u.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if sess, err := s.SessionByToken(ctx, token); err != nil || !sess.SiteAdmin {
		t.Errorf("SessionByToken = %+v, %v; want SiteAdmin", sess, err)
	}
	if err := s.SetSiteAdmin(ctx, u.ID, false); err != nil {
		t.Fatal(err)
	}
	if sess, err := s.SessionByToken(ctx, token); err != nil || sess.SiteAdmin {
		t.Errorf("SessionByToken after revoking = %+v, %v; want no SiteAdmin", sess, err)
	}
	wantErr(t, "SetSiteAdmin(unknown)", s.SetSiteAdmin(ctx, u.ID+1000, true), store.ErrNotFound)
}

func testDeleteSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice, _ := s.CreateUser(ctx, "alice", []byte("h"))
	bob, _ := s.CreateUser(ctx, "bob", []byte("h"))
	exp := time.Now().Add(time.Hour)
	for _, x := range []struct {
		token string
		user  int64
	}{{"a1", alice.ID}, {"a2", alice.ID}, {"b1", bob.ID}} {
		if err := s.CreateSession(ctx, []byte(x.token), x.user, exp); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreateAPIToken(ctx, alice.ID, "script", []byte("api")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSessions(ctx, alice.ID); err != nil {
		t.Fatalf("DeleteSessions: %v", err)
	}
	for _, tok := range []string{"a1", "a2"} {
		_, err := s.SessionByToken(ctx, []byte(tok))
		wantErr(t, "SessionByToken("+tok+") after DeleteSessions", err, store.ErrNotFound)
	}
	if _, err := s.SessionByToken(ctx, []byte("b1")); err != nil {
		t.Errorf("another user's session ended: %v", err)
	}
	if _, err := s.SessionByAPIToken(ctx, []byte("api")); err != nil {
		t.Errorf("an API token ended with the sessions: %v", err)
	}
}

func testAPITokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice, _ := s.CreateUser(ctx, "alice", []byte("h"))
	bob, _ := s.CreateUser(ctx, "bob", []byte("h"))
	before := time.Now().Add(-time.Second)
	var made []store.APIToken
	for _, x := range []struct {
		user  model.User
		label string
	}{{alice, "ci"}, {bob, "notebook"}, {alice, "backup"}} {
		_, hash := auth.NewToken()
		tok, err := s.CreateAPIToken(ctx, x.user.ID, x.label, hash)
		if err != nil {
			t.Fatalf("CreateAPIToken: %v", err)
		}
		if tok.ID == 0 || tok.UserID != x.user.ID || tok.User != x.user.Name || tok.Label != x.label || tok.Created.Before(before) {
			t.Errorf("CreateAPIToken = %+v", tok)
		}
		made = append(made, tok)
	}
	if got, err := s.APITokens(ctx, alice.ID); err != nil || !reflect.DeepEqual(got, []store.APIToken{made[0], made[2]}) {
		t.Errorf("APITokens(alice) = %+v, %v; want %+v", got, err, []store.APIToken{made[0], made[2]})
	}
	if got, err := s.APITokens(ctx, 0); err != nil || !reflect.DeepEqual(got, made) {
		t.Errorf("APITokens(all) = %+v, %v; want %+v", got, err, made)
	}
	if got, err := s.APITokens(ctx, bob.ID+1000); err != nil || got == nil || len(got) != 0 {
		t.Errorf("APITokens(unknown) = %#v, %v; want an empty list", got, err)
	}
	if got, err := s.APIToken(ctx, made[1].ID); err != nil || got != made[1] {
		t.Errorf("APIToken = %+v, %v; want %+v", got, err, made[1])
	}
	_, err := s.APIToken(ctx, made[2].ID+1000)
	wantErr(t, "APIToken(unknown)", err, store.ErrNotFound)

	token, hash := auth.NewToken()
	tok, err := s.CreateAPIToken(ctx, bob.ID, "with a known secret", hash)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := s.SessionByAPIToken(ctx, auth.TokenHash(token))
	if err != nil || sess.User != bob || sess.SiteAdmin || !sess.Expires.IsZero() {
		t.Errorf("SessionByAPIToken = %+v, %v; want bob", sess, err)
	}
	_, err = s.CreateAPIToken(ctx, alice.ID, "same hash", hash)
	wantErr(t, "CreateAPIToken(duplicate hash)", err, store.ErrExists)
	_, err = s.CreateAPIToken(ctx, bob.ID+1000, "nobody", []byte("x"))
	wantErr(t, "CreateAPIToken(unknown user)", err, store.ErrNotFound)

	if err := s.DeleteAPIToken(ctx, tok.ID); err != nil {
		t.Fatalf("DeleteAPIToken: %v", err)
	}
	_, err = s.SessionByAPIToken(ctx, hash)
	wantErr(t, "SessionByAPIToken(revoked)", err, store.ErrNotFound)
	wantErr(t, "DeleteAPIToken(again)", s.DeleteAPIToken(ctx, tok.ID), store.ErrNotFound)
	_, err = s.SessionByAPIToken(ctx, []byte("never issued"))
	wantErr(t, "SessionByAPIToken(unknown)", err, store.ErrNotFound)
}

func testMemberList(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, _ := s.CreateProject(ctx, "p", model.DefaultSchema())
	other, _ := s.CreateProject(ctx, "other", model.DefaultSchema())
	if ms, err := s.Members(ctx, p.ID); err != nil || ms == nil || len(ms) != 0 {
		t.Errorf("Members of a new project = %#v, %v; want an empty list", ms, err)
	}
	var users []model.User
	for _, name := range []string{"bob", "Carol", "alice"} {
		u, err := s.CreateUser(ctx, name, []byte("h"))
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	bob, carol, alice := users[0], users[1], users[2]
	for _, m := range []store.ProjectMember{{User: bob, Role: model.RoleAnnotator}, {User: carol, Role: model.RoleAdmin}, {User: alice, Role: model.RoleReviewer}} {
		if err := s.SetMember(ctx, p.ID, m.User.ID, m.Role); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetMember(ctx, other.ID, bob.ID, model.RoleAnnotator); err != nil {
		t.Fatal(err)
	}
	want := []store.ProjectMember{{User: carol, Role: model.RoleAdmin}, {User: alice, Role: model.RoleReviewer}, {User: bob, Role: model.RoleAnnotator}}
	if ms, err := s.Members(ctx, p.ID); err != nil || !reflect.DeepEqual(ms, want) {
		t.Errorf("Members = %+v, %v; want %+v (byte order)", ms, err, want)
	}

	docs, _ := s.AddDocuments(ctx, p.ID, []model.Document{{Name: "d", Text: "x"}})
	otherDocs, _ := s.AddDocuments(ctx, other.ID, []model.Document{{Name: "d", Text: "x"}})
	for _, d := range []int64{docs[0].ID, otherDocs[0].ID} {
		if err := s.SetAssigned(ctx, d, bob.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RemoveMember(ctx, p.ID, bob.ID); err != nil {
		t.Fatalf("RemoveMember: %v", err)
	}
	_, err := s.Role(ctx, p.ID, bob.ID)
	wantErr(t, "Role after RemoveMember", err, store.ErrNotFound)
	if as, err := s.Assignments(ctx, p.ID); err != nil || len(as) != 0 {
		t.Errorf("Assignments after RemoveMember = %+v, %v; want none", as, err)
	}
	if as, err := s.Assignments(ctx, other.ID); err != nil || len(as) != 1 {
		t.Errorf("the assignment in another project = %+v, %v; want it kept", as, err)
	}
	if r, err := s.Role(ctx, other.ID, bob.ID); err != nil || r != model.RoleAnnotator {
		t.Errorf("membership of another project = %q, %v", r, err)
	}
	wantErr(t, "RemoveMember(again)", s.RemoveMember(ctx, p.ID, bob.ID), store.ErrNotFound)
}

// importedAnn is an annotation as the importer hands it to the store.
func importedAnn(id, layer, label string, start, end int, quote string) model.Annotation {
	return model.Annotation{ID: id, Layer: layer, Label: label, Start: start, End: end, Quote: quote, Author: layer, Created: t0, Updated: t0}
}

func testImportDocuments(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, err := s.CreateProject(ctx, "p", model.DefaultSchema())
	if err != nil {
		t.Fatal(err)
	}
	text := "😀 Officials said 40 died.\r\n"
	in := []store.NewDocument{
		{Document: model.Document{Name: "plain", Text: "no spans", Meta: map[string]string{"source": "a.txt"}}},
		{Document: model.Document{Name: "spans", Text: text}, Annotations: []model.Annotation{
			importedAnn("i1", "model", "attribution", 2, 16, "Officials said"),
			importedAnn("i2", "model", "figure", 17, 25, "40 died."),
		}},
	}
	docs, err := s.ImportDocuments(ctx, p.ID, in)
	if err != nil {
		t.Fatalf("ImportDocuments: %v", err)
	}
	if len(docs) != 2 || docs[0].ID == 0 || docs[1].ProjectID != p.ID || docs[1].Text != text {
		t.Fatalf("ImportDocuments = %+v", docs)
	}
	if snap := snapshot(t, s, docs[0].ID); snap.Seq != 0 || len(snap.Annotations) != 0 {
		t.Errorf("document without spans: %+v", snap)
	}
	d := docs[1].ID
	snap := snapshot(t, s, d)
	if snap.Seq != 2 || len(snap.Annotations) != 2 {
		t.Fatalf("snapshot = %+v, want 2 annotations at seq 2", snap)
	}
	for i, a := range snap.Annotations {
		want := in[1].Annotations[i]
		want.Document, want.Version = d, 1
		if !reflect.DeepEqual(a, want) {
			t.Errorf("annotation %d = %+v, want %+v", i, a, want)
		}
	}
	ops := allOps(t, s, d)
	if len(ops) != 2 || ops[0].Kind != protocol.KindAdd || ops[0].Seq != 1 || ops[1].Seq != 2 || ops[0].ID == ops[1].ID || ops[0].User != "model" {
		t.Errorf("op log = %+v, want two adds at seqs 1 and 2", ops)
	}
	checkReplay(t, s, d)
	// Live edits continue after the imported seqs.
	if first := commit(t, s, d, addOp("o1", ann(d, "a", "claim", 2, 16, "Officials said"))); first != 3 {
		t.Errorf("first live commit got seq %d, want 3", first)
	}
	infos, err := s.Documents(ctx, p.ID)
	if err != nil || len(infos) != 2 || infos[1].Annotations != 3 {
		t.Errorf("Documents = %+v, %v", infos, err)
	}
}

// testImportAllOrNone fails an import on its last document (two
// annotations with one ID): nothing of it may remain.
func testImportAllOrNone(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, _ := s.CreateProject(ctx, "p", model.DefaultSchema())
	bad := []store.NewDocument{
		{Document: model.Document{Name: "first", Text: "one"}, Annotations: []model.Annotation{importedAnn("i1", "m", "claim", 0, 3, "one")}},
		{Document: model.Document{Name: "second", Text: "two"}, Annotations: []model.Annotation{
			importedAnn("i1", "m", "claim", 0, 3, "two"), importedAnn("i1", "m", "claim", 0, 2, "tw")}},
	}
	if _, err := s.ImportDocuments(ctx, p.ID, bad); err == nil {
		t.Fatal("ImportDocuments with a duplicate annotation ID succeeded")
	}
	if infos, err := s.Documents(ctx, p.ID); err != nil || len(infos) != 0 {
		t.Errorf("Documents after a failed import = %+v, %v; want none", infos, err)
	}
	if _, err := s.ImportDocuments(ctx, p.ID+1000, bad[:1]); err == nil {
		t.Error("ImportDocuments into an unknown project succeeded")
	}
}

// schemaFixture is a project with one document annotated in two layers,
// and another project using the same label names.
func schemaFixture(t *testing.T, s store.Store) (model.Project, int64, int64) {
	ctx := t.Context()
	p, _ := s.CreateProject(ctx, "p", model.DefaultSchema())
	other, _ := s.CreateProject(ctx, "other", model.DefaultSchema())
	docs, err := s.AddDocuments(ctx, p.ID, []model.Document{{Name: "d", Text: "one two three four"}, {Name: "untouched", Text: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	d := docs[0].ID
	gold := ann(d, "g1", "claim", 0, 3, "one")
	gold.Layer = model.GoldLayer
	commit(t, s, d,
		addOp("o1", ann(d, "a1", "claim", 0, 3, "one")),
		addOp("o2", ann(d, "a2", "figure", 4, 7, "two")),
		addOp("o3", ann(d, "a3", "attribution", 8, 13, "three")),
		addOp("o4", gold),
		addOp("o5", ann(d, "a4", "figure", 14, 18, "four")),
		addRelationOp("o6", d, "r1", "a3", "a1"),
	)
	// a2 moves to version 2, so that versions differ between annotations.
	a2 := ann(d, "a2", "figure", 4, 7, "two")
	a2.Version = 1
	commit(t, s, d, updateOp("o7", a2, "figure"))
	otherDocs, _ := s.AddDocuments(ctx, other.ID, []model.Document{{Name: "o", Text: "one"}})
	commit(t, s, otherDocs[0].ID, addOp("x1", ann(otherDocs[0].ID, "x", "claim", 0, 3, "one")))
	return p, d, otherDocs[0].ID
}

func labelsOf(t *testing.T, s store.Store, doc int64) map[string]string {
	out := map[string]string{}
	for _, a := range snapshot(t, s, doc).Annotations {
		out[a.ID] = a.Label
	}
	return out
}

func testSchemaRename(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, d, otherDoc := schemaFixture(t, s)
	schema := model.Schema{Labels: []model.Label{
		{Name: "Behauptung", Color: "#0072B2", Key: "1"},
		{Name: "attribution", Color: "#D55E00", Key: "2"}, // was figure
		{Name: "figure", Color: "#009E73", Key: "3"},      // was attribution
	}, Relations: []string{"source"}}
	before := snapshot(t, s, d)
	res, err := s.UpdateSchema(ctx, p.ID, store.SchemaChange{Schema: schema, By: "admin",
		Renames: map[string]string{"claim": "Behauptung", "figure": "attribution", "attribution": "figure", "unknown": "x"}})
	if err != nil {
		t.Fatalf("UpdateSchema: %v", err)
	}
	if res.Relabelled != 5 || res.Deleted != 0 || !slices.Equal(res.Documents, []int64{d}) {
		t.Errorf("result = %+v, want 5 relabelled in document %d", res, d)
	}
	if got, _ := s.Project(ctx, p.ID); !reflect.DeepEqual(got.Schema, schema) {
		t.Errorf("schema = %+v, want %+v", got.Schema, schema)
	}
	want := map[string]string{"a1": "Behauptung", "g1": "Behauptung", "a2": "attribution", "a4": "attribution", "a3": "figure"}
	if got := labelsOf(t, s, d); !reflect.DeepEqual(got, want) {
		t.Errorf("labels = %v, want %v (a swap must not merge)", got, want)
	}
	after := snapshot(t, s, d)
	if after.Seq != before.Seq+5 || len(after.Relations) != 1 {
		t.Errorf("seq %d → %d, relations %d; want 5 update ops and the relation kept", before.Seq, after.Seq, len(after.Relations))
	}
	for _, a := range after.Annotations {
		for _, b := range before.Annotations {
			if a.ID == b.ID && a.Version != b.Version+1 {
				t.Errorf("annotation %s at version %d, was %d", a.ID, a.Version, b.Version)
			}
		}
	}
	for _, op := range allOps(t, s, d)[before.Seq:] {
		if op.Kind != protocol.KindUpdate || op.User != "admin" || !model.ValidID(op.ID) {
			t.Errorf("schema op = %+v, want an update by admin", op)
		}
	}
	checkReplay(t, s, d)
	if got := labelsOf(t, s, otherDoc); got["x"] != "claim" {
		t.Errorf("another project's annotation relabelled: %v", got)
	}
}

func testSchemaRemoveInUse(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, d, _ := schemaFixture(t, s)
	withoutFigure := model.Schema{Labels: []model.Label{p.Schema.Labels[0], p.Schema.Labels[2]}, Relations: []string{"source"}}
	onlyClaim := model.Schema{Labels: []model.Label{p.Schema.Labels[0]}, Relations: []string{"source"}}
	before, opsBefore := snapshot(t, s, d), allOps(t, s, d)

	_, err := s.UpdateSchema(ctx, p.ID, store.SchemaChange{Schema: onlyClaim, By: "admin"})
	var inUse *store.InUseError
	if !errors.As(err, &inUse) || !errors.Is(err, store.ErrInUse) {
		t.Fatalf("removing labels in use: err = %v, want an InUseError", err)
	}
	if want := map[string]int{"figure": 2, "attribution": 1}; !reflect.DeepEqual(inUse.Labels, want) || len(inUse.Relations) != 0 {
		t.Errorf("in use = %+v, want labels %v", inUse, want)
	}
	if got, _ := s.Project(ctx, p.ID); !reflect.DeepEqual(got.Schema, p.Schema) {
		t.Errorf("a refused change altered the schema: %+v", got.Schema)
	}
	if snap := snapshot(t, s, d); !reflect.DeepEqual(snap, before) || !reflect.DeepEqual(allOps(t, s, d), opsBefore) {
		t.Error("a refused change altered the annotations or the op log")
	}

	res, err := s.UpdateSchema(ctx, p.ID, store.SchemaChange{Schema: withoutFigure, By: "admin", DeleteInUse: true})
	if err != nil {
		t.Fatalf("UpdateSchema(DeleteInUse): %v", err)
	}
	if res.Deleted != 2 || res.Relabelled != 0 {
		t.Errorf("result = %+v, want 2 deleted", res)
	}
	if want := map[string]string{"a1": "claim", "g1": "claim", "a3": "attribution"}; !reflect.DeepEqual(labelsOf(t, s, d), want) {
		t.Errorf("labels = %v, want %v", labelsOf(t, s, d), want)
	}
	checkReplay(t, s, d)
	// Adding a label, and removing one that nothing uses, need no confirmation.
	seq := snapshot(t, s, d).Seq
	if _, err := s.UpdateSchema(ctx, p.ID, store.SchemaChange{Schema: p.Schema, By: "admin"}); err != nil {
		t.Errorf("adding figure back: %v", err)
	}
	if res, err := s.UpdateSchema(ctx, p.ID, store.SchemaChange{Schema: withoutFigure, By: "admin"}); err != nil || len(res.Documents) != 0 {
		t.Errorf("removing the unused figure: %+v, %v", res, err)
	}
	if got := snapshot(t, s, d).Seq; got != seq {
		t.Errorf("changes that touch no annotation moved the seq from %d to %d", seq, got)
	}
	_, err = s.UpdateSchema(ctx, p.ID+1000, store.SchemaChange{Schema: onlyClaim})
	wantErr(t, "UpdateSchema(unknown project)", err, store.ErrNotFound)
}

func testSchemaRelations(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, d, _ := schemaFixture(t, s)
	noRelations := model.Schema{Labels: p.Schema.Labels, Relations: []string{"cause"}}
	_, err := s.UpdateSchema(ctx, p.ID, store.SchemaChange{Schema: noRelations})
	var inUse *store.InUseError
	if !errors.As(err, &inUse) || !reflect.DeepEqual(inUse.Relations, map[string]int{"source": 1}) {
		t.Fatalf("removing a relation type in use: %v, want source used once", err)
	}
	res, err := s.UpdateSchema(ctx, p.ID, store.SchemaChange{Schema: noRelations, DeleteInUse: true, By: "admin"})
	if err != nil || res.DeletedRelations != 1 || res.Deleted != 0 {
		t.Fatalf("UpdateSchema = %+v, %v; want one relation deleted", res, err)
	}
	snap := snapshot(t, s, d)
	if len(snap.Relations) != 0 || len(snap.Annotations) != 5 {
		t.Errorf("after removing the type: %d relations, %d annotations", len(snap.Relations), len(snap.Annotations))
	}
	checkReplay(t, s, d)
}

func testAssignments(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, _ := s.CreateProject(ctx, "p", model.DefaultSchema())
	other, _ := s.CreateProject(ctx, "other", model.DefaultSchema())
	docs, _ := s.AddDocuments(ctx, p.ID, []model.Document{{Name: "one", Text: "one two"}, {Name: "two", Text: "three"}})
	otherDocs, _ := s.AddDocuments(ctx, other.ID, []model.Document{{Name: "x", Text: "x"}})
	alice, _ := s.CreateUser(ctx, "alice", []byte("h"))
	bob, _ := s.CreateUser(ctx, "bob", []byte("h"))
	carol, _ := s.CreateUser(ctx, "carol", []byte("h"))
	d1, d2 := docs[0].ID, docs[1].ID
	if as, err := s.Assignments(ctx, p.ID); err != nil || as == nil || len(as) != 0 {
		t.Errorf("Assignments of a new project = %#v, %v; want an empty list", as, err)
	}
	for _, x := range []struct {
		doc, user int64
		assigned  bool
	}{{d1, alice.ID, true}, {d1, bob.ID, true}, {d2, alice.ID, true}, {d1, alice.ID, true}, {otherDocs[0].ID, bob.ID, true}} {
		if err := s.SetAssigned(ctx, x.doc, x.user, x.assigned); err != nil {
			t.Fatalf("SetAssigned: %v", err)
		}
	}
	if err := s.SetDone(ctx, d1, alice.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDone(ctx, d2, carol.ID, true); err != nil { // not assigned: becomes so
		t.Fatal(err)
	}
	if err := s.SetAssigned(ctx, d2, alice.ID, false); err != nil {
		t.Fatal(err)
	}
	// Assigning again keeps the done mark.
	if err := s.SetAssigned(ctx, d1, alice.ID, true); err != nil {
		t.Fatal(err)
	}
	as, err := s.Assignments(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		doc  int64
		user string
		done bool
	}
	var got []row
	for _, a := range as {
		got = append(got, row{a.Document, a.User, a.Done})
		if a.Updated.IsZero() {
			t.Errorf("assignment %+v has no time", a)
		}
	}
	if want := []row{{d1, "alice", true}, {d1, "bob", false}, {d2, "carol", true}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Assignments = %+v, want %+v", got, want)
	}
	if err := s.SetDone(ctx, d1, alice.ID, false); err != nil {
		t.Fatal(err)
	}
	if as, _ := s.Assignments(ctx, p.ID); as[0].Done {
		t.Error("SetDone(false) left the document done")
	}
	wantErr(t, "SetAssigned(unknown document)", s.SetAssigned(ctx, d2+1000, alice.ID, true), store.ErrNotFound)
	wantErr(t, "SetDone(unknown user)", s.SetDone(ctx, d1, carol.ID+1000, true), store.ErrNotFound)

	commit(t, s, d1,
		addOp("o1", ann(d1, "a", "claim", 0, 3, "one")),
		addOp("o2", ann(d1, "b", "claim", 4, 7, "two")),
		addOp("o3", ann(d1, "c", "figure", 4, 7, "two")),
	)
	g := ann(d2, "g", "claim", 0, 5, "three")
	g.Layer = "gold"
	commit(t, s, d2, addOp("o4", g))
	counts, err := s.SpanCounts(ctx, p.ID)
	want := []store.SpanCount{{Document: d1, Layer: "ann1", Label: "claim", Count: 2}, {Document: d1, Layer: "ann1", Label: "figure", Count: 1},
		{Document: d2, Layer: "gold", Label: "claim", Count: 1}}
	if err != nil || !reflect.DeepEqual(counts, want) {
		t.Errorf("SpanCounts = %+v, %v; want %+v", counts, err, want)
	}
}
