//go:build linux

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tanggap/internal/localport"
	"tanggap/internal/testenv"
)

// prSetChildSubreaper is prctl's PR_SET_CHILD_SUBREAPER (linux/prctl.h).
const prSetChildSubreaper = 36

// TestClusterStopsEverythingOnSignal runs the cluster command as a real
// process (three NATS node processes, two instances, the front) on a
// private PostgreSQL schema, waits for the addresses it prints, checks
// that each one listens and that each printed process is its child, then
// stops it as a terminal's Ctrl-C does (SIGINT to its process group) and
// as kill does (SIGTERM to its pid). The command must exit 0, every
// process it started must be gone and every printed port free.
//
// The test process is the child subreaper meanwhile: a child the command
// did not stop and reap itself is handed to the test when the command
// exits (Pdeathsig then kills it), and stays here as a zombie, so a
// shutdown that leaks a child fails even though Linux kills the child.
func TestClusterStopsEverythingOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binaries and runs the cluster's processes")
	}
	testenv.RequirePostgres(t)
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", bin+string(filepath.Separator), "tanggap/cmd/tanggap", "tanggap/cmd/cluster")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	subreaper(t)
	for _, tc := range []struct {
		name  string
		sig   syscall.Signal
		group bool // to the command's process group, as a terminal's Ctrl-C
	}{
		{name: "Ctrl-C (SIGINT to the process group) stops everything", sig: syscall.SIGINT, group: true},
		{name: "SIGTERM to the command stops everything", sig: syscall.SIGTERM},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runAndSignal(t, bin, tc.sig, tc.group)
		})
	}
}

func runAndSignal(t *testing.T, bin string, sig syscall.Signal, group bool) {
	dbURL := testenv.DBConfig(t).URL
	frontPort, err := localport.Free()
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir() // no .env here; the instances' DATA_DIR lands here
	logs, err := os.Create(filepath.Join(work, "cluster.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	cmd := exec.Command(filepath.Join(bin, "cluster"), "-bin", filepath.Join(bin, "tanggap"),
		"-addr", fmt.Sprintf("127.0.0.1:%d", frontPort))
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
	cmd.Stderr = logs // a file, not a pipe: Wait never waits on a child holding it
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	}()
	showLogs := func() string {
		b, _ := os.ReadFile(logs.Name())
		return string(b)
	}

	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	printed := readReady(t, lines, showLogs)
	if len(printed.pids) != 5 {
		t.Fatalf("printed %d process ids, want 3 NATS nodes and 2 instances:\n%s", len(printed.pids), printed.text)
	}
	if len(printed.ports) != 1+3*2+2*2 {
		t.Fatalf("printed %d addresses, want the front, each node's client and monitoring and each instance's http and metrics:\n%s",
			len(printed.ports), printed.text)
	}
	for _, u := range printed.urls {
		if err := listens(u); err != nil {
			t.Errorf("printed %s, which does not answer: %v", u, err)
		}
	}
	t.Logf("ready after %v:\n%s", time.Since(started).Round(time.Millisecond), printed.text)
	children := descendants(cmd.Process.Pid)
	for _, pid := range printed.pids {
		if _, ok := children[pid]; !ok {
			t.Errorf("printed pid %d is not a process the command started (its descendants: %v)", pid, children)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	t.Cleanup(func() { reapLeft(children) })

	target := cmd.Process.Pid
	if group {
		target = -target
	}
	signalled := time.Now()
	if err := syscall.Kill(target, sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Fatalf("after %v the command exited with %v\n%s", sig, err, showLogs())
		}
	case <-time.After(time.Minute):
		t.Fatalf("the command still runs a minute after %v\n%s", sig, showLogs())
	}
	// Stopped children were reaped by the command before it exited; a
	// leaked one is this test's zombie now, so it never passes this.
	t.Logf("exited %v after %v", sig, time.Since(signalled).Round(time.Millisecond))
	testenv.CheckFor(t, 10*time.Second, 50*time.Millisecond, func() error {
		var left []string
		for pid, start := range children {
			st, ok := procStat(pid)
			switch {
			case !ok || st.start != start:
			case st.ppid == os.Getpid():
				left = append(left, fmt.Sprintf("pid %d %s outlived the command, which never stopped it (state %s)", pid, st.comm, st.state))
			default:
				left = append(left, fmt.Sprintf("pid %d %s still there (state %s, parent %d)", pid, st.comm, st.state, st.ppid))
			}
		}
		for _, port := range printed.ports {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
			if err != nil {
				left = append(left, fmt.Sprintf("port %d: %v", port, err))
				continue
			}
			l.Close()
		}
		if len(left) > 0 {
			return fmt.Errorf("after %v and the command's exit: %s", sig, strings.Join(left, "; "))
		}
		return nil
	})
}

// readyOutput is what the command printed once ready.
type readyOutput struct {
	text  string
	urls  []string // every address, as printed
	ports []int
	pids  []int
}

var (
	urlRe = regexp.MustCompile(`[a-z]+://127\.0\.0\.1:(\d+)[^\s)]*`)
	pidRe = regexp.MustCompile(`\(pid (\d+)\)`)
)

// readReady reads the command's output up to its ready line (or fails
// when the command ends or takes two minutes).
func readReady(t *testing.T, lines <-chan string, logs func() string) readyOutput {
	t.Helper()
	var out readyOutput
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("the command ended before it was ready:\n%s\n%s", out.text, logs())
			}
			out.text += line + "\n"
			for _, m := range urlRe.FindAllStringSubmatch(line, -1) {
				port, _ := strconv.Atoi(m[1])
				out.urls = append(out.urls, strings.TrimSuffix(m[0], "/"))
				out.ports = append(out.ports, port)
			}
			for _, m := range pidRe.FindAllStringSubmatch(line, -1) {
				pid, _ := strconv.Atoi(m[1])
				out.pids = append(out.pids, pid)
			}
			if strings.HasPrefix(line, "Ctrl-C stops everything") {
				return out
			}
		case <-timeout:
			t.Fatalf("not ready after two minutes:\n%s\n%s", out.text, logs())
		}
	}
}

// listens dials u's port; an http URL with a path (/healthz, /metrics)
// must also answer 200.
func listens(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	c, err := net.DialTimeout("tcp", u.Host, 3*time.Second)
	if err != nil {
		return err
	}
	c.Close()
	if u.Scheme != "http" || u.Path == "" || u.Path == "/" {
		return nil
	}
	client := &http.Client{Timeout: 5 * time.Second}
	res, err := client.Get(raw)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", res.StatusCode)
	}
	return nil
}

// stat is what the test reads of /proc/<pid>/stat.
type stat struct {
	comm  string
	state string
	ppid  int
	start string // start time in clock ticks since boot: tells a reused pid apart
}

func procStat(pid int) (stat, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return stat{}, false
	}
	s := string(b)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return stat{}, false
	}
	f := strings.Fields(s[end+1:]) // state, ppid, ... ; starttime is field 22 of the line
	if len(f) < 20 {
		return stat{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	return stat{comm: s[open+1 : end], state: f[0], ppid: ppid, start: f[19]}, true
}

// descendants walks /proc for every process below pid, with its start
// time.
func descendants(pid int) map[int]string {
	entries, _ := os.ReadDir("/proc")
	kids := map[int][]int{}
	starts := map[int]string{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := procStat(p); ok {
			kids[st.ppid] = append(kids[st.ppid], p)
			starts[p] = st.start
		}
	}
	out := map[int]string{}
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, k := range kids[p] {
			out[k] = starts[k]
			queue = append(queue, k)
		}
	}
	return out
}

// subreaper makes this process the child subreaper for the test's
// length (see TestClusterStopsEverythingOnSignal).
func subreaper(t *testing.T) {
	t.Helper()
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		t.Fatalf("prctl(PR_SET_CHILD_SUBREAPER): %v", errno)
	}
	t.Cleanup(func() { _, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 0, 0) })
}

// reapLeft kills and reaps what a failed shutdown left to this process.
func reapLeft(children map[int]string) {
	for pid, start := range children {
		if st, ok := procStat(pid); !ok || st.start != start {
			continue
		}
		_ = syscall.Kill(pid, syscall.SIGKILL)
		var ws syscall.WaitStatus
		for {
			_, err := syscall.Wait4(pid, &ws, 0, nil)
			if !errors.Is(err, syscall.EINTR) {
				break
			}
		}
	}
}
