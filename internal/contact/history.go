package contact

import (
	"context"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/identity"
	"tanggap/internal/mask"
	"tanggap/internal/permission"
)

// The citizen's whole history (History service): the contact panel, notes
// on a contact, merges and splits, and probable duplicates.
//
// Tickets stay one per channel conversation; the panel is where an agent
// sees the citizen across channels.
//
// Scope, decided here and kept by every method:
//
//   - Supervisors and admins see every contact, every ticket of it and
//     every identity (the NIK masked to its region digits, as on tickets).
//   - An agent sees a contact only when at least one of its tickets is in
//     their scope (assigned to them or in one of their queues); otherwise
//     ErrForbidden. The panel lists only those tickets and says how many
//     others exist (HiddenTickets: a count, nothing else of them). A phone
//     or e-mail is shown whole only when a ticket the agent may open was
//     reported with it; other identities are masked (internal/mask), the
//     NIK always, live-chat visitor ids always.
//   - Merging, splitting and duplicate suggestions are for supervisors and
//     admins only: a merge moves tickets an agent might not see.
//
// Merges: the tickets, identities and notes of the merged contact move to
// the surviving one in one transaction; the merged contact stays as a
// tombstone (contacts.merged_into_id) and reading it follows to the
// survivor. What moved is recorded by id (contact_merge_items) with who and
// when (contact_merges), and each moved ticket gets an audit_log row. A
// split moves exactly those rows back and clears the tombstone; tickets the
// survivor got after the merge stay with it. Identity uniqueness is never
// at stake: identities change owner, (kind, value) stays unique. The
// ingest's lookups follow: an identity belongs to one contact at a time,
// and a batch that resolved an identity to a contact being merged (on
// PostgreSQL, where that can race) locks the contact rows it uses and
// follows a fresh merge to the survivor (followMerged).
//
// Concurrency: a merge and a split lock both contact rows (FOR UPDATE, in
// id order) before reading anything, so two merges of the same contacts
// serialize and the second sees the first's tombstone (ErrMerged). On
// SQLite every write transaction already runs alone.

// HistoryTicket is one ticket in the panel.
type HistoryTicket struct {
	ID             int64               `json:"id"`
	TrackingNumber string              `json:"tracking_number"`
	Status         domain.TicketStatus `json:"status"`
	Priority       domain.Priority     `json:"priority"`
	Channel        string              `json:"channel"`
	Category       string              `json:"category"`
	Subject        string              `json:"subject"`
	QueueID        *int64              `json:"queue_id"`
	Queue          string              `json:"queue"`
	AssigneeID     *int64              `json:"assignee_id"`
	AssigneeName   string              `json:"assignee_name"`
	CreatedAt      time.Time           `json:"created_at"`
	LastMessageAt  time.Time           `json:"last_message_at"`
	SolvedAt       *time.Time          `json:"solved_at"`
	ReporterPhone  string              `json:"-"`
	ReporterEmail  string              `json:"-"`
}

// History is a contact's tickets as one viewer may see them.
type History struct {
	Tickets []HistoryTicket
	// Hidden counts the contact's tickets the viewer may not open.
	Hidden int
	// Truncated: the contact has more tickets than one read returns.
	Truncated bool
}

// Reported is a contact with a ticket reported with an address.
type Reported struct {
	ContactID   int64
	Kind, Value string
}

// Tickets is what the history needs from the ticket owner
// (internal/ticket implements it; moves take the caller's transaction).
type Tickets interface {
	ContactHistory(ctx context.Context, viewer agent.Agent, contactID int64) (History, error)
	MoveAllToContact(ctx context.Context, tx *gorm.DB, from, to, agentID int64, reason string, now time.Time) ([]int64, error)
	MoveToContact(ctx context.Context, tx *gorm.DB, ids []int64, from, to, agentID int64, reason string, now time.Time) ([]int64, error)
	ContactsReportedWith(ctx context.Context, phones, emails []string, except int64) ([]Reported, error)
}

// HistoryOpts configures a HistoryService.
type HistoryOpts struct {
	DB      *db.DB
	Tickets Tickets
	Log     *slog.Logger
}

// HistoryService serves the contact panel, notes, merges and duplicates.
type HistoryService struct {
	db      *db.DB
	tickets Tickets
	log     *slog.Logger
	now     func() time.Time
}

// NewHistory returns a HistoryService.
func NewHistory(o HistoryOpts) *HistoryService {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &HistoryService{db: o.DB, tickets: o.Tickets, log: o.Log, now: func() time.Time { return time.Now().UTC() }}
}

// MaxNoteRunes bounds a note on a contact.
const MaxNoteRunes = 4000

// Panel is a contact as the console's contact panel shows it.
type Panel struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	ProvinceCode string `json:"province_code"`
	Province     string `json:"province"`
	// RequestedID is the id asked for when it was a merged contact and the
	// panel is the surviving one's (0 otherwise).
	RequestedID   int64           `json:"requested_id,omitempty"`
	CreatedAt     time.Time       `json:"created_at"`
	Identities    []PanelIdentity `json:"identities"`
	Tickets       []HistoryTicket `json:"tickets"`
	HiddenTickets int             `json:"hidden_tickets"`
	Truncated     bool            `json:"truncated"`
	Notes         []Note          `json:"notes"`
	Merges        []Merge         `json:"merges"`
	// CanMerge: the viewer may merge, split and see duplicates.
	CanMerge bool `json:"can_merge"`
}

// PanelIdentity is one identity as the viewer may see it.
type PanelIdentity struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"`
	Value  string `json:"value"`
	Masked bool   `json:"masked"`
	// Origin says what a visitor identity stands for when it is not a
	// live-chat visitor: anonymous_form or confidential_form (a complaint
	// sent through the form without contact details); absent otherwise.
	Origin    string    `json:"origin,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Note is an agent's note on a contact.
type Note struct {
	ID        int64     `json:"id"`
	AgentID   int64     `json:"agent_id"`
	AgentName string    `json:"agent_name"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// Merge is one merge as recorded: who, when, what moved, and its split.
type Merge struct {
	ID           int64      `json:"id"`
	IntoID       int64      `json:"into_id"`
	FromID       int64      `json:"from_id"`
	AgentID      int64      `json:"agent_id"`
	AgentName    string     `json:"agent_name"`
	CreatedAt    time.Time  `json:"created_at"`
	UndoneAt     *time.Time `json:"undone_at"`
	UndoneBy     *int64     `json:"undone_by"`
	UndoneByName string     `json:"undone_by_name"`
	TicketIDs    []int64    `json:"ticket_ids" gorm:"-"`
	IdentityIDs  []int64    `json:"identity_ids" gorm:"-"`
	NoteIDs      []int64    `json:"note_ids" gorm:"-"`
}

// Panel returns the contact id as viewer may see it (following a merged
// contact to the surviving one).
func (h *HistoryService) Panel(ctx context.Context, viewer agent.Agent, id int64) (Panel, error) {
	q := h.db.WithContext(ctx)
	c, err := liveContact(q, id)
	if err != nil {
		return Panel{}, err
	}
	hist, err := h.tickets.ContactHistory(ctx, viewer, c.ID)
	if err != nil {
		return Panel{}, err
	}
	if !viewer.SeesAll() && len(hist.Tickets) == 0 {
		return Panel{}, ErrForbidden
	}
	p := Panel{ID: c.ID, Name: c.Name, ProvinceCode: c.ProvinceCode, CreatedAt: c.CreatedAt,
		Tickets: hist.Tickets, HiddenTickets: hist.Hidden, Truncated: hist.Truncated, CanMerge: viewer.SeesAll() && viewer.Can(permission.ContactsMerge)}
	if c.ID != id {
		p.RequestedID = id
	}
	if p.ProvinceCode != "" {
		p.Province, _ = identity.ProvinceName(p.ProvinceCode)
	}
	ids, err := panelIdentities(q, c.ID)
	if err != nil {
		return Panel{}, err
	}
	reported := map[string]bool{}
	for _, t := range hist.Tickets {
		reported[KindPhone+":"+t.ReporterPhone] = true
		reported[KindEmail+":"+t.ReporterEmail] = true
	}
	for i := range ids {
		ids[i].Origin = originOf(ids[i].Kind, ids[i].Value)
		ids[i].Value, ids[i].Masked = shown(viewer, ids[i].Kind, ids[i].Value, reported)
	}
	p.Identities = ids
	if p.Notes, err = listNotes(q, c.ID); err != nil {
		return Panel{}, err
	}
	if p.Merges, err = listMerges(q, c.ID); err != nil {
		return Panel{}, err
	}
	return p, nil
}

// shown is an identity's value as viewer may see it, and whether it was masked.
func shown(viewer agent.Agent, kind, value string, reported map[string]bool) (string, bool) {
	switch {
	case kind == KindNIK:
		return mask.NIK(value), true
	case viewer.SeesAll():
		return value, false
	case (kind == KindPhone || kind == KindEmail) && reported[kind+":"+value]:
		return value, false
	case kind == KindPhone:
		return mask.Phone(value), true
	case kind == KindEmail:
		return mask.Email(value), true
	default:
		return maskOpaque(value), true
	}
}

// maskOpaque keeps the first four characters of an opaque id (a
// live-chat visitor id) when at least eight more are hidden.
func maskOpaque(s string) string {
	if utf8.RuneCountInString(s) >= 12 {
		r := []rune(s)
		return string(r[:4]) + "****"
	}
	return "****"
}

// canSee is the panel's access rule for writes (notes).
func (h *HistoryService) canSee(ctx context.Context, viewer agent.Agent, contactID int64) error {
	if viewer.SeesAll() {
		return nil
	}
	hist, err := h.tickets.ContactHistory(ctx, viewer, contactID)
	if err != nil {
		return err
	}
	if len(hist.Tickets) == 0 {
		return ErrForbidden
	}
	return nil
}

// AddNote stores an agent's note on a contact (a merged contact's note
// goes to the surviving one). The row is the audit: who, when, what.
func (h *HistoryService) AddNote(ctx context.Context, viewer agent.Agent, contactID int64, body string) (Note, error) {
	body = strings.TrimSpace(body)
	var ve apperr.ValidationError
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		ve.Add("body", "contact.note_empty")
	case n > MaxNoteRunes:
		ve.Add("body", "contact.note_too_long", "max", MaxNoteRunes)
	}
	if err := ve.Err(); err != nil {
		return Note{}, err
	}
	c, err := liveContact(h.db.WithContext(ctx), contactID)
	if err != nil {
		return Note{}, err
	}
	if err := h.canSee(ctx, viewer, c.ID); err != nil {
		return Note{}, err
	}
	n := Note{AgentID: viewer.ID, AgentName: viewer.Name, Body: body, CreatedAt: h.now()}
	err = h.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		n.ID, err = insertNote(tx, c.ID, viewer.ID, body, n.CreatedAt)
		return err
	})
	if err != nil {
		return Note{}, err
	}
	h.log.Info("contact note added", "contact_id", c.ID, "note_id", n.ID, "agent_id", viewer.ID, "body", mask.Text(body))
	return n, nil
}
