package contact_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/contact"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
)

// world is a database with queues, agents and contacts made through the
// real resolution (the ingest's path), and tickets filed on them.
type world struct {
	t       *testing.T
	d       *db.DB
	res     *contact.Service
	tickets *ticket.Service
	h       *contact.HistoryService
	queues  map[string]int64
	n       int
}

func newWorld(t *testing.T) *world {
	t.Helper()
	d := testenv.DB(t)
	w := &world{t: t, d: d, res: contact.New(contact.Opts{DB: d, Log: testenv.Logger(t)}),
		tickets: ticket.New(ticket.Opts{DB: d, Log: testenv.Logger(t)}), queues: map[string]int64{}}
	w.h = contact.NewHistory(contact.HistoryOpts{DB: d, Tickets: w.tickets, Log: testenv.Logger(t)})
	for _, code := range []string{"wa", "form", "other"} {
		var id int64
		if err := d.Raw(`INSERT INTO queues (code, name, created_at) VALUES (?, ?, ?) RETURNING id`, code, "Antrean "+code, time.Now().UTC()).Scan(&id).Error; err != nil {
			t.Fatal(err)
		}
		w.queues[code] = id
	}
	return w
}

func (w *world) agent(role domain.Role, queues ...string) agent.Agent {
	w.t.Helper()
	w.n++
	now := time.Now().UTC()
	a := agent.Agent{Email: fmt.Sprintf("a%d@example.go.id", w.n), Name: fmt.Sprintf("Petugas %d", w.n), Role: role}
	if err := w.d.Raw(`INSERT INTO agents (email, name, password_hash, role, created_at, updated_at) VALUES (?, ?, 'x', ?, ?, ?) RETURNING id`,
		a.Email, a.Name, role, now, now).Scan(&a.ID).Error; err != nil {
		w.t.Fatal(err)
	}
	for _, q := range queues {
		a.QueueIDs = append(a.QueueIDs, w.queues[q])
	}
	return a
}

func (w *world) contact(s envelope.Sender) int64 {
	w.t.Helper()
	var out []int64
	if err := w.d.Tx(context.Background(), func(tx *gorm.DB) error {
		var err error
		out, err = w.res.ResolveBatch(context.Background(), tx, []envelope.Sender{s}, time.Now().UTC())
		return err
	}); err != nil {
		w.t.Fatal(err)
	}
	return out[0]
}

// ticket files a ticket for contactID in a queue, reported with phone/email.
func (w *world) ticket(contactID int64, channel, queue, phone, email string, assignee int64) int64 {
	w.t.Helper()
	w.n++
	now := time.Now().UTC().Add(time.Duration(w.n) * time.Second)
	var as any
	if assignee != 0 {
		as = assignee
	}
	var id int64
	if err := w.d.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, category, subject, status, priority, queue_id, assignee_id,
	reporter_phone, reporter_email, created_at, updated_at, last_message_at)
VALUES (?, ?, ?, '', ?, 'open', 'normal', ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		fmt.Sprintf("1000-2000-%04d-%04d", w.n, contactID%10000), contactID, channel, "Keluhan "+channel, w.queues[queue], as,
		phone, email, now, now, now).Scan(&id).Error; err != nil {
		w.t.Fatal(err)
	}
	return id
}

const (
	nik      = "3201012503900001"
	phoneWA  = "+6281211112222"
	phoneWeb = "+6285633334444"
	emailWeb = "warga.satu@example.id"
)

// citizen: one contact with a WhatsApp ticket (queue wa) and a web form
// ticket (queue form) given with a NIK, another phone and an e-mail.
func (w *world) citizen() (contactID, waTicket, formTicket int64) {
	contactID = w.contact(envelope.Sender{Name: "Siti Aminah", WaID: phoneWA})
	waTicket = w.ticket(contactID, "whatsapp", "wa", phoneWA, "", 0)
	if got := w.contact(envelope.Sender{Name: "Siti", Phone: phoneWA, NIK: nik}); got != contactID {
		w.t.Fatalf("NIK sender resolved to %d, want %d", got, contactID)
	}
	if err := w.d.Exec(`INSERT INTO contact_identities (contact_id, kind, value, created_at) VALUES (?, 'phone', ?, ?), (?, 'email', ?, ?)`,
		contactID, phoneWeb, time.Now().UTC(), contactID, emailWeb, time.Now().UTC()).Error; err != nil {
		w.t.Fatal(err)
	}
	formTicket = w.ticket(contactID, "webform", "form", phoneWeb, emailWeb, 0)
	return
}

func TestPanelScope(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c, waT, formT := w.citizen()
	waAgent := w.agent(domain.RoleAgent, "wa")
	stranger := w.agent(domain.RoleAgent, "other")
	sup := w.agent(domain.RoleSupervisor)

	t.Run("agent of the WhatsApp queue sees that ticket, a count of the other, and only its phone whole", func(t *testing.T) {
		p, err := w.h.Panel(ctx, waAgent, c)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Tickets) != 1 || p.Tickets[0].ID != waT || p.HiddenTickets != 1 {
			t.Fatalf("tickets %+v hidden %d, want only %d and 1 hidden", p.Tickets, p.HiddenTickets, waT)
		}
		raw, _ := json.Marshal(p)
		var formTN string
		w.d.Raw(`SELECT tracking_number FROM tickets WHERE id = ?`, formT).Scan(&formTN)
		for _, secret := range []string{phoneWeb, emailWeb, nik, "webform", "Antrean form", formTN} {
			if strings.Contains(string(raw), secret) {
				t.Errorf("panel JSON carries %q beyond the agent's scope: %s", secret, raw)
			}
		}
		if !strings.Contains(string(raw), phoneWA) {
			t.Errorf("the WhatsApp number of the agent's own ticket is not shown whole: %s", raw)
		}
		for _, i := range p.Identities {
			if i.Value == "" || (i.Kind != contact.KindPhone && !i.Masked) {
				t.Errorf("identity %+v: want masked", i)
			}
		}
		if p.CanMerge {
			t.Error("an agent is offered merging")
		}
	})
	t.Run("an agent assigned the form ticket sees it even outside its queue", func(t *testing.T) {
		mine := w.agent(domain.RoleAgent, "other")
		if err := w.d.Exec(`UPDATE tickets SET assignee_id = ? WHERE id = ?`, mine.ID, formT).Error; err != nil {
			t.Fatal(err)
		}
		defer w.d.Exec(`UPDATE tickets SET assignee_id = NULL WHERE id = ?`, formT)
		p, err := w.h.Panel(ctx, mine, c)
		if err != nil || len(p.Tickets) != 1 || p.Tickets[0].ID != formT || p.HiddenTickets != 1 {
			t.Fatalf("panel %+v, %v", p, err)
		}
	})
	t.Run("agent with no ticket of the contact in scope is refused", func(t *testing.T) {
		if _, err := w.h.Panel(ctx, stranger, c); !errors.Is(err, contact.ErrForbidden) {
			t.Fatalf("err = %v, want ErrForbidden", err)
		}
		if _, err := w.h.AddNote(ctx, stranger, c, "catatan"); !errors.Is(err, contact.ErrForbidden) {
			t.Fatalf("note err = %v, want ErrForbidden", err)
		}
	})
	t.Run("supervisor sees every ticket newest first and every identity, the NIK masked", func(t *testing.T) {
		p, err := w.h.Panel(ctx, sup, c)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Tickets) != 2 || p.Tickets[0].ID != formT || p.Tickets[1].ID != waT || p.HiddenTickets != 0 {
			t.Fatalf("tickets %+v, want form then WhatsApp", p.Tickets)
		}
		got := map[string]contact.PanelIdentity{}
		for _, i := range p.Identities {
			got[i.Kind+":"+i.Value] = i
		}
		for _, v := range []string{"phone:" + phoneWA, "phone:" + phoneWeb, "email:" + emailWeb, "nik:320101**********"} {
			if _, ok := got[v]; !ok {
				t.Errorf("identity %s missing from %+v", v, p.Identities)
			}
		}
		if p.Province == "" || !p.CanMerge {
			t.Errorf("province %q can_merge %v", p.Province, p.CanMerge)
		}
	})
	t.Run("notes: written by an agent in scope, validated, shown newest first", func(t *testing.T) {
		var ve *apperr.ValidationError
		if _, err := w.h.AddNote(ctx, waAgent, c, "   "); !errors.As(err, &ve) || !ve.Has("body") {
			t.Fatalf("empty note err = %v", err)
		}
		if _, err := w.h.AddNote(ctx, waAgent, c, strings.Repeat("x", contact.MaxNoteRunes+1)); !errors.As(err, &ve) {
			t.Fatalf("long note err = %v", err)
		}
		n1, err := w.h.AddNote(ctx, waAgent, c, "Warga minta dihubungi sore hari.")
		if err != nil {
			t.Fatal(err)
		}
		n2, err := w.h.AddNote(ctx, sup, c, "Sudah diverifikasi.")
		if err != nil {
			t.Fatal(err)
		}
		p, err := w.h.Panel(ctx, waAgent, c)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Notes) != 2 || p.Notes[0].ID != n2.ID || p.Notes[1].ID != n1.ID || p.Notes[1].AgentName != waAgent.Name {
			t.Fatalf("notes %+v", p.Notes)
		}
	})
	t.Run("unknown contact", func(t *testing.T) {
		if _, err := w.h.Panel(ctx, sup, 987654); !errors.Is(err, contact.ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
	})
}

// state is every row a merge may touch, without timestamps.
type state struct {
	Contacts   []string
	Identities []string
	Tickets    []string
	Notes      []string
}

func snapshot(t *testing.T, d *db.DB) state {
	t.Helper()
	var s state
	for _, q := range []struct {
		sql string
		out *[]string
	}{
		{`SELECT id || ':' || name || ':' || province_code || ':' || COALESCE(CAST(merged_into_id AS TEXT), '-') FROM contacts ORDER BY id`, &s.Contacts},
		{`SELECT id || ':' || contact_id || ':' || kind || ':' || value FROM contact_identities ORDER BY id`, &s.Identities},
		{`SELECT id || ':' || contact_id || ':' || status || ':' || COALESCE(CAST(queue_id AS TEXT), '-') FROM tickets ORDER BY id`, &s.Tickets},
		{`SELECT id || ':' || contact_id || ':' || body FROM contact_notes ORDER BY id`, &s.Notes},
	} {
		if err := d.Raw(q.sql).Scan(q.out).Error; err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func (w *world) owner(kind, value string) int64 {
	w.t.Helper()
	return w.contact(map[string]envelope.Sender{
		contact.KindPhone: {WaID: value}, contact.KindEmail: {Email: value}, contact.KindNIK: {NIK: value},
	}[kind])
}

func TestMergeThenSplitRestoresTheExactState(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	sup := w.agent(domain.RoleSupervisor)
	agentWA := w.agent(domain.RoleAgent, "wa")
	a, _, _ := w.citizen()
	// The same citizen wrote from another number as an unnamed contact
	// with two tickets and a note.
	b := w.contact(envelope.Sender{WaID: "+6287788889999"})
	bt1 := w.ticket(b, "whatsapp", "wa", "+6287788889999", "", 0)
	bt2 := w.ticket(b, "livechat", "other", "", "", 0)
	if _, err := w.h.AddNote(ctx, sup, b, "Nomor kedua warga."); err != nil {
		t.Fatal(err)
	}
	// An unrelated contact stays untouched throughout.
	other := w.contact(envelope.Sender{Name: "Lain", Email: "lain@example.id"})
	w.ticket(other, "webform", "form", "", "lain@example.id", 0)
	if err := w.d.Exec(`UPDATE contacts SET name = '' WHERE id = ?`, a).Error; err != nil {
		t.Fatal(err)
	}
	if err := w.d.Exec(`UPDATE contacts SET name = 'Siti dari WA' WHERE id = ?`, b).Error; err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, w.d)

	if _, err := w.h.Merge(ctx, agentWA, a, b); !errors.Is(err, contact.ErrForbidden) {
		t.Fatalf("agent merge err = %v, want ErrForbidden", err)
	}
	m, err := w.h.Merge(ctx, sup, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.TicketIDs, []int64{bt1, bt2}) && !reflect.DeepEqual(m.TicketIDs, []int64{bt2, bt1}) {
		t.Fatalf("moved tickets %v, want %d and %d", m.TicketIDs, bt1, bt2)
	}
	if len(m.IdentityIDs) != 1 || len(m.NoteIDs) != 1 {
		t.Fatalf("moved %+v, want one identity and one note", m)
	}
	p, err := w.h.Panel(ctx, sup, b)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != a || p.RequestedID != b || len(p.Tickets) != 4 || p.Name != "Siti dari WA" || len(p.Notes) != 1 {
		t.Fatalf("panel of the merged contact: id %d requested %d tickets %d name %q notes %d", p.ID, p.RequestedID, len(p.Tickets), p.Name, len(p.Notes))
	}
	if len(p.Merges) != 1 || p.Merges[0].ID != m.ID || p.Merges[0].AgentName != sup.Name || p.Merges[0].UndoneAt != nil {
		t.Fatalf("merges %+v", p.Merges)
	}
	var audits int64
	w.d.Raw(`SELECT COUNT(*) FROM audit_log WHERE action = 'ticket.contact_moved' AND agent_id = ?`, sup.ID).Scan(&audits)
	if audits != 2 {
		t.Fatalf("%d ticket audit rows, want 2", audits)
	}
	// The ingest's lookup: the merged number now resolves to the survivor,
	// and no identity was duplicated.
	if got := w.owner(contact.KindPhone, "+6287788889999"); got != a {
		t.Fatalf("merged identity resolves to %d, want survivor %d", got, a)
	}
	// Merging again either way is refused.
	if _, err := w.h.Merge(ctx, sup, b, a); !errors.Is(err, contact.ErrMerged) {
		t.Fatalf("merge into a tombstone err = %v", err)
	}
	if _, err := w.h.Merge(ctx, sup, other, b); !errors.Is(err, contact.ErrMerged) {
		t.Fatalf("merge of a tombstone err = %v", err)
	}
	if _, err := w.h.Merge(ctx, sup, a, a); !errors.Is(err, contact.ErrSameContact) {
		t.Fatalf("self merge err = %v", err)
	}

	latest, err := w.h.LatestMerge(ctx, a)
	if err != nil || latest != m.ID {
		t.Fatalf("latest merge %d, %v", latest, err)
	}
	if _, err := w.h.Split(ctx, agentWA, m.ID); !errors.Is(err, contact.ErrForbidden) {
		t.Fatalf("agent split err = %v", err)
	}
	if _, err := w.h.Split(ctx, sup, m.ID); err != nil {
		t.Fatal(err)
	}
	after := snapshot(t, w.d)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("split did not restore the state:\nbefore %+v\nafter  %+v", before, after)
	}
	if got := w.owner(contact.KindPhone, "+6287788889999"); got != b {
		t.Fatalf("after the split the number resolves to %d, want %d", got, b)
	}
	if _, err := w.h.Split(ctx, sup, m.ID); !errors.Is(err, contact.ErrMergeUndone) {
		t.Fatalf("second split err = %v", err)
	}
	if _, err := w.h.LatestMerge(ctx, a); !errors.Is(err, contact.ErrMergeNotFound) {
		t.Fatalf("latest merge after split err = %v", err)
	}
	p, err = w.h.Panel(ctx, sup, b)
	if err != nil || p.ID != b || len(p.Merges) != 1 || p.Merges[0].UndoneAt == nil || p.Merges[0].UndoneByName != sup.Name {
		t.Fatalf("panel after split %+v, %v", p, err)
	}

	// A chain: b into a, then a into other. The first merge cannot be
	// split before the second; b's page follows both.
	m1, err := w.h.Merge(ctx, sup, a, b)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := w.h.Merge(ctx, sup, other, a)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := w.h.Panel(ctx, sup, b); err != nil || p.ID != other {
		t.Fatalf("panel of b after two merges: %d, %v", p.ID, err)
	}
	if _, err := w.h.Split(ctx, sup, m1.ID); !errors.Is(err, contact.ErrMergedSince) {
		t.Fatalf("split of the older merge err = %v, want ErrMergedSince", err)
	}
	for _, id := range []int64{m2.ID, m1.ID} {
		if _, err := w.h.Split(ctx, sup, id); err != nil {
			t.Fatalf("split %d: %v", id, err)
		}
	}
	if after := snapshot(t, w.d); !reflect.DeepEqual(before, after) {
		t.Fatalf("two splits did not restore the state:\nbefore %+v\nafter  %+v", before, after)
	}
}

// Tickets a merged identity opens after the merge belong to the survivor
// and stay with it on a split; what the merge moved goes back.
func TestSplitKeepsWhatCameAfterTheMerge(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	sup := w.agent(domain.RoleSupervisor)
	a := w.contact(envelope.Sender{Email: "satu@example.id"})
	b := w.contact(envelope.Sender{WaID: "+6281300001111"})
	moved := w.ticket(b, "whatsapp", "wa", "+6281300001111", "", 0)
	m, err := w.h.Merge(ctx, sup, a, b)
	if err != nil {
		t.Fatal(err)
	}
	later := w.ticket(w.owner(contact.KindPhone, "+6281300001111"), "whatsapp", "wa", "+6281300001111", "", 0)
	if _, err := w.h.Split(ctx, sup, m.ID); err != nil {
		t.Fatal(err)
	}
	var owners []int64
	w.d.Raw(`SELECT contact_id FROM tickets WHERE id IN (?, ?) ORDER BY id`, moved, later).Scan(&owners)
	if len(owners) != 2 || owners[0] != b || owners[1] != a {
		t.Fatalf("owners %v, want moved ticket on %d and the later one on %d", owners, b, a)
	}
}

// Many supervisors merge overlapping pairs at once: every contact ends
// either live or a tombstone of a live chain, no ticket, identity or note
// sits on a tombstone, and every merge recorded exactly what moved.
func TestConcurrentMerges(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	sup := w.agent(domain.RoleSupervisor)
	const n = 6
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = w.contact(envelope.Sender{WaID: fmt.Sprintf("+62812000%05d", i)})
		w.ticket(ids[i], "whatsapp", "wa", "", "", 0)
		w.ticket(ids[i], "webform", "form", "", "", 0)
	}
	var wg sync.WaitGroup
	var ok, refused atomic.Int64
	for i := range n {
		for j := range n {
			if i == j {
				continue
			}
			wg.Add(1)
			go func(into, from int64) {
				defer wg.Done()
				_, err := w.h.Merge(ctx, sup, into, from)
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, contact.ErrMerged):
					refused.Add(1)
				default:
					t.Errorf("merge %d <- %d: %v", into, from, err)
				}
			}(ids[i], ids[j])
		}
	}
	wg.Wait()
	if ok.Load() != n-1 {
		t.Fatalf("%d merges succeeded, %d refused; want %d (all contacts end as one)", ok.Load(), refused.Load(), n-1)
	}
	var onTombstones int64
	for _, table := range []string{"tickets", "contact_identities", "contact_notes"} {
		var c int64
		w.d.Raw(`SELECT COUNT(*) FROM ` + table + ` x JOIN contacts c ON c.id = x.contact_id WHERE c.merged_into_id IS NOT NULL`).Scan(&c)
		onTombstones += c
	}
	if onTombstones != 0 {
		t.Fatalf("%d rows left on merged contacts", onTombstones)
	}
	var live int64
	w.d.Raw(`SELECT COUNT(*) FROM contacts WHERE merged_into_id IS NULL`).Scan(&live)
	if live != 1 {
		t.Fatalf("%d live contacts, want 1", live)
	}
	// Every item recorded once: the merges' records add up to all the rows
	// that came from elsewhere.
	var items, tickets int64
	w.d.Raw(`SELECT COUNT(*) FROM contact_merge_items WHERE kind = 'ticket'`).Scan(&items)
	w.d.Raw(`SELECT COUNT(*) FROM tickets`).Scan(&tickets)
	if items < 2*(n-1) {
		t.Fatalf("%d ticket moves recorded for %d tickets", items, tickets)
	}
}

func TestDuplicates(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	sup := w.agent(domain.RoleSupervisor)
	agentWA := w.agent(domain.RoleAgent, "wa")
	now := time.Now().UTC()
	a := w.contact(envelope.Sender{Name: "Budi", WaID: "+6281234567890", Email: "budi@example.id", NIK: nik})
	w.ticket(a, "whatsapp", "wa", "+6281234567890", "", 0)
	// Stored before normalization: the same phone as 0812…, the same
	// e-mail in capitals, the same NIK with spaces.
	insert := func(kind, value string) int64 {
		var id int64
		if err := w.d.Raw(`INSERT INTO contacts (name, province_code, created_at, updated_at) VALUES ('Impor', '', ?, ?) RETURNING id`, now, now).Scan(&id).Error; err != nil {
			t.Fatal(err)
		}
		if err := w.d.Exec(`INSERT INTO contact_identities (contact_id, kind, value, created_at) VALUES (?, ?, ?, ?)`, id, kind, value, now).Error; err != nil {
			t.Fatal(err)
		}
		return id
	}
	byPhone := insert(contact.KindPhone, "081234567890")
	byEmail := insert(contact.KindEmail, "Budi@Example.ID")
	byNIK := insert(contact.KindNIK, "320101 250390 0001")
	// A form filed under another contact (its own e-mail) with Budi's number.
	reported := w.contact(envelope.Sender{Email: "lain@example.id"})
	w.ticket(reported, "webform", "form", "+6281234567890", "lain@example.id", 0)
	unrelated := w.contact(envelope.Sender{WaID: "+6289900001111"})

	if _, err := w.h.Duplicates(ctx, agentWA, a); !errors.Is(err, contact.ErrForbidden) {
		t.Fatalf("agent err = %v", err)
	}
	got, err := w.h.Duplicates(ctx, sup, a)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{byNIK: "nik/same_identity", byPhone: "phone/same_identity", byEmail: "email/same_identity", reported: "phone/reported"}
	if len(got) != len(want) {
		t.Fatalf("duplicates %+v, want contacts %v", got, want)
	}
	for _, d := range got {
		r := d.Reasons[0]
		if want[d.ContactID] != r.Kind+"/"+r.How {
			t.Errorf("contact %d: reason %+v, want %s", d.ContactID, r, want[d.ContactID])
		}
		if r.Kind == contact.KindNIK && strings.Contains(r.Value, "0001") {
			t.Errorf("NIK shown unmasked: %q", r.Value)
		}
		if d.ContactID == unrelated {
			t.Error("unrelated contact suggested")
		}
	}
	if got[0].ContactID != byNIK {
		t.Errorf("first suggestion %d, want the NIK match %d first", got[0].ContactID, byNIK)
	}
	// From the other side: the contact whose ticket was reported with a
	// number sees Budi (and the import holding that number as 0812…).
	back, err := w.h.Duplicates(ctx, sup, reported)
	if err != nil || len(back) != 2 || back[0].ContactID != a || back[1].ContactID != byPhone {
		t.Fatalf("reverse duplicates %+v, %v", back, err)
	}
	// Suggestions never merge: nothing moved.
	var n int64
	w.d.Raw(`SELECT COUNT(*) FROM contacts WHERE merged_into_id IS NOT NULL`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d contacts merged by a suggestion", n)
	}
}
