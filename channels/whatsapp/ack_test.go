package whatsapp_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"tanggap/channels/whatsapp"
	"tanggap/internal/bus"
	"tanggap/internal/locale"
	"tanggap/internal/routing"
	"tanggap/internal/testenv"
)

// waits answers EstimateWaits with a set estimate and counts the calls.
type waits struct {
	mu sync.Mutex
	w  map[int64]routing.WaitEstimate
}

func (f *waits) EstimateWaits(_ context.Context, ids []int64) (map[int64]routing.WaitEstimate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[int64]routing.WaitEstimate{}
	for _, id := range ids {
		if w, ok := f.w[id]; ok {
			out[id] = w
		}
	}
	return out, nil
}

func ackJob(t *testing.T, id int64, tracking, via string, at time.Time) []byte {
	t.Helper()
	b, err := json.Marshal(bus.Ack{TicketID: id, TrackingNumber: tracking, Phone: "+6281234567890", Via: via, At: at})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAckSaysReceivedOnceFromTheNumberWritten: the acknowledgement is one
// text to the citizen from the business number they wrote to (the
// default number when the message did not say), with the tracking number;
// it is recorded before it goes, so a redelivered job or one cut off after
// its record sends nothing, and a send Meta refused for now goes on the
// retry. A closed queue's text names when agents are back, in the queue's
// zone; an open queue's does not.
func TestAckSaysReceivedOnceFromTheNumberWritten(t *testing.T) {
	t.Parallel()
	g := newFakeGraph(t)
	d := testenv.DB(t)
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	wib, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	monday := time.Date(2026, 12, 7, 8, 0, 0, 0, wib)
	w := &waits{w: map[int64]routing.WaitEstimate{
		1: {QueueID: 1, Open: true, Position: 1},
		2: {QueueID: 1, OpensAt: monday, Closed: true, Position: 3},
		3: {QueueID: 1, Open: false, OpensAt: monday, AgentsOnline: 1, Position: 1}, // after hours, someone online
		4: {QueueID: 1, Open: true},
	}}
	a := whatsapp.New(whatsapp.Opts{DB: d, Log: testenv.Logger(t), AccessToken: g.token, APIBaseURL: g.srv.URL,
		APIVersion: g.version, PhoneNumberID: numberA, RateLimit: 50, Texts: cat, Waiter: w})
	ctx := context.Background()
	now := time.Now()
	pending := 0
	g.onSend = func(map[string]any) {
		// Under the fake's lock: the send must be recorded already.
		var keys []string
		if err := d.Raw(`SELECT outbound_id FROM whatsapp_sends WHERE wamid = ''`).Scan(&keys).Error; err != nil || len(keys) != 1 {
			g.violate("acknowledgement sent with pending records %v (%v): it must be recorded first", keys, err)
		}
		pending++
	}
	body := func(m sentMessage) string {
		text, _ := m.Body["text"].(map[string]any)
		s, _ := text["body"].(string)
		return s
	}

	if got := a.AckJob(ctx, ackJob(t, 1, "WA-2026-0001", numberB, now), 1); got != bus.JobDone {
		t.Fatalf("ack: %v", got)
	}
	sent := g.sentMessages()
	if len(sent) != 1 || sent[0].From != numberB || sent[0].Body["to"] != citizenWaID || sent[0].Body["type"] != "text" {
		t.Fatalf("sent %+v, want one text from %s to %s", sent, numberB, citizenWaID)
	}
	if got := body(sent[0]); got != "Pesan Anda sudah kami terima. Nomor pelacakan: WA-2026-0001. Petugas akan segera membalas di sini." {
		t.Fatalf("open queue: %q", got)
	}
	// Redelivered: nothing more.
	if got := a.AckJob(ctx, ackJob(t, 1, "WA-2026-0001", numberB, now), 2); got != bus.JobDone || len(g.sentMessages()) != 1 {
		t.Fatalf("redelivered: %v, %d sends", got, len(g.sentMessages()))
	}

	// Closed: when agents are back, in the queue's zone; from the default
	// number when the message named none.
	if got := a.AckJob(ctx, ackJob(t, 2, "WA-2026-0002", "", now), 1); got != bus.JobDone {
		t.Fatalf("closed: %v", got)
	}
	sent = g.sentMessages()
	want := "Pesan Anda sudah kami terima. Nomor pelacakan: WA-2026-0002. Saat ini di luar jam layanan; petugas kembali Senin, 07-12-2026 pukul 08.00 WIB dan akan membalas di sini."
	if len(sent) != 2 || sent[1].From != numberA || body(sent[1]) != want {
		t.Fatalf("closed queue: from %s %q, want from %s %q", sent[1].From, body(sent[1]), numberA, want)
	}
	// After hours with someone online the queue is not closed.
	a.AckJob(ctx, ackJob(t, 3, "WA-2026-0003", numberA, now), 1)
	if got := body(g.sentMessages()[2]); strings.Contains(got, "luar jam layanan") || !strings.Contains(got, "segera membalas") {
		t.Fatalf("after hours, an agent online: %q", got)
	}

	// Meta refuses for now: the record is taken back and the retry sends.
	g.failNext(serverError)
	if got := a.AckJob(ctx, ackJob(t, 4, "WA-2026-0004", numberA, now), 1); got != bus.JobRetry {
		t.Fatalf("refused: %v, want retry", got)
	}
	if got := a.AckJob(ctx, ackJob(t, 4, "WA-2026-0004", numberA, now), 2); got != bus.JobDone || len(g.sentMessages()) != 4 {
		t.Fatalf("retry: %v, %d sends", got, len(g.sentMessages()))
	}

	// Cut off after its record (a crash): never sent.
	if err := d.Exec(`INSERT INTO whatsapp_sends (outbound_id, message_id, wamid, phone_number_id, created_at) VALUES ('ack:5', 0, '', ?, ?)`, numberA, now).Error; err != nil {
		t.Fatal(err)
	}
	w.w[5] = routing.WaitEstimate{Open: true}
	if got := a.AckJob(ctx, ackJob(t, 5, "WA-2026-0005", numberA, now), 2); got != bus.JobDone || len(g.sentMessages()) != 4 {
		t.Fatalf("after a crash: %v, %d sends", got, len(g.sentMessages()))
	}
	// Past the 24-hour window, or for a ticket gone: nothing.
	w.w[6] = routing.WaitEstimate{Open: true}
	if got := a.AckJob(ctx, ackJob(t, 6, "WA-2026-0006", numberA, now.Add(-25*time.Hour)), 1); got != bus.JobDrop {
		t.Fatalf("out of the window: %v, want drop", got)
	}
	if got := a.AckJob(ctx, ackJob(t, 7, "WA-2026-0007", numberA, now), 1); got != bus.JobDrop || len(g.sentMessages()) != 4 {
		t.Fatalf("ticket gone: %v, %d sends", got, len(g.sentMessages()))
	}
	// Every attempt that reached Meta, the refused one too, was recorded
	// before it went.
	if pending != 5 {
		t.Fatalf("%d attempts seen, want 5", pending)
	}
}
