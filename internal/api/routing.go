package api

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/domain"
	"tanggap/internal/hours"
	"tanggap/internal/httpx"
	"tanggap/internal/identity"
	"tanggap/internal/routing"
	"tanggap/internal/ticket"
)

// Routing handlers: agents claim, release and transfer; supervisors
// assign and read queue metrics; admins manage queues, agents' routing
// profiles and holidays. Rules live in internal/routing.

func actor(c *fiber.Ctx) routing.Actor {
	a := current(c)
	return routing.Actor{ID: a.ID, Supervisor: a.SeesAll()}
}

// routingInvalid turns a routing settings error into a validation answer
// whose "settings" field says what is wrong.
func routingInvalid(err error) error {
	var probs *routing.Problems
	if errors.As(err, &probs) {
		// Each problem beside its field, in the admin's language.
		ve := &apperr.ValidationError{}
		for _, p := range probs.List {
			ve.Add(p.Field, p.Key, p.Args...)
		}
		return ve
	}
	if errors.Is(err, routing.ErrInvalid) {
		ve := &apperr.ValidationError{}
		ve.Add("settings", "validation.routing", "detail", err.Error())
		return ve
	}
	return err
}

// visibleTicket checks the viewer may see the ticket (the ticket service's rule).
func (s *Server) visibleTicket(c *fiber.Ctx) (int64, error) {
	id, err := ticketID(c)
	if err != nil {
		return 0, err
	}
	if _, err := s.o.Tickets.Get(c.UserContext(), current(c), id); err != nil {
		return 0, err
	}
	return id, nil
}

func (s *Server) handleClaim(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	if err := s.o.Work.Claim(c.UserContext(), actor(c), id); err != nil {
		return err
	}
	return s.routingView(c, id)
}

func (s *Server) handleUnclaim(c *fiber.Ctx) error {
	id, err := s.visibleTicket(c)
	if err != nil {
		return err
	}
	var req struct {
		Note string `json:"note"`
	}
	if len(c.Body()) > 0 {
		if err := httpx.DecodeJSON(c, &req); err != nil {
			return err
		}
	}
	if err := s.o.Work.Unclaim(c.UserContext(), actor(c), id, req.Note); err != nil {
		return routingInvalid(err)
	}
	return s.routingView(c, id)
}

func (s *Server) handleTransfer(c *fiber.Ctx) error {
	id, err := s.visibleTicket(c)
	if err != nil {
		return err
	}
	var req struct {
		AgentID int64  `json:"agent_id"`
		Queue   string `json:"queue"`
		Note    string `json:"note"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if req.AgentID == 0 && req.Queue == "" {
		ve := &apperr.ValidationError{}
		ve.Add("agent_id", "validation.required")
		return ve
	}
	if err := s.o.Work.Transfer(c.UserContext(), actor(c), id, routing.Target{AgentID: req.AgentID, Queue: req.Queue}, req.Note); err != nil {
		return routingInvalid(err)
	}
	return s.routingView(c, id)
}

func (s *Server) handleAssign(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	var req struct {
		AgentID int64 `json:"agent_id"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if req.AgentID <= 0 {
		ve := &apperr.ValidationError{}
		ve.Add("agent_id", "validation.required")
		return ve
	}
	if err := s.o.Work.Assign(c.UserContext(), actor(c), id, req.AgentID); err != nil {
		return err
	}
	return s.routingView(c, id)
}

func (s *Server) handleSetPriority(c *fiber.Ctx) error {
	id, err := s.visibleTicket(c)
	if err != nil {
		return err
	}
	var req struct {
		Priority domain.Priority `json:"priority"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if !req.Priority.Known() {
		ve := &apperr.ValidationError{}
		ve.Add("priority", "validation.invalid")
		return ve
	}
	if err := s.o.Work.SetPriority(c.UserContext(), actor(c), id, req.Priority); err != nil {
		return err
	}
	return s.routingView(c, id)
}

// handleTicketRouting answers with where a ticket stands: assignee, place
// in the queue, SLA due times and breach state.
func (s *Server) handleTicketRouting(c *fiber.Ctx) error {
	id, err := s.visibleTicket(c)
	if err != nil {
		return err
	}
	return s.routingView(c, id)
}

// routingView renders a ticket's routing state. After an action the actor
// was allowed to take it is shown even when the ticket left their sight
// (transferred to a queue they are not in); "visible" says whether they
// may still see it, so the console closes it rather than read it again
// only to be refused.
//
// The wait is the one estimate the citizen's chat widget is told too: "closed"
// (outside business hours with nobody online) comes with "opens_at", and
// the estimate then counts from the opening; "open" is the calendar alone.
func (s *Server) routingView(c *fiber.Ctx, id int64) error {
	w, err := s.o.Metrics.EstimateWait(c.UserContext(), id)
	if err != nil {
		return err
	}
	clock, err := s.o.SLA.SLA(c.UserContext(), id, time.Now())
	if err != nil {
		return err
	}
	var opensAt *time.Time
	if !w.OpensAt.IsZero() {
		at := w.OpensAt.UTC()
		opensAt = &at
	}
	seen := ticket.Summary{ID: id}
	if w.QueueID != 0 {
		seen.QueueID = &w.QueueID
	}
	if w.AgentID != 0 {
		seen.AssigneeID = &w.AgentID
	}
	return c.JSON(fiber.Map{"routing": fiber.Map{
		"ticket_id": id, "queue_id": w.QueueID, "agent_id": w.AgentID, "position": w.Position,
		"estimated_wait_seconds": int64(w.Estimated / time.Second), "agents_online": w.AgentsOnline, "open": w.Open,
		"closed": w.Closed, "opens_at": opensAt,
		"sla":     clock,
		"visible": ticket.VisibleTo(current(c), seen),
	}})
}

func (s *Server) handleQueueMetrics(c *fiber.Ctx) error {
	m, err := s.o.Metrics.Metrics(c.UserContext(), time.Now())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"queues": m})
}

func (s *Server) handleSLAReport(c *fiber.Ctx) error {
	days, _ := strconv.Atoi(c.Query("days", "30"))
	if days < 1 || days > 366 {
		ve := &apperr.ValidationError{}
		ve.Add("days", "validation.invalid")
		return ve
	}
	r, err := s.o.SLA.SLAReport(c.UserContext(), time.Now().AddDate(0, 0, -days))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"queues": r})
}

func (s *Server) handleListQueues(c *fiber.Ctx) error {
	q, err := s.o.Queues.Queues(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"queues": q, "provinces": provinceChoices})
}

// provinceChoice is a province as the queue form offers it (a queue's
// provinces are kept as codes): its code and official name.
type provinceChoice struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// provinceChoices lists every province, by code, for the queue form.
var provinceChoices = func() []provinceChoice {
	ps := identity.Provinces()
	out := make([]provinceChoice, len(ps))
	for i, p := range ps {
		out[i] = provinceChoice{p.Code, p.Name}
	}
	return out
}()

func (s *Server) handleSaveQueue(c *fiber.Ctx) error {
	var q routing.QueueSettings
	if err := httpx.DecodeJSON(c, &q); err != nil {
		return err
	}
	// The admin screen sends the business hours as typed (hours_text, one
	// day a line): a problem then names its line, in the admin's words.
	var typed struct {
		HoursText *string `json:"hours_text"`
	}
	if err := httpx.DecodeJSON(c, &typed); err != nil {
		return err
	}
	if typed.HoursText != nil {
		h, err := hours.ParseText(*typed.HoursText, s.dayOf(c))
		if err != nil {
			return s.hoursLineInvalid(c, err)
		}
		q.Hours = h
	}
	q.Code = c.Params("code")
	ch, err := s.o.Queues.SaveQueueChange(c.UserContext(), q)
	if err != nil {
		return routingInvalid(err)
	}
	if ch.Before != nil {
		// A queue changed: its line says from what to what, as stored.
		// A new one keeps what was sent, its whole first setting.
		auditChanged(c, ch.Before, ch.After)
	}
	return c.JSON(fiber.Map{"queue": ch.Saved})
}

// handleRemoveQueue takes a queue out of routing; ?move_to=<code> moves
// its open tickets first. The answer says how many moved and whether the
// queue was archived (it keeps closed tickets) or deleted. A refusal says
// why: the reason is under fields.queue (409) or fields.move_to (422).
func (s *Server) handleRemoveQueue(c *fiber.Ctx) error {
	out, err := s.o.Queues.RemoveQueue(c.UserContext(), actor(c), c.Params("code"), c.Query("move_to"))
	switch {
	case errors.Is(err, routing.ErrInvalid):
		ve := &apperr.ValidationError{}
		ve.Add("move_to", "validation.routing", "detail", err.Error())
		return ve
	case errors.Is(err, routing.ErrQueueInUse):
		return &refusal{err: err, field: "queue", FieldError: apperr.FieldError{Key: "routing.queue_in_use", Args: []any{"detail", err.Error()}}}
	case err != nil:
		return err
	}
	return c.JSON(out)
}

func agentParam(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, agent.ErrNotFound
	}
	return id, nil
}

func (s *Server) handleAgentRouting(c *fiber.Ctx) error {
	id, err := agentParam(c)
	if err != nil {
		return err
	}
	p, err := s.o.Queues.Agent(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"agent": p})
}

func (s *Server) handleSetAgentRouting(c *fiber.Ctx) error {
	id, err := agentParam(c)
	if err != nil {
		return err
	}
	var req routing.AgentSettings
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.mayManage(c, id); err != nil {
		return err
	}
	before, err := s.o.Queues.Agent(c.UserContext(), id)
	if err != nil {
		return err
	}
	if err := s.o.Queues.SetAgent(c.UserContext(), id, req); err != nil {
		return routingInvalid(err)
	}
	after, err := s.o.Queues.Agent(c.UserContext(), id)
	if err != nil {
		return err
	}
	name := ""
	if a, err := s.o.Agents.Get(c.UserContext(), id); err == nil {
		name = a.Name
	}
	auditChanged(c, agentRoutingAudit(name, before), agentRoutingAudit(name, after))
	return c.JSON(fiber.Map{"agent": after})
}

func yearParam(c *fiber.Ctx) (int, error) {
	y, err := strconv.Atoi(c.Params("year"))
	if err != nil || y < 2000 || y > 2100 {
		ve := &apperr.ValidationError{}
		ve.Add("year", "validation.invalid")
		return 0, ve
	}
	return y, nil
}

func (s *Server) handleHolidays(c *fiber.Ctx) error {
	y, err := yearParam(c)
	if err != nil {
		return err
	}
	h, err := s.o.Queues.Holidays(c.UserContext(), y)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"year": y, "holidays": h})
}

func (s *Server) handleSetHolidays(c *fiber.Ctx) error {
	y, err := yearParam(c)
	if err != nil {
		return err
	}
	var req struct {
		Holidays []routing.Holiday `json:"holidays"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	before, err := s.o.Queues.SetHolidaysChange(c.UserContext(), y, req.Holidays)
	if err != nil {
		return routingInvalid(err)
	}
	h, err := s.o.Queues.Holidays(c.UserContext(), y)
	if err != nil {
		return err
	}
	auditChanged(c, map[string]any{"holidays": holidaysByDay(before)}, map[string]any{"holidays": holidaysByDay(h)})
	return c.JSON(fiber.Map{"year": y, "holidays": h})
}

// holidaysByDay keys a year's holidays by their day, so its audit line
// names each day added, renamed or removed rather than the whole list.
func holidaysByDay(days []routing.Holiday) map[string]map[string]string {
	out := make(map[string]map[string]string, len(days))
	for _, d := range days {
		out[d.Day] = map[string]string{"name": d.Name, "kind": d.Kind}
	}
	return out
}

// agentRoutingAudit is what the audit line of an account's queue settings
// compares (its load is no setting), named by the account: of the
// capacities per channel, the account's own, so that a channel given back
// to its default reads as its own number gone, whatever the default is.
func agentRoutingAudit(name string, p routing.AgentProfile) map[string]any {
	return map[string]any{"name": name, "queues": p.Queues, "skills": p.Skills, "capacity": p.Capacity, "channel_capacity": p.ChannelOwn}
}

// weekCodes are the days in the order of admin.day_words.
var weekCodes = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// dayOf reads a day as the admin types it: its word in the admin's
// language (admin.day_words: "sen" or "mon") or its code ("mon").
func (s *Server) dayOf(c *fiber.Ctx) func(string) (time.Weekday, bool) {
	words := strings.Fields(s.o.Locale.T(s.o.Lang(c), "admin.day_words"))
	return func(w string) (time.Weekday, bool) {
		for i, word := range words {
			if i < len(weekCodes) && strings.EqualFold(w, word) {
				return weekCodes[i], true
			}
		}
		return hours.DayCode(w)
	}
}

// hoursLineInvalid is a typed week's problem beside the hours, naming
// its line and what is wrong (routing.invalid.hours_<reason>).
func (s *Server) hoursLineInvalid(c *fiber.Ctx, err error) error {
	var le *hours.LineError
	if !errors.As(err, &le) {
		return err
	}
	ve := &apperr.ValidationError{}
	ve.Add("hours", "routing.invalid.hours_"+le.Reason, "line", le.Line, "text", le.Text,
		"days", strings.Join(strings.Fields(s.o.Locale.T(s.o.Lang(c), "admin.day_words")), ", "))
	return ve
}
