package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
)

// A provider's later word on a notification it accepted (a WhatsApp or SMS
// status, an e-mail bounce) is applied here, whichever way it arrived: a
// delivery marks the row delivered; a failure marks it failed with the
// reason and queues the same event again, whose job then finds this
// route failed and goes on to the next configured one (process).

// errNotYet: the row a status names is still being sent (the provider
// answered faster than we recorded its answer); the caller tries later.
var errNotYet = errors.New("notify: the notification is still being sent")

// fallbackKey is the job key of the fallback after row id failed: one
// fallback per failed row, however often the failure is reported.
func fallbackKey(d Delivery) string {
	return d.EventKey + ":after:" + strconv.FormatInt(d.ID, 10)
}

// applyOutcome records that d was delivered, or failed for reason.
func (s *Service) applyOutcome(ctx context.Context, d Delivery, delivered bool, reason string) error {
	switch d.Status {
	case StatusSending, StatusQueued:
		return errNotYet
	case StatusFailed:
		if delivered {
			return nil
		}
		// Reported again (a provider's retry after we failed to answer):
		// the fallback may not have been queued; queuing it twice is a
		// no-op (its key).
		return s.fallback(ctx, d)
	}
	t, err := s.store.ticket(ctx, d.TicketID)
	if err != nil {
		return err
	}
	if delivered {
		if d.Status != StatusSent {
			return nil
		}
		return s.settle(ctx, t, d, StatusSent, StatusDelivered, d.ProviderID, "")
	}
	// A failure after a delivery report (an e-mail bounce after the
	// receiving server took it) still fails the route.
	ok, err := s.store.settle(ctx, d.ID, d.Status, StatusFailed, d.ProviderID, reason, s.o.Now().UTC())
	if err != nil {
		return err
	}
	if !ok {
		// Changed meanwhile: read it again and decide on what it is now.
		now, err := s.store.byID(ctx, d.ID)
		if err != nil {
			return err
		}
		if now.Status == d.Status {
			return fmt.Errorf("notify: row %d did not settle", d.ID)
		}
		return s.applyOutcome(ctx, now, delivered, reason)
	}
	d.Status, d.Reason = StatusFailed, reason
	s.observe(d.Route, OutcomeUndelivered)
	s.emit(ctx, t, d)
	return s.fallback(ctx, d)
}

// fallback queues d's event again; its job skips the failed route.
func (s *Service) fallback(ctx context.Context, d Delivery) error {
	return s.o.Bus.PublishJob(ctx, jobChannel, jobKind, fallbackKey(d), job{Key: d.EventKey, Kind: d.Kind, TicketID: d.TicketID})
}

// maxStatusAttempts bounds the retries of a provider status whose row is
// still being sent (seconds, normally) or names no row of ours.
const maxStatusAttempts = 20

// statusJob applies a provider status an adapter handed over
// (bus.NotifyStatus: today WhatsApp's statuses of notify's templates).
func (s *Service) statusJob(ctx context.Context, data []byte, attempt int) (bus.JobOutcome, time.Duration) {
	var st bus.NotifyStatus
	if err := json.Unmarshal(data, &st); err != nil {
		s.log.Warn("notify: unreadable provider status dropped", "err", err)
		return bus.JobDrop, 0
	}
	err := s.ApplyProviderStatus(ctx, st)
	switch {
	case err == nil:
		return bus.JobDone, 0
	case errors.Is(err, ErrUnknownMessage):
		s.log.Warn("notify: provider status names no notification of ours; dropped", "route", st.Route, "ref", st.Ref)
		return bus.JobDrop, 0
	case attempt >= maxStatusAttempts:
		s.log.Warn("notify: provider status dropped after retries", "route", st.Route, "ref", st.Ref, "err", err)
		return bus.JobDrop, 0
	}
	if errors.Is(err, errNotYet) {
		// The notification is still being sent: not a failure.
		return bus.JobWait, s.backoff(attempt)
	}
	if ctx.Err() == nil {
		s.log.Warn("notify: provider status", "route", st.Route, "err", err)
	}
	return bus.JobRetry, s.backoff(attempt)
}

// ApplyProviderStatus records one provider status of a notification named
// by its reference (bus.NotifyRefPrefix + the row's id) and the provider's
// message id, which must both match the row: "delivered" and "read" mark
// it delivered, "failed" fails it and falls back. Other statuses change
// nothing.
func (s *Service) ApplyProviderStatus(ctx context.Context, st bus.NotifyStatus) error {
	idText, ok := strings.CutPrefix(st.Ref, bus.NotifyRefPrefix)
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id <= 0 || st.ProviderID == "" {
		return ErrUnknownMessage
	}
	d, err := s.store.byID(ctx, id)
	if err != nil {
		return err
	}
	if string(d.Route) != st.Route {
		return ErrUnknownMessage
	}
	if d.ProviderID == "" && (d.Status == StatusSending || d.Status == StatusQueued) {
		return errNotYet
	}
	if d.ProviderID != st.ProviderID {
		return ErrUnknownMessage
	}
	switch st.Status {
	case domain.DeliveryDelivered, domain.DeliveryRead:
		return s.applyOutcome(ctx, d, true, "")
	case domain.DeliveryFailed:
		reason := "whatsapp failed"
		if st.Error != "" {
			reason += ": " + st.Error
		}
		return s.applyOutcome(ctx, d, false, reason)
	}
	return nil
}

const qByID = `SELECT ` + deliveryCols + ` FROM notify_deliveries WHERE id = ?`

// byID is one row; ErrUnknownMessage when there is none.
func (s store) byID(ctx context.Context, id int64) (Delivery, error) {
	d, err := scanDelivery(s.db.WithContext(ctx).Raw(qByID, id).Row())
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrUnknownMessage
	}
	if err != nil {
		return d, fmt.Errorf("notify: delivery %d: %w", id, err)
	}
	return d, nil
}
