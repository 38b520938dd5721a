// Package scale fills a database with a contact center's history for the
// scaling benchmark and the index checks: n tickets over a set of queues,
// messages to match, seeded by set-based SQL on the database itself
// (generate_series on PostgreSQL, a recursive CTE on SQLite), so a million
// tickets take seconds to a few minutes rather than hours through the
// ingest path.
//
// The shape of the data: history grows, the backlog does not. Most
// tickets are solved or closed; a fixed number wait in the queues
// (Waiting, spread over them, with every priority) and a few are being
// worked by agents. Each ticket has three messages (citizen, agent,
// citizen), so 1 M tickets come with 3 M messages.
package scale

import (
	"context"
	"fmt"
	"time"

	"tanggap/internal/db"
)

// Opts shapes the seeded data.
type Opts struct {
	// Tickets is how many tickets to add.
	Tickets int
	// Queues are the queue ids the tickets go to, round robin.
	Queues []int64
	// Waiting is how many of the tickets wait in the queues (unassigned,
	// new); the others are solved (one in ten still open with an agent
	// when Agent is set). Default 1,000, at most Tickets.
	Waiting int
	// Agent, when set, is the assignee of the open tickets.
	Agent int64
	// MessagesPerTicket defaults to 3; -1 seeds none.
	MessagesPerTicket int
	// End is the newest ticket's time; the tickets are a second apart
	// before it. Default: now.
	End time.Time
	// Prefix makes tracking numbers and provider ids unique per seeding.
	Prefix string
}

// Seed adds the tickets, their contacts (one per two tickets) and their
// messages, then refreshes the planner's statistics.
func Seed(ctx context.Context, d *db.DB, o Opts) error {
	if o.Tickets <= 0 || len(o.Queues) == 0 {
		return fmt.Errorf("scale: want tickets and queues")
	}
	if o.Waiting <= 0 {
		o.Waiting = 1000
	}
	o.Waiting = min(o.Waiting, o.Tickets)
	if o.MessagesPerTicket == 0 {
		o.MessagesPerTicket = 3
	}
	if o.End.IsZero() {
		o.End = time.Now().UTC()
	}
	if o.Prefix == "" {
		o.Prefix = fmt.Sprintf("S%d", time.Now().UnixNano())
	}
	start := o.End.Add(-time.Duration(o.Tickets) * time.Second).UTC().Truncate(time.Second)
	g := gen(d.Dialect)
	tx := d.WithContext(ctx)

	var firstContact int64
	if err := tx.Raw(`SELECT COALESCE(MAX(id), 0) FROM contacts`).Scan(&firstContact).Error; err != nil {
		return fmt.Errorf("scale: contacts: %w", err)
	}
	contacts := (o.Tickets + 1) / 2
	if err := tx.Exec(g.series+`INSERT INTO contacts (name, province_code, created_at, updated_at)
SELECT 'Warga ' || i, CASE WHEN i % 2 = 0 THEN '32' ELSE '35' END, ?, ? FROM `+g.from, contacts, start, start).Error; err != nil {
		return fmt.Errorf("scale: contacts: %w", err)
	}
	var firstTicket int64
	if err := tx.Raw(`SELECT COALESCE(MAX(id), 0) FROM tickets`).Scan(&firstTicket).Error; err != nil {
		return fmt.Errorf("scale: tickets: %w", err)
	}
	// Queue of ticket i: the (i mod len)th queue id, from a VALUES list.
	queueCase := "CASE i % " + fmt.Sprint(len(o.Queues))
	for k, q := range o.Queues {
		queueCase += fmt.Sprintf(" WHEN %d THEN %d", k, q)
	}
	queueCase += " END"
	waitFrom := o.Tickets - o.Waiting // the newest Waiting tickets wait
	agent := any(nil)
	if o.Agent != 0 {
		agent = o.Agent
	}
	at := g.at("i")
	// status: waiting → new; else every tenth open with the agent (when
	// given); else solved, solved half an hour after creation.
	if err := tx.Exec(g.series+`INSERT INTO tickets (tracking_number, contact_id, channel, category, subject, status, priority,
  queue_id, assignee_id, created_at, updated_at, last_message_at, solved_at)
SELECT CAST(? AS TEXT) || '-' || i, CAST(? AS BIGINT) + (i + 1) / 2,
  CASE i % 4 WHEN 0 THEN 'webform' WHEN 1 THEN 'whatsapp' WHEN 2 THEN 'livechat' ELSE 'voice' END,
  CASE i % 3 WHEN 0 THEN 'pendaftaran' WHEN 1 THEN 'insentif' ELSE 'pelatihan' END,
  'Pertanyaan ' || i,
  CASE WHEN i > CAST(? AS BIGINT) THEN 'new' WHEN CAST(? AS BIGINT) > 0 AND i % 10 = 0 THEN 'open' ELSE 'solved' END,
  CASE i % 20 WHEN 0 THEN 'urgent' WHEN 1 THEN 'high' WHEN 2 THEN 'low' ELSE 'normal' END,
  `+queueCase+`,
  CASE WHEN i <= CAST(? AS BIGINT) AND CAST(? AS BIGINT) > 0 AND i % 10 = 0 THEN CAST(? AS BIGINT) END,
  `+at+`, `+at+`, `+at+`,
  CASE WHEN i <= CAST(? AS BIGINT) AND NOT (CAST(? AS BIGINT) > 0 AND i % 10 = 0) THEN `+g.at("i + 1800")+` END
FROM `+g.from,
		o.Tickets, o.Prefix, firstContact, waitFrom, o.Agent, waitFrom, o.Agent, agent, start, start, start, waitFrom, o.Agent, start).Error; err != nil {
		return fmt.Errorf("scale: tickets: %w", err)
	}
	if o.MessagesPerTicket > 0 {
		for k := range o.MessagesPerTicket {
			dir := "in"
			if k%2 == 1 {
				dir = "out"
			}
			if err := tx.Exec(g.series+`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, created_at, updated_at)
SELECT CAST(? AS BIGINT) + i, CAST(? AS TEXT), 'webform', CAST(? AS TEXT) || '-' || CAST(? AS TEXT) || '-' || i, 'Pesan ' || i, `+g.at("i + ?")+`, `+g.at("i + ?")+` FROM `+g.from,
				o.Tickets, firstTicket, dir, o.Prefix, fmt.Sprint(k), start, k*60, start, k*60).Error; err != nil {
				return fmt.Errorf("scale: messages: %w", err)
			}
		}
	}
	if err := tx.Exec(`ANALYZE`).Error; err != nil {
		return fmt.Errorf("scale: analyze: %w", err)
	}
	return nil
}

// generator is a dialect's row source of i = 1..n and its time arithmetic.
type generator struct {
	series string // prefix of the statement (SQLite's CTE); takes n as its first argument
	from   string
	at     func(secs string) string // ? + secs seconds, as the dialect stores times; takes the base time
}

func gen(d db.Dialect) generator {
	if d == db.Postgres {
		return generator{
			series: `WITH s(n) AS (SELECT CAST(? AS bigint)) `,
			from:   `s, generate_series(1, s.n) AS g(i)`,
			at: func(secs string) string {
				return `CAST(? AS timestamptz) + make_interval(secs => CAST(` + secs + ` AS double precision))`
			},
		}
	}
	return generator{
		series: `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?) `,
		from:   `s`,
		// The text layout the driver writes times in (UTC).
		at: func(secs string) string {
			return `strftime('%Y-%m-%d %H:%M:%f+00:00', ?, '+' || CAST(` + secs + ` AS INTEGER) || ' seconds')`
		},
	}
}
