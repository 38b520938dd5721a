package consolews

import (
	"testing"
	"time"

	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

// A notification.created event reaches only its recipient's consoles, and
// only while the recipient may see its ticket: not a colleague of the same
// queue, not an admin, not a recipient outside the ticket's scope.
func TestNotificationOnlyToItsRecipient(t *testing.T) {
	e := newEnv(t)
	in := e.start(testenv.Bus(t), time.Hour)
	ana, anaToken := e.agent("Ana", domain.RoleAgent, "umum")
	_, budiToken := e.agent("Budi", domain.RoleAgent, "umum")
	citra, citraToken := e.agent("Citra", domain.RoleAgent, "pajak")
	_, adminToken := e.agent("Admin", domain.RoleAdmin)
	consoles := map[string]*console{
		"Ana": connect(t, in.url, "Ana", anaToken), "Budi": connect(t, in.url, "Budi", budiToken),
		"Citra": connect(t, in.url, "Citra", citraToken), "Admin": connect(t, in.url, "Admin", adminToken),
	}
	umum := e.queue("umum")
	id := e.ticket(umum, 0)
	for _, recipient := range []int64{ana.ID, citra.ID} {
		emitRaw(t, in.bus, "notification", "created", map[string]any{"v": 1, "ticket_id": id, "queue_id": umum, "assignee_id": 0,
			"recipient_id": recipient, "notification_id": recipient, "kind": "mention", "preview": "cek"})
	}
	// Events reach each console in order: once the presence event (for
	// everyone) is there, every notification that would come is there.
	emitRaw(t, in.bus, "agent", "presence", map[string]any{"v": 1, "agent_id": 999999, "presence": "online"})
	for name, c := range consoles {
		c.wait(func(f frame) bool { return f.Type == "event" && f.Event == "agent.presence" }, "the barrier")
		var got []string
		for _, f := range c.events() {
			if f.Event == "notification.created" {
				got = append(got, string(f.Data))
			}
		}
		want := 0
		if name == "Ana" {
			want = 1
		}
		if len(got) != want {
			t.Errorf("%s got %d notifications, want %d: %v", name, len(got), want, got)
		}
	}
}
