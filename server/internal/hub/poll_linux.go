package hub

import (
	"errors"
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// epoller watches idle connections' sockets with one epoll instance for
// the process, so that an idle connection needs no goroutine blocked in
// a read. Each socket is watched one-shot: after an event it is not
// watched again until its reader re-arms it, so that one reader at a time
// reads it. (The Go runtime's own poller watches the same sockets; an
// epoll instance of our own is how a program can wait for many sockets
// without a goroutine for each.)
//
// The epoll descriptor is itself waited for by the Go runtime's poller
// (it is readable while it has events) and only ever read without
// blocking: a goroutine blocked in epoll_wait would hold the scheduler's
// P in a system call until sysmon took it back, ≥ 20 µs later each time
// — with one P (a server pinned to one core) every wait stalled all
// goroutines that long and kept sysmon waking every 20 µs (12 % of the
// server's CPU under load in a perf profile).
type epoller struct {
	fd    int
	file  *os.File // fd, registered with the runtime's poller
	mu    sync.Mutex
	conns map[uint64]*client // by client.watch, the epoll events' data
}

var (
	pollerOnce sync.Once
	thePoller  poller
)

// newPoller returns the process's poller, or nil if there is none.
func newPoller() poller {
	pollerOnce.Do(func() {
		fd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			return
		}
		if err := syscall.SetNonblock(fd, true); err != nil {
			syscall.Close(fd)
			return
		}
		f := os.NewFile(uintptr(fd), "epoll") // non-blocking: os registers it with the runtime's poller
		rc, err := f.SyscallConn()
		if err != nil {
			f.Close()
			return
		}
		p := &epoller{fd: fd, file: f, conns: map[uint64]*client{}}
		go p.run(rc)
		thePoller = p
	})
	return thePoller
}

const watchEvents = syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT

func (p *epoller) ctl(c *client, op int) error {
	sc, ok := c.nc.(syscall.Conn)
	if !ok {
		return errors.New("hub: no file descriptor")
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	var cerr error
	err = rc.Control(func(fd uintptr) {
		ev := syscall.EpollEvent{Events: watchEvents, Fd: int32(c.watch), Pad: int32(c.watch >> 32)}
		cerr = syscall.EpollCtl(p.fd, op, int(fd), &ev)
	})
	if err != nil {
		return err
	}
	return cerr
}

func (p *epoller) add(c *client) error {
	p.mu.Lock()
	p.conns[c.watch] = c
	p.mu.Unlock()
	if err := p.ctl(c, syscall.EPOLL_CTL_ADD); err != nil {
		p.mu.Lock()
		delete(p.conns, c.watch)
		p.mu.Unlock()
		return err
	}
	return nil
}

func (p *epoller) rearm(c *client) error {
	return p.ctl(c, syscall.EPOLL_CTL_MOD)
}

func (p *epoller) remove(c *client) {
	p.mu.Lock()
	delete(p.conns, c.watch)
	p.mu.Unlock()
	p.ctl(c, syscall.EPOLL_CTL_DEL) // closing the socket removes it anyway
}

// run hands ready connections to their readers. rc.Read calls its
// function when the runtime's poller says the epoll descriptor is
// readable, and again after it returned false (no event left) only when
// it is readable again.
func (p *epoller) run(rc syscall.RawConn) {
	events := make([]syscall.EpollEvent, 256)
	ready := make([]*client, 0, len(events))
	for {
		n := 0
		err := rc.Read(func(fd uintptr) bool {
			var err error
			n, err = syscall.EpollWait(int(fd), events, 0)
			return err == nil && n > 0 // EINTR or nothing ready: wait for the descriptor
		})
		if err != nil {
			return // the descriptor is closed: never, it lives as long as the process
		}
		p.mu.Lock()
		for _, ev := range events[:n] {
			if c := p.conns[uint64(uint32(ev.Fd))|uint64(uint32(ev.Pad))<<32]; c != nil {
				ready = append(ready, c)
			}
		}
		p.mu.Unlock()
		for i, c := range ready {
			c.readable()
			ready[i] = nil
		}
		ready = ready[:0]
	}
}

// writeNow writes as much of frames as the socket takes without waiting
// (one writev while the kernel has room) and returns what is left.
func writeNow(rc syscall.RawConn, frames [][]byte) ([][]byte, error) {
	w := vecWriters.Get().(*vecWriter)
	w.frames, w.err = frames, nil
	err := rc.Write(w.fn)
	frames, werr := w.frames, w.err
	w.frames, w.err = nil, nil
	vecWriters.Put(w)
	if err == nil {
		err = werr
	}
	return frames, err
}

// vecWriter is writeNow's callback for RawConn.Write, with its state.
// Pooled, it makes a write allocate nothing: a closure, and what it
// captures, would escape to the heap on every write (≈ 100 bytes, and a
// broadcast is a write per client).
type vecWriter struct {
	frames [][]byte
	err    error
	fn     func(fd uintptr) bool // write, bound once
}

var vecWriters = sync.Pool{New: func() any {
	w := &vecWriter{}
	w.fn = w.write
	return w
}}

func (w *vecWriter) write(fd uintptr) bool {
	var iovs [64]syscall.Iovec
	for len(w.frames) > 0 {
		frames := w.frames
		if len(frames[0]) == 0 {
			w.frames = frames[1:]
			continue
		}
		k := 0
		for _, f := range frames {
			if k == len(iovs) {
				break
			}
			if len(f) > 0 {
				iovs[k].Base = &f[0]
				iovs[k].SetLen(len(f))
				k++
			}
		}
		n, _, e := syscall.Syscall(syscall.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&iovs[0])), uintptr(k))
		switch e {
		case 0:
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return true // full: the rest is writePump's
		default:
			w.err = e
			return true
		}
		for m := int(n); m > 0; {
			if m < len(frames[0]) {
				frames[0] = frames[0][m:]
				break
			}
			m -= len(frames[0])
			frames = frames[1:]
		}
		w.frames = frames
	}
	return true
}
