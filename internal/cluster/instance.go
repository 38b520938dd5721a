package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Instance is one `tanggap serve` process on its own port. Env is added to
// the parent's environment (later entries win), so the instances share
// DATABASE_URL, NATS_URL and the secrets, and differ in HTTP_ADDR and
// METRICS_ADDR.
type Instance struct {
	Name string
	Bin  string   // the tanggap binary
	Dir  string   // working directory ("" is the current one; a .env there is read)
	Port int      // public port on 127.0.0.1
	Env  []string // KEY=value
	Out  io.Writer

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// URL is the instance's base URL.
func (in *Instance) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", in.Port) }

// Start runs the process; Ready waits for it to take traffic.
func (in *Instance) Start() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.cmd != nil {
		return fmt.Errorf("cluster: %s already runs", in.Name)
	}
	cmd := exec.Command(in.Bin, "serve")
	cmd.Dir = in.Dir
	cmd.Env = append(os.Environ(), in.Env...)
	cmd.Env = append(cmd.Env, fmt.Sprintf("HTTP_ADDR=127.0.0.1:%d", in.Port))
	cmd.Stdout, cmd.Stderr = in.Out, in.Out
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cluster: start %s: %w", in.Name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	in.cmd, in.done = cmd, done
	return nil
}

// Ready waits until /readyz/core answers 200 (the gateway and the core
// both run), or the process ends, or ctx is done.
func (in *Instance) Ready(ctx context.Context) error {
	in.mu.Lock()
	done := in.done
	in.mu.Unlock()
	if done == nil {
		return fmt.Errorf("cluster: %s is not started", in.Name)
	}
	client := &http.Client{Timeout: 3 * time.Second}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		res, err := client.Get(in.URL() + "/readyz/core")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster: %s not ready: %w", in.Name, ctx.Err())
		case <-done:
			return fmt.Errorf("cluster: %s exited before it was ready (see its log)", in.Name)
		case <-tick.C:
		}
	}
}

// Kill sends SIGKILL (no shutdown at all: in-flight requests and
// unacknowledged batches are cut) and waits for the process to end.
func (in *Instance) Kill() error { return in.signal(syscall.SIGKILL, 10*time.Second) }

// Stop sends SIGTERM (a graceful shutdown) and waits up to grace, then
// kills.
func (in *Instance) Stop(grace time.Duration) error {
	if err := in.signal(syscall.SIGTERM, grace); err == nil {
		return nil
	}
	return in.Kill()
}

func (in *Instance) signal(sig syscall.Signal, wait time.Duration) error {
	in.mu.Lock()
	cmd, done := in.cmd, in.done
	in.mu.Unlock()
	if cmd == nil {
		return nil
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(wait):
		return fmt.Errorf("cluster: %s still runs %v after %v", in.Name, wait, sig)
	}
	in.mu.Lock()
	if in.cmd == cmd {
		in.cmd, in.done = nil, nil
	}
	in.mu.Unlock()
	return nil
}

// FreePort asks the kernel for a free port on 127.0.0.1. Another process
// may take it before it is used; the instance would then fail to start,
// loudly.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("cluster: listener has no TCP address")
	}
	return addr.Port, nil
}

// PID is the running process's id (0 when it is not running).
func (in *Instance) PID() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.cmd == nil {
		return 0
	}
	return in.cmd.Process.Pid
}
