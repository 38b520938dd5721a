package app_test

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

// cpuMeter is the CPU a load phase costs: this process's (the server and
// its clients, getrusage) and, on Linux with a local PostgreSQL, that of
// the database backends serving this process's connections (read from
// /proc; other suites sharing the server are left out).
type cpuMeter struct {
	self time.Duration
	pg   map[int]time.Duration
}

func startCPU() cpuMeter { return cpuMeter{self: selfCPU(), pg: pgBackendsCPU()} }

// since is the process and PostgreSQL CPU spent since m.
func (m cpuMeter) since() (self, pg time.Duration) {
	self = selfCPU() - m.self
	for pid, t := range pgBackendsCPU() {
		pg += t - m.pg[pid] // a backend born during the phase counts whole
	}
	return self, pg
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pgBackendsCPU maps each PostgreSQL backend connected to this process
// (by the client port of one of its sockets) to its CPU so far.
func pgBackendsCPU() map[int]time.Duration {
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
