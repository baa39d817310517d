package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gloss/server/internal/auth"
	"gloss/server/internal/store"
	"gloss/shared/model"
)

// gloss runs the CLI in-process and returns its standard output.
func gloss(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := Run(args, strings.NewReader(stdin), &out, &errOut, "test")
	return out.String(), errOut.String(), err
}

func mustGloss(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, errOut, err := gloss(t, stdin, args...)
	if err != nil {
		t.Fatalf("gloss %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// TestSetUpProjectFromCLI sets up a project for three annotators and a
// reviewer with the CLI alone, as an admin without the UI would.
func TestSetUpProjectFromCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gloss.db")
	mustGloss(t, "site-admin-pw\n", "user", "add", "-db", db, "-name", "boss", "-admin")
	for _, name := range []string{"ann1", "ann2", "ann3", "rev"} {
		mustGloss(t, "password-of-"+name+"\n", "user", "add", "-db", db, "-name", name)
	}
	id := strings.TrimSpace(mustGloss(t, "", "project", "create", "-db", db, "-name", "Elections 2024", "-admin", "boss"))
	if id != "1" {
		t.Fatalf("project create printed %q, want the id 1", id)
	}
	for _, m := range [][2]string{{"ann1", "annotator"}, {"ann2", "annotator"}, {"ann3", "annotator"}, {"rev", "reviewer"}} {
		mustGloss(t, "", "member", "set", "-db", db, "-project", id, "-name", m[0], "-role", m[1])
	}

	articles := filepath.Join(dir, "articles")
	os.MkdirAll(filepath.Join(articles, ".git"), 0o755)
	os.WriteFile(filepath.Join(articles, "a.txt"), []byte("First article.\r\n"), 0o644)
	os.WriteFile(filepath.Join(articles, "b.txt"), []byte("  Second article, kept as is.  "), 0o644)
	os.WriteFile(filepath.Join(articles, "notes.md"), []byte("skipped"), 0o644)
	os.WriteFile(filepath.Join(articles, ".git", "x.txt"), []byte("hidden"), 0o644)
	jsonl := filepath.Join(dir, "pre.jsonl")
	os.WriteFile(jsonl, []byte(`{"text":"Officials said 40 died.","name":"pre","spans":[{"start":15,"end":23,"label":"figure"}]}`+"\n"), 0o644)
	out, progress, err := gloss(t, "", "import", "-db", db, "-project", id, "-layer", "model", articles, jsonl)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, progress)
	}
	for _, want := range []string{"[1/3]", "a.txt: 1 document(s)", "[3/3]", "pre.jsonl: 1 document(s), 1 span(s)", "skipping", "one transaction"} {
		if !strings.Contains(progress, want) {
			t.Errorf("progress lacks %q:\n%s", want, progress)
		}
	}
	if strings.Contains(progress, "x.txt") {
		t.Errorf("a hidden folder was imported:\n%s", progress)
	}
	if !strings.Contains(out, "imported 3 document(s) with 1 span(s) into project 1") {
		t.Errorf("import said %q", out)
	}
	for _, name := range []string{"ann1", "ann2", "ann3"} {
		mustGloss(t, "", "assign", "-db", db, "-project", id, "-name", name, "-all")
	}
	mustGloss(t, "", "assign", "-db", db, "-project", id, "-name", "ann3", "-doc", "3", "-undo")

	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ms, _ := st.Members(ctx, 1)
	roles := map[string]model.Role{}
	for _, m := range ms {
		roles[m.User.Name] = m.Role
	}
	want := map[string]model.Role{"boss": "admin", "ann1": "annotator", "ann2": "annotator", "ann3": "annotator", "rev": "reviewer"}
	if len(roles) != len(want) {
		t.Errorf("members = %v, want %v", roles, want)
	}
	for k, v := range want {
		if roles[k] != v {
			t.Errorf("members = %v, want %v", roles, want)
		}
	}
	as, _ := st.Assignments(ctx, 1)
	if len(as) != 8 {
		t.Errorf("%d assignments, want 3 documents × 3 annotators − 1", len(as))
	}
	d, err := st.Document(ctx, 2)
	if err != nil || d.Text != "  Second article, kept as is.  " {
		t.Errorf("document 2 = %q, %v; want the file byte for byte", d.Text, err)
	}
	// The project was created with suggestions on (the default), so the
	// import's own op (seq 1) is followed by the suggest layer's.
	snap, _ := st.Snapshot(ctx, 3)
	var imported []model.Annotation
	for _, a := range snap.Annotations {
		if a.Layer != model.SuggestLayer {
			imported = append(imported, a)
		}
	}
	first, _ := st.OpsSince(ctx, 3, 0, 1)
	if len(imported) != 1 || imported[0].Layer != "model" || imported[0].Quote != "40 died." || len(first) != 1 || first[0].Seq != 1 || first[0].Ann.Layer != "model" {
		t.Errorf("imported span = %+v", snap)
	}
	users, _ := st.Users(ctx)
	for _, u := range users {
		if u.SiteAdmin != (u.Name == "boss") {
			t.Errorf("user %s site admin = %v", u.Name, u.SiteAdmin)
		}
	}
	_, hash, _ := st.UserByName(ctx, "ann2")
	if !auth.CheckPassword(hash, "password-of-ann2") {
		t.Error("the password from standard input was not set")
	}
	st.Close()

	lines := strings.Split(strings.TrimSpace(mustGloss(t, "", "member", "list", "-db", db, "-project", id)), "\n")
	if len(lines) != 5 || lines[0] != "ann1\tannotator" {
		t.Errorf("member list = %q", lines)
	}
}

func TestImportRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gloss.db")
	mustGloss(t, "", "project", "create", "-db", db, "-name", "p")
	good := filepath.Join(dir, "good.txt")
	os.WriteFile(good, []byte("fine"), 0o644)
	tests := []struct{ file, data, want string }{
		{"empty.txt", "", "empty.txt: the file is empty"},
		{"latin1.txt", "ok\ncaf\xe9", "latin1.txt, line 2: not valid UTF-8: byte 0xe9 at byte offset 6"},
		{"spans.jsonl", "{\"text\":\"abc\"}\n{\"text\":\"abc\",\"spans\":[{\"start\":0,\"end\":1,\"label\":\"opinion\"}]}", `spans.jsonl, line 2: span 1: label "opinion"`},
		{"doc.pdf", "%PDF", "unsupported file type"},
	}
	for _, tc := range tests {
		bad := filepath.Join(dir, tc.file)
		os.WriteFile(bad, []byte(tc.data), 0o644)
		_, _, err := gloss(t, "", "import", "-db", db, "-project", "1", good, bad)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.file, err, tc.want)
		}
	}
	out := mustGloss(t, "", "project", "list", "-db", db)
	if got := strings.Fields(strings.Split(out, "\n")[1]); strings.Join(got, " ") != "1 p 0 0" {
		t.Errorf("after refused imports the project should have no documents:\n%s", out)
	}
}

func TestTokenCLI(t *testing.T) {
	db := filepath.Join(t.TempDir(), "gloss.db")
	mustGloss(t, "a-password\n", "user", "add", "-db", db, "-name", "alice")
	out, msg, err := gloss(t, "", "token", "create", "-db", db, "-name", "alice", "-label", "ci")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out)
	if len(token) < 40 || strings.Contains(token, " ") || !strings.Contains(msg, "shown only now") {
		t.Fatalf("token create printed %q / %q", out, msg)
	}
	ctx := context.Background()
	st, _ := store.OpenSQLite(ctx, db)
	sess, err := st.SessionByAPIToken(ctx, auth.TokenHash(token))
	st.Close()
	if err != nil || sess.User.Name != "alice" {
		t.Fatalf("the printed token does not authenticate alice: %v", err)
	}
	if list := mustGloss(t, "", "token", "list", "-db", db); !strings.Contains(list, "alice") || strings.Contains(list, token) {
		t.Errorf("token list = %q", list)
	}
	mustGloss(t, "", "token", "revoke", "-db", db, "-id", "1")
	st, _ = store.OpenSQLite(ctx, db)
	_, err = st.SessionByAPIToken(ctx, auth.TokenHash(token))
	st.Close()
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoked token still works: %v", err)
	}
	if _, _, err := gloss(t, "", "token", "create", "-db", db, "-name", "alice"); err == nil {
		t.Error("token create without -label succeeded")
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"import", "-h"}, {"user", "add", "-h"}, {"token", "create", "-h"}, {"assign", "-h"}, {"member", "set", "-h"}, {"project", "create", "-h"}, {"serve", "-h"}, {"export", "-h"}, {"user", "-h"}} {
		_, errOut, err := gloss(t, "", args...)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut, "usage") && !strings.Contains(errOut, "Usage") {
			t.Errorf("gloss %s: %v, %q", strings.Join(args, " "), err, errOut)
		}
	}
	if _, _, err := gloss(t, "", "user", "add", "-name", "x y", "-db", filepath.Join(t.TempDir(), "g.db")); err == nil {
		t.Error("a user name with a space was accepted")
	}
}

// TestMemberLastAdmin: the CLI obeys the same last-admin rule as the API,
// because both go through package manage.
func TestMemberLastAdmin(t *testing.T) {
	db := filepath.Join(t.TempDir(), "gloss.db")
	mustGloss(t, "pw-boss-1234\n", "user", "add", "-db", db, "-name", "boss")
	mustGloss(t, "pw-ann-12345\n", "user", "add", "-db", db, "-name", "ann")
	id := strings.TrimSpace(mustGloss(t, "", "project", "create", "-db", db, "-name", "P", "-admin", "boss"))
	for _, args := range [][]string{
		{"member", "remove", "-db", db, "-project", id, "-name", "boss"},
		{"member", "set", "-db", db, "-project", id, "-name", "boss", "-role", "annotator"},
	} {
		if _, _, err := gloss(t, "", args...); err == nil || !strings.Contains(err.Error(), "only admin") {
			t.Errorf("gloss %s: err = %v, want the last-admin refusal", strings.Join(args, " "), err)
		}
	}
	if list := mustGloss(t, "", "member", "list", "-db", db, "-project", id); !strings.Contains(list, "boss\tadmin") {
		t.Errorf("after the refusals, member list = %q, want boss still admin", list)
	}
	// With a second admin, the first may step down.
	mustGloss(t, "", "member", "set", "-db", db, "-project", id, "-name", "ann", "-role", "admin")
	mustGloss(t, "", "member", "set", "-db", db, "-project", id, "-name", "boss", "-role", "annotator")
}

// TestExportReportsWriteErrors: an export to a file that cannot be
// written fails instead of reporting success.
func TestExportReportsWriteErrors(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	db := filepath.Join(t.TempDir(), "gloss.db")
	mustGloss(t, "pw-boss-1234\n", "user", "add", "-db", db, "-name", "boss")
	id := strings.TrimSpace(mustGloss(t, "", "project", "create", "-db", db, "-name", "P", "-admin", "boss"))
	txt := filepath.Join(t.TempDir(), "a.txt")
	os.WriteFile(txt, []byte(strings.Repeat("Officials said 40 people died. ", 2000)), 0o644)
	mustGloss(t, "", "import", "-db", db, "-project", id, txt)
	if _, _, err := gloss(t, "", "export", "-db", db, "-project", id, "-o", "/dev/full"); err == nil {
		t.Fatal("export to /dev/full reported success")
	}
}
