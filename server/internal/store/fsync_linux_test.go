package store

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestRingSyncer fsyncs through io_uring more times than the ring has
// entries (its indexes wrap), and reads the kernel's error for a
// descriptor that is not open. Where io_uring is refused the store uses
// File.Sync, and the test says so.
func TestRingSyncer(t *testing.T) {
	r, err := newRingSyncer()
	if err != nil {
		t.Skipf("io_uring not available here (the store falls back to File.Sync): %v", err)
	}
	defer r.close()
	f, err := os.Create(filepath.Join(t.TempDir(), "wal"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := range 3 * int(r.p.sqEntries) {
		if _, err := f.Write([]byte("frame")); err != nil {
			t.Fatal(err)
		}
		if err := r.fsync(f.Fd()); err != nil {
			t.Fatalf("fsync %d: %v", i, err)
		}
	}
	closed, err := os.Create(filepath.Join(t.TempDir(), "closed"))
	if err != nil {
		t.Fatal(err)
	}
	fd := closed.Fd()
	closed.Close()
	if err := r.fsync(fd); !errors.Is(err, syscall.EBADF) {
		t.Errorf("fsync of a closed descriptor: %v, want EBADF", err)
	}
	if err := r.fsync(f.Fd()); err != nil {
		t.Errorf("fsync after an error: %v", err)
	}
	// Many in flight at once (more than the ring's entries): each gets
	// its own completion.
	errs := make(chan error, 64)
	for range 64 {
		go func() { errs <- r.fsync(f.Fd()) }()
	}
	for range 64 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent fsync: %v", err)
		}
	}
}
