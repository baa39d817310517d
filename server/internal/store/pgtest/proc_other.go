//go:build !linux

package pgtest

import (
	"errors"
	"os"
	"syscall"
)

// owner is the OS user the server runs as when that is not us. Switching
// users is implemented for Linux only; elsewhere tests run as a regular
// user, whom postgres accepts.
type owner struct{}

func serverOwner() (*owner, error) {
	if os.Geteuid() == 0 {
		return nil, errors.New("initdb refuses to run as root; run the tests as a regular user")
	}
	return nil, nil
}

func (o *owner) sysProcAttr() *syscall.SysProcAttr { return nil }

func (s *server) chown(path string) error { return nil }

// dieWithParent has no portable equivalent of Linux's Pdeathsig: a test
// binary killed by a timeout leaves its server running.
func dieWithParent(a *syscall.SysProcAttr) *syscall.SysProcAttr { return a }
