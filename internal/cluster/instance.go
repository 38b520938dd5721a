package cluster

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
)

// Instance is one `tanggap serve` process on its own port. Env is added to
// the parent's environment (later entries win), so the instances share
// DATABASE_URL, NATS_URL and the secrets, and differ in HTTP_ADDR and
// METRICS_ADDR (set from Port and MetricsPort, after Env).
type Instance struct {
	Name        string
	Bin         string   // the tanggap binary
	Dir         string   // working directory ("" is the current one; a .env there is read)
	Port        int      // public port on 127.0.0.1
	MetricsPort int      // /metrics on 127.0.0.1 (0: METRICS_ADDR as Env or the parent's says)
	Env         []string // KEY=value
	Out         io.Writer

	proc // Kill, Stop, PID
}

// URL is the instance's base URL.
func (in *Instance) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", in.Port) }

// MetricsURL is where the instance's /metrics answers ("" when
// MetricsPort is 0: this run did not choose it).
func (in *Instance) MetricsURL() string {
	if in.MetricsPort == 0 {
		return ""
	}
	return fmt.Sprintf("http://127.0.0.1:%d/metrics", in.MetricsPort)
}

// Start runs the process; Ready waits for it to take traffic.
func (in *Instance) Start() error {
	cmd := exec.Command(in.Bin, "serve")
	cmd.Dir = in.Dir
	cmd.Env = append(os.Environ(), in.Env...)
	cmd.Env = append(cmd.Env, fmt.Sprintf("HTTP_ADDR=127.0.0.1:%d", in.Port))
	if in.MetricsPort != 0 {
		cmd.Env = append(cmd.Env, fmt.Sprintf("METRICS_ADDR=127.0.0.1:%d", in.MetricsPort))
	}
	cmd.Stdout, cmd.Stderr = in.Out, in.Out
	return in.start(in.Name, cmd)
}

// Ready waits until /readyz/core answers 200 (the gateway and the core
// both run) and, with a MetricsPort, /metrics does too; or the process
// ends, or ctx is done.
func (in *Instance) Ready(ctx context.Context) error {
	if err := in.waitHealthy(ctx, in.URL()+"/readyz/core", "ready"); err != nil {
		return err
	}
	if in.MetricsPort == 0 {
		return nil
	}
	return in.waitHealthy(ctx, in.MetricsURL(), "serving metrics")
}
