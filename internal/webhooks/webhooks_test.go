package webhooks

import (
	"context"
	"strings"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

// TestFloodIsOneWrite: 10,000 refusals on two instances between two
// flushes are one row, counted once each, summed across the instances;
// the last refusal's reason and the last accepted delivery come back.
func TestFloodIsOneWrite(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	ctx := context.Background()
	clock := time.Date(2026, 12, 6, 8, 30, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	a := New(Opts{DB: d, Now: now, Channels: []string{"whatsapp", "voice"}})
	b := New(Opts{DB: d, Now: now})
	for range 5000 {
		a.Refused("whatsapp", ReasonSignature)
		b.Refused("whatsapp", ReasonSignature)
	}
	a.Refused("nochannel", ReasonSignature) // no such channel: not kept
	a.Accepted("whatsapp")
	clock = clock.Add(time.Minute)
	b.Refused("whatsapp", ReasonPayload)
	if len(a.refused) != 1 || len(b.refused) != 2 {
		t.Fatalf("counts kept: %d and %d, want 1 and 2", len(a.refused), len(b.refused))
	}
	for _, s := range []*Service{a, b} {
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var rows int64
	if err := d.Raw(`SELECT COUNT(*) FROM webhook_refusals`).Scan(&rows).Error; err != nil || rows != 2 {
		t.Fatalf("%d rows (%v), want 2: one per hour, channel and reason", rows, err)
	}
	got, _, err := a.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Channel != "voice" || got[1].Channel != "whatsapp" {
		t.Fatalf("summary %+v", got)
	}
	wa := got[1]
	if wa.Refused != 10001 || wa.LastReason != ReasonPayload || wa.LastRefusedAt == nil || !wa.LastRefusedAt.Equal(clock) ||
		wa.LastAcceptedAt == nil || !wa.LastAcceptedAt.Equal(clock.Add(-time.Minute)) {
		t.Fatalf("whatsapp %+v", wa)
	}
	if got[0].Refused != 0 || got[0].LastRefusedAt != nil || got[0].LastAcceptedAt != nil {
		t.Fatalf("voice %+v", got[0])
	}
	// A day later the count is back to 0; the last refusal is still told.
	clock = clock.Add(Recent + time.Hour)
	got, _, err = a.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if wa := got[1]; wa.Refused != 0 || wa.LastReason != ReasonPayload {
		t.Fatalf("a day later %+v", wa)
	}
}

// TestCountStartsWhereItSays: counts are kept by the hour, so the summary
// counts whole hours from RecentSince, which it returns for the screen to
// name; never a refusal from before it, nor one more than Recent old.
func TestCountStartsWhereItSays(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	ctx := context.Background()
	clock := time.Date(2026, 12, 6, 10, 30, 0, 0, time.UTC)
	s := New(Opts{DB: d, Now: func() time.Time { return clock }, Channels: []string{"whatsapp"}})
	refuseAt := func(at time.Time) {
		t.Helper()
		clock = at
		s.Refused("whatsapp", ReasonSignature)
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 12, 6, 10, 30, 0, 0, time.UTC)
	refuseAt(now.Add(-25 * time.Hour))                // 5 Dec 09:30: older than Recent
	refuseAt(now.Add(-23*time.Hour - 45*time.Minute)) // 5 Dec 10:45: within Recent, before the hour the count starts
	refuseAt(now.Add(-23*time.Hour - 20*time.Minute)) // 5 Dec 11:10: counted
	refuseAt(now.Add(-time.Minute))                   // counted
	clock = now
	got, since, err := s.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 5, 11, 0, 0, 0, time.UTC); !since.Equal(want) {
		t.Fatalf("count starts at %v, want %v", since, want)
	}
	if len(got) != 1 || got[0].Refused != 2 || got[0].LastRefusedAt == nil || !got[0].LastRefusedAt.Equal(now.Add(-time.Minute)) {
		t.Fatalf("summary %+v, want 2 refused since %v", got, since)
	}
	if now.Sub(since) > Recent {
		t.Fatalf("the count reaches back %v, more than %v", now.Sub(since), Recent)
	}
}

// TestQueriesUseTheKey: the summary, the purge and the upsert are served
// by the primary key on both dialects, never a table scan.
func TestQueriesUseTheKey(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	at := time.Now().UTC()
	for name, c := range map[string]struct {
		q    string
		args []any
	}{
		"summary": {SQLRefusedSince, []any{at}},
		"purge":   {SQLPurge, []any{at}},
	} {
		plan := testenv.Plan(t, d, c.q, c.args...)
		if strings.Contains(plan, "Seq Scan") || (strings.Contains(plan, "SCAN") && !strings.Contains(plan, "SEARCH")) ||
			!(strings.Contains(plan, "webhook_refusals_pkey") || strings.Contains(plan, "sqlite_autoindex_webhook_refusals")) {
			t.Errorf("%s is not served by the primary key:\n%s", name, plan)
		}
	}
}

// BenchmarkRefused: the cost a refused request adds (no database work).
func BenchmarkRefused(b *testing.B) {
	s := New(Opts{})
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.Refused("whatsapp", ReasonSignature)
		}
	})
}

// TestPurgeIsTriedAgain: the first purge waits PurgeFirst after start,
// and one that failed (the table not there yet: an instance started
// before the migrations were applied) is tried again PurgeRetry later,
// not an hour later.
func TestPurgeIsTriedAgain(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	ctx := context.Background()
	start := time.Date(2026, 12, 6, 8, 30, 0, 0, time.UTC)
	clock := start.Add(-Keep - 2*time.Hour)
	now := func() time.Time { return clock }
	old := New(Opts{DB: d, Now: now})
	old.Refused("whatsapp", ReasonSignature)
	if err := old.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	rows := func() int64 {
		t.Helper()
		var n int64
		if err := d.Raw(`SELECT COUNT(*) FROM webhook_refusals`).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}

	clock = start
	s := New(Opts{DB: d, Now: now})
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := rows(); n != 1 {
		t.Fatalf("%d rows right after start, want the old hour still there (first purge after %v)", n, PurgeFirst)
	}
	rename := func(from, to string) {
		t.Helper()
		if err := d.Exec(`ALTER TABLE ` + from + ` RENAME TO ` + to).Error; err != nil {
			t.Fatal(err)
		}
	}
	rename("webhook_refusals", "webhook_refusals_away")
	clock = start.Add(PurgeFirst)
	if err := s.Flush(ctx); err == nil || !strings.Contains(err.Error(), "purge") {
		t.Fatalf("flush without the table: %v, want the purge's error", err)
	}
	rename("webhook_refusals_away", "webhook_refusals")
	clock = clock.Add(PurgeRetry - time.Second)
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := rows(); n != 1 {
		t.Fatalf("%d rows before the retry is due, want 1", n)
	}
	clock = clock.Add(time.Second)
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := rows(); n != 0 {
		t.Fatalf("%d rows after the retry, want the hour older than %v purged", n, Keep)
	}
}
