package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/testenv"
)

// countingProvider stands in for a provider: it counts sends per address.
type countingProvider struct {
	mu    sync.Mutex
	sends map[string]int
	total atomic.Int64
	fail  error
}

func (p *countingProvider) Send(_ context.Context, m Message) (string, error) {
	if p.fail != nil {
		return "", p.fail
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sends == nil {
		p.sends = map[string]int{}
	}
	p.sends[m.To]++
	n := p.total.Add(1)
	return fmt.Sprintf("m%d", n), nil
}

func (p *countingProvider) dupes() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var d []string
	for to, n := range p.sends {
		if n > 1 {
			d = append(d, fmt.Sprintf("%s×%d", to, n))
		}
	}
	return d
}

// The same job delivered again (a redelivery after a crash, or the same
// event heard by two instances) never sends a second time.
func TestRedeliveredJobNeverSendsTwice(t *testing.T) {
	t.Parallel()
	p := &countingProvider{}
	f := newFixture(t, func(o *Opts) { o.Providers = map[Route]Provider{RouteEmail: p} })
	tid, reply := f.addTicket(t, ticketSpec{channel: "webform", email: "ani@warga.test"})
	j, _ := json.Marshal(job{Key: fmt.Sprintf("reply:%d", reply), Kind: KindReply, TicketID: tid, MessageID: reply})
	for attempt := 1; attempt <= 3; attempt++ {
		if out, _ := f.svc.work(context.Background(), j, attempt); out != bus.JobDone {
			t.Fatalf("attempt %d: outcome %v", attempt, out)
		}
	}
	if n := p.total.Load(); n != 1 {
		t.Fatalf("%d sends for one event, want 1", n)
	}

	// A crash between the provider's answer and our write leaves the row
	// "sending": the redelivery does not send again and says why.
	tid2, reply2 := f.addTicket(t, ticketSpec{channel: "webform", email: "dewi@warga.test"})
	key := fmt.Sprintf("reply:%d", reply2)
	if _, _, err := f.svc.store.claim(context.Background(), key, RouteEmail, tid2, KindReply, time.Now()); err != nil {
		t.Fatal(err)
	}
	must(t, f.d.Exec(`UPDATE notify_deliveries SET status = 'sending', attempts = 1 WHERE event_key = ?`, key).Error)
	j2, _ := json.Marshal(job{Key: key, Kind: KindReply, TicketID: tid2, MessageID: reply2})
	if out, _ := f.svc.work(context.Background(), j2, 2); out != bus.JobDone {
		t.Fatalf("outcome %v", out)
	}
	if d := f.deliveries(t, tid2); len(d) != 1 || d[0].Status != StatusFailed || d[0].Reason != reasonInterrupted || p.total.Load() != 1 {
		t.Fatalf("after an interrupted send: %+v, sends %d", d, p.total.Load())
	}
}

// Through JetStream: jobs queued twice (two instances heard the event) and
// the bus restarted with jobs in flight still send each notification once.
func TestJobsSurviveARestartAndSendOnce(t *testing.T) {
	t.Parallel()
	p := &countingProvider{}
	cfg := testenv.BusConfig(t)
	f := newFixture(t, func(o *Opts) { o.Providers = map[Route]Provider{RouteEmail: p} })
	b1 := testenv.ConnectBus(t, cfg)
	svc1, err := New(Opts{DB: f.d, Bus: b1, Text: f.svc.o.Text, Links: f.links, Providers: map[Route]Provider{RouteEmail: p}, Rates: map[Route]float64{RouteEmail: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	var jobs []job
	for i := 0; i < n; i++ {
		tid, reply := f.addTicket(t, ticketSpec{channel: "webform", email: fmt.Sprintf("w%d@warga.test", i)})
		jobs = append(jobs, job{Key: fmt.Sprintf("reply:%d", reply), Kind: KindReply, TicketID: tid, MessageID: reply})
	}
	for _, j := range jobs[:n/2] {
		must(t, svc1.Enqueue(context.Background(), j))
		must(t, svc1.Enqueue(context.Background(), j))
	}
	b1.Close()

	b2 := testenv.ConnectBus(t, cfg)
	svc2, err := New(Opts{DB: f.d, Bus: b2, Text: f.svc.o.Text, Links: f.links, Providers: map[Route]Provider{RouteEmail: p}, Rates: map[Route]float64{RouteEmail: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc2.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for _, j := range jobs {
		must(t, svc2.Enqueue(context.Background(), j))
	}
	testenv.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		if got := p.total.Load(); got != n {
			return fmt.Errorf("%d of %d sent", got, n)
		}
		return nil
	})
	// Every job once more, straight to the handler (a redelivery past the
	// dedupe window).
	for i, j := range jobs {
		data, _ := json.Marshal(j)
		svc2.work(context.Background(), data, 2+i%3)
	}
	if got, d := p.total.Load(), p.dupes(); got != n || len(d) > 0 {
		t.Fatalf("%d sends, duplicates %v", got, d)
	}
}

// A temporary failure retries with backoff and then counts as failed.
func TestTemporaryFailureRetriesThenFails(t *testing.T) {
	t.Parallel()
	p := &countingProvider{fail: errors.New("connection refused")}
	f := newFixture(t, func(o *Opts) { o.Providers = map[Route]Provider{RouteEmail: p}; o.MaxAttempts = 3 })
	tid, reply := f.addTicket(t, ticketSpec{channel: "webform", email: "eko@warga.test"})
	j, _ := json.Marshal(job{Key: fmt.Sprintf("reply:%d", reply), Kind: KindReply, TicketID: tid, MessageID: reply})
	var delays []time.Duration
	for attempt := 1; attempt <= 3; attempt++ {
		out, delay := f.svc.work(context.Background(), j, attempt)
		if attempt < 3 && out != bus.JobRetry {
			t.Fatalf("attempt %d: %v", attempt, out)
		}
		delays = append(delays, delay)
	}
	if delays[1] <= delays[0] {
		t.Fatalf("no backoff: %v", delays)
	}
	if d := f.deliveries(t, tid); len(d) != 1 || d[0].Status != StatusFailed || d[0].Attempts != 3 || !strings.Contains(d[0].Reason, "refused") {
		t.Fatalf("%+v", d)
	}
}

func TestTokenBucketPacesSends(t *testing.T) {
	now := time.Unix(0, 0)
	b := newBucket(10, 2, func() time.Time { return now })
	if b.reserve() != 0 || b.reserve() != 0 {
		t.Fatal("the burst was not free")
	}
	if d := b.reserve(); d != 100*time.Millisecond {
		t.Fatalf("third send waits %v, want 100ms at 10/s", d)
	}
	now = now.Add(time.Second)
	if d := b.reserve(); d != 0 {
		t.Fatalf("after a second: wait %v", d)
	}
}

func FuzzParseTwilioStatus(f *testing.F) {
	f.Add("MessageSid=SM123&MessageStatus=delivered&AccountSid=AC1")
	f.Add("SmsSid=SM9&SmsStatus=undelivered&ErrorCode=30003")
	f.Add("MessageSid=&MessageStatus=")
	f.Add("MessageSid=SM1%00&MessageStatus=sent&ErrorCode=12a")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		st, err := ParseTwilioStatus(form)
		if err != nil {
			if !errors.Is(err, ErrBadCallback) {
				t.Fatalf("error %v is not ErrBadCallback", err)
			}
			return
		}
		if st.MessageSID == "" || st.Status == "" || !alnum(st.MessageSID) || !alnum(st.Status) || len(st.MessageSID) > 64 {
			t.Fatalf("accepted %+v", st)
		}
	})
}
