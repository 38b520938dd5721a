package whatsapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tanggap/channels/whatsapp"
	"tanggap/internal/bus"
	"tanggap/internal/config"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

// The status of a citizen notification's template (its
// biz_opaque_callback_data carries notify's reference) is handed to
// notify on the bus, as a job on notify's own subject; the adapter keeps
// its own status jobs for its own replies.
func TestNotificationTemplateStatusGoesToNotify(t *testing.T) {
	t.Parallel()
	b := testenv.Bus(t)
	a := whatsapp.New(whatsapp.Opts{Bus: b, Log: testenv.Logger(t)})
	batch, err := testParser.Parse(fixture(t, "status_notify_failed"))
	if err != nil {
		t.Fatal(err)
	}
	own, err := testParser.Parse(fixture(t, "status_failed"))
	if err != nil {
		t.Fatal(err)
	}
	batch.Statuses = append(batch.Statuses, own.Statuses...)
	pend, err := a.Pending(batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(pend) != 2 || pend[0].Subject != b.Names.Job(bus.NotifyJobs, bus.NotifyStatusKind) ||
		pend[1].Subject != b.Names.Job(domain.ChannelWhatsApp, "status") {
		t.Fatalf("subjects %q, %q", pend[0].Subject, pend[len(pend)-1].Subject)
	}
	// Meta's retry of the same webhook queues nothing twice.
	ctx := context.Background()
	must(t, b.PublishAll(ctx, pend[:1]))
	must(t, b.PublishAll(ctx, pend[:1]))

	cons, err := b.JS.CreateOrUpdateConsumer(ctx, b.Names.StreamJobs(), jetstream.ConsumerConfig{
		Durable: "test-notify-status", FilterSubject: b.Names.Job(bus.NotifyJobs, bus.NotifyStatusKind), AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	got, err := cons.Fetch(2, jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []jetstream.Msg
	for m := range got.Messages() {
		msgs = append(msgs, m)
	}
	if len(msgs) != 1 {
		t.Fatalf("%d notify status jobs, want 1", len(msgs))
	}
	var st bus.NotifyStatus
	if err := json.Unmarshal(msgs[0].Data(), &st); err != nil {
		t.Fatal(err)
	}
	if st.V != 1 || st.Route != "whatsapp" || st.Ref != bus.NotifyRefPrefix+"42" || !strings.HasPrefix(st.ProviderID, "wamid.") ||
		st.Status != domain.DeliveryFailed || !strings.Contains(st.Error, "131026") || st.At.IsZero() {
		t.Fatalf("handed over %+v", st)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The whole contact center: a WhatsApp citizen outside the 24-hour window
// is told by the notification template that the agent needs more
// information; Meta's "failed" status of that template, posted to the
// channel's webhook, reaches the notification the agent sees on the
// ticket, with Meta's reason.
func TestNotificationTemplateFailureShowsOnTheTicket(t *testing.T) {
	t.Parallel()
	e := startWAWith(t, func(c *config.Config) { c.Notify.WhatsAppTemplate = "pengingat" })
	now := time.Now()
	if res := e.post(textWebhook(numberA, citizenWaID, "wamid.notify-in-1", now, "Bantuan saya belum masuk")); res.Status != 200 {
		t.Fatalf("webhook: %d", res.Status)
	}
	tid := e.ticketOf("wamid.notify-in-1")
	// Notify listens (its events stream and consumer exist), so the
	// status change's event is kept for it.
	testenv.CheckFor(t, 20*time.Second, 25*time.Millisecond, func() error {
		_, err := e.bus.JS.Consumer(context.Background(), e.bus.Names.StreamNotifyEvents(), e.bus.Names.DurableNotifyEvents())
		return err
	})
	// The citizen last wrote a day and more ago: outside the window.
	must(t, e.check.Exec(`UPDATE messages SET created_at = ? WHERE ticket_id = ?`, now.Add(-25*time.Hour).UTC(), tid).Error)
	if res := e.api.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", tid), map[string]string{"status": "pending"}); res.Status != http.StatusOK {
		t.Fatalf("pending: %d %s", res.Status, res.Body)
	}
	var tpl sentMessage
	testenv.CheckFor(t, 30*time.Second, 25*time.Millisecond, func() error {
		for _, m := range e.graph.sentMessages() {
			if ref, _ := m.Body["biz_opaque_callback_data"].(string); strings.HasPrefix(ref, bus.NotifyRefPrefix) {
				tpl = m
				return nil
			}
		}
		return fmt.Errorf("no notification template sent yet")
	})
	type notice struct{ Route, Status, Reason string }
	notices := func() []notice {
		var out struct {
			Notifications []notice `json:"notifications"`
		}
		e.api.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/notifications", tid), nil).JSON(t, &out)
		return out.Notifications
	}
	testenv.CheckFor(t, 30*time.Second, 25*time.Millisecond, func() error {
		if n := notices(); len(n) != 1 || n[0].Route != "whatsapp" || n[0].Status != "sent" {
			return fmt.Errorf("notifications %+v", n)
		}
		return nil
	})
	failed := webhookOf(numberA, citizenWaID, nil, []map[string]any{{
		"id": tpl.ID, "status": "failed", "timestamp": fmt.Sprint(now.Add(time.Minute).Unix()), "recipient_id": citizenWaID,
		"biz_opaque_callback_data": tpl.Body["biz_opaque_callback_data"],
		"errors":                   []any{map[string]any{"code": 131026, "title": "Message undeliverable", "message": "Message undeliverable"}},
	}})
	if res := e.post(failed); res.Status != 200 {
		t.Fatalf("status webhook: %d %s", res.Status, res.Body)
	}
	testenv.CheckFor(t, 30*time.Second, 25*time.Millisecond, func() error {
		if n := notices(); len(n) != 1 || n[0].Status != "failed" || !strings.Contains(n[0].Reason, "131026") {
			return fmt.Errorf("notifications %+v", n)
		}
		return nil
	})
}
