package ticket_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/bus/bustest"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
)

func (f *fixture) record(t *testing.T) *bustest.Recorder {
	t.Helper()
	return bustest.Record(t, f.bus)
}

// TestTicketEvents: replies, status changes and receipts reach live
// screens with the ticket's row and the scope fields.
func TestTicketEvents(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(t *testing.T, f *fixture, e *bustest.Recorder, id int64, tn string)
	}{{
		name: "a reply publishes message.created out with a masked preview and ticket.updated open",
		run: func(t *testing.T, f *fixture, e *bustest.Recorder, id int64, tn string) {
			msg, err := f.tickets.Reply(ctx, f.agent, id, "Silakan hubungi 081234567890 untuk info lanjut")
			must(t, err)
			m := bustest.Wait(t, e, func(ev bus.MessageCreated) bool { return ev.MessageID == msg.ID })
			if m.TicketID != id || m.Direction != "out" || m.Channel != "webform" || m.QueueID != f.queueID || m.AssigneeID != f.agent.ID ||
				m.Preview != "Silakan hubungi **** untuk info lanjut" || m.V != bus.Version {
				t.Fatalf("message.created %+v", m)
			}
			u := bustest.Wait(t, e, func(ev bus.TicketUpdated) bool { return ev.TicketID == id })
			if u.Status != domain.StatusOpen || u.TrackingNumber != tn || u.Preview != m.Preview || u.Priority != "normal" || u.AssigneeID != f.agent.ID {
				t.Fatalf("ticket.updated %+v", u)
			}
		},
	}, {
		name: "a status change publishes ticket.updated with the stored row",
		run: func(t *testing.T, f *fixture, e *bustest.Recorder, id int64, tn string) {
			_, err := f.tickets.SetStatus(ctx, f.agent, id, domain.StatusSolved)
			must(t, err)
			u := bustest.Wait(t, e, func(ev bus.TicketUpdated) bool { return ev.TicketID == id })
			if u.Status != domain.StatusSolved || u.TrackingNumber != tn || u.QueueID != f.queueID || u.Channel != "webform" {
				t.Fatalf("ticket.updated %+v", u)
			}
		},
	}, {
		name: "a delivery receipt publishes message.updated with the ticket's scope",
		run: func(t *testing.T, f *fixture, e *bustest.Recorder, id int64, tn string) {
			msg, err := f.tickets.Reply(ctx, f.agent, id, "Balasan")
			must(t, err)
			must(t, f.tickets.ApplyReceipt(ctx, envelope.Receipt{V: 1, Channel: "webform", MessageID: msg.ID, Status: domain.DeliveryDelivered, At: time.Now()}))
			u := bustest.Wait(t, e, func(ev bus.MessageUpdated) bool { return ev.MessageID == msg.ID })
			if u.TicketID != id || u.DeliveryStatus != domain.DeliveryDelivered || u.QueueID != f.queueID || u.AssigneeID != f.agent.ID {
				t.Fatalf("message.updated %+v", u)
			}
		},
	}, {
		name: "a failed receipt's reason travels in message.updated, the citizen's address masked",
		run: func(t *testing.T, f *fixture, e *bustest.Recorder, id int64, tn string) {
			msg, err := f.tickets.Reply(ctx, f.agent, id, "Balasan")
			must(t, err)
			must(t, f.tickets.ApplyReceipt(ctx, envelope.Receipt{V: 1, Channel: "webform", MessageID: msg.ID, Status: domain.DeliveryFailed,
				Error: "550 5.1.1 <siti.rahayu@example.com>: mailbox unavailable", At: time.Now()}))
			u := bustest.Wait(t, e, func(ev bus.MessageUpdated) bool { return ev.MessageID == msg.ID })
			if u.DeliveryStatus != domain.DeliveryFailed || u.DeliveryError != "550 5.1.1 <s***@example.com>: mailbox unavailable" {
				t.Fatalf("message.updated %+v", u)
			}
			for _, m := range e.Msgs() {
				if strings.Contains(string(m.Data), "siti.rahayu") {
					t.Fatalf("%s carries the citizen's e-mail address: %s", m.Subject, m.Data)
				}
				if strings.HasSuffix(m.Subject, ".message.updated") && !strings.Contains(string(m.Data), `"delivery_error":"550 5.1.1 \u003cs***@example.com\u003e: mailbox unavailable"`) {
					t.Fatalf("message.updated payload %s", m.Data)
				}
			}
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			e := f.record(t)
			agentID := f.agent.ID
			id, tn := f.seedTicket(t, domain.StatusNew, &agentID)
			tc.run(t, f, e, id, tn)
			// The citizen's phone never travels in an event.
			phone := f.phoneOf(t, id)
			for _, m := range e.Msgs() {
				if strings.Contains(string(m.Data), phone[3:]) {
					t.Fatalf("%s carries the citizen's phone: %s", m.Subject, m.Data)
				}
			}
		})
	}
}
