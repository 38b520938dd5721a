// Package loadgen submits complaint forms (and, when given the app secret,
// signed WhatsApp webhooks) to a running contact center as fast as a
// bounded number of workers can, and reports throughput and
// latency. It backs `make bench` and cmd/loadgen. Every run is bounded in
// count and time.
package loadgen

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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
	// Attempts, when set, counts every send (retries included) as it
	// ends, so a fault script can tell what was sent during a fault.
	Attempts *atomic.Int64
	// Stop, when closed, ends the run early: workers finish the
	// submission in hand (retries included) and take no other, so every
	// submission sent is accepted or counted failed, none cut off.
	Stop <-chan struct{}
	// WhatsAppSecret, when set, sends some citizens' messages (the
	// channels take turns) as a signed WhatsApp Cloud API webhook (one text message, POST
	// /webhooks/whatsapp, 200 expected) instead of a complaint form; the
	// instance must have the same WHATSAPP_APP_SECRET. A retry resends the
	// same body, as Meta does, so the message id makes it one message.
	WhatsAppSecret string
	// WhatsAppOnly sends every citizen's message as a WhatsApp webhook
	// (WhatsAppSecret set; Chat ignored): a probe of the gateway alone.
	WhatsAppOnly bool
	// Chat adds live-chat visitors to the mix: each opens the widget's
	// socket (/livechat/ws), says hello, sends one message and counts as
	// accepted on its ack (the message is durable); a retry reconnects
	// with the visitor's token and resends the same cid. The instance must
	// allow enough sockets from one address (LIVECHAT_MAX_CONNS_PER_IP,
	// LIVECHAT_NEW_CONNS_PER_MINUTE: 0 turns them off).
	Chat bool
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
	Citizens []int
	// Channels[k] is Tracking[k]'s channel: "webform", "whatsapp" or
	// "livechat" (the last two answer no tracking number: Tracking[k] is
	// "").
	Channels  []string
	WhatsApp  int // of Accepted, WhatsApp messages
	Chat      int // of Accepted, live-chat messages
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
	// Citizens take the channels in turn.
	channels := []string{"webform"}
	if o.WhatsAppSecret != "" {
		channels = append(channels, "whatsapp")
	}
	if o.Chat {
		channels = append(channels, "livechat")
	}
	if o.WhatsAppOnly && o.WhatsAppSecret != "" {
		channels = []string{"whatsapp"}
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
				key := ""
				if o.KeyPrefix != "" {
					key = o.KeyPrefix + fmt.Sprint(i)
				}
				send := func() (string, error) { return submit(ctx, client, o.BaseURL, key, formBody(o, i)) }
				channel := channels[i%len(channels)]
				switch channel {
				case "whatsapp":
					body := whatsAppBody(i, o.KeyPrefix)
					send = func() (string, error) { return "", postWhatsApp(ctx, client, o.BaseURL, o.WhatsAppSecret, body) }
				case "livechat":
					v := &chatVisitor{cid: fmt.Sprintf("c-%d", i), text: "Halo, uji beban " + Index(i) + " insentif belum diterima."}
					send = func() (string, error) { return "", v.send(ctx, o.BaseURL) }
				}
				for attempt := 0; ; attempt++ {
					t0 := time.Now()
					tn, err := send()
					d := time.Since(t0)
					if o.Attempts != nil {
						o.Attempts.Add(1)
					}
					retry := err != nil && o.Retry && ctx.Err() == nil
					mu.Lock()
					res.Sent++
					switch {
					case err == nil:
						res.Accepted++
						res.Tracking = append(res.Tracking, tn)
						res.Citizens = append(res.Citizens, i)
						res.Channels = append(res.Channels, channel)
						switch channel {
						case "whatsapp":
							res.WhatsApp++
						case "livechat":
							res.Chat++
						}
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

func formBody(o Opts, i int) []byte {
	body, _ := json.Marshal(map[string]string{
		"name":        fmt.Sprintf("Warga %d", i),
		"phone":       fmt.Sprintf("0812%08d", i),
		"category":    o.Categories[i%len(o.Categories)],
		"description": "Pengajuan uji beban " + Index(i) + " insentif belum diterima.",
	})
	return body
}

// whatsAppBody is a Cloud API webhook with one text message from citizen
// i; prefix keeps message ids apart between runs on one database.
func whatsAppBody(i int, prefix string) []byte {
	from := fmt.Sprintf("62813%08d", i)
	msg := map[string]any{
		"from": from, "id": fmt.Sprintf("wamid.loadgen-%s%d", prefix, i), "timestamp": fmt.Sprint(time.Now().Unix()),
		"type": "text", "text": map[string]any{"body": "Pesan uji beban " + Index(i) + " insentif belum diterima."},
	}
	value := map[string]any{
		"messaging_product": "whatsapp",
		"metadata":          map[string]any{"display_phone_number": "6281100001111", "phone_number_id": "100000000000001"},
		"contacts":          []any{map[string]any{"profile": map[string]any{"name": fmt.Sprintf("Warga %d", i)}, "wa_id": from}},
		"messages":          []any{msg},
	}
	body, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
		"id": "100000000000000", "changes": []any{map[string]any{"field": "messages", "value": value}}}}})
	return body
}

func postWhatsApp(ctx context.Context, client *http.Client, base, secret string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/webhooks/whatsapp", bytes.NewReader(body))
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("whatsapp: status %d: %s", res.StatusCode, raw)
	}
	return nil
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
