package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"tanggap/internal/agent"
	"tanggap/internal/routing"
	"tanggap/internal/testenv"
)

// TestSeedAppliedOnlyWhenItChanges: ROUTING_SEED_FILE is applied at the
// first start; a restart with the same file leaves what an admin changed
// since on the admin screens; a changed file is applied again.
func TestSeedAppliedOnlyWhenItChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testenv.DB(t)
	log := testenv.Logger(t)
	settings := routing.NewSettings(routing.SettingsOpts{DB: d, DefaultQueue: "umum", Log: log})
	admin := routing.NewAdmin(routing.AdminOpts{DB: d, Settings: settings, Log: log})
	agents := agent.New(agent.Opts{DB: d, Log: log, BcryptCost: 4})
	path := filepath.Join(t.TempDir(), "seed.yaml")
	write := func(name string) {
		t.Helper()
		if err := os.WriteFile(path, []byte("queues:\n  - code: kartu\n    name: "+name+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	nameOf := func() string {
		t.Helper()
		qs, err := admin.Queues(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			if q.Code == "kartu" {
				return q.Name
			}
		}
		t.Fatal("queue kartu missing")
		return ""
	}
	start := func() {
		t.Helper()
		if err := seedRouting(ctx, path, admin, agents, log); err != nil {
			t.Fatal(err)
		}
	}

	write("Kartu Prakerja")
	start()
	if got := nameOf(); got != "Kartu Prakerja" {
		t.Fatalf("after the first start: %q", got)
	}
	if _, err := admin.SaveQueue(ctx, routing.QueueSettings{Code: "kartu", Name: "Kartu (diubah admin)"}); err != nil {
		t.Fatal(err)
	}
	start()
	if got := nameOf(); got != "Kartu (diubah admin)" {
		t.Fatalf("a restart with the same seed put back %q over the admin's edit", got)
	}
	write("Kartu Prakerja 2027")
	start()
	if got := nameOf(); got != "Kartu Prakerja 2027" {
		t.Fatalf("a changed seed was not applied: %q", got)
	}
}
