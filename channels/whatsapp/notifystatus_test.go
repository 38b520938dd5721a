package whatsapp_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tanggap/channels/whatsapp"
	"tanggap/internal/bus"
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
