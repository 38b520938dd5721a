package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

// sends records what a SendObserver is told, route/outcome → count.
type sends struct {
	mu sync.Mutex
	n  map[string]int
}

func (s *sends) NotifySend(route, outcome string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n[route+"/"+outcome]++
}

func (s *sends) counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.n {
		out[k] = v
	}
	return out
}

// failingOnce fails its first send with a temporary error, then sends.
type failingOnce struct {
	Provider
	failed atomic.Bool
}

func (p *failingOnce) Send(ctx context.Context, m Message) (string, error) {
	if p.failed.CompareAndSwap(false, true) {
		return "", errors.New("421 try again later")
	}
	return p.Provider.Send(ctx, m)
}

// Each send is told to the observer by its route: the e-mail's temporary
// failure (retry) and its bounce at RCPT (failed), the SMS that took over
// (sent) and Twilio's later word that it was not delivered (undelivered).
func TestSendsObservedPerRoute(t *testing.T) {
	t.Parallel()
	seen := &sends{n: map[string]int{}}
	f := newFixture(t, func(o *Opts) {
		o.Routes = []Route{RouteEmail, RouteSMS}
		o.Providers[RouteEmail] = &failingOnce{Provider: o.Providers[RouteEmail]}
		o.Observe = seen
	})
	f.mail.refuse["salah@warga.test"] = true
	f.run(t)
	tid, reply := f.addTicket(t, ticketSpec{channel: "webform", email: "salah@warga.test", phone: "+6281234567896"})
	f.b.Emit(bus.MessageUpdated{Scope: bus.Scope{TicketID: tid, QueueID: f.queue}, MessageID: reply, DeliveryStatus: domain.DeliveryPosted, At: time.Now()})
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		if d := f.deliveries(t, tid); len(d) != 2 || d[1].Route != RouteSMS || d[1].Status != StatusSent {
			return fmt.Errorf("deliveries %+v", d)
		}
		return nil
	})
	sid := f.deliveries(t, tid)[1].ProviderID
	if err := f.svc.ApplyTwilioStatus(context.Background(), TwilioStatus{MessageSID: sid, Status: "undelivered", ErrorCode: "30003"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"email/retry": 1, "email/failed": 1, "sms/sent": 1, "sms/undelivered": 1}
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		if got := seen.counts(); fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("observed %v, want %v", got, want)
		}
		return nil
	})
}
