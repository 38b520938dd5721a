package search_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"tanggap/internal/domain"
	"tanggap/internal/ticket"
)

// tag puts a tag (made on first use) on a ticket, as the tags service
// would.
func (f *fixture) tag(t *testing.T, ticketID int64, name string) {
	t.Helper()
	now := time.Now().UTC()
	var tagID int64
	must(t, f.db.Raw(`SELECT id FROM tags WHERE name = ?`, name).Scan(&tagID).Error)
	if tagID == 0 {
		must(t, f.db.Raw(`INSERT INTO tags (name, managed, created_at) VALUES (?, FALSE, ?) RETURNING id`, name, now).Scan(&tagID).Error)
	}
	must(t, f.db.Exec(`INSERT INTO ticket_tags (ticket_id, tag_id) VALUES (?, ?)`, ticketID, tagID).Error)
}

func (f *fixture) wrapup(t *testing.T, ticketID int64, code string) {
	t.Helper()
	var codeID int64
	now := time.Now().UTC()
	must(t, f.db.Raw(`INSERT INTO wrapup_codes (queue_id, code, label_id, label_en, active, created_at) VALUES (NULL, ?, ?, ?, TRUE, ?) RETURNING id`,
		code, code, code, now).Scan(&codeID).Error)
	must(t, f.db.Exec(`INSERT INTO ticket_wrapups (ticket_id, code_id, agent_id, created_at) VALUES (?, ?, NULL, ?)`,
		ticketID, codeID, now).Error)
}

func TestListFilters(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	past, soon, later := now.Add(-time.Hour), now.Add(20*time.Minute), now.Add(48*time.Hour)
	base, _ := f.add(t, seed{name: "A", queue: f.queueA, channel: "webform", category: "insentif", province: "32", at: now.Add(-1 * time.Minute), resolutionDue: &later})
	wa, _ := f.add(t, seed{name: "B", queue: f.queueA, channel: "whatsapp", category: "pelatihan", province: "31", priority: "urgent", at: now.Add(-2 * time.Minute)})
	solved, _ := f.add(t, seed{name: "C", queue: f.queueA, status: domain.StatusSolved, at: now.Add(-3 * time.Minute)})
	assigned, _ := f.add(t, seed{name: "D", queue: f.queueA, assignee: &f.agentA.ID, at: now.Add(-4 * time.Minute), resolutionDue: &past})
	dueSoon, _ := f.add(t, seed{name: "E", queue: f.queueB, at: now.Add(-5 * time.Minute), resolutionDue: &soon})
	old, _ := f.add(t, seed{name: "F", queue: f.queueB, at: now.Add(-72 * time.Hour)})
	f.tag(t, wa, "mendesak")
	f.tag(t, old, "mendesak")
	f.wrapup(t, solved, "selesai_info")
	from, to := now.Add(-24*time.Hour), now
	cases := []struct {
		name string
		f    ticket.Filter
		want []int64
	}{
		{"active tickets of every queue, newest first", ticket.Filter{}, []int64{base, wa, assigned, dueSoon, old}},
		{"every status", ticket.Filter{Status: "all"}, []int64{base, wa, solved, assigned, dueSoon, old}},
		{"one status", ticket.Filter{Status: "solved"}, []int64{solved}},
		{"channel", ticket.Filter{Channel: "whatsapp"}, []int64{wa}},
		{"queue", ticket.Filter{QueueID: f.queueB}, []int64{dueSoon, old}},
		{"priority", ticket.Filter{Priority: "urgent"}, []int64{wa}},
		{"category", ticket.Filter{Category: "insentif"}, []int64{base}},
		{"province", ticket.Filter{Province: "31"}, []int64{wa}},
		{"tag", ticket.Filter{Tag: "mendesak"}, []int64{wa, old}},
		{"tag and queue", ticket.Filter{Tag: "mendesak", QueueID: f.queueB}, []int64{old}},
		{"wrap-up code", ticket.Filter{Wrapup: "selesai_info", Status: "all"}, []int64{solved}},
		{"assignee by id", ticket.Filter{Assignee: itoa(f.agentA.ID)}, []int64{assigned}},
		{"unassigned", ticket.Filter{Assignee: "none", QueueID: f.queueA}, []int64{base, wa}},
		{"SLA breached", ticket.Filter{SLA: "breached"}, []int64{assigned}},
		{"SLA due soon", ticket.Filter{SLA: "due_soon"}, []int64{dueSoon}},
		{"last activity between two days", ticket.Filter{From: &from, To: &to}, []int64{base, wa, assigned, dueSoon}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := f.tickets.ListPage(ctx, f.admin, c.f)
			must(t, err)
			if got := ticketIDs(p.Tickets); !equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
	p, err := f.tickets.ListPage(ctx, f.agentA, ticket.Filter{Scope: "mine"})
	must(t, err)
	if got := ticketIDs(p.Tickets); !equal(got, []int64{assigned}) {
		t.Fatalf("mine: got %v, want %v", got, []int64{assigned})
	}
}

func TestListRefusesBadFilters(t *testing.T) {
	f := newFixture(t)
	for _, bad := range []ticket.Filter{{Status: "lost"}, {Channel: "fax"}, {Priority: "asap"}, {Province: "99"},
		{SLA: "late"}, {Assignee: "someone"}, {Cursor: "!!"}, {Scope: "world"}} {
		if _, err := f.tickets.ListPage(context.Background(), f.admin, bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// TestListCursorWalksEveryTicketOnce: pages follow one another without
// gaps or repeats, also across tickets with one last_message_at.
func TestListCursorWalksEveryTicketOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	at := time.Now().UTC().Truncate(time.Second)
	var want []int64
	for i := 0; i < 23; i++ {
		q := f.queueA
		if i%3 == 0 {
			q = f.queueB
		}
		var assignee *int64
		if i%5 == 0 {
			assignee = &f.agentA.ID
		}
		id, _ := f.add(t, seed{name: "W", queue: q, assignee: assignee, at: at.Add(-time.Duration(i/4) * time.Minute)})
		if q == f.queueA || assignee != nil {
			want = append(want, id)
		}
	}
	var got []int64
	cursor := ""
	for pages := 0; pages < 20; pages++ {
		p, err := f.tickets.ListPage(ctx, f.agentA, ticket.Filter{Limit: 4, Cursor: cursor})
		must(t, err)
		got = append(got, ticketIDs(p.Tickets)...)
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
	}
	sort.Slice(want, func(i, j int) bool { return want[i] > want[j] })
	seen := map[int64]bool{}
	for _, id := range got {
		if seen[id] {
			t.Fatalf("ticket %d listed twice: %v", id, got)
		}
		seen[id] = true
	}
	if len(got) != len(want) {
		t.Fatalf("walked %d tickets, want %d (%v vs %v)", len(got), len(want), got, want)
	}
	for _, id := range want {
		if !seen[id] {
			t.Fatalf("ticket %d never listed", id)
		}
	}
}

// TestListStaysInScope: an agent's list holds their queues' tickets and
// their own, whatever the filter asks for.
func TestListStaysInScope(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, _ := f.add(t, seed{name: "A", queue: f.queueA})
	b, _ := f.add(t, seed{name: "B", queue: f.queueB})
	mineInB, _ := f.add(t, seed{name: "C", queue: f.queueB, assignee: &f.agentA.ID})
	for _, fl := range []ticket.Filter{{}, {Scope: "all"}, {QueueID: f.queueB}, {Status: "all"}, {Assignee: "none"}} {
		p, err := f.tickets.ListPage(ctx, f.agentA, fl)
		must(t, err)
		got := ticketIDs(p.Tickets)
		if has(got, b) {
			t.Errorf("%+v: agent a sees queue b's ticket", fl)
		}
		if fl.QueueID == f.queueB && !equal(got, []int64{mineInB}) {
			t.Errorf("queue b for agent a: %v, want only their own %d", got, mineInB)
		}
	}
	p, err := f.tickets.ListPage(ctx, f.agentA, ticket.Filter{})
	must(t, err)
	if got := ticketIDs(p.Tickets); !equal(got, []int64{mineInB, a}) {
		t.Fatalf("agent a's inbox %v, want %v", got, []int64{mineInB, a})
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func itoa(n int64) string { return formatInt(n) }
