package notify

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

// handOver publishes a provider status as channels/whatsapp does.
func (f *fixture) handOver(t *testing.T, st bus.NotifyStatus) {
	t.Helper()
	p, err := f.b.NotifyStatusPending(st)
	must(t, err)
	must(t, f.b.PublishAll(context.Background(), []bus.Pending{p}))
}

// A WhatsApp template notification carries its reference; the statuses
// Meta sends for it, handed over by the adapter on the bus, mark it
// delivered, or failed with the reason and fall back to e-mail.
func TestWhatsAppTemplateStatusesReachTheNotice(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Opts) { o.Routes = []Route{RouteWhatsApp, RouteEmail} })
	f.run(t)
	spec := func(phone, email string) ticketSpec {
		return ticketSpec{channel: "whatsapp", phone: phone, email: email, lastInbound: time.Now().Add(-25 * time.Hour)}
	}
	okTicket, _ := f.addTicket(t, spec("+6281234567861", ""))
	f.setStatus(t, okTicket, domain.StatusSolved)
	sent := func(tid int64) Delivery {
		t.Helper()
		var d Delivery
		testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
			list := f.deliveries(t, tid)
			if len(list) != 1 || list[0].Status != StatusSent || list[0].Route != RouteWhatsApp {
				return fmt.Errorf("deliveries %+v", list)
			}
			d = list[0]
			return nil
		})
		return d
	}
	d := sent(okTicket)
	sends := f.graph.sent()
	if len(sends) != 1 || sends[0]["biz_opaque_callback_data"] != fmt.Sprintf("%s%d", bus.NotifyRefPrefix, d.ID) {
		t.Fatalf("template send without its reference: %v", sends)
	}
	ref := sends[0]["biz_opaque_callback_data"].(string)

	// Statuses that are not ours change nothing: another wamid, another
	// route, a reference of no row.
	f.handOver(t, bus.NotifyStatus{Route: "whatsapp", Ref: ref, ProviderID: "wamid.other", Status: domain.DeliveryFailed, At: time.Now()})
	f.handOver(t, bus.NotifyStatus{Route: "sms", Ref: ref, ProviderID: d.ProviderID, Status: domain.DeliveryFailed, At: time.Now()})
	f.handOver(t, bus.NotifyStatus{Route: "whatsapp", Ref: bus.NotifyRefPrefix + "999999999", ProviderID: d.ProviderID, Status: domain.DeliveryFailed, At: time.Now()})
	f.handOver(t, bus.NotifyStatus{Route: "whatsapp", Ref: ref, ProviderID: d.ProviderID, Status: domain.DeliveryDelivered, At: time.Now()})
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		if list := f.deliveries(t, okTicket); len(list) != 1 || list[0].Status != StatusDelivered {
			return fmt.Errorf("deliveries %+v", list)
		}
		return nil
	})

	// Failed: the route fails with Meta's reason and e-mail takes over,
	// once, however often Meta repeats itself.
	failTicket, _ := f.addTicket(t, spec("+6281234567862", "wati@warga.test"))
	f.setStatus(t, failTicket, domain.StatusSolved)
	fd := sent(failTicket)
	failed := bus.NotifyStatus{Route: "whatsapp", Ref: fmt.Sprintf("%s%d", bus.NotifyRefPrefix, fd.ID), ProviderID: fd.ProviderID,
		Status: domain.DeliveryFailed, Error: "131026 Message undeliverable", At: time.Now()}
	f.handOver(t, failed)
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		list := f.deliveries(t, failTicket)
		if len(list) != 2 || list[0].Status != StatusFailed || !strings.Contains(list[0].Reason, "131026") ||
			list[1].Route != RouteEmail || list[1].Status != StatusSent {
			return fmt.Errorf("deliveries %+v", list)
		}
		return nil
	})
	// The same status again (a webhook retried past the dedupe window):
	// applied directly, it queues the fallback again, which sends nothing.
	must(t, f.svc.ApplyProviderStatus(context.Background(), failed))
	if err := f.svc.ApplyProviderStatus(context.Background(), bus.NotifyStatus{Route: "whatsapp", Ref: "tanggap-notify:x", ProviderID: "w"}); err != ErrUnknownMessage {
		t.Fatalf("a malformed reference: %v", err)
	}
	waitJobsDone(t, f)
	if m := f.mail.mails(); len(m) != 1 {
		t.Fatalf("%d mails, want 1", len(m))
	}
	if list := f.deliveries(t, failTicket); len(list) != 2 {
		t.Fatalf("deliveries %+v", list)
	}
	// The statuses that were not ours left the delivered one alone.
	if list := f.deliveries(t, okTicket); len(list) != 1 || list[0].Status != StatusDelivered {
		t.Fatalf("deliveries %+v", list)
	}
}

// waitJobsDone waits until the jobs stream holds nothing: every job queued
// so far was worked.
func waitJobsDone(t *testing.T, f *fixture) {
	t.Helper()
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		info, err := f.b.JS.Stream(context.Background(), f.b.Names.StreamJobs())
		if err != nil {
			return err
		}
		if n := info.CachedInfo().State.Msgs; n != 0 {
			return fmt.Errorf("%d jobs waiting", n)
		}
		return nil
	})
}
