package livechat_test

import (
	"fmt"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

// TestSolvedChatReopened: the agent solves a chat, then reopens it from
// the console: the widget is told ("reopened"), and a later solve is told
// again. The citizen then writes to the solved conversation: the core
// reopens the ticket, and nothing tells the citizen "solved" meanwhile
// (before the fix, a read of the ticket taken before the core stored the
// message said solved again, and the second solve was never told).
func TestSolvedChatReopened(t *testing.T) {
	base := startApp(t)
	ag := newAgent(t, base)
	tab := mustDial(t, base)
	tab.hello("", 0)
	tab.entriesUntilReplayed()
	tab.say("m1", "Kartu saya belum aktif")
	tn := tab.nextEntry().str("tn")
	tk := ag.ticket(t, tn)
	status := func(s string) {
		t.Helper()
		if r := ag.Do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", tk.ID), map[string]any{"status": s}); r.Status != 200 {
			t.Fatalf("status %s: %d %s", s, r.Status, r.Body)
		}
	}
	// until is the next entry of kind, after only the kinds in between.
	until := func(kind string, between ...string) frame {
		t.Helper()
		for {
			e := tab.nextEntry()
			if e.str("kind") == kind {
				return e
			}
			ok := false
			for _, b := range between {
				ok = ok || e.str("kind") == b
			}
			if !ok {
				t.Fatalf("entry %v while waiting for %q", e, kind)
			}
		}
	}
	status("solved")
	until("solved", "agent")
	status("open")
	if e := until("reopened"); e.str("tn") != tn {
		t.Fatalf("reopened entry %v, want tracking number %s", e, tn)
	}
	tab.say("m2", "Masih belum aktif")
	until("msg", "agent")
	// Solved once the core has stored the message: a message stored
	// after a solve reopens the ticket.
	stored := func(text string) {
		t.Helper()
		testenv.CheckFor(t, 10*time.Second, 20*time.Millisecond, func() error {
			for _, m := range ag.detail(t, tk.ID).Messages {
				if m.Direction == "in" && m.Body == text {
					return nil
				}
			}
			return fmt.Errorf("%q not stored yet", text)
		})
	}
	stored("Masih belum aktif")
	status("solved")
	until("solved", "agent")

	// The citizen writes to the solved conversation.
	tab.say("m3", "Oh ya, satu lagi")
	until("msg", "agent")
	testenv.CheckFor(t, 10*time.Second, 20*time.Millisecond, func() error {
		if d := ag.detail(t, tk.ID); d.Status == "solved" || d.Status == "closed" {
			return fmt.Errorf("ticket still %s", d.Status)
		}
		return nil
	})
	// Everything appended before this reply came while the core
	// reopened the ticket: none of it may say solved.
	ag.reply(t, tk.ID, "Baik, kami cek lagi")
	until("reply", "agent")
	status("solved")
	until("solved", "agent")
}
