package pgtest

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// owner is the OS user the server runs as when that is not us.
type owner struct{ uid, gid int }

// serverOwner returns nil (ourselves) unless we are root, whom initdb and
// postgres refuse; then it returns the postgres user that the Debian
// package creates.
func serverOwner() (*owner, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, and there is no postgres user to run the server as: %w", err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("postgres user has uid %q, gid %q", u.Uid, u.Gid)
	}
	return &owner{uid, gid}, nil
}

// sysProcAttr makes a command run as o.
func (o *owner) sysProcAttr() *syscall.SysProcAttr {
	if o == nil {
		return nil
	}
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(o.uid), Gid: uint32(o.gid)}}
}

// chown gives path to the server's owner, who must write in it.
func (s *server) chown(path string) error {
	if s.owner == nil {
		return nil
	}
	if err := os.Chown(path, s.owner.uid, s.owner.gid); err != nil {
		return fmt.Errorf("give %s to the postgres user: %w", path, err)
	}
	return nil
}

// dieWithParent asks the kernel to send the server SIGINT (fast shutdown)
// when the thread that started it exits.
func dieWithParent(a *syscall.SysProcAttr) *syscall.SysProcAttr {
	if a == nil {
		a = &syscall.SysProcAttr{}
	}
	a.Pdeathsig = syscall.SIGINT
	return a
}
