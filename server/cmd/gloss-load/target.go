package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gloss/server/internal/auth"
	"gloss/server/internal/cli"
	"gloss/shared/model"
)

// account is a load client's credential: an API token of a member.
type account struct{ token string }

// fixture is the database side of a run: the users (with API tokens) the
// clients log in as, and a project that documents are added to, one fresh
// set per scenario so that every scenario starts from an empty log.
type fixture struct {
	db       string
	project  model.Project
	accounts []account
}

// newFixture creates users and a project in db (a SQLite file or a
// postgres:// URL); the store is closed again before a server starts.
func newFixture(ctx context.Context, db string, users int) (*fixture, error) {
	st, err := cli.OpenStore(ctx, db)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	f := &fixture{db: db}
	if f.project, err = st.CreateProject(ctx, "load", model.DefaultSchema()); err != nil {
		return nil, err
	}
	for i := range users {
		u, err := st.CreateUser(ctx, fmt.Sprintf("load%04d-%d", i, time.Now().UnixNano()%1e6), []byte("x"))
		if err != nil {
			return nil, err
		}
		if err := st.SetMember(ctx, f.project.ID, u.ID, model.RoleAnnotator); err != nil {
			return nil, err
		}
		token, hash := auth.NewToken()
		if _, err := st.CreateAPIToken(ctx, u.ID, "load", hash); err != nil {
			return nil, err
		}
		f.accounts = append(f.accounts, account{token})
	}
	return f, nil
}

// docs adds n documents of text and returns their ids.
func (f *fixture) docs(ctx context.Context, n int, text string) ([]int64, error) {
	st, err := cli.OpenStore(ctx, f.db)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	ds := make([]model.Document, n)
	for i := range ds {
		ds[i] = model.Document{Name: fmt.Sprintf("load %d", i), Text: text}
	}
	added, err := st.AddDocuments(ctx, f.project.ID, ds)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(added))
	for i, d := range added {
		ids[i] = d.ID
	}
	return ids, nil
}

// process is a server under test: a `gloss serve` or a floor, pinned to
// a core with taskset.
type process struct {
	cmd  *exec.Cmd
	addr string
}

// startProcess runs argv (the server's command line, with {addr} for its
// listen address) pinned to cpu, and waits until it answers HTTP.
func startProcess(cpu string, argv ...string) (*process, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for i := range argv {
		argv[i] = strings.ReplaceAll(argv[i], "{addr}", addr)
	}
	if cpu != "" {
		argv = append([]string{"taskset", "-c", cpu}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %v: %w", argv, err)
	}
	p := &process{cmd: cmd, addr: addr}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			return p, nil
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("%v: not answering on %s: %w", argv, addr, err)
		}
		time.Sleep(20 * time.Millisecond) // polling a child process that gives no other sign
	}
}

// startGloss starts `gloss serve` on db without the caps that protect a
// public server from one client (connections per user and address, ops
// per second per socket): the load clients are many users on one address.
func startGloss(bin, cpu, db, web string) (*process, error) {
	return startProcess(cpu, bin, "serve", "-addr", "{addr}", "-db", db, "-no-demo",
		"-ws-per-user", "-1", "-ws-per-addr", "-1", "-op-rate", "-1", "-web", web)
}

func (p *process) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

// rssKiB is the process's resident set (VmRSS) in KiB: taskset execs the
// server, so the pid is the server's.
func (p *process) rssKiB() (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", p.cmd.Process.Pid)
}

// settledRSS reads the RSS until two reads 300 ms apart agree within
// 1 %, or 5 s have passed: the runtime returns memory lazily.
func (p *process) settledRSS() (int64, error) {
	last, err := p.rssKiB()
	if err != nil {
		return 0, err
	}
	for range 16 {
		time.Sleep(300 * time.Millisecond)
		now, err := p.rssKiB()
		if err != nil {
			return 0, err
		}
		if d := now - last; d*100 <= last && -d*100 <= last {
			return now, nil
		}
		last = now
	}
	return last, nil
}

// writeCalls is the number of write system calls (write, writev, …) the
// process has made: /proc/PID/io's syscw. Per op, it says how well the
// server coalesces deliveries, whatever the machine's speed.
func (p *process) writeCalls() int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "syscw:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
			return n
		}
	}
	return 0
}

// cpuTime is the CPU time (user + system) the process has used:
// /proc/PID/stat's utime and stime, in clock ticks (USER_HZ, 100 on
// Linux). Per op, with writes per op, it says what the server spends
// whatever else runs on the machine.
func (p *process) cpuTime() time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The command name, field 2, may hold spaces: count from its ")".
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64) // field 14
	st, _ := strconv.ParseInt(f[12], 10, 64) // field 15
	return time.Duration(ut+st) * (time.Second / 100)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
