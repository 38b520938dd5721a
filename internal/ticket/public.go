package ticket

import (
	"context"
	"strings"
	"time"

	"tanggap/internal/domain"
	"tanggap/internal/identity"
	"tanggap/internal/tracking"
)

// Public is a ticket as the citizen who opened it sees it: status and the
// public thread, never internal notes nor replies not yet delivered.
type Public struct {
	TicketID       int64               `json:"-"`
	TrackingNumber string              `json:"tracking_number"`
	Status         domain.TicketStatus `json:"status"`
	Category       string              `json:"category"`
	CreatedAt      time.Time           `json:"created_at"`
	UpdatedAt      time.Time           `json:"updated_at"`
	Messages       []PublicMessage     `json:"messages"`
}

// PublicMessage is one entry of the public thread.
type PublicMessage struct {
	MessageID   int64            `json:"-"`
	Direction   domain.Direction `json:"direction"`
	Body        string           `json:"body"`
	Author      string           `json:"author,omitempty"`
	CreatedAt   time.Time        `json:"created_at"`
	Attachments int              `json:"attachments"`
	// Files are the citizen's own attachments, and on a reply the files
	// the agent attached.
	Files []PublicFile `json:"files"`
	// DeliveryStatus of a reply, for the channel to report it read.
	DeliveryStatus domain.DeliveryStatus `json:"-"`
}

// PublicFile is a file the citizen sent, downloadable again with the
// tracking number and contact.
type PublicFile struct {
	ID       int64  `json:"id"`
	Filename string `json:"filename"`
	MIME     string `json:"mime"`
	Size     int64  `json:"size"`
}

// ContactIdentity turns what a citizen typed as "the phone or email I used"
// into an identity kind and normalized value.
func ContactIdentity(contact string) (kind, value string, ok bool) {
	contact = strings.TrimSpace(contact)
	if strings.Contains(contact, "@") {
		v, err := identity.NormalizeEmail(contact)
		return "email", v, err == nil
	}
	v, err := identity.NormalizePhone(contact)
	return "phone", v, err == nil
}

// PublicTicket returns the ticket with this tracking number, without its
// thread, when contact (a phone number or e-mail) is one the citizen gave
// with it. Any mismatch is ErrNotFound, so the answer never tells which
// half was wrong.
func (s *Service) PublicTicket(ctx context.Context, trackingNumber, contact string) (Public, error) {
	tn, err := tracking.Normalize(trackingNumber)
	if err != nil {
		return Public{}, ErrNotFound
	}
	kind, value, ok := ContactIdentity(contact)
	if !ok {
		return Public{}, ErrNotFound
	}
	return s.store.publicTicket(ctx, tn, kind, value)
}

// PublicLookup is PublicTicket with the public thread.
func (s *Service) PublicLookup(ctx context.Context, trackingNumber, contact string) (Public, error) {
	p, err := s.PublicTicket(ctx, trackingNumber, contact)
	if err != nil {
		return Public{}, err
	}
	if p.Messages, err = s.store.publicMessages(ctx, p.TicketID); err != nil {
		return Public{}, err
	}
	return p, nil
}

// PublicAttachment returns a file the citizen sent on the ticket with this
// tracking number, or one of a reply that reached them, under the same
// check as PublicTicket. Files of notes, of replies not (yet) delivered
// and of other tickets are ErrNotFound.
func (s *Service) PublicAttachment(ctx context.Context, trackingNumber, contact string, attachmentID int64) (Attachment, error) {
	p, err := s.PublicTicket(ctx, trackingNumber, contact)
	if err != nil {
		return Attachment{}, err
	}
	return s.store.publicFile(ctx, p.TicketID, attachmentID)
}

// PublicAttachmentOf is PublicAttachment for a ticket the caller has
// already matched to the citizen another way (the PIN of an anonymous or
// confidential complaint).
func (s *Service) PublicAttachmentOf(ctx context.Context, ticketID, attachmentID int64) (Attachment, error) {
	return s.store.publicFile(ctx, ticketID, attachmentID)
}
