package whatsapp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"tanggap/channels"
	"tanggap/channels/whatsapp"
	"tanggap/internal/attachment"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/testenv"
)

func newSender(t *testing.T, g *fakeGraph, rate int) (*whatsapp.Adapter, attachment.Store) {
	t.Helper()
	files, err := attachment.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return whatsapp.New(whatsapp.Opts{
		DB: testenv.DB(t), Attachments: files, Log: testenv.Logger(t),
		AccessToken: g.token, APIBaseURL: g.srv.URL, APIVersion: g.version, PhoneNumberID: numberA, RateLimit: rate,
	}), files
}

var outSeq int

func reply(text string) envelope.Outbound {
	outSeq++
	return envelope.Outbound{
		V: envelope.Version, Channel: domain.ChannelWhatsApp, MessageID: int64(outSeq), ID: fmt.Sprintf("agent-test-%d", outSeq),
		To: envelope.Sender{Phone: "+" + citizenWaID, WaID: "+" + citizenWaID}, Text: text, CreatedAt: time.Now(),
	}
}

func TestDeliverErrors(t *testing.T) {
	cases := []struct {
		name      string
		fail      graphFailure
		permanent bool
	}{
		{"throttling (130429) is retried", throttled, false},
		{"a server error is retried", serverError, false},
		{"an undeliverable message fails for good", undeliverable, true},
		{"a closed window fails for good with Meta's reason", windowClosed, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := newFakeGraph(t)
			a, _ := newSender(t, g, 80)
			g.failNext(tc.fail)
			_, err := a.Deliver(context.Background(), reply("Halo"))
			if err == nil || channels.IsPermanent(err) != tc.permanent {
				t.Fatalf("err %v, permanent %v; want permanent %v", err, channels.IsPermanent(err), tc.permanent)
			}
			if !strings.Contains(err.Error(), tc.fail.Title) {
				t.Fatalf("error %q does not name Meta's reason", err)
			}
			if len(g.sentMessages()) != 0 {
				t.Fatal("a refused message counted as sent")
			}
		})
	}
	t.Run("a network error is retried", func(t *testing.T) {
		g := newFakeGraph(t)
		a, _ := newSender(t, g, 80)
		g.srv.Close()
		if _, err := a.Deliver(context.Background(), reply("Halo")); err == nil || channels.IsPermanent(err) {
			t.Fatalf("err %v, want a retryable error", err)
		}
	})
	t.Run("a wrong token is not sent as a message", func(t *testing.T) {
		g := newFakeGraph(t)
		a, _ := newSender(t, g, 80)
		g.mu.Lock()
		g.token = "rotated"
		g.mu.Unlock()
		if _, err := a.Deliver(context.Background(), reply("Halo")); err == nil || !strings.Contains(err.Error(), "190") {
			t.Fatalf("err %v", err)
		}
	})
}

func TestDeliverIsIdempotentByOutboundID(t *testing.T) {
	g := newFakeGraph(t)
	a, _ := newSender(t, g, 80)
	out := reply("Sudah kami proses")
	first, err := a.Deliver(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	again, err := a.Deliver(context.Background(), out) // a redelivery after a lost ack
	if err != nil {
		t.Fatal(err)
	}
	if n := len(g.sentMessages()); n != 1 {
		t.Fatalf("sent %d times", n)
	}
	if first.ExternalID == "" || again.ExternalID != first.ExternalID || again.Status != domain.DeliverySent {
		t.Fatalf("receipts %+v / %+v", first, again)
	}
}

func TestDeliverFromTheNumberTheCitizenWroteTo(t *testing.T) {
	g := newFakeGraph(t)
	a, _ := newSender(t, g, 80)
	out := reply("Halo")
	out.Via = numberB
	if _, err := a.Deliver(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	if got := g.sentMessages()[0].From; got != numberB {
		t.Fatalf("sent from %s, want %s", got, numberB)
	}
}

func TestDeliverMediaAndLongText(t *testing.T) {
	g := newFakeGraph(t)
	a, files := newSender(t, g, 80)
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 100)...)
	st, err := files.Put(context.Background(), bytes.NewReader(pdf), 1<<20, attachment.Documents)
	if err != nil {
		t.Fatal(err)
	}
	out := reply("Formulir terlampir")
	out.Attachments = []envelope.Attachment{{Key: st.Key, Filename: "formulir.pdf", MIME: st.MIME, Size: st.Size}}
	if _, err := a.Deliver(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	m := g.sentMessages()[0]
	doc, _ := m.Body["document"].(map[string]any)
	if m.Body["type"] != "document" || doc["id"] != "uploaded-1" || doc["caption"] != "Formulir terlampir" || doc["filename"] != "formulir.pdf" {
		t.Fatalf("document sent as %s", m.Raw)
	}

	long := strings.Repeat("kata ", 1000) // 5,000 characters: two messages
	if _, err := a.Deliver(context.Background(), reply(long)); err != nil {
		t.Fatal(err)
	}
	if n := len(g.sentMessages()); n != 3 {
		t.Fatalf("%d messages in all, want 1 document + 2 text parts", n)
	}
}

func TestDeliverRetrySendsOnlyThePartsNotSentYet(t *testing.T) {
	g := newFakeGraph(t)
	a, _ := newSender(t, g, 80)
	out := reply(strings.Repeat("kata ", 1000)) // two parts
	g.failNext(passes, throttled)
	if _, err := a.Deliver(context.Background(), out); err == nil || channels.IsPermanent(err) {
		t.Fatalf("err %v, want a retryable error", err)
	}
	r, err := a.Deliver(context.Background(), out) // the redelivery
	if err != nil {
		t.Fatal(err)
	}
	sent := g.sentMessages()
	if len(sent) != 2 || sent[0].Raw == sent[1].Raw || r.ExternalID != sent[1].ID {
		t.Fatalf("%d sends; receipt %+v", len(sent), r)
	}
}

// TestDeliverKeepsTheThroughputLimit: 5 messages at 2/s (burst 2) cannot
// all leave within a second. A lower bound only: never flaky.
func TestDeliverKeepsTheThroughputLimit(t *testing.T) {
	g := newFakeGraph(t)
	a, _ := newSender(t, g, 2)
	start := time.Now()
	for range 5 {
		if _, err := a.Deliver(context.Background(), reply("Halo")); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took < 1400*time.Millisecond {
		t.Fatalf("5 messages at 2/s took %v", took)
	}
	// The limiter refuses at once a send its budget cannot cover before the
	// deadline (no wall clock involved): this number's budget is spent...
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := a.Deliver(ctx, reply("Halo")); err == nil {
		t.Fatal("a sixth message left within 50 ms at 2/s")
	}
	// ...while another number's is whole.
	out := reply("Halo")
	out.Via = numberB
	if _, err := a.Deliver(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	if got := g.sentMessages(); len(got) != 6 || got[5].From != numberB {
		t.Fatalf("%d sent", len(got))
	}
}

func TestDeliverWithoutARecipientFailsForGood(t *testing.T) {
	g := newFakeGraph(t)
	a, _ := newSender(t, g, 80)
	out := reply("Halo")
	out.To = envelope.Sender{Email: "warga@example.id"}
	_, err := a.Deliver(context.Background(), out)
	if !channels.IsPermanent(err) {
		t.Fatalf("err %v, want permanent", err)
	}
	var ge *whatsapp.GraphError
	if errors.As(err, &ge) {
		t.Fatal("no API call should have been made")
	}
}
