package routing

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

// Every committed change of the queue settings or queue codes calls
// testOpts.SettingsChanged once; a refused or invalid change, a read and an
// agent's settings (never cached) do not.
func TestSettingsChangedOncePerCommittedChange(t *testing.T) {
	var calls atomic.Int64
	f, _ := newRouterFixture(t, testOpts{SettingsChanged: func() { calls.Add(1) }})
	if n := calls.Load(); n != 1 {
		t.Fatalf("EnsureQueues announced %d changes, want 1", n)
	}
	ctx := context.Background()
	agent := f.agent("online", 5, 0, nil, "umum")
	f.ticket(nil, "kartu", "normal", time.Now().UTC())
	seed := Seed{
		Queues:   []QueueSettings{{Code: "jatim", Provinces: []string{"35"}, OverflowQueue: "umum"}, {Code: "bali", Provinces: []string{"51"}}},
		Holidays: []Holiday{{Day: "2027-01-01", Name: "Tahun Baru"}},
	}
	steps := []struct {
		name    string
		change  func() error
		wantErr error
		want    int64 // calls
	}{
		{"a new queue", func() error {
			_, err := f.r.SaveQueue(ctx, QueueSettings{Code: "jabar", Provinces: []string{"32"}})
			return err
		}, nil, 1},
		{"a new SLA policy", func() error {
			_, err := f.r.SaveQueue(ctx, QueueSettings{Code: "jabar", Provinces: []string{"32"},
				SLA: map[string]SLATargets{"normal": {FirstResponseSeconds: 600}}})
			return err
		}, nil, 1},
		{"an invalid queue", func() error {
			_, err := f.r.SaveQueue(ctx, QueueSettings{Code: "jabar", Strategy: "lottery"})
			return err
		}, ErrInvalid, 0},
		{"a queue overflowing into a missing queue", func() error {
			_, err := f.r.SaveQueue(ctx, QueueSettings{Code: "jabar", OverflowQueue: "nowhere"})
			return err
		}, ErrInvalid, 0},
		{"a year of holidays", func() error {
			return f.r.SetHolidays(ctx, 2026, []Holiday{{Day: "2026-08-17", Name: "Hari Kemerdekaan"}})
		}, nil, 1},
		{"a holiday outside its year", func() error {
			return f.r.SetHolidays(ctx, 2026, []Holiday{{Day: "2027-08-17", Name: "Hari Kemerdekaan"}})
		}, ErrInvalid, 0},
		{"removing the default queue", func() error {
			_, err := f.r.RemoveQueue(ctx, Actor{}, "umum", "")
			return err
		}, ErrQueueInUse, 0},
		{"removing a queue with open tickets and nowhere to move them", func() error {
			_, err := f.r.RemoveQueue(ctx, Actor{}, "kartu", "")
			return err
		}, ErrQueueInUse, 0},
		{"removing an unknown queue", func() error {
			_, err := f.r.RemoveQueue(ctx, Actor{}, "nowhere", "")
			return err
		}, ErrUnknownQueue, 0},
		{"removing a queue", func() error {
			_, err := f.r.RemoveQueue(ctx, Actor{}, "jabar", "")
			return err
		}, nil, 1},
		{"a seed: each queue save (twice for an overflow) and year of holidays", func() error {
			return f.r.ApplySeed(ctx, seed)
		}, nil, 4},
		{"declaring the queues again", func() error {
			return f.r.EnsureQueues(ctx, queueSpecs)
		}, nil, 1},
		{"reading the settings", func() error {
			_, err := f.r.Queues(ctx)
			return err
		}, nil, 0},
		{"an agent's settings", func() error {
			c := 3
			return f.r.SetAgent(ctx, agent, AgentSettings{Capacity: &c, Queues: []string{"umum", "bali"}})
		}, nil, 0},
	}
	for _, s := range steps {
		before := calls.Load()
		err := s.change()
		switch {
		case s.wantErr == nil && err != nil:
			t.Fatalf("%s: %v", s.name, err)
		case s.wantErr != nil && !errors.Is(err, s.wantErr):
			t.Fatalf("%s: err = %v, want %v", s.name, err, s.wantErr)
		}
		if got := calls.Load() - before; got != s.want {
			t.Errorf("%s: SettingsChanged called %d times, want %d", s.name, got, s.want)
		}
	}
}

// DropCachedSettings makes a router read what another instance changed
// at once: a removed queue is no longer filed into by its code, and a new
// holiday closes a queue. Without it the router keeps both for confTTL.
func TestDropCachedSettingsReadsAnotherInstancesChange(t *testing.T) {
	d := testenv.DB(t)
	ctx := context.Background()
	newRouter := func() *parts {
		r := newParts(testOpts{DB: d, DefaultQueue: "umum", Log: testenv.Logger(t)})
		if err := r.EnsureQueues(ctx, queueSpecs); err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b := newRouter(), newRouter()
	week := map[string][]string{}
	for _, day := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		week[day] = []string{"08:00-16:00"}
	}
	if _, err := b.SaveQueue(ctx, QueueSettings{Code: "jabar", TimeZone: "Asia/Jakarta", Hours: week}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 8, 17, 3, 0, 0, 0, time.UTC) // 10:00 WIB
	umum, err := a.QueueFor(ctx, d.DB, "", "")
	if err != nil {
		t.Fatal(err)
	}

	// A caches the queue's calendar; B (another instance, not wired to
	// A) adds a holiday.
	primed := time.Now()
	if open, err := a.IsOpen(ctx, "jabar", at); err != nil || !open {
		t.Fatalf("jabar open = %v, %v before the holiday", open, err)
	}
	if err := b.SetHolidays(ctx, 2026, []Holiday{{Day: "2026-08-17", Name: "Hari Kemerdekaan"}}); err != nil {
		t.Fatal(err)
	}
	if open, err := a.IsOpen(ctx, "jabar", at); err != nil || (!open && time.Since(primed) < confTTL) {
		t.Fatalf("jabar open = %v, %v: A should still have its cached calendar", open, err)
	}
	a.DropCachedSettings()
	if open, err := a.IsOpen(ctx, "jabar", at); err != nil || open {
		t.Fatalf("jabar open = %v, %v on the new holiday", open, err)
	}

	// A remembers the queue's code; B removes the queue.
	primed = time.Now()
	jabar, err := a.QueueFor(ctx, d.DB, "jabar", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.RemoveQueue(ctx, Actor{}, "jabar", ""); err != nil {
		t.Fatal(err)
	}
	if got, err := a.QueueFor(ctx, d.DB, "jabar", ""); err != nil || (got != jabar && time.Since(primed) < confTTL) {
		t.Fatalf("QueueFor(jabar) = %d, %v: A should still remember the queue", got, err)
	}
	a.DropCachedSettings()
	if got, err := a.QueueFor(ctx, d.DB, "jabar", ""); err != nil || got != umum {
		t.Fatalf("QueueFor(removed jabar) = %d, %v; want the default queue %d", got, err, umum)
	}
}
