package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"tanggap/internal/agent"
	"tanggap/internal/auth"
	"tanggap/internal/db"
	"tanggap/internal/search/benchseed"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
)

// BenchmarkInboxRoundTrips: what sending the inbox page in the session's
// round trip saves, alone, on one database and under one load. 8
// goroutines read an agent's session and page (two queues of 20, 100,000
// tickets), "apart" (two round trips, as each statement alone) and
// "together" (db.Reads of both: one on PostgreSQL), in alternating 2 s
// phases, five of each (PostgreSQL only); CPU per pair (this process and its PostgreSQL
// backends) and pairs per second, each mode's phases summed.
//
//	go test -run '^$' -bench InboxRoundTrips -benchtime 1x ./internal/app/
func BenchmarkInboxRoundTrips(b *testing.B) {
	d := testenv.DB(b)
	if d.Dialect != db.Postgres {
		b.Skip("PostgreSQL only: on SQLite the reads run one after another either way")
	}
	log := testenv.Logger(b)
	ctx := context.Background()
	if err := benchseed.Seed(ctx, d, benchseed.Size{Tickets: 100000, Messages: 1, Queues: 20}); err != nil {
		b.Fatal(err)
	}
	agents := agent.New(agent.Opts{DB: d, Log: log, BcryptCost: 4})
	a, err := agents.Create(ctx, agent.NewAgent{Email: "inbox@tanggap.test", Name: "Inbox", Password: "password-inbox", QueueCodes: []string{"bq0", "bq1"}})
	if err != nil {
		b.Fatal(err)
	}
	sess, err := auth.New(auth.Opts{DB: d, Agents: agents, TTL: time.Hour, Log: log}).Login(ctx, a.Email, "password-inbox")
	if err != nil {
		b.Fatal(err)
	}
	sum := sha256.Sum256([]byte(sess.Token))
	h := hex.EncodeToString(sum[:])
	tickets := ticket.New(ticket.Opts{DB: d, Log: log})
	viewer, err := agents.BySession(ctx, h, time.Now().UTC())
	if err != nil || len(viewer.QueueIDs) != 2 {
		b.Fatalf("session: %v %v", err, viewer.QueueIDs)
	}
	pair := func(together bool) error {
		var now agent.Agent
		var found bool
		var p ticket.Page
		s := agents.SessionRead(h, time.Now().UTC(), &now, &found)
		r, err := tickets.PageRead(viewer, ticket.Filter{Limit: 20, WithTags: true}, &p)
		if err != nil {
			return err
		}
		if together {
			err = d.Reads(ctx, s, r)
		} else if err = d.Reads(ctx, s); err == nil {
			err = d.Reads(ctx, r)
		}
		if err == nil && (!found || len(p.Tickets) != 20) {
			b.Fatalf("found %v, %d tickets", found, len(p.Tickets))
		}
		return err
	}
	type total struct {
		pairs   int
		cpu, pg time.Duration
		dur     time.Duration
	}
	totals := map[bool]*total{false: {}, true: {}}
	for i := 0; i < 10*b.N; i++ {
		together := i%2 == 1
		m := startCPU()
		start := time.Now()
		deadline := start.Add(2 * time.Second)
		var mu sync.Mutex
		n := 0
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				k := 0
				for time.Now().Before(deadline) {
					if err := pair(together); err != nil {
						b.Error(err)
						return
					}
					k++
				}
				mu.Lock()
				n += k
				mu.Unlock()
			}()
		}
		wg.Wait()
		self, pg := m.since()
		t := totals[together]
		t.pairs += n
		t.cpu += self
		t.pg += pg
		t.dur += time.Since(start)
	}
	for _, together := range []bool{false, true} {
		t := totals[together]
		name := map[bool]string{false: "apart", true: "together"}[together]
		per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(t.pairs) }
		b.ReportMetric(float64(t.pairs)/t.dur.Seconds(), name+"-pairs/s")
		b.ReportMetric(per(t.cpu), name+"-µs-cpu/pair")
		b.ReportMetric(per(t.pg), name+"-µs-pg-cpu/pair")
		b.Logf("%s: %.0f pairs/s; CPU per pair: process %.0f µs, PostgreSQL %.0f µs", name, float64(t.pairs)/t.dur.Seconds(), per(t.cpu), per(t.pg))
	}
}
