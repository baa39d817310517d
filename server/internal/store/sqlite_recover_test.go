package store_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"gloss/server/internal/store"
)

// mount runs mount(8) with args, skipping the test where it cannot (not
// root, no mount namespace): root ignores file modes, so a read-only file
// and a full disk are made with mounts, which only root may do.
func mount(t *testing.T, args ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: a read-only file or a full disk is made with mount(8)")
	}
	if out, err := exec.Command("mount", args...).CombinedOutput(); err != nil {
		t.Skipf("mount %v: %v: %s", args, err, out)
	}
}

// tmpfs mounts a small tmpfs of size bytes on a new directory.
func tmpfs(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	mount(t, "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir)
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// eventually retries f until it succeeds or the store's recovery (which
// backs off up to 5 s) has had time to act.
func eventually(t *testing.T, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still failing: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond) // polling a condition, not synchronising goroutines
	}
}

// TestSQLiteReadOnlyFileRecovers: started on a file it cannot write (as a
// chmod 444 does for a non-root user: here a read-only bind mount of the
// file), the store reads, refuses writes with an error, and writes again
// without a restart once the file is writable.
func TestSQLiteReadOnlyFileRecovers(t *testing.T) {
	dir := tmpfs(t, 16<<20)
	path := filepath.Join(dir, "gloss.db")
	s, err := store.OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(t.Context(), "alice", []byte("h")); err != nil {
		t.Fatal(err)
	}
	s.Close()

	mount(t, "--bind", path, path)
	t.Cleanup(func() { exec.Command("umount", "-l", path).Run() })
	mount(t, "-o", "remount,bind,ro", path)

	s, err = store.OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatalf("a read-only file must not stop the server: %v", err)
	}
	defer s.Close()
	if _, _, err := s.UserByName(t.Context(), "alice"); err != nil {
		t.Fatalf("read from a read-only file: %v", err)
	}
	if _, err := s.CreateUser(t.Context(), "bob", []byte("h")); err == nil {
		t.Fatal("a write to a read-only file succeeded")
	}

	mount(t, "-o", "remount,bind,rw", path)
	eventually(t, "write after the file became writable", func() error {
		_, err := s.CreateUser(t.Context(), "bob", []byte("h"))
		return err
	})
	if _, _, err := s.UserByName(t.Context(), "bob"); err != nil {
		t.Fatalf("written user not read back: %v", err)
	}
}

// TestSQLiteFullDiskRecovers: with the disk full, commits fail (nothing
// half-written) and succeed again once there is room.
func TestSQLiteFullDiskRecovers(t *testing.T) {
	dir := tmpfs(t, 4<<20)
	s, err := store.OpenSQLite(t.Context(), filepath.Join(dir, "gloss.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateUser(t.Context(), "alice", []byte("h")); err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(dir, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	for { // fill the disk
		if _, err := f.Write(bytes.Repeat([]byte{'x'}, 64<<10)); err != nil {
			break
		}
	}
	f.Close()
	big := bytes.Repeat([]byte{'y'}, 256<<10) // more than the last page of room
	if _, err := s.CreateUser(t.Context(), "bob", big); err == nil {
		t.Fatal("a write to a full disk succeeded")
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	eventually(t, "write after room was made", func() error {
		_, err := s.CreateUser(t.Context(), "bob", big)
		return err
	})
	if _, _, err := s.UserByName(t.Context(), "alice"); err != nil {
		t.Fatalf("data lost after a full disk: %v", err)
	}
}
