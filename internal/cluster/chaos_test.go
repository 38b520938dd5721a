package cluster_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tanggap/internal/cluster"
	"tanggap/internal/loadgen"
	"tanggap/internal/testenv"
)

// TestMain lets the test binary run as a NATS node (NATSCluster starts
// its nodes by running a program that calls RunNodeIfAsked).
func TestMain(m *testing.M) {
	cluster.RunNodeIfAsked()
	os.Exit(m.Run())
}

// TestChaosLosesNothing runs the fault run at small scale: a three-node
// NATS cluster (each node its own process, streams replicated three
// times), two tanggap processes on one private PostgreSQL schema reached
// through the run's database proxy, complaint forms, signed WhatsApp
// webhooks and live-chat messages; one instance killed with SIGKILL
// mid-burst and started again while its live-chat visitors move to the
// other, a NATS node killed with SIGKILL and started again, the database
// away for 5 s (TEST_CHAOS_DB_DOWN to change; make chaos: 20 s). Every
// message answered 2xx must be stored exactly once, in its citizen's
// ticket (for a form, the one whose number the citizen got).
func TestChaosLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs two processes")
	}
	testenv.RequirePostgres(t)
	dir := t.TempDir()
	// The NATS nodes run the cluster command, built without the race
	// detector like the instances (the test binary could serve too, by
	// TestMain, at several times the CPU).
	build := exec.Command("go", "build", "-o", dir+string(filepath.Separator), "tanggap/cmd/tanggap", "tanggap/cmd/cluster")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dbDown := 5 * time.Second
	if s := os.Getenv("TEST_CHAOS_DB_DOWN"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("TEST_CHAOS_DB_DOWN: %v", err)
		}
		dbDown = d
	}
	dbURL := testenv.DBConfig(t).URL
	var logs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	started := time.Now()
	rep, err := cluster.Chaos(ctx, cluster.ChaosOpts{
		Bin: filepath.Join(dir, "tanggap"), NATSExe: filepath.Join(dir, "cluster"), DatabaseURL: dbURL, WorkDir: dir,
		PerPhase: 40, Faulty: 240, Concurrency: 4, KillNATSNode: true, DBDown: dbDown,
		MaxLoad: 2 * time.Minute, Drain: 90 * time.Second,
		Log: testenv.Logger(t), InstanceOut: &syncWriter{b: &logs},
	})
	var table strings.Builder
	rep.Print(&table)
	t.Logf("\n%s\ntook %v", table.String(), time.Since(started).Round(time.Second))
	if err != nil {
		t.Fatalf("chaos run: %v\ninstances' log:\n%s", err, logs.String())
	}
	if len(rep.Streams) == 0 {
		t.Error("no JetStream stream found on the NATS cluster")
	}
	for name, n := range rep.Streams {
		if n != 3 {
			t.Errorf("stream %s is on %d nodes, want 3 (NATS_REPLICAS=3)", name, n)
		}
	}
	names := map[string]bool{}
	for _, f := range rep.Faults {
		names[f.Name] = true
		if f.Verify.Accepted == 0 {
			t.Errorf("%s: nothing acknowledged in its window: the fault did not land mid-burst", f.Name)
		}
	}
	if len(names) != 3 {
		t.Fatalf("faults played: %q, want the instance, the NATS node and the database", rep.Events)
	}
	// A balancer learns that the core cannot store while the database is
	// away, and the gateway goes on taking webhooks into JetStream.
	if rep.CoreDownDuringOutage == 0 {
		t.Errorf("/readyz/core never answered 503 while the database was down (%d polls)", rep.ReadyzPolls)
	}
	if rep.GatewayDownDuringOutage != 0 {
		t.Errorf("/readyz (the gateway) answered 503 %d times while only the database was down", rep.GatewayDownDuringOutage)
	}
	if !rep.DBOutageOK() {
		t.Errorf("no WhatsApp webhook acknowledged while the database was down: %+v", rep.Faults)
	}
	if rv := rep.Resume; !rv.OK() || rv.OnOther != rv.Visitors {
		t.Errorf("live-chat visitors of the killed instance: %+v, want every one reconnected to the other instance and in its ticket", rv)
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
