package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"gloss/shared/protocol"
)

// scenario is one measurement: C clients on docs (spread round-robin, as
// they are over the instances at addrs), paced or saturating.
type scenario struct {
	addrs    []string
	docs     []int64
	accounts []account
	clients  int
	mode     string // "paced" or "saturating"
	rate     int    // paced: ops per second in total
	duration time.Duration
	text     string
	procs    []*process // the servers, for their write system calls
	wire     wire       // the servers' protocol
	profile  string     // a file for the tool's CPU profile of the run, or empty
}

// result is what a scenario measured.
type result struct {
	p50, p99           float64 // fan-out: send → receipt at every other client of the document, ms
	crossP50, crossP99 float64 // the same, only receivers on another instance than the sender
	ackedPerSec        float64
	complete           bool    // every client received every op of its document
	toolCPU            float64 // the load tool's CPU use, % of one core
	toolPerMsg         float64 // the load tool's CPU time per op its clients received, µs
	opsPerRead         float64 // ops the clients received per read from their sockets
	toolSwitches       float64 // the load tool's context switches per second (its core going idle and waking)
	writesPerOp        float64 // the servers' write system calls per op
	cpuPerOp           float64 // the servers' CPU time per op, µs (from the start of the load to the last delivery)
	serverCPU          float64 // the servers' CPU use over the same time, % of one core
	errors             int64
}

// loadClient is one websocket client; its reader goroutine recognises
// messages by prefix, decoding only its own acks, to leave the CPU to the
// servers.
type loadClient struct {
	idx, inst, doc int
	ninst, ndocs   int // client i talks to instance (i / ndocs) % ninst
	conn           *wsConn
	welcomed       chan struct{}
	lastMsg        atomic.Int64          // unix ns of the last read that brought a message
	readErr        atomic.Pointer[error] // what ended the reads, nil while they go on

	// Owned by the reader goroutine: the time of the read that brought
	// the message being read, and c.op as a func value made once (a
	// closure per message would be an allocation per message).
	now  int64
	ops  int64 // ops received and not yet in received: published before each read (an atomic add per message was 6 % of the tool's CPU)
	opFn func(sender int, sentAt int64)

	// Owned by the reader goroutine while a scenario runs.
	lat      samples // ns
	cross    samples // ns, from senders on another instance
	received atomic.Int64
	onAck    func(msg []byte) // the ack of c's op, nil when it was refused
	wire     wire
	// What the wire keeps of c's ops (saturating: the step of the
	// add/relabel/delete cycle and the version acked; Hocuspocus: the
	// Yjs client id, step being its clock).
	step    int
	version int64
	ycid    uint64
	docName string
}

// dialAll connects the scenario's clients (32 dials at a time) and waits
// until each is welcomed and the servers have gone quiet (presence).
func dialAll(s *scenario, n int, errs *atomic.Int64) ([]*loadClient, error) {
	cs := make([]*loadClient, n)
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	var firstErr error
	var mu sync.Mutex
	for i := range cs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			// Clients of one document spread over the instances too.
			inst, doc := (i/len(s.docs))%len(s.addrs), i%len(s.docs)
			token := s.accounts[i%len(s.accounts)].token
			conn, err := dialWS(s.addrs[inst], s.wire.path(), s.wire.header(token), 30*time.Second)
			var c *loadClient
			if err == nil {
				c = &loadClient{idx: i, inst: inst, ninst: len(s.addrs), ndocs: len(s.docs), doc: doc, conn: conn, welcomed: make(chan struct{}), wire: s.wire}
				c.opFn = c.op
				for _, m := range s.wire.hello(c, s.docs[doc], token) {
					if err = conn.write(s.wire.frame(), m); err != nil {
						break
					}
				}
			}
			if err != nil {
				mu.Lock()
				firstErr = err
				mu.Unlock()
				return
			}
			cs[i] = c
			go c.read(errs)
		}()
	}
	wg.Wait()
	if firstErr != nil {
		closeAll(cs)
		return nil, fmt.Errorf("dial: %w", firstErr)
	}
	for _, c := range cs {
		select {
		case <-c.welcomed:
		case <-time.After(60 * time.Second):
			closeAll(cs)
			return nil, fmt.Errorf("client %d not welcomed", c.idx)
		}
	}
	quiet(cs, 300*time.Millisecond, 10*time.Second)
	return cs, nil
}

// quiet waits until no client has received anything for d (the presence
// broadcasts of the joins are over), or max has passed.
func quiet(cs []*loadClient, d, max time.Duration) {
	end := time.Now().Add(max)
	for time.Now().Before(end) {
		last := int64(0)
		for _, c := range cs {
			last = maxI(last, c.lastMsg.Load())
		}
		if time.Since(time.Unix(0, last)) >= d {
			return
		}
		time.Sleep(d / 3) // measuring silence: there is no event to wait for
	}
}

func maxI(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func closeAll(cs []*loadClient) {
	for _, c := range cs {
		if c != nil {
			c.conn.Close()
		}
	}
}

// read reads c's messages until the connection ends. A read from the
// socket brings many messages at saturation; they are timed by that read.
func (c *loadClient) read(errs *atomic.Int64) {
	welcomed := false
	c.conn.fr.idle = c.publish
	defer c.publish()
	for {
		msg, now, err := c.conn.next()
		if err != nil {
			c.readErr.Store(&err)
			return
		}
		if now != c.now {
			c.now = now
			c.lastMsg.Store(now)
		}
		kind := c.wire.classify(msg, c.opFn)
		switch kind {
		case msgAck:
			if !c.wire.echoes() {
				c.ops++ // its own op reached the document
			}
			if f := c.onAck; f != nil {
				f(msg)
			}
		case msgError, msgRefused:
			if errs.Add(1) <= 5 {
				fmt.Printf("  client %d: %q\n", c.idx, msg)
			}
			if f := c.onAck; f != nil && kind == msgRefused {
				f(nil) // the op was refused: go on with the next
			}
		case msgWelcome:
			if !welcomed {
				welcomed = true
				close(c.welcomed)
			}
		}
	}
}

// publish adds the ops counted since the last call to received, where
// the scenario reads them.
func (c *loadClient) publish() {
	if c.ops > 0 {
		c.received.Add(c.ops)
		c.ops = 0
	}
}

// op counts the receipt of sender's op, sent at sentAt, and times it.
func (c *loadClient) op(sender int, sentAt int64) {
	c.ops++
	if sender == c.idx {
		return
	}
	d := c.now - sentAt
	c.lat.add(d)
	if c.ninst > 1 && (sender/c.ndocs)%c.ninst != c.inst {
		c.cross.add(d)
	}
}

// samples are latencies in blocks of a fixed size: a client records
// hundreds of thousands a run, and a growing slice would copy them over
// and over.
type samples struct{ blocks [][]int64 }

const sampleBlock = 8192

func (s *samples) add(v int64) {
	n := len(s.blocks)
	if n == 0 || len(s.blocks[n-1]) == sampleBlock {
		s.blocks = append(s.blocks, make([]int64, 0, sampleBlock))
		n++
	}
	s.blocks[n-1] = append(s.blocks[n-1], v)
}

func (s *samples) appendTo(all []int64) []int64 {
	for _, b := range s.blocks {
		all = append(all, b...)
	}
	return all
}

// Op ids carry their sender and send time: s<sender>_<unix ns>_<n>, so
// that every receiver measures the fan-out without a shared table.
func makeOpID(sender int, n int) string {
	return "s" + strconv.Itoa(sender) + "_" + strconv.FormatInt(time.Now().UnixNano(), 10) + "_" + strconv.Itoa(n)
}

// parseOpID reads the sender and send time at the start of id (after the
// "s"), without allocating: it runs for every op at every client.
func parseOpID(id []byte) (sender int, sentAt int64, ok bool) {
	s, id, ok := cutNumber(id)
	if !ok {
		return 0, 0, false
	}
	t, _, ok := cutNumber(id)
	if !ok {
		return 0, 0, false
	}
	return int(s), t, true
}

// cutNumber reads the decimal number that starts b and ends at a "_",
// and returns what follows the "_". A send time (19 digits) is read
// eight digits at a time.
func cutNumber(b []byte) (n int64, rest []byte, ok bool) {
	if len(b) > 19 && b[19] == '_' {
		hi, ok1 := eightDigits(b)
		mid, ok2 := eightDigits(b[8:])
		d0, d1, d2 := b[16]-'0', b[17]-'0', b[18]-'0'
		u := hi*100_000_000_000 + mid*1000 + uint64(d0)*100 + uint64(d1)*10 + uint64(d2) // < 10¹⁹: no overflow
		if ok1 && ok2 && d0 <= 9 && d1 <= 9 && d2 <= 9 && u <= math.MaxInt64 {
			return int64(u), b[20:], true
		}
		return 0, nil, false
	}
	for i, ch := range b {
		switch {
		case ch >= '0' && ch <= '9' && i < 19:
			n = n*10 + int64(ch-'0')
		case ch == '_' && i > 0:
			return n, b[i+1:], true
		default:
			return 0, nil, false
		}
	}
	return 0, nil, false
}

// eightDigits reads the eight ASCII digits that start b (at least eight
// bytes) as a number, in a few multiplications of one word (Lemire, "Fast
// numerical parsing").
func eightDigits(b []byte) (uint64, bool) {
	v := binary.LittleEndian.Uint64(b)
	// Every byte is 0x30–0x39: its high half is 3, and stays 3 after 6 is
	// added to it (no byte carries into the next: each is at most 0x3f).
	if v&0xf0f0f0f0f0f0f0f0 != 0x3030303030303030 || (v+0x0606060606060606)&0xf0f0f0f0f0f0f0f0 != 0x3030303030303030 {
		return 0, false
	}
	v = (v & 0x0f0f0f0f0f0f0f0f) * 2561 >> 8
	v = (v & 0x00ff00ff00ff00ff) * 6553601 >> 16
	return (v & 0x0000ffff0000ffff) * 42949672960001 >> 32, true
}

func mustJSON(m protocol.Message) []byte {
	data, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return data
}

// run runs a scenario on connected clients.
func (s *scenario) run(cs []*loadClient, errs *atomic.Int64) result {
	var sent []atomic.Int64 = make([]atomic.Int64, len(s.docs)) // ops sent per document, by senders
	perSender := make([]atomic.Int64, len(cs))
	var acked atomic.Int64
	var stopped atomic.Bool
	var inflight sync.WaitGroup
	if s.profile != "" {
		if f, err := os.Create(s.profile); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer f.Close()
			} else {
				f.Close()
			}
		}
	}
	cpu0, sw0 := cpuTime(), switches()
	var recv0, reads0 int64
	for _, c := range cs {
		recv0 += c.received.Load()
		reads0 += c.conn.fr.reads.Load()
	}
	w0, sc0 := int64(0), time.Duration(0)
	for _, p := range s.procs {
		w0 += p.writeCalls()
		sc0 += p.cpuTime()
	}
	start := time.Now()
	var elapsed time.Duration
	var ackedN int64
	if s.mode == "paced" {
		interval := time.Second / time.Duration(s.rate)
		total := int(s.duration / interval)
		for k := range total {
			time.Sleep(time.Until(start.Add(time.Duration(k) * interval)))
			c := cs[k%len(cs)]
			sent[c.doc].Add(1)
			perSender[c.idx].Add(1)
			if err := c.conn.write(s.wire.frame(), s.wire.paced(c, k)); err != nil {
				errs.Add(1)
			}
		}
		elapsed = time.Since(start)
	} else {
		for _, c := range cs {
			inflight.Add(1)
			c.onAck = func(msg []byte) {
				if msg != nil {
					acked.Add(1)
				}
				s.wire.acked(c, msg)
				if stopped.Load() {
					inflight.Done()
					return
				}
				sent[c.doc].Add(1)
				perSender[c.idx].Add(1)
				if err := c.conn.write(s.wire.frame(), s.wire.next(c)); err != nil {
					errs.Add(1)
					inflight.Done()
				}
			}
		}
		start = time.Now()
		for _, c := range cs {
			sent[c.doc].Add(1)
			perSender[c.idx].Add(1)
			if err := c.conn.write(s.wire.frame(), s.wire.next(c)); err != nil {
				errs.Add(1)
			}
		}
		time.Sleep(s.duration) // the measured interval
		stopped.Store(true)
		elapsed = time.Since(start)
		ackedN = acked.Load()
		waitOrTimeout(&inflight, 30*time.Second)
	}
	// Delivery to every client: each must receive every op sent on its
	// document (its own included: the broadcast is how it advances).
	res := result{complete: true}
	deadline := time.Now().Add(30 * time.Second)
	for _, c := range cs {
		for c.received.Load() < sent[c.doc].Load() && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond) // the clients' readers count; poll the count
		}
		if c.received.Load() < sent[c.doc].Load() {
			res.complete = false
		}
	}
	if !res.complete {
		// Say whether the server closed connections (a slow client) or
		// ops went missing on connections still open.
		short, ended := 0, 0
		var why error
		for _, c := range cs {
			if c.received.Load() < sent[c.doc].Load() {
				short++
			}
			if p := c.readErr.Load(); p != nil {
				ended++
				why = *p
			}
		}
		fmt.Printf("  incomplete: %d of %d clients short of ops; %d connections ended (%v)\n", short, len(cs), ended, why)
	}
	toolCPU := cpuTime() - cpu0
	res.toolSwitches = float64(switches()-sw0) / time.Since(start).Seconds()
	res.toolCPU = 100 * toolCPU.Seconds() / time.Since(start).Seconds()
	if s.profile != "" {
		pprof.StopCPUProfile()
	}
	var recv, reads int64
	for _, c := range cs {
		recv += c.received.Load()
		reads += c.conn.fr.reads.Load()
	}
	if recv > recv0 {
		res.toolPerMsg = float64(toolCPU.Nanoseconds()) / 1e3 / float64(recv-recv0)
	}
	if reads > reads0 {
		res.opsPerRead = float64(recv-recv0) / float64(reads-reads0)
	}
	w1, sc1 := int64(0), time.Duration(0)
	for _, p := range s.procs {
		w1 += p.writeCalls()
		sc1 += p.cpuTime()
	}
	res.serverCPU = 100 * (sc1 - sc0).Seconds() / time.Since(start).Seconds()
	var opsN int64
	for i := range sent {
		opsN += sent[i].Load()
	}
	if opsN > 0 {
		res.writesPerOp = float64(w1-w0) / float64(opsN)
		res.cpuPerOp = float64((sc1 - sc0).Microseconds()) / float64(opsN)
	}
	var all, cross []int64
	for _, c := range cs {
		all = c.lat.appendTo(all)
		cross = c.cross.appendTo(cross)
	}
	res.p50, res.p99 = quantileMS(all, 0.5), quantileMS(all, 0.99)
	res.crossP50, res.crossP99 = quantileMS(cross, 0.5), quantileMS(cross, 0.99)
	if s.mode != "paced" {
		res.ackedPerSec = float64(ackedN) / elapsed.Seconds()
	}
	res.errors = errs.Load()
	return res
}

// quantileMS is the q-quantile of ds (ns) in ms; 0 without samples.
func quantileMS(ds []int64, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return float64(ds[min(len(ds)-1, int(q*float64(len(ds))))]) / 1e6
}

func waitOrTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// switches is the number of context switches this process's threads
// have made (voluntary and not).
func switches() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Nvcsw + ru.Nivcsw
}

// cpuTime is the CPU time (user + system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
