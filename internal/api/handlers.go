package api

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/httpx"
	"tanggap/internal/permission"
	"tanggap/internal/ticket"
)

func (s *Server) handleHealthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

type agentJSON struct {
	ID         int64           `json:"id"`
	Email      string          `json:"email"`
	Name       string          `json:"name"`
	Role       domain.Role     `json:"role"`
	Presence   domain.Presence `json:"presence"`
	Capacity   int             `json:"capacity"`
	ActiveLoad int             `json:"active_load"`
	QueueIDs   []int64         `json:"queue_ids"`
	RoleLabel  string          `json:"role_label,omitempty"`
	// Permissions are the role's (the console shows what they allow).
	Permissions []permission.P `json:"permissions"`
}

func toAgentJSON(a agent.Agent) agentJSON {
	q := a.QueueIDs
	if q == nil {
		q = []int64{}
	}
	return agentJSON{ID: a.ID, Email: a.Email, Name: a.Name, Role: a.Role, Presence: a.Presence, Capacity: a.Capacity, ActiveLoad: a.ActiveLoad, QueueIDs: q, RoleLabel: a.RoleLabel,
		Permissions: a.Permissions().List()}
}

func (s *Server) handleLogin(c *fiber.Ctx) error {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	in, err := s.o.Auth.SignInFrom(c.UserContext(), req.Email, req.Password, c.Cookies(s.o.Auth.DeviceCookieName(req.Email)), c.IP())
	if wait, ok := throttled(err); ok {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds()+0.999)))
	}
	if err != nil {
		return err
	}
	sess := in.Session
	if in.Device.Name != "" {
		// Sent back only to the sign-in route: it is what makes this
		// browser a known device of the account (see auth.SignIn).
		c.Cookie(&fiber.Cookie{Name: in.Device.Name, Value: in.Device.Value, Path: "/api/v1/auth/login", Expires: in.Device.Expires,
			HTTPOnly: true, Secure: s.o.SecureCookies, SameSite: fiber.CookieSameSiteStrictMode})
	}
	c.Cookie(&fiber.Cookie{
		Name: SessionCookie, Value: sess.Token, Path: "/", Expires: sess.ExpiresAt,
		HTTPOnly: true, Secure: s.o.SecureCookies, SameSite: fiber.CookieSameSiteStrictMode,
	})
	return c.JSON(fiber.Map{"token": sess.Token, "expires_at": sess.ExpiresAt, "agent": toAgentJSON(sess.Agent), "channels": s.channelsOn()})
}

// handleLogout ends the session and takes the agent offline at once, as a
// manual switch to offline would (their tickets go back to the queue), so
// routing never assigns to someone who left.
func (s *Server) handleLogout(c *fiber.Ctx) error {
	token, _ := c.Locals(localToken).(string)
	if err := s.o.Auth.Logout(c.UserContext(), token); err != nil {
		return err
	}
	if _, err := s.changePresence(c.UserContext(), current(c).ID, domain.PresenceOffline); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: "", Path: "/", Expires: time.Unix(0, 0), HTTPOnly: true,
		Secure: s.o.SecureCookies, SameSite: fiber.CookieSameSiteStrictMode})
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) handleMe(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"agent": toAgentJSON(current(c)), "channels": s.channelsOn()})
}

func (s *Server) handleSetPresence(c *fiber.Ctx) error {
	var req struct {
		Presence domain.Presence `json:"presence"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	a, err := s.changePresence(c.UserContext(), current(c).ID, req.Presence)
	if errors.Is(err, agent.ErrInvalidPresence) {
		ve := &apperr.ValidationError{}
		ve.Add("presence", "validation.invalid")
		return ve
	}
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"agent": toAgentJSON(a)})
}

func (s *Server) handleListAgents(c *fiber.Ctx) error {
	list, err := s.o.Agents.List(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]agentJSON, 0, len(list))
	for _, a := range list {
		out = append(out, toAgentJSON(a))
	}
	return c.JSON(fiber.Map{"agents": out})
}

func (s *Server) handleCreateAgent(c *fiber.Ctx) error {
	var req struct {
		Email    string      `json:"email"`
		Name     string      `json:"name"`
		Password string      `json:"password"`
		Role     domain.Role `json:"role"`
		Capacity int         `json:"capacity"`
		Queues   []string    `json:"queues"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	if req.Role == "" {
		req.Role = domain.RoleAgent
	}
	if err := s.mayGrant(c, req.Role); err != nil {
		return err
	}
	a, err := s.o.Agents.Create(c.UserContext(), agent.NewAgent{Email: req.Email, Name: req.Name, Password: req.Password,
		Role: req.Role, Capacity: req.Capacity, QueueCodes: req.Queues})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"agent": toAgentJSON(a)})
}

func (s *Server) handleListTickets(c *fiber.Ctx) error {
	f, err := listFilter(c)
	if err != nil {
		return err
	}
	// tags: each ticket's tags, by ticket id, read in the list's statement
	f.WithTags = s.o.Tags != nil
	p, ok := alongResult(c).(*ticket.Page) // read with the session (inboxAlong)
	if !ok {
		page, err := s.o.Tickets.ListPage(c.UserContext(), current(c), f)
		if err != nil {
			return err
		}
		p = &page
	}
	s.auditListed(c, p.Tickets)
	// Written by hand (no reflection): the inbox's most frequent answer.
	buf := pageBufs.Get().(*[]byte)
	b := p.AppendJSON((*buf)[:0], f.WithTags)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Response().SetBody(b) // copied into the response's own buffer
	*buf = b
	pageBufs.Put(buf)
	return nil
}

// inboxAlong sends the list's page statement in the session's round trip
// (needAlong), built for the scope the session had on its last request
// here; the gate keeps the page only when the session read now has the
// same scope (ticket.SameScope), else handleListTickets reads it again.
func (s *Server) inboxAlong() *along {
	return &along{
		build: func(c *fiber.Ctx, viewer agent.Agent) (db.Read, any, error) {
			f, err := listFilter(c)
			if err != nil {
				return db.Read{}, nil, err
			}
			f.WithTags = s.o.Tags != nil
			p := new(ticket.Page)
			r, err := s.o.Tickets.PageRead(viewer, f, p)
			return r, p, err
		},
		same: ticket.SameScope,
	}
}

// pageBufs are the scratch buffers of list pages being written.
var pageBufs = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

func ticketID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, ticket.ErrNotFound
	}
	return id, nil
}

// ticketJSON is a ticket as the console opens it: its detail, with its
// tags and whether it is in the complaint lifecycle when those services
// run (absent when they do not).
type ticketJSON struct {
	ticket.Detail
	Tags *[]string `json:"tags,omitempty"`
	// Lifecycle: the ticket is in the complaint lifecycle (GET
	// …/complaint answers its panel); false: it is not, and may be
	// treated as a complaint (POST …/complaint).
	Lifecycle *bool `json:"lifecycle,omitempty"`
}

func (s *Server) handleGetTicket(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	d, err := s.o.Tickets.Get(ctx, current(c), id)
	if err != nil {
		return err
	}
	s.renderNotes(ctx, s.o.Lang(c), d.Messages)
	out := ticketJSON{Detail: d}
	if s.o.Tags != nil { // tags: the ticket's tags beside its fields
		names, err := s.o.Tags.TicketTags(ctx, current(c), id)
		if err != nil {
			return err
		}
		out.Tags = &names
	}
	if s.o.Complaints != nil {
		in, err := s.o.Complaints.InLifecycle(ctx, id)
		if err != nil {
			return err
		}
		out.Lifecycle = &in
	}
	return c.JSON(out)
}

func (s *Server) handleUpdateTicket(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	var req struct {
		Status domain.TicketStatus `json:"status"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	sum, err := s.o.Tickets.SetStatus(c.UserContext(), current(c), id, req.Status)
	if err != nil {
		return err
	}
	return c.JSON(sum)
}

func (s *Server) handleReply(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	if isMultipart(c) {
		return s.handleReplyWithFiles(c, id) // files.go
	}
	var req struct {
		Body     string                `json:"body"`
		Template *ticket.TemplateDraft `json:"template"`
		Buttons  []envelope.Button     `json:"buttons"`
		Seen     int64                 `json:"seen"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	m, err := s.o.Tickets.ReplyWith(c.UserContext(), current(c), id, ticket.Draft{Body: req.Body, Template: req.Template, Buttons: req.Buttons, Seen: req.Seen})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(m)
}

func (s *Server) handleAttachment(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	a, err := s.o.Tickets.Attachment(c.UserContext(), current(c), id)
	if err != nil {
		return err
	}
	f, err := s.o.Attachments.Open(c.UserContext(), a.StorageKey)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, a.MIME)
	// Citizens' files are never trusted content of this origin: pictures
	// show inline in a sandbox (no script even if a browser misjudges the
	// type), anything else downloads. Never cached.
	disposition := "attachment"
	if strings.HasPrefix(a.MIME, "image/") {
		disposition = "inline"
		c.Set(fiber.HeaderContentSecurityPolicy, "sandbox; default-src 'none'; img-src 'self'")
	}
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf("%s; filename=%q", disposition, a.Filename))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	// The stream is closed by the server once sent.
	return c.SendStream(f, int(a.Size))
}
