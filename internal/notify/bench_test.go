package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"tanggap/internal/locale"
	"tanggap/internal/statuslink"
	"tanggap/internal/testenv"
)

// BenchmarkNotificationsThroughTheQueue: notifications per second through
// the JetStream job queue to a provider stand-in (no network), every job
// queued twice (two instances heard the event) and then handed to the
// handler once more (a redelivery): none may be sent twice. Target: ≥ 200
// notifications/s (make bench).
func BenchmarkNotificationsThroughTheQueue(b *testing.B) {
	p := &countingProvider{}
	f := newBenchFixture(b, p)
	const per = 300
	var jobs []job
	for i := 0; i < per*b.N; i++ {
		tid, reply := f.addTicket(b, ticketSpec{channel: "webform", email: fmt.Sprintf("b%d@warga.test", i)})
		jobs = append(jobs, job{Key: fmt.Sprintf("reply:%d", reply), Kind: KindReply, TicketID: tid, MessageID: reply})
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	b.ResetTimer()
	start := time.Now()
	go func() { done <- f.svc.Run(ctx) }()
	// Events arrive from many agents at once: 8 publishers, each job
	// twice.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(jobs); i += 8 {
				for range 2 {
					if err := f.svc.Enqueue(ctx, jobs[i]); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	testenv.CheckFor(b, 5*time.Minute, 5*time.Millisecond, func() error {
		if got := p.total.Load(); got < int64(len(jobs)) {
			return fmt.Errorf("%d of %d sent", got, len(jobs))
		}
		return nil
	})
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	<-done
	for _, j := range jobs {
		data, _ := json.Marshal(j)
		f.svc.work(context.Background(), data, 2)
	}
	if got, d := p.total.Load(), p.dupes(); got != int64(len(jobs)) || len(d) > 0 {
		b.Fatalf("%d sends for %d notifications, duplicates %v", got, len(jobs), d)
	}
	b.ReportMetric(float64(len(jobs))/elapsed.Seconds(), "notifications/s")
}

func newBenchFixture(b testing.TB, p Provider) *fixture {
	f := &fixture{d: testenv.DB(b), b: testenv.Bus(b)}
	links, err := statuslink.New([]byte("0123456789abcdef0123456789abcdef"), time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	cat, err := locale.Load()
	if err != nil {
		b.Fatal(err)
	}
	f.links = links
	f.svc, err = New(Opts{DB: f.d, Bus: f.b, Text: cat, Links: links, PublicURL: "https://layanan.test",
		Providers: map[Route]Provider{RouteEmail: p}, Rates: map[Route]float64{RouteEmail: 100000}, Parallel: 32})
	if err != nil {
		b.Fatal(err)
	}
	must(b, f.d.Raw(`INSERT INTO queues (code, name, created_at) VALUES ('umum', 'Umum', ?) RETURNING id`, time.Now().UTC()).Scan(&f.queue).Error)
	return f
}
