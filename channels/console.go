package channels

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/domain"
)

// The interfaces below are optional: an adapter implements one to add its
// channel's rules to the agents' console. The API discovers them on the
// adapters it is given and names no channel itself.

// Access says who may call a console route.
type Access int

const (
	// AnyAgent: every signed-in agent.
	AnyAgent Access = iota
	// Supervisors: supervisors and admins.
	Supervisors
	// Admins: admins only (a channel's admin screen; changes under
	// /api/v1/admin are audited like every admin change).
	Admins
)

// Viewer is the signed-in agent of a console request.
type Viewer struct {
	ID   int64
	Name string
	// QueueIDs are the queues the agent works; SeesAll is true for
	// supervisors and admins, who see every queue (the core's rule).
	QueueIDs []int64
	SeesAll  bool
}

// ConsoleTicket is what a console action learns of a ticket the viewer
// may see.
type ConsoleTicket struct {
	ID             int64
	TrackingNumber string
	Channel        domain.Channel
	Status         domain.TicketStatus
	// AssigneeID is the ticket's agent (0: waiting in its queue).
	AssigneeID int64
	// ContactPhone is the citizen's phone number ("" when none is known).
	ContactPhone string
}

// Console is the core's side of the console routes an adapter adds.
// Handlers return errors as the rest of the API does: sentinels of the
// core, or an *apperr.Coded for the adapter's own refusals.
type Console interface {
	// Route adds an API route; the session and access are checked first.
	Route(method, path string, access Access, h fiber.Handler)
	// Viewer is the agent of a request that passed Route's checks.
	Viewer(c *fiber.Ctx) Viewer
	// Ticket is ticket id, when the viewer may see it.
	Ticket(c *fiber.Ctx, id int64) (ConsoleTicket, error)
	// TakeWaiting gives t to the viewer when it waits in its queue and
	// they can take it (online, capacity, member of the queue). An agent
	// who cannot take it is not an error.
	TakeWaiting(c *fiber.Ctx, t ConsoleTicket) error
	// Changed tells the admin audit log what a settings change left, the
	// thing as it was and as it is (each in the shape the route answers
	// with): the line keeps the fields that changed, old and new, rather
	// than the body sent.
	Changed(c *fiber.Ctx, before, after any)
}

// ConsoleActions is implemented by an adapter that adds actions to the
// console (the phone channel's call-back, for one).
type ConsoleActions interface {
	ConsoleRoutes(con Console)
}

// Conversation is implemented by an adapter whose citizen follows the
// agent's side live: typing, and read marks.
type Conversation interface {
	AgentTyping(ctx context.Context, trackingNumber, agentName string, on bool) error
	AgentRead(ctx context.Context, trackingNumber string) error
}
