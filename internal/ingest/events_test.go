package ingest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"tanggap/internal/bus"
	"tanggap/internal/testenv"
)

// recorder collects the events of one env by name.
type recorder struct {
	t   *testing.T
	sub *nats.Subscription
	got map[string][]json.RawMessage
}

func (e *env) record(t *testing.T) *recorder {
	t.Helper()
	sub, err := e.b.NC.SubscribeSync(e.b.Names.EventsAll())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.b.NC.Flush(); err != nil {
		t.Fatal(err)
	}
	return &recorder{t: t, sub: sub, got: map[string][]json.RawMessage{}}
}

// waitFor polls until every named event arrived, then decodes the last of
// each name into out[name] (pointers to event types).
func (r *recorder) waitFor(prefix string, out map[string]any) {
	r.t.Helper()
	testenv.CheckFor(r.t, 10*time.Second, time.Millisecond, func() error {
		for {
			msg, err := r.sub.NextMsg(10 * time.Millisecond)
			if err != nil {
				break
			}
			name := strings.TrimPrefix(msg.Subject, prefix+".events.")
			r.got[name] = append(r.got[name], msg.Data)
		}
		for name := range out {
			if len(r.got[name]) == 0 {
				return fmt.Errorf("no %s event yet", name)
			}
		}
		return nil
	})
	for name, v := range out {
		evs := r.got[name]
		if err := json.Unmarshal(evs[len(evs)-1], v); err != nil {
			r.t.Fatalf("%s: %v", name, err)
		}
	}
}

// secrets fails the test when any event recorded so far carries one of
// them.
func (r *recorder) secrets(secrets ...string) {
	r.t.Helper()
	for name, evs := range r.got {
		for _, ev := range evs {
			for _, s := range secrets {
				if strings.Contains(string(ev), s) {
					r.t.Fatalf("%s carries personal data %q: %s", name, s, ev)
				}
			}
		}
	}
}

// TestIngestEvents: what a batch changed reaches live screens with what a
// list row and a thread show, taken from the batch itself.
func TestIngestEvents(t *testing.T) {
	const phone = "+6281300000123"
	// The end of a long body never travels: only a preview does.
	var text = "Kartu saya belum aktif, nomor saya 0813 0000 0123 dan NIK 3201012503900001 tolong dicek " + strings.Repeat("lagi ", 20) + "AKHIR"
	cases := []struct {
		name  string
		check func(t *testing.T, e *env, r *recorder, agent int64)
	}{{
		name: "a new WhatsApp message opens, assigns and shows a ticket with its number, queue and masked preview",
		check: func(t *testing.T, e *env, r *recorder, agent int64) {
			in := waMessage("wamid.ev1", phone, text, at)
			e.publish(in)
			var created bus.TicketCreated
			var assigned bus.TicketAssigned
			var msg bus.MessageCreated
			r.waitFor(e.b.Names.Prefix(), map[string]any{"ticket.created": &created, "ticket.assigned": &assigned, "message.created": &msg})
			tk := e.ticketOf(in.Channel, in.ProviderMessageID)
			umum, _ := e.router.QueueID("umum")
			if created.TicketID != tk.ID || created.TrackingNumber != tk.TrackingNumber || created.Channel != "whatsapp" ||
				created.QueueID != umum || created.Status != "new" || created.Priority == "" || created.V != bus.Version {
				t.Fatalf("ticket.created %+v, want ticket %d %s in queue %d", created, tk.ID, tk.TrackingNumber, umum)
			}
			if created.Preview == "" || !strings.HasPrefix(created.Preview, "Kartu saya belum aktif") || created.Subject == "" {
				t.Fatalf("ticket.created preview %q subject %q", created.Preview, created.Subject)
			}
			if assigned.TicketID != tk.ID || assigned.AssigneeID != agent || assigned.QueueID != umum || assigned.TrackingNumber != tk.TrackingNumber {
				t.Fatalf("ticket.assigned %+v, want agent %d", assigned, agent)
			}
			if msg.TicketID != tk.ID || msg.MessageID == 0 || msg.Direction != "in" || msg.Channel != "whatsapp" || msg.Kind != "text" ||
				msg.AssigneeID != agent || msg.QueueID != umum || !strings.HasPrefix(msg.Preview, "Kartu saya") {
				t.Fatalf("message.created %+v", msg)
			}
			r.secrets("0000 0123", "81300000123", "3201012503900001", "AKHIR")
		},
	}, {
		name: "a message on a solved ticket reopens it: ticket.updated with status open and the new preview",
		check: func(t *testing.T, e *env, r *recorder, agent int64) {
			first := waMessage("wamid.ev2", phone, "Halo", at)
			e.publish(first)
			e.waitCount(1, `SELECT COUNT(*) FROM messages`)
			tk := e.ticketOf(first.Channel, first.ProviderMessageID)
			if err := e.d.Exec(`UPDATE tickets SET status = 'solved', solved_at = ? WHERE id = ?`, time.Now().UTC(), tk.ID).Error; err != nil {
				t.Fatal(err)
			}
			if err := e.d.Exec(`UPDATE agents SET active_load = active_load - 1 WHERE id = ?`, agent).Error; err != nil {
				t.Fatal(err)
			}
			e.publish(waMessage("wamid.ev3", phone, "Masih belum bisa", at.Add(time.Hour)))
			var updated bus.TicketUpdated
			r.waitFor(e.b.Names.Prefix(), map[string]any{"ticket.updated": &updated})
			if updated.TicketID != tk.ID || updated.Status != "open" || updated.Preview != "Masih belum bisa" ||
				updated.TrackingNumber != tk.TrackingNumber || updated.AssigneeID != agent || updated.Channel != "whatsapp" || updated.Priority == "" {
				t.Fatalf("ticket.updated %+v", updated)
			}
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			agent := e.agent("umum", 5)
			r := e.record(t)
			e.start(e.consumer(Opts{ReopenWindow: 72 * time.Hour}))
			tc.check(t, e, r, agent)
		})
	}
}
