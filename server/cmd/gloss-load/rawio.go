package main

import (
	"io"
	"net"
	"syscall"
	"unsafe"
)

// rawIO reads and writes a socket with raw system calls on its
// non-blocking descriptor, waiting in the runtime's poller only when the
// socket has nothing to read or no room: a read or write that goes
// through the runtime's syscall path hands its P over to another thread
// if it lasts past a sysmon tick, and on loopback a write runs the
// receiving side's TCP too — with one P (the tool is pinned to one core)
// that meant thread switches around most writes and sysmon waking every
// 20 µs, 41 % of the tool's CPU in context switches in a profile.
type rawIO struct {
	rc syscall.RawConn
}

// newRawIO returns nc's raw reader/writer, or nc itself when it has no
// descriptor.
func newRawIO(nc net.Conn) io.ReadWriter {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nc
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nc
	}
	return rawIO{rc}
}

func (r rawIO) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var rerr error
	err := r.rc.Read(func(fd uintptr) bool {
		for {
			m, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
			switch e {
			case 0:
				n = int(m)
				if n == 0 {
					rerr = io.EOF
				}
				return true
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false // nothing yet: wait in the poller
			default:
				rerr = e
				return true
			}
		}
	})
	if err == nil {
		err = rerr
	}
	return n, err
}

func (r rawIO) Write(p []byte) (int, error) {
	written := 0
	var werr error
	err := r.rc.Write(func(fd uintptr) bool {
		for written < len(p) {
			m, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[written])), uintptr(len(p)-written))
			switch e {
			case 0:
				written += int(m)
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false // full: wait until it drains
			default:
				werr = e
				return true
			}
		}
		return true
	})
	if err == nil {
		err = werr
	}
	return written, err
}
