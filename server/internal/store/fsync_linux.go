package store

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// An fsync through io_uring, so that waiting for the disk holds no thread
// of the Go runtime.
//
// A goroutine in a system call keeps its P (the right to run Go code)
// until sysmon takes it back, after anything from 20 µs to 10 ms; on a
// server with one P — pinned to one core — nothing else runs meanwhile. An
// execution trace of the saturating load (BENCHMARKS.md) had the server's
// only P held by an fsync of the WAL, and nothing running, for 23 % of the
// time, while the room had work queued for it. Here the fsync is queued
// to the kernel, which runs it in a worker thread of the process, and the
// goroutine waits for the ring's eventfd in the runtime's poller, where a
// wait costs no thread and no P. Where io_uring is not allowed (an older
// kernel, a seccomp profile) the file's own Sync is used.

// ringSyncer owns one io_uring. Any number of fsyncs may be in flight:
// each waits for its own completion, which a reaper goroutine hands over.
type ringSyncer struct {
	mu      sync.Mutex // guards the submission ring, next and waiters
	next    uint64
	waiters map[uint64]chan error
	ring    int
	event   *os.File // eventfd the kernel signals completions on
	sq      []byte   // the submission ring
	cq      []byte   // the completion ring (may be sq: IORING_FEAT_SINGLE_MMAP)
	sqes    []byte
	p       uringParams
	reaped  chan struct{} // closed when the reaper has stopped
	// slots bounds the fsyncs in flight by the completion ring's size:
	// completions that overflow it wait in the kernel, unsignalled.
	slots chan struct{}
}

type uringParams struct {
	sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFD uint32
	resv                                                                   [3]uint32
	sqOff                                                                  struct {
		head, tail, ringMask, ringEntries, flags, dropped, array, resv1 uint32
		userAddr                                                        uint64
	}
	cqOff struct {
		head, tail, ringMask, ringEntries, overflow, cqes, flags, resv1 uint32
		userAddr                                                        uint64
	}
}

const (
	sysIOUringSetup    = 425
	sysIOUringEnter    = 426
	sysIOUringRegister = 427

	uringOffSQRing       = 0
	uringOffCQRing       = 0x8000000
	uringOffSQEs         = 0x10000000
	uringFeatSingleMmap  = 1 << 0
	uringOpFsync         = 3
	uringRegisterEventFD = 4
	uringSQESize         = 64
	uringCQESize         = 16
)

// newRingSyncer sets up the ring, or returns an error (the caller falls
// back to File.Sync).
func newRingSyncer() (_ *ringSyncer, err error) {
	r := &ringSyncer{ring: -1, waiters: map[uint64]chan error{}}
	defer func() {
		if err != nil {
			r.close()
		}
	}()
	fd, _, errno := syscall.Syscall(sysIOUringSetup, 16, uintptr(unsafe.Pointer(&r.p)), 0)
	if errno != 0 {
		return nil, fmt.Errorf("store: io_uring_setup: %w", errno)
	}
	r.ring = int(fd)
	sqSize := int(r.p.sqOff.array + r.p.sqEntries*4)
	cqSize := int(r.p.cqOff.cqes + r.p.cqEntries*uringCQESize)
	single := r.p.features&uringFeatSingleMmap != 0
	if single {
		sqSize = max(sqSize, cqSize)
	}
	if r.sq, err = syscall.Mmap(r.ring, uringOffSQRing, sqSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED|syscall.MAP_POPULATE); err != nil {
		return nil, fmt.Errorf("store: io_uring: map the submission ring: %w", err)
	}
	r.cq = r.sq
	if !single {
		if r.cq, err = syscall.Mmap(r.ring, uringOffCQRing, cqSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED|syscall.MAP_POPULATE); err != nil {
			return nil, fmt.Errorf("store: io_uring: map the completion ring: %w", err)
		}
	}
	if r.sqes, err = syscall.Mmap(r.ring, uringOffSQEs, int(r.p.sqEntries)*uringSQESize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED|syscall.MAP_POPULATE); err != nil {
		return nil, fmt.Errorf("store: io_uring: map the submission entries: %w", err)
	}
	efd, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0, syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if errno != 0 {
		return nil, fmt.Errorf("store: eventfd: %w", errno)
	}
	// os.NewFile on a non-blocking descriptor registers it with the
	// runtime's poller: a Read parks the goroutine, not the thread.
	r.event = os.NewFile(efd, "io_uring eventfd")
	e := int32(efd)
	if _, _, errno := syscall.Syscall6(sysIOUringRegister, uintptr(r.ring), uringRegisterEventFD, uintptr(unsafe.Pointer(&e)), 1, 0, 0); errno != 0 {
		return nil, fmt.Errorf("store: io_uring: register the eventfd: %w", errno)
	}
	r.reaped, r.slots = make(chan struct{}), make(chan struct{}, r.p.cqEntries)
	go r.reap()
	return r, nil
}

func (r *ringSyncer) u32(b []byte, off uint32) *uint32 {
	return (*uint32)(unsafe.Pointer(&b[off]))
}

// fsync fsyncs fd and waits for it without holding a thread.
func (r *ringSyncer) fsync(fd uintptr) error {
	r.slots <- struct{}{}
	defer func() { <-r.slots }()
	done := make(chan error, 1)
	r.mu.Lock()
	r.next++
	token := r.next
	mask := *r.u32(r.sq, r.p.sqOff.ringMask)
	tail := atomic.LoadUint32(r.u32(r.sq, r.p.sqOff.tail))
	i := tail & mask
	sqe := r.sqes[int(i)*uringSQESize : int(i+1)*uringSQESize]
	clear(sqe)
	sqe[0] = uringOpFsync
	*(*int32)(unsafe.Pointer(&sqe[4])) = int32(fd)
	*(*uint64)(unsafe.Pointer(&sqe[32])) = token // user_data
	*r.u32(r.sq, r.p.sqOff.array+4*i) = i
	atomic.StoreUint32(r.u32(r.sq, r.p.sqOff.tail), tail+1)
	var err error
	for {
		n, _, errno := syscall.Syscall6(sysIOUringEnter, uintptr(r.ring), 1, 0, 0, 0, 0)
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			err = fmt.Errorf("store: io_uring_enter: %w", errno)
		} else if n != 1 {
			err = fmt.Errorf("store: io_uring_enter: %d submitted", n)
		}
		break
	}
	if err != nil {
		// Not submitted: take the entry back.
		atomic.StoreUint32(r.u32(r.sq, r.p.sqOff.tail), tail)
		r.mu.Unlock()
		return err
	}
	r.waiters[token] = done
	r.mu.Unlock()
	return <-done
}

// reap hands every completion to its waiter, until the eventfd is closed;
// then it fails the waiters left.
func (r *ringSyncer) reap() {
	defer close(r.reaped)
	var buf [8]byte
	for {
		for {
			head := atomic.LoadUint32(r.u32(r.cq, r.p.cqOff.head))
			if head == atomic.LoadUint32(r.u32(r.cq, r.p.cqOff.tail)) {
				break
			}
			cmask := *r.u32(r.cq, r.p.cqOff.ringMask)
			cqe := r.cq[r.p.cqOff.cqes+(head&cmask)*uringCQESize:]
			token := *(*uint64)(unsafe.Pointer(&cqe[0]))
			res := *(*int32)(unsafe.Pointer(&cqe[8]))
			atomic.StoreUint32(r.u32(r.cq, r.p.cqOff.head), head+1)
			var err error
			if res < 0 {
				err = &os.PathError{Op: "fsync", Path: "io_uring", Err: syscall.Errno(-res)}
			}
			r.mu.Lock()
			done := r.waiters[token]
			delete(r.waiters, token)
			r.mu.Unlock()
			if done != nil {
				done <- err
			}
		}
		// Wait for the kernel's signal (the read resets its counter; a
		// completion after the look above signals again).
		if _, err := r.event.Read(buf[:]); err != nil {
			r.mu.Lock()
			for token, done := range r.waiters {
				done <- fmt.Errorf("store: io_uring: closed: %w", err)
				delete(r.waiters, token)
			}
			r.mu.Unlock()
			return
		}
	}
}

func (r *ringSyncer) close() {
	if r.event != nil {
		r.event.Close()
	}
	if r.reaped != nil {
		<-r.reaped // it reads the rings
	}
	if r.sqes != nil {
		syscall.Munmap(r.sqes)
	}
	if r.cq != nil && (r.sq == nil || &r.cq[0] != &r.sq[0]) {
		syscall.Munmap(r.cq)
	}
	if r.sq != nil {
		syscall.Munmap(r.sq)
	}
	if r.ring >= 0 {
		syscall.Close(r.ring)
	}
}
