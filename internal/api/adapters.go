package api

import (
	"errors"
	"sort"

	"github.com/gofiber/fiber/v2"

	"tanggap/channels"
	"tanggap/internal/domain"
	"tanggap/internal/permission"
	"tanggap/internal/routing"
)

// adapterConsole is the core's side of the console routes adapters add
// (channels.ConsoleActions): the same session and role checks, viewer and
// ticket visibility as the API's own routes.
type adapterConsole struct {
	s      *Server
	router fiber.Router
}

var _ channels.Console = adapterConsole{}

func (a adapterConsole) Route(method, path string, access channels.Access, h fiber.Handler) {
	auth := a.s.need(permission.TicketsWork)
	if access == channels.Supervisors {
		auth = a.s.need(permission.TicketsAll)
	}
	if access == channels.Admins {
		auth = a.s.need(permission.AdminQueues) // a channel's admin screen (the IVR menu)
	}
	a.router.Add(method, path, auth, h)
}

func (a adapterConsole) Viewer(c *fiber.Ctx) channels.Viewer {
	me := current(c)
	return channels.Viewer{ID: me.ID, Name: me.Name, QueueIDs: me.QueueIDs, SeesAll: me.SeesAll()}
}

func (a adapterConsole) Ticket(c *fiber.Ctx, id int64) (channels.ConsoleTicket, error) {
	d, err := a.s.o.Tickets.Get(c.UserContext(), current(c), id)
	if err != nil {
		return channels.ConsoleTicket{}, err
	}
	t := channels.ConsoleTicket{ID: d.ID, TrackingNumber: d.TrackingNumber, Channel: domain.Channel(d.Channel), Status: d.Status,
		ContactPhone: d.Contact.Phone}
	if d.AssigneeID != nil {
		t.AssigneeID = *d.AssigneeID
	}
	return t, nil
}

func (a adapterConsole) TakeWaiting(c *fiber.Ctx, t channels.ConsoleTicket) error {
	if a.s.o.Work == nil || t.AssigneeID != 0 {
		return nil
	}
	if !t.Status.Active() {
		return nil
	}
	err := a.s.o.Work.Claim(c.UserContext(), actor(c), t.ID)
	if err != nil && !errors.Is(err, routing.ErrNoCapacity) && !errors.Is(err, routing.ErrForbidden) {
		return err
	}
	return nil
}

// channelsOn names the channels this installation runs (one adapter
// each), sorted: the console learns with the signed-in agent which
// channels' screens have a server behind them, and asks nothing of a
// channel that is off.
func (s *Server) channelsOn() []string {
	out := make([]string, 0, len(s.o.Adapters))
	for _, a := range s.o.Adapters {
		out = append(out, string(a.Channel()))
	}
	sort.Strings(out)
	return out
}

// conversation is the adapter of channel when its citizen follows the
// agent's side live (nil otherwise).
func conversation(adapters []channels.Adapter, channel string) channels.Conversation {
	for _, a := range adapters {
		if string(a.Channel()) != channel {
			continue
		}
		if conv, ok := a.(channels.Conversation); ok {
			return conv
		}
	}
	return nil
}

func (a adapterConsole) Changed(c *fiber.Ctx, before, after any) { auditChanged(c, before, after) }
