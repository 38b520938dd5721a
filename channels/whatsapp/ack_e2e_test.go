package whatsapp_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/bus"
	"tanggap/internal/config"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

// acksTo returns the texts sent to waID.
func (e *waEnv) acksTo(waID string) []sentMessage {
	var out []sentMessage
	for _, m := range e.graph.sentMessages() {
		if m.Body["to"] == waID && m.Body["type"] == "text" {
			out = append(out, m)
		}
	}
	return out
}

// waitAck waits for the one text sent to waID and returns its body.
func (e *waEnv) waitAck(waID string) sentMessage {
	e.t.Helper()
	var got []sentMessage
	testenv.CheckFor(e.t, 20*time.Second, 20*time.Millisecond, func() error {
		if got = e.acksTo(waID); len(got) == 0 {
			return fmt.Errorf("no text to %s yet", waID)
		}
		return nil
	})
	if len(got) != 1 {
		e.t.Fatalf("%d texts to %s, want 1", len(got), waID)
	}
	return got[0]
}

func (e *waEnv) trackingNumber(ticketID int64) string {
	e.t.Helper()
	var tn string
	if err := e.check.Raw(`SELECT tracking_number FROM tickets WHERE id = ?`, ticketID).Scan(&tn).Error; err != nil || tn == "" {
		e.t.Fatalf("tracking number of %d: %q %v", ticketID, tn, err)
	}
	return tn
}

func textOf(m sentMessage) string {
	text, _ := m.Body["text"].(map[string]any)
	s, _ := text["body"].(string)
	return s
}

// TestFirstMessageIsAcknowledged: a citizen's first message opens a
// ticket and the citizen gets one text from the number they wrote to with
// the tracking number and, the queue being open, that an agent replies
// here; their follow-up, threaded into that ticket, gets none. On a
// holiday with nobody online the next citizen's text names when agents
// are back (the queue's next opening, WIB), as the console's routing view
// does. Nothing of it is a message of the tickets.
func TestFirstMessageIsAcknowledged(t *testing.T) {
	e := startWAWith(t, func(c *config.Config) { c.WhatsApp.Ack = true })
	all := []string{"00:00-24:00"}
	week := map[string][]string{"mon": all, "tue": all, "wed": all, "thu": all, "fri": all, "sat": all, "sun": all}
	if res := e.api.Do(http.MethodPut, "/api/v1/admin/queues/umum", map[string]any{"hours": week, "time_zone": "WIB"}); res.Status != http.StatusOK {
		t.Fatalf("queue hours: %d %s", res.Status, res.Body)
	}
	now := time.Now().UTC().Truncate(time.Second)
	// numberB is not the default number (numberA): the text must leave
	// from the one the citizen wrote to.
	if res := e.post(textWebhook(numberB, citizenWaID, "wamid.ack-1", now, "Kartu prakerja saya belum aktif")); res.Status != 200 {
		t.Fatalf("webhook: %d %s", res.Status, res.Body)
	}
	tid := e.ticketOf("wamid.ack-1")
	ack := e.waitAck(citizenWaID)
	want := fmt.Sprintf("Pesan Anda sudah kami terima. Nomor pelacakan: %s. Petugas akan segera membalas di sini.", e.trackingNumber(tid))
	if ack.From != numberB || textOf(ack) != want {
		t.Fatalf("acknowledgement from %s: %q, want from %s: %q", ack.From, textOf(ack), numberB, want)
	}

	// A follow-up threads into the open ticket: no second text. A third
	// message of the same citizen is stored only after the follow-up's
	// batch is done (one citizen's messages are handled one at a time),
	// acknowledgements queued included.
	e.post(textWebhook(numberB, citizenWaID, "wamid.ack-2", now.Add(time.Minute), "Sudah saya coba daftar ulang"))
	e.post(textWebhook(numberB, citizenWaID, "wamid.ack-3", now.Add(2*time.Minute), "Mohon bantuannya"))
	if got := e.ticketOf("wamid.ack-3"); got != tid || e.ticketOf("wamid.ack-2") != tid {
		t.Fatalf("follow-ups on ticket %d, want %d", got, tid)
	}

	// Closed: today and tomorrow are holidays in Jakarta, nobody online.
	wib, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(wib)
	byYear := map[int][]map[string]string{}
	for _, d := range []time.Time{today, today.AddDate(0, 0, 1)} {
		byYear[d.Year()] = append(byYear[d.Year()], map[string]string{"day": d.Format(time.DateOnly), "name": "Libur uji", "kind": "national"})
	}
	for year, days := range byYear {
		if res := e.api.Do(http.MethodPut, fmt.Sprintf("/api/v1/admin/holidays/%d", year), map[string]any{"holidays": days}); res.Status != http.StatusOK {
			t.Fatalf("holidays: %d %s", res.Status, res.Body)
		}
	}
	opens := time.Date(today.Year(), today.Month(), today.Day()+2, 0, 0, 0, 0, wib)
	const second = "6285711112222"
	e.post(textWebhook(numberB, second, "wamid.ack-4", now, "Saldo belum masuk"))
	tid2 := e.ticketOf("wamid.ack-4")
	ack = e.waitAck(second)
	days := []string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}
	want = fmt.Sprintf("Pesan Anda sudah kami terima. Nomor pelacakan: %s. Saat ini di luar jam layanan; petugas kembali %s, %s pukul 00.00 WIB dan akan membalas di sini.",
		e.trackingNumber(tid2), days[opens.Weekday()], opens.Format("02-01-2006"))
	if ack.From != numberB || textOf(ack) != want {
		t.Fatalf("closed queue: from %s %q, want %q", ack.From, textOf(ack), want)
	}

	// The first citizen was told once, recorded once; the tickets hold
	// only the citizens' messages.
	if got := e.acksTo(citizenWaID); len(got) != 1 {
		t.Fatalf("%d texts to the first citizen, want 1", len(got))
	}
	var records, out int64
	e.check.Raw(`SELECT COUNT(*) FROM whatsapp_sends WHERE outbound_id LIKE 'ack:%'`).Scan(&records)
	e.check.Raw(`SELECT COUNT(*) FROM messages WHERE ticket_id IN (?, ?) AND direction <> 'in'`, tid, tid2).Scan(&out)
	if records != 2 || out != 0 {
		t.Fatalf("%d acknowledgement records (want 2), %d messages not the citizens' (want 0)", records, out)
	}
}

// TestAckOff: with WHATSAPP_ACK=false no acknowledgement is queued or
// sent.
func TestAckOff(t *testing.T) {
	e := startWAWith(t, func(c *config.Config) { c.WhatsApp.Ack = false })
	now := time.Now().UTC().Truncate(time.Second)
	e.post(textWebhook(numberA, citizenWaID, "wamid.off-1", now, "Kartu prakerja saya belum aktif"))
	// The follow-up is stored only once the first message's batch is
	// done, acknowledgements queued included (see above).
	e.post(textWebhook(numberA, citizenWaID, "wamid.off-2", now.Add(time.Minute), "Mohon bantuannya"))
	if e.ticketOf("wamid.off-2") != e.ticketOf("wamid.off-1") {
		t.Fatal("follow-up on another ticket")
	}
	ctx := context.Background()
	subject := e.bus.Names.Job(domain.ChannelWhatsApp, bus.JobAck)
	s, err := e.bus.JS.Stream(ctx, e.bus.Names.StreamJobs())
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(subject))
	if err != nil {
		t.Fatal(err)
	}
	if n := info.State.Subjects[subject]; n != 0 {
		t.Fatalf("%d acknowledgement jobs queued with WHATSAPP_ACK=false", n)
	}
	if got := e.acksTo(citizenWaID); len(got) != 0 || len(e.graph.sentMessages()) != 0 {
		t.Fatalf("sent %+v", e.graph.sentMessages())
	}
}
