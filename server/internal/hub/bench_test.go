package hub_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"gloss/server/internal/synctest"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// The benchmarks run server and clients in one process (except the
// clients of BenchmarkIdleMemory), so that sending and receiving share a
// clock; the clients are lean (they recognise messages by prefix instead
// of decoding them) to leave the CPU to the server. Each runs a fixed
// scenario once, whatever b.N; `make bench-sync` runs them with
// -benchtime 1x.

// BenchmarkFanout measures how long an op takes from its sender to every
// other client of the document: 200 clients, 200 ops/s in total, ~5 s.
func BenchmarkFanout(b *testing.B) {
	const clients, rate, duration = 200, 200, 5 * time.Second
	raiseFileLimit(b)
	s := synctest.NewServer(b, synctest.Options{})
	cs := benchClients(b, s, "fan", clients)
	total := int(rate * duration / time.Second)
	sentAt := make([]atomic.Int64, total) // unix nanoseconds
	lat := make([][]time.Duration, clients)
	perOp := make([][]int64, clients) // op index of each latency sample
	var received sync.WaitGroup
	received.Add(clients)
	for i, c := range cs {
		got := 0
		lat[i] = make([]time.Duration, 0, total)
		perOp[i] = make([]int64, 0, total)
		c.onMessage = func(msg []byte) {
			id, ok := opIDPrefix(msg, `{"type":"op","op":{"id":"p`)
			if !ok {
				return
			}
			k, err := strconv.Atoi(id)
			if err != nil || k >= total {
				b.Errorf("unexpected op %q", id)
				return
			}
			if k%clients != i { // others' ops only
				lat[i] = append(lat[i], time.Duration(time.Now().UnixNano()-sentAt[k].Load()))
				perOp[i] = append(perOp[i], int64(k))
			}
			if got++; got == total {
				received.Done()
			}
		}
	}
	for _, c := range cs {
		c.start()
	}

	b.ResetTimer()
	start := time.Now()
	interval := time.Second / rate
	text, n := s.Doc.Text, len([]rune(s.Doc.Text))
	for k := range total {
		time.Sleep(time.Until(start.Add(time.Duration(k) * interval)))
		c := cs[k%clients]
		st := k % (n - 20)
		msg := raw(synctest.Add(fmt.Sprintf("p%d", k), fmt.Sprintf("a%d", k), "claim", text, st, st+10))
		sentAt[k].Store(time.Now().UnixNano())
		if err := c.conn.WriteMessage(websocket.TextMessage, msg); err != nil {
			b.Fatal(err)
		}
	}
	if !waitTimeout(&received, 30*time.Second) {
		b.Fatal("not every client received every op")
	}
	b.StopTimer()

	var all []time.Duration
	last := make([]time.Duration, total) // per op, the slowest receiver
	for i := range lat {
		all = append(all, lat[i]...)
		for j, k := range perOp[i] {
			last[k] = max(last[k], lat[i][j])
		}
	}
	reportLatency(b, "", all)
	reportLatency(b, "all-", last)
	b.Logf("%d ops to %d clients in %v: %d deliveries", total, clients, time.Since(start).Round(time.Millisecond), len(all))
}

// BenchmarkThroughput measures acknowledged, durably committed ops per
// second: 50 clients on one document, each with one op in flight (the
// next goes when the last is acknowledged), ~5 s, SQLite with
// synchronous=FULL.
func BenchmarkThroughput(b *testing.B) {
	const clients, duration = 50, 5 * time.Second
	raiseFileLimit(b)
	s := synctest.NewServer(b, synctest.Options{})
	cs := benchClients(b, s, "tp", clients)
	text := s.Doc.Text
	n := len([]rune(text))
	var acked atomic.Int64
	var stopped atomic.Bool
	var idle sync.WaitGroup
	idle.Add(clients)
	for i, c := range cs {
		// Each client cycles one annotation through add, relabel and
		// delete, taking the version from the ack.
		step, version := 0, int64(0)
		next := func() []byte {
			k := step / 3
			id, st := fmt.Sprintf("c%d-%d", i, step), (i*37+k)%(n-20)
			ann := fmt.Sprintf("c%d-a%d", i, k)
			switch step % 3 {
			case 0:
				return raw(synctest.Add(id, ann, "claim", text, st, st+8))
			case 1:
				return raw(synctest.Update(id, ann, version, "figure", text, st, st+8))
			default:
				return raw(synctest.Delete(id, ann, version))
			}
		}
		prefix := `{"type":"ack","opId":"c` + strconv.Itoa(i) + "-"
		c.first = next()
		c.onMessage = func(msg []byte) {
			if !bytes.HasPrefix(msg, []byte(prefix)) {
				if bytes.HasPrefix(msg, []byte(`{"type":"error"`)) {
					b.Errorf("client %d: %s", i, msg)
				}
				return
			}
			var ack protocol.Message
			if err := json.Unmarshal(msg, &ack); err != nil {
				b.Error(err)
				return
			}
			acked.Add(1)
			version = ack.Version
			step++
			if stopped.Load() {
				idle.Done()
				return
			}
			if err := c.conn.WriteMessage(websocket.TextMessage, next()); err != nil {
				b.Error(err)
			}
		}
	}
	for _, c := range cs {
		c.start()
	}
	b.ResetTimer()
	start := time.Now()
	for _, c := range cs {
		if err := c.conn.WriteMessage(websocket.TextMessage, c.first); err != nil {
			b.Fatal(err)
		}
	}
	time.Sleep(duration)
	stopped.Store(true)
	elapsed := time.Since(start)
	n0 := acked.Load()
	if !waitTimeout(&idle, 30*time.Second) {
		b.Fatal("ops in flight were not acknowledged")
	}
	b.StopTimer()
	snap := s.Snapshot(s.Doc.ID)
	if snap.Seq != acked.Load() {
		b.Fatalf("store at seq %d, %d ops acknowledged", snap.Seq, acked.Load())
	}
	b.ReportMetric(float64(n0)/elapsed.Seconds(), "ops/s")
	b.Logf("%d ops acknowledged in %v by %d clients", n0, elapsed.Round(time.Millisecond), clients)
}

// BenchmarkIdleMemory measures the server's memory per idle connection:
// 1,000 clients connected to one document and welcomed. The clients run
// in a child process (this test binary again, see TestMain), so that what
// is measured here — heap and stacks in use after GC, before and after
// they connect — is the server's share alone: the hub's clients, gorilla's
// connections, their goroutines, the room's entries.
func BenchmarkIdleMemory(b *testing.B) {
	const clients = 1000
	if os.Getenv("GLOSS_BENCH_HEAPPROFILE") != "" {
		runtime.MemProfileRate = 1
	}
	raiseFileLimit(b)
	s := synctest.NewServer(b, synctest.Options{})
	for i := range clients {
		s.AddUser(fmt.Sprintf("idle%04d", i), model.RoleAnnotator)
	}
	before, g0 := memInUse()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), idleEnv+"="+s.URL("idle")+fmt.Sprintf(" %d %d", clients, s.Doc.ID))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close() // tells the child to end
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ready") {
		b.Fatalf("client process: %q %v", line, err)
	}
	after, g1 := memInUse()
	b.StopTimer()
	if f := os.Getenv("GLOSS_BENCH_HEAPPROFILE"); f != "" {
		w, err := os.Create(f)
		if err != nil {
			b.Fatal(err)
		}
		pprof.Lookup("heap").WriteTo(w, 0)
		w.Close()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.Logf("heap in use %d, stacks in use %d", ms.HeapInuse, ms.StackInuse)
	per := float64(after-before) / clients
	b.ReportMetric(per/1024, "KiB/conn")
	b.ReportMetric(float64(g1-g0)/clients, "goroutines/conn")
	b.Logf("%d connections: heap+stacks in use %.1f MiB → %.1f MiB; client process: %s",
		clients, float64(before)/(1<<20), float64(after)/(1<<20), strings.TrimSpace(line))
}

// idleEnv, set, makes the test binary the client process of
// BenchmarkIdleMemory: "URL N DOC", where URL is the websocket URL with
// the user name prefix at its end.
const idleEnv = "GLOSS_BENCH_IDLE_CLIENTS"

func TestMain(m *testing.M) {
	if spec := os.Getenv(idleEnv); spec != "" {
		if err := idleClients(spec); err != nil {
			fmt.Fprintln(os.Stderr, "idle clients:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// idleClients connects N clients, says hello, waits until each has been
// welcomed and has seen a presence listing all N (so the server has
// nothing left to send), prints "ready" and waits for stdin to close.
func idleClients(spec string) error {
	var url string
	var n int
	var doc int64
	if _, err := fmt.Sscan(spec, &url, &n, &doc); err != nil {
		return err
	}
	raiseFileLimit(nil)
	var ready sync.WaitGroup
	ready.Add(n)
	errc := make(chan error, n)
	sem := make(chan struct{}, 32)
	start := time.Now()
	for i := range n {
		sem <- struct{}{}
		go func() {
			conn, _, err := websocket.DefaultDialer.Dial(fmt.Sprintf("%s%04d", url, i), nil)
			<-sem
			if err != nil {
				errc <- err
				return
			}
			if err := conn.WriteMessage(websocket.TextMessage, raw(hello(doc))); err != nil {
				errc <- err
				return
			}
			done := false
			for {
				_, msg, err := conn.ReadMessage()
				if err != nil {
					if !done {
						errc <- err
					}
					return
				}
				if !done && bytes.HasPrefix(msg, []byte(`{"type":"presence"`)) && bytes.Count(msg, []byte(`"user":`)) == n {
					done = true
					ready.Done()
				}
			}
		}()
	}
	go func() { ready.Wait(); errc <- nil }()
	if err := <-errc; err != nil {
		return err
	}
	fmt.Printf("ready: %d clients welcomed in %v\n", n, time.Since(start).Round(time.Millisecond))
	io.Copy(io.Discard, os.Stdin)
	return nil
}

func memInUse() (uint64, int) {
	var ms runtime.MemStats
	for range 10 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse + ms.StackInuse, runtime.NumGoroutine()
}

// benchClient is a lean websocket client: a reader goroutine hands every
// message to onMessage without decoding it.
type benchClient struct {
	conn      *websocket.Conn
	onMessage func([]byte)
	first     []byte
}

// benchClients connects n clients as users prefix000…, each a member,
// and waits until every one of them has been welcomed and has seen all n
// in a presence message, so that joining is over when the benchmark
// starts.
func benchClients(b *testing.B, s *synctest.Server, prefix string, n int) []*benchClient {
	cs := make([]*benchClient, n)
	for i := range cs {
		name := fmt.Sprintf("%s%03d", prefix, i)
		s.AddUser(name, model.RoleAnnotator)
		c := dial(b, s.URL(name), nil)
		if err := c.Send(hello(s.Doc.ID)); err != nil {
			b.Fatal(err)
		}
		cs[i] = &benchClient{conn: c.Conn}
	}
	for _, c := range cs {
		for {
			_, msg, err := c.conn.ReadMessage()
			if err != nil {
				b.Fatal(err)
			}
			if bytes.HasPrefix(msg, []byte(`{"type":"presence"`)) && bytes.Count(msg, []byte(`"user":`)) == n {
				break
			}
		}
	}
	return cs
}

func (c *benchClient) start() {
	go func() {
		var buf bytes.Buffer
		for {
			_, r, err := c.conn.NextReader()
			if err != nil {
				return
			}
			buf.Reset()
			if _, err := buf.ReadFrom(r); err != nil {
				return
			}
			c.onMessage(buf.Bytes())
		}
	}()
}

// opIDPrefix returns what follows prefix in msg up to the next quote.
func opIDPrefix(msg []byte, prefix string) (string, bool) {
	if !bytes.HasPrefix(msg, []byte(prefix)) {
		return "", false
	}
	rest := msg[len(prefix):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return "", false
	}
	return string(rest[:end]), true
}

func reportLatency(b *testing.B, prefix string, ds []time.Duration) {
	if len(ds) == 0 {
		b.Fatal("no latency samples")
	}
	slices.Sort(ds)
	q := func(p float64) float64 {
		return float64(ds[min(len(ds)-1, int(p*float64(len(ds))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(q(0.50), prefix+"p50-ms")
	b.ReportMetric(q(0.95), prefix+"p95-ms")
	b.ReportMetric(q(0.99), prefix+"p99-ms")
	b.ReportMetric(float64(ds[len(ds)-1])/float64(time.Millisecond), prefix+"max-ms")
}

func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// raiseFileLimit lifts the soft limit on open files to the hard one: a
// thousand connections need two thousand descriptors in one process.
func raiseFileLimit(b *testing.B) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil && b != nil {
			b.Logf("raise open file limit: %v", err)
		}
	}
}
