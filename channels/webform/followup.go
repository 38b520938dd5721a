package webform

import (
	"fmt"
	"mime/multipart"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/apperr"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/httpx"
	"tanggap/internal/ticket"
)

// MaxFollowUpFiles is how many files one follow-up from the status page
// may carry.
const MaxFollowUpFiles = 1

// followUp is a follow-up as submitted: JSON {"body"} or multipart with a
// "body" field and at most MaxFollowUpFiles "attachments".
type followUp struct {
	Body string `json:"body"`
}

// readFollowUp reads a JSON or multipart follow-up.
func readFollowUp(c *fiber.Ctx) (followUp, []*multipart.FileHeader, error) {
	ct := strings.ToLower(string(c.Request().Header.ContentType()))
	if !strings.HasPrefix(ct, "multipart/form-data") {
		var f followUp
		if err := httpx.DecodeJSON(c, &f); err != nil {
			return followUp{}, nil, err
		}
		return f, nil, nil
	}
	mf, err := c.MultipartForm()
	if err != nil {
		return followUp{}, nil, &apperr.Coded{Status: fiber.StatusBadRequest, Code: apperr.CodeBadRequest, Err: fmt.Errorf("webform: multipart: %w", err)}
	}
	var f followUp
	if v := mf.Value["body"]; len(v) > 0 {
		f.Body = v[0]
	}
	return f, mf.File["attachments"], nil
}

// handleFollowUp takes a message (and at most one file) from the status
// page. Everything is checked before anything is stored; a file stored
// for a follow-up the bus refused is removed again.
func (a *Adapter) handleFollowUp(c *fiber.Ctx) error {
	req, files, err := readFollowUp(c)
	if err != nil {
		return err
	}
	var ve apperr.ValidationError
	body := strings.TrimSpace(req.Body)
	if body == "" && len(files) == 0 {
		ve.Add("body", "validation.body_required")
	}
	checkText(&ve, "body", body, MaxFollowUpRunes, false)
	if len(files) > MaxFollowUpFiles {
		ve.Add("attachments", "validation.too_many_files", "max", MaxFollowUpFiles)
	}
	for _, fh := range files {
		if fh.Size > a.o.MaxBytes {
			ve.Add("attachments", "validation.file_too_large_named", "name", cleanFilename(fh.Filename), "max", a.o.MaxBytes>>20)
		}
	}
	if err := ve.Err(); err != nil {
		return err
	}
	ctx := c.UserContext()
	contact := c.Query("contact")
	p, err := a.o.Tickets.PublicTicket(ctx, c.Params("tracking"), contact)
	if err != nil {
		return err
	}
	if p.Status == domain.StatusClosed {
		return ticket.ErrClosed
	}
	kind, value, _ := ticket.ContactIdentity(contact)
	sender := envelope.Sender{}
	if kind == "email" {
		sender.Email = value
	} else {
		sender.Phone = value
	}
	id, err := randomID()
	if err != nil {
		return err
	}
	stored, err := a.storeFiles(ctx, files)
	if err != nil {
		return err
	}
	in := envelope.Inbound{
		V: envelope.Version, Channel: domain.ChannelWebform, ProviderMessageID: "followup-" + id,
		Sender: sender, Text: body, Attachments: stored, ThreadRef: p.TrackingNumber,
		Fields:     map[string]string{envelope.FieldKind: string(domain.KindFollowUp)},
		ReceivedAt: time.Now().UTC(),
	}
	if err := a.o.Bus.PublishInbound(ctx, in); err != nil {
		a.discard(stored)
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"status": "accepted"})
}

// handleFile sends back a file the citizen attached, under the same
// tracking number and contact check as the status lookup.
func (a *Adapter) handleFile(c *fiber.Ctx) error {
	id, err := c.ParamsInt("id")
	if err != nil || id <= 0 {
		return ticket.ErrNotFound
	}
	ctx := c.UserContext()
	contact := c.Query("contact")
	if c.Method() == fiber.MethodPost {
		contact = c.FormValue("contact")
	}
	att, err := a.o.Tickets.PublicAttachment(ctx, c.Params("tracking"), contact, int64(id))
	if err != nil {
		return err
	}
	return a.sendFile(c, att)
}

// sendFile streams a file the status page lists.
func (a *Adapter) sendFile(c *fiber.Ctx, att ticket.Attachment) error {
	ctx := c.UserContext()
	f, err := a.o.Attachments.Open(ctx, att.StorageKey)
	if err != nil {
		return err
	}
	// The citizen's own file, but never trusted content of this origin:
	// pictures show inline in a sandbox, anything else downloads.
	disposition := "attachment"
	if strings.HasPrefix(att.MIME, "image/") {
		disposition = "inline"
		c.Set(fiber.HeaderContentSecurityPolicy, "sandbox; default-src 'none'; img-src 'self'")
	}
	c.Set(fiber.HeaderContentType, att.MIME)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf("%s; filename=%q", disposition, cleanFilename(att.Filename)))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.SendStream(f, int(att.Size))
}
