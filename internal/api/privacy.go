package api

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/dsr"
	"tanggap/internal/refused"
	"tanggap/internal/retention"
	"tanggap/internal/ticket"
	"tanggap/internal/tracking"
	"tanggap/internal/viewaudit"
)

// Personal-data protection (UU 27/2022): the view audit, data-subject
// requests and the retention purge. Routes in routes.go's "personal-data
// protection" block; all admin-only but the view hook and the freeze.

// Privacy wires the personal-data protection routes (nil fields: off).
type Privacy struct {
	Views     *viewaudit.Recorder
	Subjects  *dsr.Service
	Retention *retention.Purger
	// Refused: the items channels could not read (admins' list).
	Refused *refused.Service
}

// viewKinds: the routes that open a citizen's data, by route pattern.
var viewKinds = map[string]string{
	"/api/v1/tickets/:id<int>":            viewaudit.KindTicket,
	"/api/v1/tickets/:id<int>/transcript": viewaudit.KindTranscript,
	"/api/v1/contacts/:id<int>":           viewaudit.KindContact,
	"/api/v1/attachments/:id<int>":        viewaudit.KindAttachment,
}

// auditView records a successful opening of a citizen's identity, thread
// or attachment (see viewaudit: it only appends to a buffer).
func (s *Server) auditView(c *fiber.Ctx, a agent.Agent, err error) {
	if !s.auditing() || err != nil || c.Method() != fiber.MethodGet || c.Response().StatusCode() >= 400 {
		return
	}
	kind, ok := viewKinds[c.Route().Path]
	if !ok {
		return
	}
	id, perr := strconv.ParseInt(c.Params("id"), 10, 64)
	if perr != nil {
		return
	}
	v := viewaudit.View{AgentID: a.ID, Kind: kind}
	switch kind {
	case viewaudit.KindContact:
		v.ContactID = &id
	case viewaudit.KindAttachment:
		v.AttachmentID = &id
	default:
		v.TicketID = &id
	}
	s.recordViews(a, v)
}

// auditing reports whether views are recorded: when not, handlers do not
// even build them.
func (s *Server) auditing() bool {
	return s.o.Privacy != nil && s.o.Privacy.Views != nil && s.o.Privacy.Views.Recording()
}

// auditShown records a list that showed citizens to the signed-in agent
// (search results, probable duplicates): one view per citizen shown, so
// the audit's contact filter finds it (see viewaudit's kinds). An empty
// list records nothing.
func (s *Server) auditShown(c *fiber.Ctx, kind string, shown []viewaudit.View) {
	if len(shown) == 0 || !s.auditing() {
		return
	}
	a := current(c)
	for i := range shown {
		shown[i].AgentID, shown[i].Kind = a.ID, kind
	}
	s.recordViews(a, shown...)
}

// auditListed records a ticket list page (the inbox, a filtered list, a
// saved view) that showed the signed-in agent citizens' names: one view
// per ticket and its contact, once per agent and ticket within
// viewaudit.ListEvery (the console reads its list again after every
// pushed change).
func (s *Server) auditListed(c *fiber.Ctx, tickets []ticket.Summary) {
	if len(tickets) == 0 || !s.auditing() {
		return
	}
	a := current(c)
	shown := make([]viewaudit.View, len(tickets))
	for i := range tickets {
		shown[i] = viewaudit.View{TicketID: &tickets[i].ID, ContactID: &tickets[i].ContactID}
	}
	s.recordWith(a, viewaudit.KindList, len(shown), func(ctx context.Context) error {
		return s.o.Privacy.Views.RecordListed(ctx, a.ID, shown)
	})
}

// recordViews appends views to the audit's buffer; only a full buffer
// makes it wait, at most 5 s (see viewaudit.Recorder.Record).
func (s *Server) recordViews(a agent.Agent, views ...viewaudit.View) {
	if len(views) == 0 {
		return
	}
	s.recordWith(a, views[0].Kind, len(views), func(ctx context.Context) error {
		for _, v := range views {
			if err := s.o.Privacy.Views.Record(ctx, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// recordWith runs record with the 5 s a full buffer may make it wait, and
// logs a view it could not record (the request goes on).
func (s *Server) recordWith(a agent.Agent, kind string, n int, record func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := record(ctx); err != nil && s.o.Log != nil {
		s.o.Log.Error("view audit: not recorded", "agent_id", a.ID, "kind", kind, "views", n, "error", err)
	}
}

func badQuery(name string) error {
	return &apperr.Coded{Status: fiber.StatusBadRequest, Code: apperr.CodeBadRequest, Err: fmt.Errorf("api: query parameter %s is malformed", name)}
}

func queryInt(c *fiber.Ctx, name string) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, badQuery(name)
	}
	return n, nil
}

func queryTime(c *fiber.Ctx, name string) (time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, badQuery(name)
	}
	return t, nil
}

// GET /api/v1/admin/view-audit?agent=&ticket=&contact=&from=&to=&limit=&before_at=&before_id=
// agent: an account's id or email; ticket: a ticket's id or tracking number.
func (s *Server) handleViewAudit(c *fiber.Ctx) error {
	var f viewaudit.Filter
	var err error
	if v := strings.TrimSpace(c.Query("agent")); strings.Contains(v, "@") {
		f.AgentEmail = v
	} else if f.AgentID, err = queryInt(c, "agent"); err != nil {
		return err
	}
	if v := strings.TrimSpace(c.Query("ticket")); v != "" {
		// A tracking number is 16 digits, grouped or not; a ticket id is
		// short. One mistyped is a tracking number naming nobody.
		if strings.ContainsAny(v, "- ") || len(v) >= tracking.Digits {
			f.TrackingNumber = v
		} else if f.TicketID, err = queryInt(c, "ticket"); err != nil {
			return err
		}
	}
	for name, dst := range map[string]*int64{"contact": &f.ContactID, "before_id": &f.BeforeID} {
		if *dst, err = queryInt(c, name); err != nil {
			return err
		}
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To, "before_at": &f.BeforeAt} {
		if *dst, err = queryTime(c, name); err != nil {
			return err
		}
	}
	limit, err := queryInt(c, "limit")
	if err != nil {
		return err
	}
	f.Limit = int(limit)
	p, err := s.o.Privacy.Views.Query(c.UserContext(), f)
	switch {
	case errors.Is(err, viewaudit.ErrUnknownAgent):
		return unknownFilter("agent", "privacy.agent_unknown")
	case errors.Is(err, viewaudit.ErrUnknownTicket):
		return unknownFilter("ticket", "privacy.ticket_unknown")
	case err != nil:
		return err
	}
	return c.JSON(p)
}

// unknownFilter refuses a filter naming nobody, under its field.
func unknownFilter(field, key string) error {
	var v apperr.ValidationError
	v.Add(field, key)
	return &v
}

func contactParam(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return 0, dsr.ErrNotFound
	}
	return id, nil
}

// GET /api/v1/admin/subjects/:id — restriction state and past requests.
func (s *Server) handleSubject(c *fiber.Ctx) error {
	id, err := contactParam(c)
	if err != nil {
		return err
	}
	restricted, err := s.o.Privacy.Subjects.Restricted(c.UserContext(), id)
	if err != nil {
		return err
	}
	reqs, err := s.o.Privacy.Subjects.Requests(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"contact_id": id, "restricted": restricted, "requests": reqs})
}

// GET /api/v1/admin/subjects/:id/export — a zip stream (data.json, files/).
func (s *Server) handleSubjectExport(c *fiber.Ctx) error {
	id, err := contactParam(c)
	if err != nil {
		return err
	}
	// Check the contact exists before the first byte, so a wrong id is a
	// clean 404 rather than a broken download.
	if err := s.o.Privacy.Subjects.Exists(c.UserContext(), id); err != nil {
		return err
	}
	a := current(c)
	ctx := c.UserContext()
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", fmt.Sprintf("citizen-%d.zip", id)))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	// Stream: the zip is written as it is read, never held whole.
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriterSize(pw, 32<<10)
		err := s.o.Privacy.Subjects.Export(ctx, a.ID, id, bw)
		if err == nil {
			err = bw.Flush()
		}
		if err != nil && s.o.Log != nil {
			s.o.Log.Error("subject export failed", "contact_id", id, "error", err)
		}
		pw.CloseWithError(err)
	}()
	return c.SendStream(pr)
}

type subjectBody struct {
	Reason string `json:"reason"`
}

// POST /api/v1/admin/subjects/:id/restrict {reason}
func (s *Server) handleSubjectRestrict(c *fiber.Ctx) error {
	id, err := contactParam(c)
	if err != nil {
		return err
	}
	var b subjectBody
	if err := c.BodyParser(&b); err != nil {
		return dsr.ErrReason
	}
	if err := s.o.Privacy.Subjects.Restrict(c.UserContext(), current(c).ID, id, strings.TrimSpace(b.Reason)); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"contact_id": id, "restricted": true})
}

// DELETE /api/v1/admin/subjects/:id/restrict
func (s *Server) handleSubjectLift(c *fiber.Ctx) error {
	id, err := contactParam(c)
	if err != nil {
		return err
	}
	if err := s.o.Privacy.Subjects.Lift(c.UserContext(), current(c).ID, id); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"contact_id": id, "restricted": false})
}

// POST /api/v1/admin/subjects/:id/erase
func (s *Server) handleSubjectErase(c *fiber.Ctx) error {
	id, err := contactParam(c)
	if err != nil {
		return err
	}
	res, err := s.o.Privacy.Subjects.Erase(c.UserContext(), current(c).ID, id)
	if err != nil {
		return err
	}
	return c.JSON(res)
}

// POST /api/v1/admin/retention/run — one purge now; what it removed.
func (s *Server) handleRetentionRun(c *fiber.Ctx) error {
	res, err := s.o.Privacy.Retention.Run(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(res)
}

// GET /api/v1/admin/refused?limit=&before_at=&before_id= — items channels
// could not read, newest first, the sender masked.
func (s *Server) handleRefusedItems(c *fiber.Ctx) error {
	var f refused.Filter
	var err error
	if f.BeforeAt, err = queryTime(c, "before_at"); err != nil {
		return err
	}
	if f.BeforeID, err = queryInt(c, "before_id"); err != nil {
		return err
	}
	limit, err := queryInt(c, "limit")
	if err != nil {
		return err
	}
	f.Limit = int(limit) // refused.Service.List bounds it
	p, err := s.o.Privacy.Refused.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// GET /api/v1/admin/refused/:id — one item whole (sender, the item as
// sent): a view of personal data, recorded in the view audit before it is
// answered.
func (s *Server) handleRefusedItem(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64) // the route takes digits only
	d, err := s.o.Privacy.Refused.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	if s.auditing() {
		if err := s.o.Privacy.Views.Record(c.UserContext(), viewaudit.View{AgentID: current(c).ID, Kind: viewaudit.KindRefusedItem, RefusedItemID: &id}); err != nil {
			return err // no unrecorded view of personal data
		}
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.JSON(d)
}
