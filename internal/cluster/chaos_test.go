package cluster_test

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tanggap/internal/cluster"
	"tanggap/internal/loadgen"
	"tanggap/internal/testenv"
)

// TestChaosLosesNothing runs the fault run at small scale: two tanggap
// processes on one private PostgreSQL schema and the run's own NATS
// server, complaint forms and signed WhatsApp webhooks, one instance
// killed with SIGKILL mid-burst and started again, the NATS server down
// for 2 s; every message answered 2xx must be stored exactly once, in its
// citizen's ticket (for a form, the one whose number the citizen got).
func TestChaosLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs two processes")
	}
	testenv.RequirePostgres(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "tanggap")
	build := exec.Command("go", "build", "-o", bin, "tanggap/cmd/tanggap")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dbURL := testenv.DBConfig(t).URL
	var logs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	rep, err := cluster.Chaos(ctx, cluster.ChaosOpts{
		Bin: bin, DatabaseURL: dbURL, WorkDir: dir,
		PerPhase: 40, Faulty: 160, Concurrency: 4, RestartNATS: true, NATSDown: 2 * time.Second,
		MaxLoad: 2 * time.Minute, Drain: 90 * time.Second,
		Log: testenv.Logger(t), InstanceOut: &syncWriter{b: &logs},
	})
	var table strings.Builder
	rep.Print(&table)
	t.Log("\n" + table.String())
	if err != nil {
		t.Fatalf("chaos run: %v\ninstances' log:\n%s", err, logs.String())
	}
	if len(rep.Events) < 5 {
		t.Fatalf("faults played: %q, want the kill, the restart, the instance ready, NATS stopped and started", rep.Events)
	}
	// A balancer learns that the gateway cannot take messages while NATS
	// is down (polled every 50 ms through a 2 s outage).
	if !rep.ReadyzDuringOutage {
		t.Errorf("/readyz never answered 503 while NATS was down (%d of %d polls 503)", rep.ReadyzDown, rep.ReadyzPolls)
	}
	if !rep.OK() {
		t.Fatalf("accepted complaints lost, duplicated or misfiled: %+v", rep.Verify)
	}
	// The check itself sees a loss and a misfiled message: a citizen who
	// never wrote, and a form answered with another citizen's number.
	first := rep.Phases[0].Result
	a, b := twoForms(t, first)
	want := map[int]cluster.Want{
		999_999:           {Channel: "webform", Tracking: "none"},
		first.Citizens[a]: {Channel: "webform", Tracking: first.Tracking[b]},
	}
	v, err := cluster.Verify(ctx, dbURL, want, false)
	if err != nil {
		t.Fatal(err)
	}
	if v.Lost != 1 || v.WrongTicket != 1 || v.Stored != 1 {
		t.Fatalf("check of a lost and a misfiled message: %+v, want 1 lost, 1 stored in the wrong ticket", v)
	}
	// The faults cost retries, never a give-up: the load generator
	// retried every refused submission until it was accepted.
	for _, p := range rep.Phases {
		if p.Result.Failed != 0 {
			t.Errorf("%s: %d submissions given up (first failure %s)", p.Name, p.Result.Failed, p.Result.FirstFail)
		}
	}
}

// twoForms finds two forms accepted in one phase (by their index in it).
func twoForms(t *testing.T, res loadgen.Result) (int, int) {
	t.Helper()
	var forms []int
	for k, ch := range res.Channels {
		if ch == "webform" {
			forms = append(forms, k)
		}
	}
	if len(forms) < 2 {
		t.Fatal("fewer than two forms accepted in the first phase")
	}
	return forms[0], forms[1]
}
