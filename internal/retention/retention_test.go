package retention

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/attachment"
	"tanggap/internal/db"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
	"tanggap/internal/viewaudit"
)

var pdf = []byte("%PDF-1.7\nsurat\n%%EOF")

// thread seeds a citizen whose ticket, message and file are from at
// (plain SQL: tests only).
func thread(t *testing.T, d *db.DB, files attachment.Store, tracking, status string, at time.Time) (contactID, ticketID int64, key string) {
	t.Helper()
	st, err := files.Put(context.Background(), bytes.NewReader(pdf), 1<<20, attachment.Documents)
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.Raw(`INSERT INTO contacts (name, province_code, created_at, updated_at) VALUES ('Budi', '35', ?, ?) RETURNING id`, at, at).Scan(&contactID).Error)
	must(d.Exec(`INSERT INTO contact_identities (contact_id, kind, value, created_at) VALUES (?, 'phone', ?, ?)`, contactID, "+62812"+tracking, at).Error)
	must(d.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, status, created_at, updated_at, last_message_at) VALUES (?, ?, 'whatsapp', ?, ?, ?, ?) RETURNING id`,
		tracking, contactID, status, at, at, at).Scan(&ticketID).Error)
	var msgID int64
	must(d.Raw(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, created_at, updated_at) VALUES (?, 'in', 'whatsapp', ?, 'alamat saya Jl. Mawar 3', ?, ?) RETURNING id`,
		ticketID, tracking, at, at).Scan(&msgID).Error)
	must(d.Exec(`INSERT INTO attachments (message_id, storage_key, filename, mime, size, created_at) VALUES (?, ?, 'surat.pdf', 'application/pdf', 3, ?)`, msgID, st.Key, at).Error)
	return contactID, ticketID, st.Key
}

func TestPurgeRemovesOldPersonalDataAndKeepsFigures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testenv.DB(t)
	files, err := attachment.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	old := now.Add(-400 * 24 * time.Hour)
	oldC, oldT, oldKey := thread(t, d, files, "OLD1", "closed", old)
	openC, _, openKey := thread(t, d, files, "OLD2", "open", old) // old but still open: identity kept
	newC, newT, newKey := thread(t, d, files, "NEW1", "closed", now)
	views := viewaudit.New(viewaudit.Opts{DB: d})
	vctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = views.Run(vctx); close(done) }()
	defer func() { cancel(); <-done }()
	_ = views.Record(ctx, viewaudit.View{At: old, AgentID: 1, Kind: viewaudit.KindTicket, TicketID: &oldT})
	_ = views.Record(ctx, viewaudit.View{At: now, AgentID: 1, Kind: viewaudit.KindTicket, TicketID: &newT})
	if err := views.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	year := 365 * 24 * time.Hour
	p := New(Opts{DB: d, Files: files, Views: views, Log: testenv.Logger(t),
		Periods: Periods{MessageBodies: year, Attachments: year, Identities: year, Audit: year}})
	res, err := p.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.MessageBodies != 2 || res.Attachments != 2 || res.Identities != 1 || res.Views != 1 || res.FilesFailed != 0 {
		t.Fatalf("removed %+v; want 2 bodies, 2 files, 1 identity, 1 view", res)
	}
	for _, k := range []string{oldKey, openKey} {
		if _, err := files.Open(ctx, k); !errors.Is(err, attachment.ErrNotFound) {
			t.Fatalf("old file %s: %v", k, err)
		}
	}
	if _, err := files.Open(ctx, newKey); err != nil {
		t.Fatalf("recent file: %v", err)
	}
	count := func(q string, args ...any) int64 {
		var n int64
		if err := d.Raw(q, args...).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Figures stay: every ticket and message row is there.
	if n := count(`SELECT COUNT(*) FROM tickets`); n != 3 {
		t.Fatalf("tickets: %d", n)
	}
	if n := count(`SELECT COUNT(*) FROM messages WHERE body = ''`); n != 2 {
		t.Fatalf("blank bodies: %d", n)
	}
	if n := count(`SELECT COUNT(*) FROM contact_identities WHERE contact_id = ?`, oldC); n != 0 {
		t.Fatalf("old identity kept")
	}
	if n := count(`SELECT COUNT(*) FROM contact_identities WHERE contact_id IN (?, ?)`, openC, newC); n != 2 {
		t.Fatalf("identities of an open or recent citizen removed")
	}
	// A second run finds nothing more.
	res, err = p.Run(ctx)
	if err != nil || res.MessageBodies+res.Attachments+res.Identities+res.Views != 0 {
		t.Fatalf("second run: %+v %v", res, err)
	}
}

// TestPurgePassesOverPlaceholdersAndFailedFiles: a full batch of old
// attachments still waiting for their WhatsApp media (placeholder keys, no
// bytes) comes first in id order, then a file the store refuses to delete,
// then a real old file: the purge forgets the placeholders, counts the
// failure and still reaches the real file.
func TestPurgePassesOverPlaceholdersAndFailedFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testenv.DB(t)
	files, err := attachment.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	old := now.Add(-400 * 24 * time.Hour)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// The seed thread's own attachment comes after the placeholders.
	var contactID, ticketID, msgID int64
	must(d.Raw(`INSERT INTO contacts (name, created_at, updated_at) VALUES ('Ani', ?, ?) RETURNING id`, old, old).Scan(&contactID).Error)
	must(d.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, status, created_at, updated_at, last_message_at) VALUES ('PH-1', ?, 'whatsapp', 'open', ?, ?, ?) RETURNING id`,
		contactID, old, old, old).Scan(&ticketID).Error)
	must(d.Raw(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, created_at, updated_at) VALUES (?, 'in', 'whatsapp', 'wamid.PH', '', ?, ?) RETURNING id`,
		ticketID, old, old).Scan(&msgID).Error)
	must(d.Transaction(func(tx *gorm.DB) error {
		for i := range batch {
			if err := tx.Exec(`INSERT INTO attachments (message_id, storage_key, filename, mime, size, available, created_at) VALUES (?, ?, 'foto.jpg', 'image/jpeg', 0, ?, ?)`,
				msgID, fmt.Sprintf("whatsapp-media:%d", 900000+i), false, old).Error; err != nil {
				return err
			}
		}
		return tx.Exec(`INSERT INTO attachments (message_id, storage_key, filename, mime, size, available, created_at) VALUES (?, 'tidak/sah', 'x.pdf', 'application/pdf', 3, ?, ?)`,
			msgID, true, old).Error
	}))
	_, _, realKey := thread(t, d, files, "PH-2", "open", old)

	p := New(Opts{DB: d, Files: files, Log: testenv.Logger(t), Periods: Periods{Attachments: 365 * 24 * time.Hour}})
	res, err := p.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Attachments != batch+1 || res.FilesFailed != 1 {
		t.Fatalf("removed %+v; want %d attachments, 1 failed", res, batch+1)
	}
	if _, err := files.Open(ctx, realKey); !errors.Is(err, attachment.ErrNotFound) {
		t.Fatalf("the real old file behind the placeholders: %v", err)
	}
	var left int64
	must(d.Raw(`SELECT COUNT(*) FROM attachments WHERE storage_key LIKE 'whatsapp-media:%'`).Scan(&left).Error)
	if left != 0 {
		t.Fatalf("%d placeholders left", left)
	}
	// The next run only retries the failed file.
	res, err = p.Run(ctx)
	if err != nil || res.Attachments != 0 || res.FilesFailed != 1 {
		t.Fatalf("second run: %+v %v", res, err)
	}
}

// TestPurgeRemovesExpiredFormKeys: idempotency keys outlive the retry
// window by no more than a purge interval.
func TestPurgeRemovesExpiredFormKeys(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	now := time.Now().UTC()
	for i, at := range []time.Time{now.Add(-FormKeyWindow - time.Hour), now.Add(-FormKeyWindow - 24*time.Hour), now.Add(-time.Hour)} {
		if err := d.Exec(`INSERT INTO form_idempotency (key_hash, tracking_number, created_at) VALUES (?, ?, ?)`,
			fmt.Sprintf("hash-%d", i), fmt.Sprintf("TGP-FK-%d", i), at).Error; err != nil {
			t.Fatal(err)
		}
	}
	files, err := attachment.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	res, err := New(Opts{DB: d, Files: files, Log: testenv.Logger(t)}).Run(context.Background())
	if err != nil || res.FormKeys != 2 {
		t.Fatalf("purge: %+v %v; want 2 form keys", res, err)
	}
	var left []string
	if err := d.Raw(`SELECT key_hash FROM form_idempotency`).Scan(&left).Error; err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0] != "hash-2" {
		t.Fatalf("left %v", left)
	}
}

// TestPurgeQueriesUseIndexes: every purge query reads by an index on both
// dialects.
func TestPurgeQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	now := time.Now().UTC()
	for _, c := range []struct {
		name, q, index, table string
		args                  []any
	}{
		{"message bodies", ticket.PurgeBodiesSQL, "messages_purge_idx", "messages", []any{now, 500}},
		{"files", ticket.OldFilesSQL + ` LIMIT ?`, "attachments_purge_idx", "attachments", []any{now, 500}},
		{"files, skipping failures", ticket.OldFilesSQL + ` AND id NOT IN ? LIMIT ?`, "attachments_purge_idx", "attachments", []any{now, []int64{1, 2}, 500}},
		{"idle contacts", sqlIdleContacts, "contacts_purge_idx", "c", []any{now, now, 500}},
		{"form keys", FormKeysSQL, "form_idempotency_created_idx", "form_idempotency", []any{now, 500}},
		{"livechat log", LiveChatLogSQL, "livechat_log_purge_idx", "livechat_log", []any{now, 500}},
		{"mention previews", MentionsSQL, "notifications_purge_idx", "notifications", []any{now, 500}},
	} {
		plan := testenv.Plan(t, d, c.q, c.args...)
		if !strings.Contains(plan, c.index) || strings.Contains(plan, "Seq Scan") ||
			strings.Contains(plan, "SCAN "+c.table+"\n") || strings.HasSuffix(plan, "SCAN "+c.table) {
			t.Errorf("%s: not served by %s:\n%s", c.name, c.index, plan)
		}
		if strings.Contains(c.name, "contacts") && (strings.Contains(plan, "SCAN t\n") || strings.HasSuffix(plan, "SCAN t")) {
			t.Errorf("%s: scans tickets:\n%s", c.name, plan)
		}
	}
}

// TestPurgeBlanksCopiesOfMessageText: the live-chat widget's log, the
// agents' mention previews and the items channels could not read quote
// messages; they go with the bodies.
func TestPurgeBlanksCopiesOfMessageText(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	files, err := attachment.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	old := now.Add(-400 * 24 * time.Hour)
	_, oldT, _ := thread(t, d, files, "CP-1", "closed", old)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var agentID int64
	must(d.Raw(`INSERT INTO agents (email, name, password_hash, role, created_at, updated_at) VALUES ('cp@example.go.id', 'Agen', 'x', 'agent', ?, ?) RETURNING id`, now, now).Scan(&agentID).Error)
	must(d.Exec(`INSERT INTO livechat_visitors (id, tracking_number, created_at, updated_at) VALUES ('v-cp', 'CP-1', ?, ?)`, old, old).Error)
	for i, at := range []time.Time{old, now} {
		must(d.Exec(`INSERT INTO livechat_log (visitor_id, seq, kind, tracking_number, body, created_at) VALUES ('v-cp', ?, 'message', 'CP-1', '{"text":"alamat saya"}', ?)`, i+1, at).Error)
		must(d.Exec(`INSERT INTO notifications (agent_id, kind, ticket_id, preview, created_at) VALUES (?, 'mention', ?, 'alamat saya', ?)`, agentID, oldT, at).Error)
		must(d.Exec(`INSERT INTO refused_items (record_id, channel, item, sender, cause, reason, raw, received_at, created_at)
VALUES (?, 'whatsapp', 'message', '+6281234567890', 'sender', 'x', '{"text":"alamat saya"}', ?, ?)`, fmt.Sprint("cp-", i), at, at).Error)
	}
	res, err := New(Opts{DB: d, Files: files, Log: testenv.Logger(t), Periods: Periods{MessageBodies: 365 * 24 * time.Hour}}).Run(context.Background())
	if err != nil || res.BodyCopies != 2 || res.RefusedItems != 1 {
		t.Fatalf("purge %+v %v; want 2 copies and the old refused item", res, err)
	}
	var left int64
	must(d.Raw(`SELECT (SELECT COUNT(*) FROM livechat_log WHERE body LIKE '%alamat%') + (SELECT COUNT(*) FROM notifications WHERE preview <> '')
+ (SELECT COUNT(*) FROM refused_items)`).Scan(&left).Error)
	if left != 3 {
		t.Fatalf("%d recent copies left, want 3 (the recent ones)", left)
	}
}

// TestIdlePurgeReachesComplaintsAndLinesWithoutTicket: the purge of an
// idle citizen erases as a data-subject erasure does (dsr.EraseInTx): the
// complaint's step notes and answer and the admin audit line of their
// restriction lose the citizen's text; the steps, the stage and the lines
// stay for the figures.
func TestIdlePurgeReachesComplaintsAndLinesWithoutTicket(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testenv.DB(t)
	files, err := attachment.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().UTC().Add(-400 * 24 * time.Hour)
	c, tk, _ := thread(t, d, files, "CMP1", "closed", old)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.Exec(`INSERT INTO complaints (ticket_id, kind, stage, received_at, answer, answered_at, answered_in_time, updated_at, closed_at)
VALUES (?, 'pengaduan', 'closed', ?, 'Pak Budi, bantuan ke Jl. Mawar 3 sudah cair', ?, TRUE, ?, ?)`, tk, old, old, old, old).Error)
	for _, st := range [][2]string{{"incomplete", "foto KTP Pak Budi"}, {"published", "Pak Budi, bantuan ke Jl. Mawar 3 sudah cair"}, {"closed", ""}} {
		must(d.Exec(`INSERT INTO complaint_steps (ticket_id, step, public_note, created_at) VALUES (?, ?, ?, ?)`, tk, st[0], st[1], old).Error)
	}
	must(d.Exec(`INSERT INTO audit_log (agent_id, action, detail, created_at) VALUES (NULL, 'admin.post.subjects', ?, ?)`,
		fmt.Sprintf(`POST /api/v1/admin/subjects/%d/restrict {"reason":"Pak Budi dari Jl. Mawar 3"}`, c), old).Error)

	year := 365 * 24 * time.Hour
	p := New(Opts{DB: d, Files: files, Log: testenv.Logger(t), Periods: Periods{MessageBodies: year, Attachments: year, Identities: year}})
	res, err := p.Run(ctx)
	if err != nil || res.Identities != 1 {
		t.Fatalf("purge: %+v %v", res, err)
	}
	count := func(q string, args ...any) int64 {
		var n int64
		if err := d.Raw(q, args...).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT COUNT(*) FROM complaint_steps WHERE ticket_id = ? AND (public_note LIKE '%Budi%' OR public_note LIKE '%Mawar%')`, tk); n != 0 {
		t.Fatalf("%d step notes still quote the citizen", n)
	}
	if n := count(`SELECT COUNT(*) FROM complaints WHERE ticket_id = ? AND answer <> ''`, tk); n != 0 {
		t.Fatal("the complaint's answer is kept")
	}
	if n := count(`SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%Mawar%'`); n != 0 {
		t.Fatal("the restriction's audit line still names the citizen")
	}
	if n := count(`SELECT COUNT(*) FROM complaint_steps WHERE ticket_id = ?`, tk); n != 3 {
		t.Fatalf("steps: %d, want 3", n)
	}
	if n := count(`SELECT COUNT(*) FROM complaints WHERE ticket_id = ? AND stage = 'closed' AND answered_in_time`, tk); n != 1 {
		t.Fatal("the complaint's stage or answer time is gone")
	}
	if n := count(`SELECT COUNT(*) FROM audit_log WHERE action = 'admin.post.subjects' AND detail = ?`, fmt.Sprintf("POST /api/v1/admin/subjects/%d/restrict", c)); n != 1 {
		t.Fatal("the restriction's audit line lost its path")
	}
}
