// Package webform is the complaint-form channel: the JSON/multipart API
// behind the /pengaduan page, the status lookup with a tracking number, and
// follow-up messages. A submission becomes an inbound envelope on the bus;
// the citizen gets a tracking number only once the bus has it. Replies are
// "posted": visible on the status page, nobody notified; the citizen
// opening the status page turns them "read" (a receipt on the bus, like
// every channel's).
package webform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime/multipart"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/channels"
	"tanggap/internal/apperr"
	"tanggap/internal/attachment"
	"tanggap/internal/category"
	"tanggap/internal/csat"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/httpx"
	"tanggap/internal/locale"
	"tanggap/internal/ticket"
)

// Publisher puts inbound envelopes and delivery receipts on the bus,
// returning once acknowledged.
type Publisher interface {
	PublishInbound(ctx context.Context, in envelope.Inbound) error
	PublishReceipt(ctx context.Context, r envelope.Receipt) error
}

// Tickets is what the form needs from the ticketing core.
type Tickets interface {
	PublicLookup(ctx context.Context, trackingNumber, contact string) (ticket.Public, error)
	PublicTicket(ctx context.Context, trackingNumber, contact string) (ticket.Public, error)
	PublicAttachment(ctx context.Context, trackingNumber, contact string, attachmentID int64) (ticket.Attachment, error)
	PublicAttachmentOf(ctx context.Context, ticketID, attachmentID int64) (ticket.Attachment, error)
}

// Category is one choice on the form.
type Category struct {
	Code  string
	Label string // overrides the translation category.<code>
}

// Opts configures the adapter.
type Opts struct {
	Bus         Publisher
	Tickets     Tickets
	Attachments attachment.Store
	Locale      *locale.Catalog
	Lang        func(c *fiber.Ctx) string
	Categories  []Category
	// CategoryStore, when set, replaces Categories (categories.go).
	CategoryStore CategoryStore
	MaxFiles      int
	MaxBytes      int64
	// ReplyFiles bounds files agents attach to replies, which the
	// citizen downloads from the status page (reply_files.go).
	ReplyFiles channels.FileLimits
	// Lifecycle runs kinds, anonymous and confidential complaints and the
	// PIN follow-up (nil: the form takes neither anonymous nor
	// confidential complaints).
	Lifecycle Lifecycle
	Log       *slog.Logger
	// SubmissionsPerMinute bounds complaints and follow-ups per client
	// address (0: no limit). Citizens share carrier NAT addresses, so it
	// stays generous.
	SubmissionsPerMinute int
	// FailedLookupsPerMinute bounds status lookups that found nothing, per
	// client address (0: no limit): a citizen checking their own ticket is
	// never slowed, someone guessing tracking numbers is.
	FailedLookupsPerMinute int
	// DB keeps the record of keyed submissions (idempotency.go); nil
	// keeps none (the key still makes retries one ticket).
	DB *db.DB
	// Surveys gives a looked-up solved ticket its open satisfaction
	// survey, so the status page shows the rating card (nil: none).
	Surveys Surveys
}

// Surveys is the satisfaction service as the status page needs it: the
// token of a ticket's survey waiting for an answer, read only.
type Surveys interface {
	OpenToken(ctx context.Context, ticketID int64) (string, error)
}

// Adapter is the web form channel.
type Adapter struct {
	o    Opts
	keys *keyStore
	// lastCategories is the stored list last read (categories.go): the
	// form keeps taking complaints with it while the database is away.
	lastCategories atomic.Pointer[[]category.Category]
}

var _ channels.Adapter = (*Adapter)(nil)

// New returns the adapter.
func New(o Opts) *Adapter {
	return &Adapter{o: o, keys: &keyStore{db: o.DB}}
}

// Channel is webform.
func (a *Adapter) Channel() envelope.Channel { return domain.ChannelWebform }

// Mount adds the complaint API routes.
func (a *Adapter) Mount(r fiber.Router) {
	submit := httpx.Limit(a.o.SubmissionsPerMinute, false)
	guess := httpx.Limit(a.o.FailedLookupsPerMinute, true)
	r.Get("/api/v1/complaints/categories", a.handleCategories)
	r.Post("/api/v1/complaints", submit, a.handleSubmit)
	r.Get("/api/v1/complaints/:tracking", guess, httpx.Rendered, a.handleStatus)
	r.Post("/api/v1/complaints/:tracking/messages", guess, submit, httpx.Rendered, a.handleFollowUp)
	r.Get("/api/v1/complaints/:tracking/files/:id<int>", guess, httpx.Rendered, a.handleFile)
	// The status page's own: the contact in a form post, never in the
	// address of the tab the file opens in (history, Referer).
	r.Post("/api/v1/complaints/:tracking/files/:id<int>", guess, httpx.Rendered, a.handleFile)
	a.mountLifecycle(r, submit, guess) // complaint lifecycle: PIN follow-up, timeline
}

// Deliver makes a reply visible on the status page. Nobody is notified,
// so the reply is "posted", not "delivered": the agent must not believe
// the citizen was told. The citizen's next look at the status page turns
// it "read" (see handleStatus).
func (a *Adapter) Deliver(_ context.Context, out envelope.Outbound) (envelope.Receipt, error) {
	return envelope.Receipt{Status: domain.DeliveryPosted, At: time.Now().UTC()}, nil
}

type categoryJSON struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

func (a *Adapter) handleCategories(c *fiber.Ctx) error {
	lang := a.o.Lang(c)
	cats, err := a.formCategories(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]categoryJSON, 0, len(cats))
	for _, cat := range cats {
		if cat.Active {
			out = append(out, categoryJSON{Code: cat.Code, Label: a.labelOf(lang, cat)})
		}
	}
	return c.JSON(out)
}

func (a *Adapter) handleSubmit(c *fiber.Ctx) error {
	key, err := idempotencyKey(c)
	if err != nil {
		return err
	}
	form, files, err := a.readForm(c)
	if err != nil {
		return err
	}
	// Fields and files are checked together, so the citizen fixes
	// everything at once.
	cats, err := a.formCategories(c.UserContext())
	if err != nil {
		return err
	}
	offered := make(map[string]string, len(cats))
	sensitive := false
	for _, cat := range cats {
		if cat.Active {
			offered[cat.Code] = cat.LabelID
			sensitive = sensitive || cat.Code == strings.TrimSpace(form.Category) && cat.Sensitive
		}
	}
	complaint, err := validate(form, offered)
	ve := &apperr.ValidationError{}
	if err != nil && !errors.As(err, &ve) {
		return err
	}
	a.privacy(form, &complaint, ve, sensitive) // complaint lifecycle: kind, anonymous, confidential
	a.checkFiles(ve, files)
	if err := ve.Err(); err != nil {
		return err
	}
	ctx := c.UserContext()
	sub := newSubmission(key)
	if sub.keyHash != "" {
		tn, ok, err := a.keys.seen(ctx, sub.keyHash)
		if err != nil {
			// The key alone still makes the retry one ticket.
			a.o.Log.Warn("complaint key lookup failed; publishing again under the same number", "err", err)
		}
		if ok {
			a.o.Log.Info("complaint resubmitted; first tracking number returned", "tracking", tn)
			return a.replayed(c, tn, sub.providerID, key)
		}
	}
	stored, err := a.storeFiles(ctx, files)
	if err != nil {
		return err
	}
	// The number is promised before the core has stored anything, and
	// without needing the database: the form keeps taking complaints
	// while the database is down, the bus holds them. Numbers are random
	// or follow from the client's key (about 50 bits either way); the core
	// opens a complaint whose number another citizen's ticket already has
	// under a fresh one (see internal/ingest).
	tn := sub.tracking
	in := envelope.Inbound{
		V:                 envelope.Version,
		Channel:           domain.ChannelWebform,
		ProviderMessageID: sub.providerID,
		Sender:            envelope.Sender{Name: complaint.Name, Phone: complaint.Phone, Email: complaint.Email, NIK: complaint.NIK},
		Text:              complaint.Description,
		Attachments:       stored,
		Fields: map[string]string{
			envelope.FieldKind:     string(domain.KindComplaint),
			envelope.FieldCategory: complaint.Category,
		},
		ThreadRef:  tn,
		ReceivedAt: time.Now().UTC(),
	}
	if complaint.Province != "" {
		in.Fields[envelope.FieldProvince] = complaint.Province
	}
	// notify: the citizen's language, for the notifications they get.
	if a.o.Lang != nil {
		in.Fields[envelope.FieldLang] = a.o.Lang(c)
	}
	pin, undo, err := a.register(ctx, complaint, key, &in) // complaint lifecycle: a pseudonym for anonymous/confidential
	if err != nil {
		a.discard(stored)
		return err
	}
	if err := a.o.Bus.PublishInbound(ctx, in); err != nil {
		// Nothing half-way: the files go, the citizen is told to retry.
		a.discard(stored)
		undo()
		return err
	}
	// No contact beside the tracking number, not even masked: the pair
	// opens the status page, and a log is no place for half of it next
	// to the other half.
	a.o.Log.Info("complaint accepted", "tracking", tn, "category", complaint.Category, "attachments", len(stored))
	if sub.keyHash != "" {
		if err := a.keys.remember(ctx, sub.keyHash, tn, time.Now().UTC()); err != nil {
			a.o.Log.Warn("complaint key not recorded; a retry publishes again under the same number", "err", err)
		}
	}
	if pin != "" {
		// The submitting network is the citizen's: the PIN guard's ceiling
		// does not hold this PIN from it (a failure only loses that).
		if err := a.o.Lifecycle.RememberNetwork(ctx, tn, c.IP(), pin); err != nil {
			a.o.Log.Warn("complaint network not remembered", "err", err)
		}
		// Shown once (and to a retry of the same key for a short while):
		// only its hash is kept, and a copy sealed with the key.
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"tracking_number": tn, "pin": pin})
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"tracking_number": tn})
}

// readForm reads a JSON or multipart complaint.
func (a *Adapter) readForm(c *fiber.Ctx) (Form, []*multipart.FileHeader, error) {
	ct := strings.ToLower(string(c.Request().Header.ContentType()))
	switch {
	case strings.HasPrefix(ct, "application/json"):
		f, err := decodeJSON(c.Body())
		if err != nil {
			return Form{}, nil, &apperr.Coded{Status: fiber.StatusBadRequest, Code: apperr.CodeBadRequest, Err: err}
		}
		return f, nil, nil
	case strings.HasPrefix(ct, "multipart/form-data"):
		mf, err := c.MultipartForm()
		if err != nil {
			return Form{}, nil, &apperr.Coded{Status: fiber.StatusBadRequest, Code: apperr.CodeBadRequest, Err: fmt.Errorf("webform: multipart: %w", err)}
		}
		get := func(k string) string {
			if v := mf.Value[k]; len(v) > 0 {
				return v[0]
			}
			return ""
		}
		f := Form{Name: get("name"), Phone: get("phone"), Email: get("email"), NIK: get("nik"), Category: get("category"), Description: get("description"),
			Kind: get("kind"), Anonymous: Flag(get("anonymous")), Confidential: Flag(get("confidential"))}
		return f, mf.File["attachments"], nil
	default:
		return Form{}, nil, &apperr.Coded{Status: fiber.StatusUnsupportedMediaType, Code: apperr.CodeUnsupportedMediaType,
			Err: fmt.Errorf("webform: content type %q", ct)}
	}
}

// checkFiles reports too many or too large files before any is stored;
// their types are checked from their bytes while storing.
func (a *Adapter) checkFiles(ve *apperr.ValidationError, files []*multipart.FileHeader) {
	if len(files) > a.o.MaxFiles {
		ve.Add("attachments", "validation.too_many_files", "max", a.o.MaxFiles)
	}
	for _, fh := range files {
		if fh.Size > a.o.MaxBytes {
			ve.Add("attachments", "validation.file_too_large_named", "name", cleanFilename(fh.Filename), "max", a.o.MaxBytes>>20)
		}
	}
}

// storeFiles keeps the attachments, sniffing each type from its bytes.
func (a *Adapter) storeFiles(ctx context.Context, files []*multipart.FileHeader) ([]envelope.Attachment, error) {
	var out []envelope.Attachment
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			a.discard(out)
			return nil, fmt.Errorf("webform: open upload: %w", err)
		}
		st, err := a.o.Attachments.Put(ctx, f, a.o.MaxBytes, attachment.Documents)
		f.Close()
		if err != nil {
			a.discard(out)
			var ve apperr.ValidationError
			switch {
			// Named: of several files the citizen learns which to take out.
			case errors.Is(err, attachment.ErrType), errors.Is(err, attachment.ErrEmptyUpload):
				ve.Add("attachments", "validation.file_type_named", "name", cleanFilename(fh.Filename))
			case errors.Is(err, attachment.ErrTooLarge):
				ve.Add("attachments", "validation.file_too_large_named", "name", cleanFilename(fh.Filename), "max", a.o.MaxBytes>>20)
			default:
				return nil, err
			}
			return nil, &ve
		}
		out = append(out, envelope.Attachment{Key: st.Key, Filename: cleanFilename(fh.Filename), MIME: st.MIME, Size: st.Size})
	}
	return out, nil
}

func (a *Adapter) discard(atts []envelope.Attachment) {
	for _, at := range atts {
		if err := a.o.Attachments.Delete(context.Background(), at.Key); err != nil {
			a.o.Log.Warn("discard attachment", "key", at.Key, "err", err)
		}
	}
}

// publicJSON is the citizen's view of a ticket with its labels in the
// caller's language.
type publicJSON struct {
	ticket.Public
	StatusLabel   string `json:"status_label"`
	CategoryLabel string `json:"category_label"`
	// CSAT is the token of the solve's survey while it waits for an
	// answer: the page shows the rating card.
	CSAT string `json:"csat,omitempty"`
}

// publicOf is a looked-up ticket as the status page shows it, by contact
// or by PIN: its labels in lang and its waiting survey.
func (a *Adapter) publicOf(ctx context.Context, lang string, p ticket.Public) publicJSON {
	return publicJSON{Public: p, StatusLabel: a.o.Locale.T(lang, "status."+string(p.Status)),
		CategoryLabel: a.categoryLabel(ctx, lang, p.Category), CSAT: a.surveyOf(ctx, p)}
}

// statusJSON is a lookup by contact: the ticket, and its complaint
// timeline (null when the ticket is not in the lifecycle: a chat or
// WhatsApp conversation never treated as a complaint).
type statusJSON struct {
	publicJSON
	Timeline *timelineJSON `json:"timeline"`
}

func (a *Adapter) handleStatus(c *fiber.Ctx) error {
	p, err := a.o.Tickets.PublicLookup(c.UserContext(), c.Params("tracking"), c.Query("contact"))
	if err != nil {
		return err
	}
	a.markRead(c.UserContext(), p)
	lang := a.o.Lang(c)
	c.Set(fiber.HeaderCacheControl, "no-store")
	tl, ok, err := a.timelineOf(c.UserContext(), lang, p.TicketID)
	if err != nil {
		return err
	}
	out := statusJSON{publicJSON: a.publicOf(c.UserContext(), lang, heldOpen(p, tl.Timeline, ok))}
	if ok {
		out.Timeline = &tl
	}
	return c.JSON(out)
}

// surveyOf is the token of a solved ticket's survey while it waits for
// an answer ("" none), for the rating card of a lookup by contact or by
// PIN alike. No card is no failure: the page answers anyway.
func (a *Adapter) surveyOf(ctx context.Context, p ticket.Public) string {
	if a.o.Surveys == nil || p.Status != domain.StatusSolved {
		return ""
	}
	tok, err := a.o.Surveys.OpenToken(ctx, p.TicketID)
	if err != nil {
		if !errors.Is(err, csat.ErrNoSurvey) {
			a.o.Log.Warn("status page: survey not read", "ticket_id", p.TicketID, "err", err)
		}
		return ""
	}
	return tok
}

// markRead reports every reply the citizen now sees and had not seen as
// read, through the receipts stream like any channel. A failed publish is
// logged and tried again on the citizen's next look: the page answers
// anyway.
func (a *Adapter) markRead(ctx context.Context, p ticket.Public) {
	now := time.Now().UTC()
	for _, m := range p.Messages {
		if m.Direction != domain.DirectionOut || m.DeliveryStatus.Rank() >= domain.DeliveryRead.Rank() {
			continue
		}
		r := envelope.Receipt{V: envelope.Version, Channel: domain.ChannelWebform, MessageID: m.MessageID,
			Status: domain.DeliveryRead, At: now}
		if err := a.o.Bus.PublishReceipt(ctx, r); err != nil {
			a.o.Log.Warn("read receipt publish failed", "message_id", m.MessageID, "err", err)
			return
		}
	}
}
