// Package loadgen submits complaint forms to a running contact center as
// fast as a bounded number of workers can, and reports throughput and
// latency. It backs `make bench` and cmd/loadgen. Every run is bounded in
// count and time.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Opts configures a run.
type Opts struct {
	BaseURL     string
	Total       int           // submissions to send
	Concurrency int           // parallel workers
	MaxDuration time.Duration // hard stop
	Categories  []string
	// First is the number of the first citizen (0 and 1 both mean 1), so
	// runs against one database can use disjoint citizens.
	First int
	// Retry resends a submission that got no 201 (an error or a 5xx), as a
	// provider does, under the same Idempotency-Key, until it is accepted
	// or the run's time is up. Every submission then carries a key.
	Retry bool
	// KeyPrefix starts every submission's Idempotency-Key (the citizen's
	// number follows); empty with Retry: "loadgen-key-".
	KeyPrefix string
	// Progress, when set, counts accepted submissions as they come (a
	// fault script waits on it to strike mid-run).
	Progress *atomic.Int64
	// Stop, when closed, ends the run early: workers finish the
	// submission in hand (retries included) and take no other, so every
	// submission sent is accepted or counted failed, none cut off.
	Stop <-chan struct{}
}

// Result summarizes a run.
type Result struct {
	Sent     int
	Accepted int
	Failed   int
	Elapsed  time.Duration
	P50, P99 time.Duration
	Tracking []string
	// Citizens[k] is the citizen number of Tracking[k]; Index names the
	// number in the description ("nomor N:") a stored message carries.
	Citizens  []int
	Retries   int // resends with Retry
	FirstFail string
}

// Index is the marker of citizen n's complaint in its description.
func Index(n int) string { return "nomor " + fmt.Sprint(n) + ":" }

// PerSecond is accepted submissions per second.
func (r Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Accepted) / r.Elapsed.Seconds()
}

func (r Result) String() string {
	return fmt.Sprintf("%d accepted, %d failed in %v: %.0f submissions/s, p50 %v, p99 %v",
		r.Accepted, r.Failed, r.Elapsed.Round(time.Millisecond), r.PerSecond(), r.P50, r.P99)
}

// Run sends o.Total complaints from distinct citizens.
func Run(ctx context.Context, o Opts) (Result, error) {
	if o.Total <= 0 || o.Concurrency <= 0 {
		return Result{}, fmt.Errorf("loadgen: total and concurrency must be positive")
	}
	if o.MaxDuration <= 0 {
		o.MaxDuration = 5 * time.Minute
	}
	if o.First < 1 {
		o.First = 1
	}
	if o.Retry && o.KeyPrefix == "" {
		o.KeyPrefix = "loadgen-key-"
	}
	if len(o.Categories) == 0 {
		o.Categories = []string{"pendaftaran", "verifikasi", "pelatihan", "insentif", "lainnya"}
	}
	ctx, cancel := context.WithTimeout(ctx, o.MaxDuration)
	defer cancel()
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency, MaxConnsPerHost: o.Concurrency},
	}
	var (
		next      atomic.Int64
		mu        sync.Mutex
		res       Result
		latencies = make([]time.Duration, 0, o.Total)
		wg        sync.WaitGroup
	)
	start := time.Now()
	for w := 0; w < o.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				select {
				case <-o.Stop: // nil: never
					return
				default:
				}
				k := int(next.Add(1))
				if k > o.Total {
					return
				}
				i := o.First + k - 1
				body, _ := json.Marshal(map[string]string{
					"name":        fmt.Sprintf("Warga %d", i),
					"phone":       fmt.Sprintf("0812%08d", i),
					"category":    o.Categories[i%len(o.Categories)],
					"description": "Pengajuan uji beban " + Index(i) + " insentif belum diterima.",
				})
				key := ""
				if o.KeyPrefix != "" {
					key = o.KeyPrefix + fmt.Sprint(i)
				}
				for attempt := 0; ; attempt++ {
					t0 := time.Now()
					tn, err := submit(ctx, client, o.BaseURL, key, body)
					d := time.Since(t0)
					retry := err != nil && o.Retry && ctx.Err() == nil
					mu.Lock()
					res.Sent++
					switch {
					case err == nil:
						res.Accepted++
						res.Tracking = append(res.Tracking, tn)
						res.Citizens = append(res.Citizens, i)
						latencies = append(latencies, d)
					case retry:
						res.Retries++
					default:
						res.Failed++
					}
					if err != nil && res.FirstFail == "" {
						res.FirstFail = err.Error()
					}
					mu.Unlock()
					if err == nil && o.Progress != nil {
						o.Progress.Add(1)
					}
					if !retry {
						break
					}
					// A provider's retry is not immediate; the pause also
					// spares an instance that is coming back.
					select {
					case <-ctx.Done():
					case <-time.After(time.Duration(min(attempt+1, 10)) * 50 * time.Millisecond):
					}
				}
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	if n := len(latencies); n > 0 {
		res.P50 = latencies[n/2]
		res.P99 = latencies[min(n-1, n*99/100)]
	}
	return res, nil
}

func submit(ctx context.Context, client *http.Client, base, key string, body []byte) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/complaints", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("status %d: %s", res.StatusCode, raw)
	}
	var out struct {
		TrackingNumber string `json:"tracking_number"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", err
	}
	return out.TrackingNumber, nil
}
