//go:build !linux

package store

import "errors"

// ringSyncer is io_uring's fsync (fsync_linux.go): Linux only.
type ringSyncer struct{}

func newRingSyncer() (*ringSyncer, error) { return nil, errors.New("store: io_uring is Linux only") }

func (*ringSyncer) fsync(uintptr) error { return errors.ErrUnsupported }

func (*ringSyncer) close() {}
