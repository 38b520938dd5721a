package viewaudit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"tanggap/internal/db"
	"tanggap/internal/tracking"
)

type store struct {
	db *db.DB
}

type row struct {
	ID           int64 `gorm:"primaryKey"`
	At           time.Time
	AgentID      int64
	Kind         string
	TicketID     *int64
	ContactID    *int64
	AttachmentID *int64
	// RefusedItemID: see View.
	RefusedItemID *int64
}

func (row) TableName() string { return "view_audit" }

// Which ticket and contact an attachment belongs to, and a ticket's
// contact: one query each per batch, by primary keys.
const (
	sqlAttachmentOwners = `SELECT a.id AS attachment_id, m.ticket_id, t.contact_id
FROM attachments a JOIN messages m ON m.id = a.message_id JOIN tickets t ON t.id = m.ticket_id
WHERE a.id IN ?`
	sqlTicketContacts = `SELECT id AS ticket_id, contact_id FROM tickets WHERE id IN ?`
)

type owner struct {
	AttachmentID int64
	TicketID     int64
	ContactID    int64
}

// insert fills the owners of the batch's views and writes them in one
// INSERT.
func (s store) insert(ctx context.Context, views []View) error {
	d := s.db.WithContext(ctx)
	var atts, tickets []int64
	for _, v := range views {
		if v.AttachmentID != nil && v.TicketID == nil {
			atts = append(atts, *v.AttachmentID)
		}
	}
	byAtt := map[int64]owner{}
	if len(atts) > 0 {
		var os []owner
		if err := d.Raw(sqlAttachmentOwners, atts).Scan(&os).Error; err != nil {
			return fmt.Errorf("viewaudit: attachment owners: %w", err)
		}
		for _, o := range os {
			byAtt[o.AttachmentID] = o
		}
	}
	rows := make([]row, len(views))
	for i, v := range views {
		r := row{At: v.At.UTC(), AgentID: v.AgentID, Kind: v.Kind, TicketID: v.TicketID, ContactID: v.ContactID, AttachmentID: v.AttachmentID,
			RefusedItemID: v.RefusedItemID}
		if o, ok := byAtt[ptrVal(v.AttachmentID)]; ok && r.TicketID == nil {
			r.TicketID, r.ContactID = ptr(o.TicketID), ptr(o.ContactID)
		}
		if r.TicketID != nil && r.ContactID == nil {
			tickets = append(tickets, *r.TicketID)
		}
		rows[i] = r
	}
	if len(tickets) > 0 {
		var os []owner
		if err := d.Raw(sqlTicketContacts, tickets).Scan(&os).Error; err != nil {
			return fmt.Errorf("viewaudit: ticket contacts: %w", err)
		}
		byTicket := map[int64]int64{}
		for _, o := range os {
			byTicket[o.TicketID] = o.ContactID
		}
		for i := range rows {
			if rows[i].TicketID != nil && rows[i].ContactID == nil {
				if c, ok := byTicket[*rows[i].TicketID]; ok {
					rows[i].ContactID = ptr(c)
				}
			}
		}
	}
	if err := d.Create(&rows).Error; err != nil {
		return fmt.Errorf("viewaudit: insert: %w", err)
	}
	return nil
}

func ptr(v int64) *int64 { return &v }

func ptrVal(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// queryView builds the admin query: one equality (agent, ticket or
// contact) at most leads, the time range and the page cursor follow, so the
// index on (that column, at, id) — or (at, id) — serves filter and order.
func queryView(f Filter, limit int) (string, []any) {
	var where []string
	var args []any
	switch {
	case f.TicketID != 0:
		where, args = append(where, "ticket_id = ?"), append(args, f.TicketID)
	case f.ContactID != 0:
		where, args = append(where, "contact_id = ?"), append(args, f.ContactID)
	case f.AgentID != 0:
		where, args = append(where, "agent_id = ?"), append(args, f.AgentID)
	}
	// The other equalities filter rows the index already narrowed.
	if f.TicketID != 0 && f.ContactID != 0 {
		where, args = append(where, "contact_id = ?"), append(args, f.ContactID)
	}
	if (f.TicketID != 0 || f.ContactID != 0) && f.AgentID != 0 {
		where, args = append(where, "agent_id = ?"), append(args, f.AgentID)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, f.To.UTC())
	}
	if !f.BeforeAt.IsZero() {
		where = append(where, "at <= ?", "(at < ? OR id < ?)")
		args = append(args, f.BeforeAt.UTC(), f.BeforeAt.UTC(), f.BeforeID)
	}
	q := "SELECT id, at, agent_id, kind, ticket_id, contact_id, attachment_id, refused_item_id FROM view_audit"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY at DESC, id DESC LIMIT %d", limit)
	return q, args
}

func (s store) query(ctx context.Context, f Filter, limit int) ([]View, error) {
	q, args := queryView(f, limit)
	var rows []row
	if err := s.db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("viewaudit: query: %w", err)
	}
	out := make([]View, len(rows))
	for i, r := range rows {
		out[i] = View{ID: r.ID, At: r.At.UTC(), AgentID: r.AgentID, Kind: r.Kind, TicketID: r.TicketID, ContactID: r.ContactID, AttachmentID: r.AttachmentID,
			RefusedItemID: r.RefusedItemID}
	}
	return out, nil
}

// The filter's email and tracking number, and the names of a page's
// accounts and tickets: by unique key, by primary key.
const (
	sqlAgentByEmail    = `SELECT id FROM agents WHERE email = ?`
	sqlTicketByNumber  = `SELECT id FROM tickets WHERE tracking_number = ?`
	sqlAgentNames      = `SELECT id, name, email FROM agents WHERE id IN ?`
	sqlTrackingNumbers = `SELECT id, tracking_number FROM tickets WHERE id IN ?`
)

// resolve turns f's email and tracking number into ids.
func (s store) resolve(ctx context.Context, f Filter) (Filter, error) {
	tn := ""
	if f.TrackingNumber != "" {
		var err error
		if tn, err = tracking.Normalize(f.TrackingNumber); err != nil {
			return f, ErrUnknownTicket
		}
	}
	for _, k := range []struct {
		key, sql string
		dst      *int64
		unknown  error
	}{
		{strings.ToLower(strings.TrimSpace(f.AgentEmail)), sqlAgentByEmail, &f.AgentID, ErrUnknownAgent},
		{tn, sqlTicketByNumber, &f.TicketID, ErrUnknownTicket},
	} {
		if k.key == "" {
			continue
		}
		var ids []int64
		if err := s.db.WithContext(ctx).Raw(k.sql, k.key).Scan(&ids).Error; err != nil {
			return f, fmt.Errorf("viewaudit: resolve filter: %w", err)
		}
		if len(ids) == 0 {
			return f, k.unknown
		}
		*k.dst = ids[0]
	}
	return f, nil
}

// name fills the names of the views' agents and the tracking numbers of
// their tickets.
func (s store) name(ctx context.Context, views []View) error {
	agents, tickets := map[int64]bool{}, map[int64]bool{}
	for _, v := range views {
		agents[v.AgentID] = true
		if v.TicketID != nil {
			tickets[*v.TicketID] = true
		}
	}
	d := s.db.WithContext(ctx)
	var people []struct {
		ID          int64
		Name, Email string
	}
	if len(agents) > 0 {
		if err := d.Raw(sqlAgentNames, keys(agents)).Scan(&people).Error; err != nil {
			return fmt.Errorf("viewaudit: agent names: %w", err)
		}
	}
	var numbers []struct {
		ID             int64
		TrackingNumber string
	}
	if len(tickets) > 0 {
		if err := d.Raw(sqlTrackingNumbers, keys(tickets)).Scan(&numbers).Error; err != nil {
			return fmt.Errorf("viewaudit: tracking numbers: %w", err)
		}
	}
	names, emails, tns := map[int64]string{}, map[int64]string{}, map[int64]string{}
	for _, p := range people {
		names[p.ID], emails[p.ID] = p.Name, p.Email
	}
	for _, n := range numbers {
		tns[n.ID] = n.TrackingNumber
	}
	for i := range views {
		v := &views[i]
		v.AgentName, v.AgentEmail = names[v.AgentID], emails[v.AgentID]
		v.TrackingNumber = tns[ptrVal(v.TicketID)]
	}
	return nil
}

func keys(set map[int64]bool) []int64 {
	out := make([]int64, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	return out
}

// sqlPurge deletes one batch of views older than the cut-off, oldest
// first, through the (at, id) index.
const sqlPurge = `DELETE FROM view_audit WHERE id IN (SELECT id FROM view_audit WHERE at < ? ORDER BY at, id LIMIT 5000)`

func (s store) purge(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		res := s.db.WithContext(ctx).Exec(sqlPurge, before.UTC())
		if res.Error != nil {
			return total, fmt.Errorf("viewaudit: purge: %w", res.Error)
		}
		total += res.RowsAffected
		if res.RowsAffected < 5000 {
			return total, nil
		}
	}
}
