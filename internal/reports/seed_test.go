package reports

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"tanggap/internal/db"
)

// world is what seed made: ids to act on later.
type world struct {
	queues  []int64
	agents  []int64
	codes   []int64
	tickets []int64
}

// seed writes n tickets created over the days before end (a few per hour),
// with messages, agent actions, wrap-up codes and phone calls, in varied
// shapes: unanswered, answered, solved, closed, reopened, transferred,
// live chats left before an agent joined, SLA due times met and missed.
// The same seed gives the same data.
func seed(t testing.TB, d *db.DB, end time.Time, days, n int, seedVal uint64) world {
	t.Helper()
	r := rand.New(rand.NewPCG(seedVal, 15))
	exec := func(q string, args ...any) {
		t.Helper()
		if err := d.Exec(q, args...).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	id := func(q string, args ...any) int64 {
		t.Helper()
		var v int64
		if err := d.Raw(q, args...).Scan(&v).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return v
	}
	now := end.UTC()
	var w world
	tag := fmt.Sprintf("r%d", seedVal)
	w.queues = append(w.queues,
		id(`INSERT INTO queues (code, name, created_at, time_zone, hours) VALUES (?, ?, ?, 'Asia/Jakarta', ?) RETURNING id`,
			tag+"-kantor", "Kantor "+tag, now, `{"mon":["08:00-12:00","13:00-16:00"],"tue":["08:00-16:00"],"wed":["08:00-16:00"],"thu":["08:00-16:00"],"fri":["08:00-11:30"]}`),
		id(`INSERT INTO queues (code, name, created_at, time_zone) VALUES (?, ?, ?, 'Asia/Makassar') RETURNING id`, tag+"-24", "Siaga "+tag, now))
	exec(`INSERT INTO holidays (day, name) VALUES (?, 'Libur uji') ON CONFLICT (day) DO NOTHING`, now.AddDate(0, 0, -2).In(wib).Format(time.DateOnly))
	for i := range 3 {
		w.agents = append(w.agents, id(`INSERT INTO agents (email, name, password_hash, role, created_at, updated_at) VALUES (?, ?, 'x', 'agent', ?, ?) RETURNING id`,
			fmt.Sprintf("%s-a%d@example.org", tag, i), fmt.Sprintf("Agen %d %s", i, tag), now, now))
	}
	for i, c := range []string{"informasi", "selesai", "eskalasi"} {
		w.codes = append(w.codes, id(`INSERT INTO wrapup_codes (queue_id, code, label_id, label_en, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			w.queues[i%2], tag+c, "Kode "+c, "Code "+c, now))
	}
	contact := id(`INSERT INTO contacts (name, created_at, updated_at) VALUES ('Warga', ?, ?) RETURNING id`, now, now)
	channels := []string{"webform", "whatsapp", "livechat", "voice"}
	categories := []string{"pendaftaran", "insentif", "pelatihan", ""}
	provinces := []string{"32", "35", "73", ""}
	statuses := []string{"new", "open", "pending", "solved", "closed"}
	span := time.Duration(days) * 24 * time.Hour
	var mid int64
	for i := range n {
		created := now.Add(-time.Duration(r.Int64N(int64(span)))).Truncate(time.Millisecond)
		status := statuses[r.IntN(len(statuses))]
		var queue, assignee any
		q := w.queues[r.IntN(2)]
		if r.IntN(10) > 0 {
			queue = q
		}
		if r.IntN(4) > 0 {
			assignee = w.agents[r.IntN(len(w.agents))]
		}
		var frt, solved, closed, frtDue, resDue any
		breached := ""
		responded := r.IntN(4) > 0
		var frtAt time.Time
		if responded {
			frtAt = created.Add(time.Duration(r.Int64N(int64(6 * time.Hour))))
			frt = frtAt
		}
		if r.IntN(3) > 0 {
			due := created.Add(time.Hour)
			frtDue = due
			if !responded && r.IntN(2) == 0 {
				breached = "first_response"
			}
		}
		var doneAt time.Time
		if status == "solved" || status == "closed" {
			doneAt = created.Add(time.Duration(r.Int64N(int64(72 * time.Hour))))
			if responded && doneAt.Before(frtAt) {
				doneAt = frtAt.Add(time.Minute)
			}
			if status == "solved" || r.IntN(2) == 0 {
				solved = doneAt
			}
			if status == "closed" {
				closed = doneAt.Add(time.Hour)
				if solved == nil {
					doneAt = doneAt.Add(time.Hour)
				}
			}
		}
		if r.IntN(2) == 0 {
			resDue = created.Add(24 * time.Hour)
			if doneAt.IsZero() && r.IntN(2) == 0 {
				breached += ",resolution"
			}
		}
		updated := created
		if !doneAt.IsZero() {
			updated = doneAt
		}
		tid := id(`INSERT INTO tickets (tracking_number, contact_id, channel, category, status, queue_id, assignee_id, province_code,
			created_at, updated_at, last_message_at, first_response_at, solved_at, closed_at, first_response_due_at, resolution_due_at, sla_breached)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			fmt.Sprintf("%s-%d", tag, i), contact, channels[r.IntN(len(channels))], categories[r.IntN(len(categories))], status, queue, assignee,
			provinces[r.IntN(len(provinces))], created, updated, created, frt, solved, closed, frtDue, resDue, breached)
		w.tickets = append(w.tickets, tid)
		// Messages: citizen first, then replies and follow-ups.
		at := created
		for k := range r.IntN(5) {
			dir := "in"
			if k > 0 && r.IntN(2) == 0 {
				dir = "out"
			}
			if k == 0 && responded {
				dir = "in"
			}
			mid++
			// Replies by any of the agents, or by none recorded (picked
			// by the count, so the random sequence stays as it was).
			var author any
			if dir == "out" && mid%4 != 0 {
				author = w.agents[mid%int64(len(w.agents))]
			}
			exec(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, created_at, updated_at, agent_id) VALUES (?, ?, 'webform', ?, 'x', ?, ?, ?)`,
				tid, dir, fmt.Sprintf("%s-m%d", tag, mid), at, at, author)
			at = at.Add(time.Duration(1+r.IntN(90)) * time.Minute)
		}
		if r.IntN(8) == 0 {
			exec(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, created_at, updated_at) VALUES (?, 'note', 'webform', ?, 'x', ?, ?)`,
				tid, fmt.Sprintf("%s-n%d", tag, i), at, at)
		}
		for j := range r.IntN(3) {
			if r.IntN(2) == 0 {
				// By one agent or another: the agents report credits whoever made it.
				exec(`INSERT INTO audit_log (agent_id, action, ticket_id, detail, created_at) VALUES (?, 'ticket.transfer', ?, 'queue a -> queue b', ?)`,
					w.agents[(i+j)%len(w.agents)], tid, created)
			}
		}
		if r.IntN(6) == 0 {
			exec(`INSERT INTO audit_log (agent_id, action, ticket_id, detail, created_at) VALUES (?, 'ticket.status', ?, 'solved -> open', ?)`, w.agents[1], tid, created)
		}
		if r.IntN(6) == 0 {
			exec(`INSERT INTO audit_log (agent_id, action, ticket_id, detail, created_at) VALUES (?, 'ticket.status', ?, 'open -> solved', ?)`, w.agents[1], tid, created)
		}
		if r.IntN(3) == 0 {
			exec(`INSERT INTO ticket_wrapups (ticket_id, code_id, agent_id, created_at) VALUES (?, ?, ?, ?)`, tid, w.codes[r.IntN(len(w.codes))], w.agents[0], created)
		}
	}
	outcomes := []string{"answered", "abandoned", "voicemail", "self_service", ""}
	for i := range n / 3 {
		started := now.Add(-time.Duration(r.Int64N(int64(span))))
		dir := "inbound"
		if i%7 == 0 {
			dir = "outbound"
		}
		exec(`INSERT INTO voice_calls (call_sid, direction, outcome, started_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			fmt.Sprintf("%s-CA%d", tag, i), dir, outcomes[r.IntN(len(outcomes))], started, started)
	}
	return w
}

var wib = func() *time.Location {
	l, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		panic(err)
	}
	return l
}()
