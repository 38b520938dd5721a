package complaint

import (
	"context"
	"time"

	"tanggap/internal/envelope"
)

// Field keys the form puts on a submission's envelope (stored with its
// first message), read back when the complaint is linked.
const (
	FieldComplaintKind = "complaint_kind"
	// FieldPrivate ("true") says the submission registered an intake
	// (anonymous or confidential) under its provider message id.
	FieldPrivate = "complaint_private"
)

// ensure returns the complaint of a ticket, linking it first when it is a
// form complaint the scheduler has not linked yet. errNoComplaint when the
// ticket is not one.
func (s *Service) ensure(ctx context.Context, ticketID int64) (record, error) {
	r, err := s.store.get(ctx, s.o.DB.DB, ticketID)
	if err == nil || !isNoComplaint(err) {
		return r, err
	}
	ft, err := s.store.formTicket(ctx, s.o.DB.DB, ticketID)
	if err != nil {
		return record{}, err
	}
	if ft == nil {
		return record{}, errNoComplaint
	}
	if err := s.link(ctx, *ft); err != nil {
		return record{}, err
	}
	return s.store.get(ctx, s.o.DB.DB, ticketID)
}

// link creates the complaint of a form ticket: verification starts, due
// in VerifyDays working days; the 60-day ceiling runs from now (a form
// complaint arrives complete unless the verifier says otherwise).
func (s *Service) link(ctx context.Context, ft formTicket) error {
	f := fieldsOf(ft.Fields)
	if !ft.complaint() {
		return nil
	}
	kind, err := ParseKind(f[FieldComplaintKind])
	if err != nil {
		kind = KindPengaduan
	}
	r := record{TicketID: ft.ID, Kind: kind, Stage: StageVerification, Category: ft.Category, ProvinceCode: ft.ProvinceCode,
		TimeZone: s.zoneOf(ft.ProvinceCode), ReceivedAt: ft.CreatedAt.UTC(), UpdatedAt: s.now()}
	if f[FieldPrivate] == "true" {
		r.IntakeKey = ft.ProviderMessageID
		in, ok, err := s.store.intakeOf(ctx, ft.ProviderMessageID)
		if err != nil {
			return err
		}
		if ok {
			r.Anonymous, r.Confidential = in.Anonymous, in.Confidential
		}
	}
	cal, err := s.calendar(ctx, r.TimeZone, r.ReceivedAt)
	if err != nil {
		return err
	}
	due := AddWorkingDays(cal, r.ReceivedAt, s.o.Deadlines.VerifyDays)
	ceiling := AddWorkingDays(cal, r.ReceivedAt, s.o.Deadlines.CeilingDays)
	complete := r.ReceivedAt
	r.DueAt, r.CeilingAt, r.CompleteAt = &due, &ceiling, &complete
	return s.store.insert(ctx, r, stepRow{TicketID: r.TicketID, Step: "received", CreatedAt: r.ReceivedAt})
}

// linkNew links form tickets after the cursor, at most limit. It returns
// how many it looked at.
func (s *Service) linkNew(ctx context.Context, limit int) (int, error) {
	cursor, err := s.store.cursor(ctx, "link")
	if err != nil {
		return 0, err
	}
	list, err := s.store.formTickets(ctx, cursor, limit)
	if err != nil {
		return 0, err
	}
	next := cursor
	settled := s.now().Add(-cursorLag)
	young := false
	for _, ft := range list {
		if err := s.link(ctx, ft); err != nil {
			return 0, err
		}
		// The cursor passes only tickets old enough that no transaction
		// holding a lower id can still commit (ids are handed out before
		// commit); from the first younger one on, tickets are looked at
		// again next tick, which ON CONFLICT DO NOTHING makes harmless.
		if !young && ft.CreatedAt.Before(settled) {
			next = ft.ID
		} else {
			young = true
		}
	}
	if next > cursor {
		if err := s.store.advance(ctx, "link", next); err != nil {
			return 0, err
		}
	}
	return len(list), nil
}

// cursorLag: see linkNew.
const cursorLag = 2 * time.Minute

// complaint reports whether a form submission is a complaint (the form
// also takes other kinds of request, which stay plain tickets).
func (ft formTicket) complaint() bool {
	k := fieldsOf(ft.Fields)[envelope.FieldKind]
	return k == "" || k == "complaint"
}
