package ingest

import (
	"encoding/json"
	"testing"

	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/tracking"
)

// chat is a live-chat message of visitor vid in the conversation whose
// number the gateway minted (ref), labelled kind.
func chat(vid, cid, ref string, kind domain.Kind, text string) envelope.Inbound {
	return envelope.Inbound{
		V: envelope.Version, Channel: domain.ChannelLiveChat, ProviderMessageID: vid + ":" + cid,
		Sender: envelope.Sender{VisitorID: vid}, Text: text, ThreadRef: ref,
		Fields: map[string]string{envelope.FieldKind: string(kind)}, ReceivedAt: at,
	}
}

// TestChatConversationsOwnTheirTickets: a live-chat conversation's messages
// open its ticket under the number the gateway minted and thread into it; a
// new conversation of the same visitor opens a new ticket even while the
// first is still open. Messages labelled "complaint" (as earlier gateways
// did) are handled the same way.
func TestChatConversationsOwnTheirTickets(t *testing.T) {
	for _, kind := range []domain.Kind{domain.KindChat, domain.KindComplaint} {
		t.Run(string(kind), func(t *testing.T) {
			e := newEnv(t)
			e.start(e.consumer(Opts{}))
			first, second := tracking.Generate(), tracking.Generate()
			e.publish(chat("visitor-7", "c1", first, kind, "Halo, kartu saya belum aktif"))
			e.publish(chat("visitor-7", "c2", first, kind, "Nomor kartu 1234"))
			e.publish(chat("visitor-7", "c3", second, kind, "Pertanyaan lain: jadwal pelatihan"))
			e.waitCount(3, `SELECT COUNT(*) FROM messages`)

			a := e.ticketOf(domain.ChannelLiveChat, "visitor-7:c1")
			if a.TrackingNumber != first {
				t.Fatalf("first conversation's ticket is %s, the gateway minted %s", a.TrackingNumber, first)
			}
			if got := e.ticketOf(domain.ChannelLiveChat, "visitor-7:c2"); got.ID != a.ID {
				t.Fatalf("second message on ticket %d, want the conversation's %d", got.ID, a.ID)
			}
			b := e.ticketOf(domain.ChannelLiveChat, "visitor-7:c3")
			if b.ID == a.ID || b.TrackingNumber != second {
				t.Fatalf("new conversation on %+v, want its own ticket %s (first %+v)", b, second, a)
			}
			if domain.TicketStatus(a.Status) != domain.StatusNew || domain.TicketStatus(b.Status) != domain.StatusNew {
				t.Fatalf("statuses %s and %s, want both new", a.Status, b.Status)
			}

			var fields string
			if err := e.d.Raw(`SELECT fields FROM messages WHERE provider_message_id = ?`, "visitor-7:c1").Scan(&fields).Error; err != nil {
				t.Fatal(err)
			}
			var f map[string]string
			if err := json.Unmarshal([]byte(fields), &f); err != nil {
				t.Fatalf("fields %q: %v", fields, err)
			}
			if f[envelope.FieldKind] != string(kind) {
				t.Fatalf("stored kind %q, want %q", f[envelope.FieldKind], kind)
			}
		})
	}
}
