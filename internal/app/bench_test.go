package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"tanggap/internal/apptest"
	"tanggap/internal/db"
	"tanggap/internal/loadgen"
	"tanggap/internal/testenv"
)

// BenchmarkFormSubmissions measures complaint forms per second through the
// whole front half of the loop: HTTP form → validation → JetStream publish
// (acknowledged) → ingest → contact, ticket, message stored and routed. The
// load generator runs in this process on loopback with 32 clients.
//
//	go test -run '^$' -bench FormSubmissions -benchtime 1x ./internal/app/
func BenchmarkFormSubmissions(b *testing.B) {
	const total = 5000
	cfg := apptest.Config(b)
	cfg.FormRateLimit = 0 // every client of the generator shares one address
	a := apptest.Start(b, cfg)
	check, err := db.Open(context.Background(), db.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, MaxOpenConns: 2}, testenv.Logger(b))
	if err != nil {
		b.Fatal(err)
	}
	defer check.Close()

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var before int64
		if err := check.Raw(`SELECT COUNT(*) FROM tickets`).Scan(&before).Error; err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		res, err := loadgen.Run(context.Background(), loadgen.Opts{BaseURL: a.URL(), Total: total, Concurrency: 32})
		if err != nil {
			b.Fatal(err)
		}
		if res.Failed > 0 {
			b.Fatalf("%d submissions failed, first: %s", res.Failed, res.FirstFail)
		}
		testenv.CheckFor(b, 2*time.Minute, 20*time.Millisecond, func() error {
			var n int64
			if err := check.Raw(`SELECT COUNT(*) FROM tickets`).Scan(&n).Error; err != nil {
				return err
			}
			if n-before < total {
				return fmt.Errorf("%d of %d stored", n-before, total)
			}
			return nil
		})
		stored := time.Since(start)
		b.ReportMetric(res.PerSecond(), "accepted/s")
		b.ReportMetric(float64(total)/stored.Seconds(), "stored/s")
		b.ReportMetric(float64(res.P99.Microseconds())/1000, "p99-ms")
		b.Logf("%s; all %d stored after %v", res, total, stored.Round(time.Millisecond))
	}
}
