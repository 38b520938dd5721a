package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tanggap/internal/statuslink"
)

// StatusLinks opens the signed links of notifications for the status page
// (pages.StatusLinks): the link's signature and expiry are checked, then
// the ticket's own address of the kind the link names is looked up, so
// no address ever travels in a link.
type StatusLinks struct {
	Links *statuslink.Signer
	store store
}

// NewStatusLinks returns the link opener on the service's database.
func (s *Service) StatusLinks() *StatusLinks { return &StatusLinks{Links: s.o.Links, store: s.store} }

const qReporter = `SELECT id, reporter_email, reporter_phone FROM tickets WHERE tracking_number = ?`

// OpenStatusLink returns the tracking number and contact of a genuine,
// unexpired link, and the language the citizen wrote in ("" unknown: the
// notices of the link are in it, and so may the page be);
// statuslink.ErrExpired, ErrForged or ErrMalformed otherwise (a ticket
// that is gone counts as forged).
func (l *StatusLinks) OpenStatusLink(ctx context.Context, token string) (tn, contact, lang string, err error) {
	c, err := l.Links.Verify(token)
	if err != nil {
		return "", "", "", err
	}
	var id int64
	var email, phone string
	err = l.store.db.WithContext(ctx).Raw(qReporter, c.TrackingNumber).Row().Scan(&id, &email, &phone)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", "", statuslink.ErrForged
	}
	if err != nil {
		return "", "", "", fmt.Errorf("notify: status link: %w", err)
	}
	contact = phone
	if c.Contact == statuslink.ContactEmail {
		contact = email
	}
	if contact == "" {
		return "", "", "", statuslink.ErrForged
	}
	if lang, err = l.store.lang(ctx, id); err != nil {
		return "", "", "", err
	}
	return c.TrackingNumber, contact, lang, nil
}
