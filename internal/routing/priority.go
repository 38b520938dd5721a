package routing

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
	"tanggap/internal/domain"
)

// PriorityRule raises a new ticket's priority when every condition it sets
// holds. The most urgent matching rule wins; rules never lower a priority.
type PriorityRule struct {
	Channel  string `json:"channel,omitempty" yaml:"channel,omitempty"`
	Category string `json:"category,omitempty" yaml:"category,omitempty"`
	// Keyword matches the ticket's subject (the first message), case-insensitively.
	Keyword string `json:"keyword,omitempty" yaml:"keyword,omitempty"`
	// RepeatContacts matches a contact who opened at least this many other
	// tickets in the last RepeatWindow (default 7 days).
	RepeatContacts int             `json:"repeat_contacts,omitempty" yaml:"repeat_contacts,omitempty"`
	RepeatWindow   time.Duration   `json:"repeat_window,omitempty" yaml:"repeat_window,omitempty"`
	Priority       domain.Priority `json:"priority" yaml:"priority"`
}

func (p PriorityRule) validate() error {
	if !p.Priority.Known() {
		return fmt.Errorf("%w: priority rule: priority %q", ErrInvalid, p.Priority)
	}
	if p.Channel == "" && p.Category == "" && p.Keyword == "" && p.RepeatContacts == 0 {
		return fmt.Errorf("%w: priority rule for %q has no condition", ErrInvalid, p.Priority)
	}
	return nil
}

// ticketFacts is what priority rules look at.
type ticketFacts struct {
	ID        int64
	Channel   string
	Category  string
	Subject   string
	Priority  domain.Priority
	ContactID int64
	CreatedAt time.Time
}

// priorities returns each ticket's priority after the rules, and its
// stored channel (the database, not the caller, says what a ticket is).
//
//	SELECT id, channel, category, subject, priority, contact_id, created_at FROM tickets WHERE id IN (…)
//	SELECT COUNT(*) FROM tickets WHERE contact_id = ? AND id <> ? AND created_at >= ?
func (r *Router) priorities(tx *gorm.DB, tickets []Ticket, now time.Time) ([]domain.Priority, []string, error) {
	if len(tickets) == 0 {
		return nil, nil, nil
	}
	ids := make([]any, len(tickets))
	for i, t := range tickets {
		ids[i] = t.ID
	}
	var rows []ticketFacts
	if err := tx.Raw(`SELECT id, channel, category, subject, priority, contact_id, created_at FROM tickets WHERE id IN (`+db.Placeholders(len(ids))+`)`, ids...).Scan(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("%w: ticket facts: %w", ErrStore, err)
	}
	byID := make(map[int64]ticketFacts, len(rows))
	for _, f := range rows {
		byID[f.ID] = f
	}
	out, chans := make([]domain.Priority, len(tickets)), make([]string, len(tickets))
	for i, t := range tickets {
		f := byID[t.ID]
		chans[i] = f.Channel
		p, err := r.priority(tx, f, nil, now)
		if err != nil {
			return nil, nil, err
		}
		out[i] = p
	}
	return out, chans, nil
}

// priority is a ticket's priority after the rules. unstored are the
// creation times of the contact's other new tickets not in the database yet
// (filed in the same batch), for repeat-contact rules.
func (r *Router) priority(tx *gorm.DB, f ticketFacts, unstored []time.Time, now time.Time) (domain.Priority, error) {
	p := f.Priority
	if p == "" {
		p = domain.PriorityNormal
	}
	for _, rule := range r.settings.priorityRules() {
		if rule.Priority.Rank() >= p.Rank() {
			continue // would not raise it
		}
		ok, err := matches(tx, rule, f, unstored, now)
		if err != nil {
			return "", err
		}
		if ok {
			p = rule.Priority
		}
	}
	return p, nil
}

// matches reports whether rule holds for the ticket f. A repeat-contact
// window reaches back from the ticket's own created_at (now when unknown),
// the clock the other tickets' created_at are on, stored or not: a ticket
// stored with its provider's received-at time counts the same whether it
// came in an earlier batch or in this one.
func matches(tx *gorm.DB, rule PriorityRule, f ticketFacts, unstored []time.Time, now time.Time) (bool, error) {
	if rule.Channel != "" && rule.Channel != f.Channel {
		return false, nil
	}
	if rule.Category != "" && rule.Category != f.Category {
		return false, nil
	}
	if rule.Keyword != "" && !strings.Contains(strings.ToLower(f.Subject), strings.ToLower(rule.Keyword)) {
		return false, nil
	}
	if rule.RepeatContacts > 0 {
		window := rule.RepeatWindow
		if window <= 0 {
			window = 7 * 24 * time.Hour
		}
		from := f.CreatedAt
		if from.IsZero() {
			from = now
		}
		from = from.Add(-window).UTC() // SQLite compares the stored text
		var n int
		if err := tx.Raw(`SELECT COUNT(*) FROM tickets WHERE contact_id = ? AND id <> ? AND created_at >= ?`,
			f.ContactID, f.ID, from).Scan(&n).Error; err != nil {
			return false, fmt.Errorf("%w: repeat contacts: %w", ErrStore, err)
		}
		for _, at := range unstored {
			if !at.Before(from) {
				n++
			}
		}
		if n < rule.RepeatContacts {
			return false, nil
		}
	}
	return true, nil
}

// priorityRank is the SQL rank of a ticket's priority, most urgent first.
func priorityRank(alias string) string { return domain.PriorityRankSQL(alias + ".priority") }
