package ingest

import (
	"testing"
	"time"

	"tanggap/internal/domain"
	"tanggap/internal/envelope"
)

// waMessage is a WhatsApp message from phone (no ThreadRef: threading by
// contact and channel).
func waMessage(id, phone, text string, at time.Time) envelope.Inbound {
	return envelope.Inbound{
		V: envelope.Version, Channel: domain.ChannelWhatsApp, ProviderMessageID: id,
		Sender: envelope.Sender{WaID: phone, Phone: phone}, Text: text,
		Fields: map[string]string{envelope.FieldKind: "text"}, ReceivedAt: at,
	}
}

func TestReopenWindow(t *testing.T) {
	const phone = "+6281300000077"
	solve := func(ago time.Duration, status string) func(e *env, tk storedTicket) {
		return func(e *env, tk storedTicket) {
			e.t.Helper()
			if err := e.d.Exec(`UPDATE tickets SET status = ?, solved_at = ? WHERE id = ?`, status, time.Now().UTC().Add(-ago), tk.ID).Error; err != nil {
				e.t.Fatal(err)
			}
			if err := e.d.Exec(`UPDATE agents SET active_load = active_load - 1 WHERE id = ?`, *tk.AssigneeID).Error; err != nil {
				e.t.Fatal(err)
			}
		}
	}
	cases := []struct {
		name       string
		window     time.Duration
		prepare    func(e *env, tk storedTicket)
		next       envelope.Inbound
		wantSame   bool
		wantStatus string
		wantLoad   int64
	}{{
		name: "a message soon after the ticket was solved reopens it with its agent", window: 72 * time.Hour,
		prepare: solve(time.Hour, "solved"), next: waMessage("wamid.2", phone, "Masih belum bisa", at.Add(time.Hour)),
		wantSame: true, wantStatus: "open", wantLoad: 1,
	}, {
		name: "a message after the reopen window opens a new ticket", window: 72 * time.Hour,
		prepare: solve(73*time.Hour, "solved"), next: waMessage("wamid.2", phone, "Pertanyaan baru", at.Add(time.Hour)),
		wantSame: false, wantStatus: "new", wantLoad: 1,
	}, {
		name: "without a reopen window a solved ticket is never reused", window: 0,
		prepare: solve(time.Minute, "solved"), next: waMessage("wamid.2", phone, "Halo lagi", at.Add(time.Hour)),
		wantSame: false, wantStatus: "new", wantLoad: 1,
	}, {
		name: "a closed ticket is never reopened, even inside the window", window: 72 * time.Hour,
		prepare: solve(time.Minute, "closed"), next: waMessage("wamid.2", phone, "Halo lagi", at.Add(time.Hour)),
		wantSame: false, wantStatus: "new", wantLoad: 1,
	}, {
		name: "a solved ticket on another channel is not reopened by this one", window: 72 * time.Hour,
		prepare: solve(time.Minute, "solved"),
		next: func() envelope.Inbound {
			in := followUp("form-2", phone, "", "Dari formulir")
			return in
		}(),
		wantSame: false, wantStatus: "new", wantLoad: 1,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			agent := e.agent("umum", 5)
			e.start(e.consumer(Opts{ReopenWindow: tc.window}))
			first := waMessage("wamid.1", phone, "Kartu saya belum aktif", at)
			e.publish(first)
			e.waitCount(1, `SELECT COUNT(*) FROM messages`)
			tk := e.ticketOf(first.Channel, first.ProviderMessageID)
			tc.prepare(e, tk)
			e.publish(tc.next)
			e.waitCount(2, `SELECT COUNT(*) FROM messages`)
			got := e.ticketOf(tc.next.Channel, tc.next.ProviderMessageID)
			if (got.ID == tk.ID) != tc.wantSame {
				t.Fatalf("message landed on ticket %d, first ticket %d, want same = %v", got.ID, tk.ID, tc.wantSame)
			}
			if got.Status != tc.wantStatus {
				t.Fatalf("ticket status %q, want %q", got.Status, tc.wantStatus)
			}
			if n := e.count(`SELECT active_load FROM agents WHERE id = ?`, agent); n != tc.wantLoad {
				t.Fatalf("agent load %d, want %d", n, tc.wantLoad)
			}
			if tc.wantSame {
				if n := e.count(`SELECT COUNT(*) FROM tickets WHERE id = ? AND solved_at IS NULL`, got.ID); n != 1 {
					t.Fatal("reopened ticket keeps solved_at")
				}
			}
		})
	}

	t.Run("an active ticket wins over a recently solved one", func(t *testing.T) {
		e := newEnv(t)
		e.agent("umum", 5)
		e.start(e.consumer(Opts{ReopenWindow: 72 * time.Hour}))
		first := waMessage("wamid.1", phone, "Masalah pertama", at)
		e.publish(first)
		e.waitCount(1, `SELECT COUNT(*) FROM messages`)
		old := e.ticketOf(first.Channel, first.ProviderMessageID)
		solve(time.Minute, "solved")(e, old)
		// A message outside the window opens a second ticket...
		if err := e.d.Exec(`UPDATE tickets SET solved_at = ? WHERE id = ?`, time.Now().UTC().Add(-100*time.Hour), old.ID).Error; err != nil {
			t.Fatal(err)
		}
		second := waMessage("wamid.2", phone, "Masalah kedua", at.Add(time.Hour))
		e.publish(second)
		e.waitCount(2, `SELECT COUNT(*) FROM messages`)
		active := e.ticketOf(second.Channel, second.ProviderMessageID)
		if active.ID == old.ID {
			t.Fatal("second message reopened a ticket solved outside the window")
		}
		// ...then the first is marked solved just now: the open one still wins.
		if err := e.d.Exec(`UPDATE tickets SET solved_at = ? WHERE id = ?`, time.Now().UTC(), old.ID).Error; err != nil {
			t.Fatal(err)
		}
		third := waMessage("wamid.3", phone, "Tambahan", at.Add(2*time.Hour))
		e.publish(third)
		e.waitCount(3, `SELECT COUNT(*) FROM messages`)
		if got := e.ticketOf(third.Channel, third.ProviderMessageID); got.ID != active.ID {
			t.Fatalf("message landed on ticket %d, want the open ticket %d", got.ID, active.ID)
		}
		if n := e.count(`SELECT COUNT(*) FROM tickets WHERE id = ? AND status = 'solved'`, old.ID); n != 1 {
			t.Fatal("the solved ticket was reopened although an open one exists")
		}
	})
}
