package whatsapp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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
	"tanggap/internal/envelope"
	"tanggap/internal/testenv"
)

// TestOneRefusedMessageDoesNotSinkThePost: a signed POST with two good
// messages and one whose sender is no number is answered 200, both good
// messages are stored, and the refused one is recorded on the inbound
// stream and kept as one row admins see through the API (once, though
// Meta posts it again and the core gets the record again); agents are
// refused the list.
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
	var records [][]byte
	for range info.NumPending {
		m, err := cons.Next(jetstream.FetchMaxWait(10 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if m.Headers().Get(nats.MsgIdHdr) != want {
			continue
		}
		records = append(records, m.Data())
	}
	if len(records) != 1 {
		t.Fatalf("%d records of the refused message on the inbound stream, want 1", len(records))
	}
	r, ok, err := envelope.DecodeRefused(records[0])
	if !ok || err != nil {
		t.Fatalf("record not read (%v, %v): %s", ok, err, records[0])
	}
	var raw map[string]any
	if err := json.Unmarshal(r.Raw, &raw); err != nil || raw["from"] != bad["from"] || r.Reason == "" || r.ID != want ||
		r.Cause != envelope.CauseSender || r.ProviderMessageID != "wamid.refused-bad" {
		t.Fatalf("record %+v, want the reason and the message as sent", r)
	}

	// The row: an admin sees it in the list, once.
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	var page refusedPage
	testenv.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		res := admin.Do(http.MethodGet, "/api/v1/admin/refused", nil)
		if res.Status != http.StatusOK {
			return fmt.Errorf("list: %d %s", res.Status, res.Body)
		}
		page = refusedPage{}
		res.JSON(t, &page)
		if len(page.Items) == 0 {
			return errors.New("no refused item listed yet")
		}
		return nil
	})
	if len(page.Items) != 1 {
		t.Fatalf("%d refused items listed, want 1: %+v", len(page.Items), page.Items)
	}
	it := page.Items[0]
	if it.Channel != "whatsapp" || it.Item != "message" || it.ProviderMessageID != "wamid.refused-bad" || it.Cause != envelope.CauseSender || it.Reason == "" {
		t.Fatalf("listed %+v", it)
	}

	// The core gets the same record again (published anew after the
	// stream's duplicate window, or redelivered): still one row.
	data, err := json.Marshal(envelope.RefusedRecord{Refused: &r})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, names.Inbound(domain.ChannelWhatsApp), data); err != nil {
		t.Fatal(err)
	}
	// A marker message published after it: once it is stored, the
	// record before it was handled too.
	marker := textWebhook(numberA, "6281234567893", "wamid.refused-after", time.Now(), "Tiga")
	if res := e.post(marker); res.Status != 200 {
		t.Fatalf("marker: %d", res.Status)
	}
	e.ticketOf("wamid.refused-after")
	testenv.CheckFor(t, 10*time.Second, 20*time.Millisecond, func() error {
		var pending int64
		if err := check.Raw(`SELECT COUNT(*) FROM refused_items`).Scan(&pending).Error; err != nil {
			return err
		}
		if pending != 1 {
			return fmt.Errorf("%d refused rows, want 1", pending)
		}
		return nil
	})

	// Opened whole: the sender is not a number, the item is as sent, and
	// the opening is in the view audit.
	res := admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/admin/refused/%d", it.ID), nil)
	if res.Status != http.StatusOK {
		t.Fatalf("open: %d %s", res.Status, res.Body)
	}
	var whole struct {
		Raw map[string]any `json:"raw"`
	}
	res.JSON(t, &whole)
	if whole.Raw["from"] != bad["from"] {
		t.Fatalf("opened %s", res.Body)
	}
	testenv.CheckFor(t, 10*time.Second, 50*time.Millisecond, func() error {
		var views int64
		if err := check.Raw(`SELECT COUNT(*) FROM view_audit WHERE kind = 'refused_item' AND refused_item_id = ?`, it.ID).Scan(&views).Error; err != nil {
			return err
		}
		if views != 1 {
			return fmt.Errorf("%d views recorded", views)
		}
		return nil
	})

	// An agent is refused both.
	if res := admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "rudi@tanggap.test", "name": "Rudi",
		"password": "rahasia-rudi-2026", "role": "agent"}); res.Status != http.StatusCreated && res.Status != http.StatusOK {
		t.Fatalf("create agent: %d %s", res.Status, res.Body)
	}
	agent := apptest.NewClient(t, a.URL())
	agent.Login("rudi@tanggap.test", "rahasia-rudi-2026")
	for _, path := range []string{"/api/v1/admin/refused", fmt.Sprintf("/api/v1/admin/refused/%d", it.ID)} {
		if res := agent.Do(http.MethodGet, path, nil); res.Status != http.StatusForbidden {
			t.Fatalf("agent GET %s: %d, want 403", path, res.Status)
		}
	}
}

type refusedPage struct {
	Items []struct {
		ID                int64  `json:"id"`
		Channel           string `json:"channel"`
		Item              string `json:"item"`
		ProviderMessageID string `json:"provider_message_id"`
		SenderMasked      string `json:"sender_masked"`
		Cause             string `json:"cause"`
		Reason            string `json:"reason"`
	} `json:"items"`
}
