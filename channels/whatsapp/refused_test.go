package whatsapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tanggap/channels/whatsapp"
	"tanggap/internal/apptest"
	"tanggap/internal/bus"
	"tanggap/internal/config"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

// TestOneRefusedMessageDoesNotSinkThePost: a signed POST with two good
// messages and one whose sender is no number is answered 200, both good
// messages are stored, and the refused one is recorded on the inbound
// stream (once, though Meta posts it again).
func TestOneRefusedMessageDoesNotSinkThePost(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t)
	cfg := apptest.Config(t)
	// A bus the test can read too.
	bc := testenv.SharedBusConfig(t)
	cfg.NATSURL, cfg.NATSSubjectPrefix = bc.URL, bc.SubjectPrefix
	cfg.WhatsApp = config.WhatsApp{
		AppSecret: appSecret, VerifyToken: verifyToken, AccessToken: g.token,
		APIBaseURL: g.srv.URL, APIVersion: g.version, PhoneNumberID: numberA,
		RateLimit: 80, MediaMaxBytes: 1 << 20,
	}
	a := apptest.Start(t, cfg)
	check, err := db.Open(context.Background(), db.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, MaxOpenConns: 2}, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { check.Close() })
	e := &waEnv{t: t, graph: g, api: apptest.NewClient(t, a.URL()), check: check, cfg: cfg}

	now := fmt.Sprint(time.Now().Unix())
	bad := map[string]any{"from": "62-bukan-nomor", "id": "wamid.refused-bad", "timestamp": now, "type": "text", "text": map[string]any{"body": "x"}}
	body := webhookOf(numberA, citizenWaID, []map[string]any{
		{"from": citizenWaID, "id": "wamid.refused-good1", "timestamp": now, "type": "text", "text": map[string]any{"body": "Satu"}},
		bad,
		{"from": "6281234567891", "id": "wamid.refused-good2", "timestamp": now, "type": "text", "text": map[string]any{"body": "Dua"}},
	}, nil)
	for range 2 { // Meta's retry of the same POST
		if res := e.post(body); res.Status != 200 {
			t.Fatalf("webhook with one refused message: %d %s, want 200", res.Status, res.Body)
		}
	}
	e.ticketOf("wamid.refused-good1")
	e.ticketOf("wamid.refused-good2")
	var n int64
	if err := check.Raw(`SELECT COUNT(*) FROM messages WHERE provider_message_id LIKE 'wamid.refused-%'`).Scan(&n).Error; err != nil || n != 2 {
		t.Fatalf("%d messages stored (%v), want the two good ones", n, err)
	}

	// The record: on the inbound stream, once, with the reason and the
	// item as sent.
	nc, err := nats.Connect(bc.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	names := bus.NewNames(bc.SubjectPrefix)
	cons, err := js.OrderedConsumer(ctx, names.StreamInbound(), jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{names.Inbound(domain.ChannelWhatsApp)}})
	if err != nil {
		t.Fatal(err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := whatsapp.RefusedMsgID(whatsapp.Refused{ID: "wamid.refused-bad", Item: "message"})
	var records []whatsapp.RefusedRecord
	for range info.NumPending {
		m, err := cons.Next(jetstream.FetchMaxWait(10 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if m.Headers().Get(nats.MsgIdHdr) != want {
			continue
		}
		var r whatsapp.RefusedRecord
		if err := json.Unmarshal(m.Data(), &r); err != nil {
			t.Fatal(err)
		}
		records = append(records, r)
	}
	if len(records) != 1 {
		t.Fatalf("%d records of the refused message on the inbound stream, want 1", len(records))
	}
	r := records[0].Refused
	var raw map[string]any
	if err := json.Unmarshal(r.Raw, &raw); err != nil || raw["from"] != bad["from"] || r.Reason == "" {
		t.Fatalf("record %+v, want the reason and the message as sent", r)
	}
}
