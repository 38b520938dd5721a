package voice_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"tanggap/channels/voice/voicetest"
	"tanggap/internal/apptest"
	"tanggap/internal/config"
)

// BenchmarkCalls drives whole calls through the real app: each caller is
// welcomed, presses 0, is bridged to an agent from the queue and hangs up
// (four signed webhooks, two records on the bus), 32 callers at a time.
// It reports webhook answers per second and their 99th percentile.
func BenchmarkCalls(b *testing.B) {
	const calls, callers = 2000, 32
	cfg := apptest.Config(b)
	fake := voicetest.NewFakeTwilio(b, account, token)
	cfg.PublicURL = public
	cfg.LogLevel = "warn"
	cfg.Voice = config.Voice{TwilioAuthToken: token, TwilioAccountSID: account, TwilioAPIBaseURL: fake.Server.URL, TwilioCallerID: ours}
	a := apptest.Start(b, cfg)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: callers}, Timeout: 30 * time.Second}
	for b.Loop() {
		var (
			mu   sync.Mutex
			lat  []time.Duration
			next = make(chan int)
			wg   sync.WaitGroup
		)
		start := time.Now()
		for range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine []time.Duration
				for i := range next {
					p := &voicetest.Phone{T: b, Server: a.URL(), Public: public, Token: token, Account: account,
						CallSid: voicetest.NewCallSid(), From: fmt.Sprintf("+62812%08d", i), To: ours, HTTP: client}
					t0 := time.Now()
					menu := p.Incoming()
					mine = append(mine, time.Since(t0))
					t0 = time.Now()
					tr := p.Press(menu.Doc, "0")
					mine = append(mine, time.Since(t0))
					t0 = time.Now()
					p.Follow(tr.Doc, "Enqueue", url.Values{"QueueResult": {"bridged"}})
					mine = append(mine, time.Since(t0))
					t0 = time.Now()
					if res := p.Hangup("completed", 60); res.Status != http.StatusOK {
						b.Errorf("status callback: %d", res.Status)
					}
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
		}
		for i := range calls {
			next <- i
		}
		close(next)
		wg.Wait()
		took := time.Since(start)
		slices.Sort(lat)
		b.ReportMetric(float64(len(lat))/took.Seconds(), "webhooks/s")
		b.ReportMetric(float64(calls)/took.Seconds(), "calls/s")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
}
