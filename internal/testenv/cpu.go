package testenv

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ProcessCPU is the CPU time (user + system) this process has used.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ProcessesCPU is the CPU time so far of every local process with this
// command name ("nats-server"; 0 when none, or not on Linux), children it
// reaped included.
func ProcessesCPU(name string) time.Duration {
	var ticks int64
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range dirs {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(raw)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open || s[open+1:end] != name {
			continue
		}
		f := strings.Fields(s[end+1:])
		if len(f) < 15 {
			continue
		}
		for _, x := range f[11:15] { // utime, stime, cutime, cstime
			n, _ := strconv.ParseInt(x, 10, 64)
			ticks += n
		}
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ
}

// PostgresBackendsCPU maps each PostgreSQL backend connected to this process
// (by the client port of one of its sockets) to its CPU so far.
func PostgresBackendsCPU() map[int]time.Duration {
	out := map[int]time.Duration{}
	if runtime.GOOS != "linux" {
		return out
	}
	inodes := map[string]bool{}
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, fd := range fds {
		l, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(l, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	ports := map[string]bool{} // hex local ports of our sockets to :5432
	for _, f := range []string{"/proc/self/net/tcp", "/proc/self/net/tcp6"} {
		fh, err := os.Open(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			if len(fs) < 10 || !strings.HasSuffix(fs[2], ":1538") || !inodes[fs[9]] {
				continue
			}
			ports[fs[1][strings.LastIndexByte(fs[1], ':')+1:]] = true
		}
		fh.Close()
	}
	if len(ports) == 0 {
		return out
	}
	procs, _ := os.ReadDir("/proc")
	tick := 100 // USER_HZ
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil || !strings.HasPrefix(string(cmd), "postgres:") {
			continue
		}
		i := strings.Index(string(cmd), "(")
		j := strings.Index(string(cmd), ")")
		if i < 0 || j < i {
			continue
		}
		port, err := strconv.Atoi(string(cmd[i+1 : j]))
		if err != nil || !ports[fmt.Sprintf("%04X", port)] {
			continue
		}
		st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		fs := strings.Fields(string(st[strings.LastIndexByte(string(st), ')')+2:]))
		if len(fs) < 13 {
			continue
		}
		ut, _ := strconv.Atoi(fs[11])
		stt, _ := strconv.Atoi(fs[12])
		out[pid] = time.Duration(ut+stt) * time.Second / time.Duration(tick)
	}
	return out
}
