package webform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/apperr"
	"tanggap/internal/complaint"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/httpx"
	"tanggap/internal/ticket"
)

// Lifecycle is what the form needs of the complaint lifecycle
// (complaint.Service): kinds, anonymous and confidential submissions, the
// PIN follow-up and the citizen's timeline.
type Lifecycle interface {
	Sensitive(category string) bool
	Register(ctx context.Context, in complaint.Intake) (complaint.Registered, error)
	Replay(ctx context.Context, intakeKey, idempotencyKey string) (complaint.Registered, bool, error)
	Discard(ctx context.Context, key string) error
	OpenWithPIN(ctx context.Context, trackingNumber, pin, client string) (complaint.Private, error)
	RememberNetwork(ctx context.Context, trackingNumber, client, pin string) error
	TimelineOf(ctx context.Context, ticketID int64) (complaint.Timeline, error)
	Disagree(ctx context.Context, ticketID int64, reason string) error
}

// Flag is a yes/no field: a JSON boolean or a string ("true", "false",
// a checkbox's "on"); empty when not answered.
type Flag string

// UnmarshalJSON takes a boolean or a string.
func (f *Flag) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case bool:
		*f = Flag(strconv.FormatBool(x))
	case string:
		*f = Flag(x)
	case nil:
		*f = ""
	default:
		return fmt.Errorf("webform: a yes/no field is a boolean or a string")
	}
	return nil
}

// flagOn reads a form flag: "true", "1", "on", "yes" (a checkbox).
func flagOn(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "on", "yes", "ya":
		return true
	}
	return false
}

// flagSet reports whether a flag was answered at all ("false" is an
// answer: the citizen chose not to).
func flagSet(v string) bool { return strings.TrimSpace(v) != "" }

// privacyOf settles a validated complaint's kind, anonymity and
// confidentiality: an anonymous complaint carries no identity at all; a
// complaint in a sensitive category is confidential unless the citizen
// said otherwise.
func (a *Adapter) privacyOf(f Form, c *Complaint, ve *apperr.ValidationError) {
	a.privacy(f, c, ve, a.o.Lifecycle != nil && a.o.Lifecycle.Sensitive(c.Category))
}

// privacy is privacyOf with the category's sensitivity known (the stored
// categories carry it: categories.go).
func (a *Adapter) privacy(f Form, c *Complaint, ve *apperr.ValidationError, sensitive bool) {
	kind, err := complaint.ParseKind(strings.TrimSpace(f.Kind))
	if err != nil {
		ve.Add("kind", "validation.invalid")
	}
	c.Kind = kind
	c.Anonymous = flagOn(string(f.Anonymous))
	switch {
	case c.Anonymous:
		c.Confidential = false
	case flagSet(string(f.Confidential)):
		c.Confidential = flagOn(string(f.Confidential))
	case a.o.Lifecycle != nil:
		c.Confidential = sensitive
	}
	if (c.Anonymous || c.Confidential) && a.o.Lifecycle == nil {
		ve.Add("anonymous", "validation.invalid")
	}
	if c.Anonymous {
		// Nothing that identifies the citizen is kept, even if typed.
		c.Name, c.Phone, c.Email, c.NIK = "", "", "", ""
	}
}

// register keeps an anonymous or confidential submission apart before it
// goes on the bus: the envelope then carries a pseudonym, never the
// identity, so the identity reaches no ticket, event, log or export. The
// returned undo removes the intake when the bus refuses the submission.
//
// A keyed submission (idempotencyKey) registered before — a retry, or a
// duplicate sent at the same time — gets the first registration back
// (the same pseudonym and PIN, while the replay window lasts) and never
// undoes it.
func (a *Adapter) register(ctx context.Context, c Complaint, idempotencyKey string, in *envelope.Inbound) (pin string, undo func(), err error) {
	in.Fields[complaint.FieldComplaintKind] = string(c.Kind)
	if !c.Anonymous && !c.Confidential {
		return "", func() {}, nil
	}
	reg, err := a.o.Lifecycle.Register(ctx, complaint.Intake{Key: in.ProviderMessageID, IdempotencyKey: idempotencyKey,
		Anonymous: c.Anonymous, Confidential: c.Confidential, Name: c.Name, Phone: c.Phone, Email: c.Email, NIK: c.NIK})
	if err != nil {
		return "", nil, err
	}
	in.Sender = envelope.Sender{VisitorID: reg.VisitorID}
	in.Fields[complaint.FieldPrivate] = "true"
	if reg.Replayed {
		return complaint.FormatPIN(reg.PIN), func() {}, nil
	}
	undo = func() {
		if err := a.o.Lifecycle.Discard(context.Background(), in.ProviderMessageID); err != nil {
			a.o.Log.Warn("discard complaint intake", "err", err)
		}
	}
	return complaint.FormatPIN(reg.PIN), undo, nil
}

// replayed answers a retry of a submission the form recorded: its
// tracking number, and for an anonymous or confidential one its PIN while
// the replay window lasts (409 pin_shown after it: the complaint is there,
// its PIN is not shown twice).
func (a *Adapter) replayed(c *fiber.Ctx, tn, providerID, key string) error {
	if a.o.Lifecycle != nil {
		reg, private, err := a.o.Lifecycle.Replay(c.UserContext(), providerID, key)
		if err != nil {
			return err
		}
		if private {
			return c.Status(fiber.StatusCreated).JSON(fiber.Map{"tracking_number": tn, "pin": complaint.FormatPIN(reg.PIN)})
		}
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"tracking_number": tn})
}

// mountLifecycle adds the lifecycle's public routes: the PIN follow-up and
// the citizen's timeline and disagreement.
func (a *Adapter) mountLifecycle(r fiber.Router, submit, guess fiber.Handler) {
	if a.o.Lifecycle == nil {
		return
	}
	r.Get("/api/v1/complaints/form/options", a.handleFormOptions)
	r.Post("/api/v1/complaints/:tracking/pin", guess, httpx.Rendered, a.handlePINStatus)
	r.Post("/api/v1/complaints/:tracking/pin/messages", guess, submit, httpx.Rendered, a.handlePINFollowUp)
	r.Post("/api/v1/complaints/:tracking/pin/files/:id<int>", guess, httpx.Rendered, a.handlePINFile)
	r.Get("/api/v1/complaints/:tracking/timeline", guess, httpx.Rendered, a.handleTimeline)
	r.Post("/api/v1/complaints/:tracking/disagree", guess, submit, httpx.Rendered, a.handleDisagree)
}

type kindJSON struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// handleFormOptions lists the kinds and the categories that are
// confidential by default.
func (a *Adapter) handleFormOptions(c *fiber.Ctx) error {
	lang := a.o.Lang(c)
	kinds := make([]kindJSON, 0, len(complaint.Kinds))
	for _, k := range complaint.Kinds {
		kinds = append(kinds, kindJSON{Code: string(k), Label: a.o.Locale.T(lang, "lifecycle.kind."+string(k))})
	}
	cats, err := a.formCategories(c.UserContext())
	if err != nil {
		return err
	}
	sensitive := []string{}
	for _, cat := range cats {
		if cat.Active && cat.Sensitive {
			sensitive = append(sensitive, cat.Code)
		}
	}
	return c.JSON(fiber.Map{"kinds": kinds, "sensitive_categories": sensitive})
}

// pinRequest is a PIN follow-up: the PIN, and a message or a reason.
type pinRequest struct {
	PIN     string `json:"pin"`
	Contact string `json:"contact"`
	Body    string `json:"body"`
	Reason  string `json:"reason"`
}

// timelineJSON is the citizen's timeline with each step worded in the
// caller's language.
type timelineJSON struct {
	complaint.Timeline
	KindLabel  string     `json:"kind_label"`
	StageLabel string     `json:"stage_label"`
	Steps      []stepJSON `json:"steps"`
}

type stepJSON struct {
	complaint.PublicStep
	Label string `json:"label"`
}

func (a *Adapter) timelineJSON(lang string, t complaint.Timeline) timelineJSON {
	out := timelineJSON{Timeline: t, KindLabel: a.o.Locale.T(lang, "lifecycle.kind."+string(t.Kind)),
		StageLabel: a.o.Locale.T(lang, "lifecycle.stage."+string(t.Stage)), Steps: make([]stepJSON, 0, len(t.Steps))}
	for _, st := range t.Steps {
		out.Steps = append(out.Steps, stepJSON{PublicStep: st, Label: a.o.Locale.T(lang, "lifecycle.step."+st.Step)})
	}
	return out
}

// timelineOf is the timeline of a looked-up ticket in the caller's
// language; ok is false when the ticket is not in the lifecycle (or the
// lifecycle is off).
func (a *Adapter) timelineOf(ctx context.Context, lang string, ticketID int64) (tl timelineJSON, ok bool, err error) {
	if a.o.Lifecycle == nil {
		return timelineJSON{}, false, nil
	}
	t, err := a.o.Lifecycle.TimelineOf(ctx, ticketID)
	if errors.Is(err, complaint.ErrNotFound) {
		return timelineJSON{}, false, nil
	}
	if err != nil {
		return timelineJSON{}, false, err
	}
	return a.timelineJSON(lang, t), true, nil
}

// handlePINStatus is the status page of an anonymous or confidential
// complaint: tracking number + PIN in the body (never in a URL, so no
// access log keeps it). A solved one carries its waiting survey like a
// lookup by contact, so the page shows the rating card.
func (a *Adapter) handlePINStatus(c *fiber.Ctx) error {
	var req pinRequest
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.UserContext()
	p, err := a.o.Lifecycle.OpenWithPIN(ctx, c.Params("tracking"), req.PIN, c.IP())
	if err != nil {
		return err
	}
	t, err := a.o.Lifecycle.TimelineOf(ctx, p.TicketID)
	if err != nil {
		return err
	}
	a.markRead(ctx, p.Public)
	lang := a.o.Lang(c)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{
		"ticket":   a.publicOf(ctx, lang, heldOpen(p.Public, t, true)),
		"timeline": a.timelineJSON(lang, t),
	})
}

// handlePINFollowUp takes a message from the status page of an anonymous
// or confidential complaint, sent as its pseudonym.
func (a *Adapter) handlePINFollowUp(c *fiber.Ctx) error {
	var req pinRequest
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	var ve apperr.ValidationError
	body := strings.TrimSpace(req.Body)
	if body == "" {
		ve.Add("body", "validation.body_required")
	}
	checkText(&ve, "body", body, MaxFollowUpRunes, false)
	if err := ve.Err(); err != nil {
		return err
	}
	ctx := c.UserContext()
	p, err := a.o.Lifecycle.OpenWithPIN(ctx, c.Params("tracking"), req.PIN, c.IP())
	if err != nil {
		return err
	}
	if p.Public.Status == domain.StatusClosed {
		return ticket.ErrClosed
	}
	id, err := randomID()
	if err != nil {
		return err
	}
	in := envelope.Inbound{
		V: envelope.Version, Channel: domain.ChannelWebform, ProviderMessageID: "followup-" + id,
		Sender: envelope.Sender{VisitorID: p.VisitorID}, Text: body, ThreadRef: p.Public.TrackingNumber,
		Fields:     map[string]string{envelope.FieldKind: string(domain.KindFollowUp)},
		ReceivedAt: time.Now().UTC(),
	}
	if err := a.o.Bus.PublishInbound(ctx, in); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "accepted"})
}

// handlePINFile sends a file of an anonymous or confidential complaint
// opened with its PIN. The PIN comes in the body (a form post from the
// status page, or JSON), never in the URL; the same files as the contact
// lookup's are served, with the same headers.
func (a *Adapter) handlePINFile(c *fiber.Ctx) error {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return ticket.ErrNotFound
	}
	pin := c.FormValue("pin")
	if strings.HasPrefix(strings.ToLower(string(c.Request().Header.ContentType())), "application/json") {
		var req pinRequest
		if err := httpx.DecodeJSON(c, &req); err != nil {
			return err
		}
		pin = req.PIN
	}
	ctx := c.UserContext()
	p, err := a.o.Lifecycle.OpenWithPIN(ctx, c.Params("tracking"), pin, c.IP())
	if err != nil {
		return err
	}
	att, err := a.o.Tickets.PublicAttachmentOf(ctx, p.TicketID, int64(id))
	if err != nil {
		return err
	}
	return a.sendFile(c, att)
}

// matched finds the ticket of a status-page request: with a PIN, or with
// the contact given on the form.
func (a *Adapter) matched(c *fiber.Ctx, pin, contact string) (int64, error) {
	ctx := c.UserContext()
	if pin != "" {
		p, err := a.o.Lifecycle.OpenWithPIN(ctx, c.Params("tracking"), pin, c.IP())
		return p.TicketID, err
	}
	p, err := a.o.Tickets.PublicTicket(ctx, c.Params("tracking"), contact)
	return p.TicketID, err
}

// handleTimeline is the timeline of a complaint looked up with its
// contact (the status page shows it under the thread).
func (a *Adapter) handleTimeline(c *fiber.Ctx) error {
	id, err := a.matched(c, "", c.Query("contact"))
	if err != nil {
		return err
	}
	t, err := a.o.Lifecycle.TimelineOf(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(a.timelineJSON(a.o.Lang(c), t))
}

// handleDisagree: the citizen says the published follow-up does not
// settle the complaint; it goes back to the unit.
func (a *Adapter) handleDisagree(c *fiber.Ctx) error {
	var req pinRequest
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	id, err := a.matched(c, req.PIN, req.Contact)
	if err != nil {
		return err
	}
	if err := a.o.Lifecycle.Disagree(c.UserContext(), id, req.Reason); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "accepted"})
}

// heldOpen is a looked-up ticket as the citizen is told it: a complaint
// whose follow-up is not published yet is still being worked, whatever
// its ticket's status says (a ticket solved by hand before the lifecycle
// held its status, complaint.Guard), so the page neither says "Selesai"
// nor asks for a rating while no answer was given.
func heldOpen(p ticket.Public, tl complaint.Timeline, inLifecycle bool) ticket.Public {
	if inLifecycle && p.Status == domain.StatusSolved && tl.Stage.Holds(domain.StatusSolved) {
		p.Status = domain.StatusOpen
	}
	return p
}
