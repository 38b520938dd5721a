package cluster

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// proc is one child process of the run (an instance or a NATS node): its
// start, its wait for a health URL, and its end by signal. Start sets
// the name its errors use.
type proc struct {
	mu   sync.Mutex
	name string
	cmd  *exec.Cmd
	done chan struct{}
}

// start runs cmd, unless one runs already.
func (p *proc) start(name string, cmd *exec.Cmd) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		return fmt.Errorf("cluster: %s already runs", name)
	}
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cluster: start %s: %w", name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	p.name, p.cmd, p.done = name, cmd, done
	return nil
}

// waitHealthy polls url every 100 ms until it answers 200, the process
// ends, or ctx is done; state says what 200 means ("ready", "healthy").
func (p *proc) waitHealthy(ctx context.Context, url, state string) error {
	p.mu.Lock()
	name, done := p.name, p.done
	p.mu.Unlock()
	if done == nil {
		return fmt.Errorf("cluster: %s is not started", name)
	}
	client := &http.Client{Timeout: 3 * time.Second}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		res, err := client.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster: %s not %s: %w", name, state, ctx.Err())
		case <-done:
			return fmt.Errorf("cluster: %s exited before it was %s (see its log)", name, state)
		case <-tick.C:
		}
	}
}

// Kill sends SIGKILL (no shutdown at all: what the process held in
// memory is lost) and waits for it to end.
func (p *proc) Kill() error { return p.signal(syscall.SIGKILL, 10*time.Second) }

// Stop sends SIGTERM (a graceful shutdown) and waits up to grace, then
// kills.
func (p *proc) Stop(grace time.Duration) error {
	if err := p.signal(syscall.SIGTERM, grace); err == nil {
		return nil
	}
	return p.Kill()
}

func (p *proc) signal(sig syscall.Signal, wait time.Duration) error {
	p.mu.Lock()
	name, cmd, done := p.name, p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return nil
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(wait):
		return fmt.Errorf("cluster: %s still runs %v after %v", name, wait, sig)
	}
	p.mu.Lock()
	if p.cmd == cmd {
		p.cmd, p.done = nil, nil
	}
	p.mu.Unlock()
	return nil
}

// PID is the running process's id (0 when it is not running).
func (p *proc) PID() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return 0
	}
	return p.cmd.Process.Pid
}
