package dsr

import (
	"context"
	"strings"
	"testing"
	"time"

	"tanggap/internal/attachment"
	"tanggap/internal/db"
	"tanggap/internal/testenv"
)

// seedElsewhere gives the citizen of seed (phone +6281234567890, ticket
// ticketID) rows in every table an erasure must reach beyond the thread,
// all under suffix sfx so a second citizen's rows stay apart.
func seedElsewhere(t *testing.T, d *db.DB, contactID, ticketID int64, phone, sfx string) {
	t.Helper()
	now := time.Now().UTC()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	visitor := "visitor-" + sfx
	var tracking string
	must(d.Raw(`SELECT tracking_number FROM tickets WHERE id = ?`, ticketID).Scan(&tracking).Error)
	must(d.Exec(`INSERT INTO contact_identities (contact_id, kind, value, created_at) VALUES (?, 'visitor', ?, ?)`, contactID, visitor, now).Error)
	must(d.Exec(`INSERT INTO livechat_visitors (id, name, phone, email, tracking_number, created_at, updated_at) VALUES (?, 'Siti', ?, 'siti@example.id', ?, ?, ?)`,
		visitor, phone, tracking, now, now).Error)
	must(d.Exec(`INSERT INTO livechat_log (visitor_id, seq, kind, tracking_number, body, created_at) VALUES (?, 1, 'message', ?, '{"text":"rumah saya di Jl. Melati"}', ?)`,
		visitor, tracking, now).Error)
	must(d.Exec(`INSERT INTO voice_calls (call_sid, direction, caller, started_at, updated_at) VALUES (?, 'inbound', ?, ?, ?)`, "CA"+sfx, phone, now, now).Error)
	must(d.Exec(`INSERT INTO voice_callbacks (phone, call_sid, status, requested_at, updated_at) VALUES (?, ?, 'waiting', ?, ?)`, phone, "CA"+sfx, now, now).Error)
	must(d.Exec(`INSERT INTO complaint_intakes (intake_key, confidential, pin_hash, visitor_id, name, phone, email, nik, created_at)
VALUES (?, ?, 'x', ?, 'Siti Aminah', ?, 'siti@example.id', '3201234567890001', ?)`, "intake-"+sfx, true, "pseud-"+sfx, phone, now).Error)
	must(d.Exec(`INSERT INTO complaints (ticket_id, intake_key, kind, stage, confidential, received_at, updated_at) VALUES (?, ?, 'pengaduan', 'verification', ?, ?, ?)`,
		ticketID, "intake-"+sfx, true, now, now).Error)
	var agentID, surveyID int64
	must(d.Raw(`INSERT INTO agents (email, name, password_hash, role, created_at, updated_at) VALUES (?, 'Agen', 'x', 'agent', ?, ?) RETURNING id`,
		"agen-"+sfx+"@example.go.id", now, now).Scan(&agentID).Error)
	must(d.Raw(`INSERT INTO csat_surveys (ticket_id, round, channel, created_at, expires_at) VALUES (?, 'solve:1', 'webform', ?, ?) RETURNING id`,
		ticketID, now, now).Scan(&surveyID).Error)
	must(d.Exec(`INSERT INTO csat_responses (survey_id, ticket_id, rating, comment, created_at) VALUES (?, ?, 1, 'petugas tahu alamat saya', ?)`, surveyID, ticketID, now).Error)
	must(d.Exec(`INSERT INTO notifications (agent_id, kind, ticket_id, preview, created_at) VALUES (?, 'mention', ?, 'ibu Siti di Jl. Melati', ?)`, agentID, ticketID, now).Error)
	must(d.Exec(`INSERT INTO notify_deliveries (event_key, route, ticket_id, kind, status, reason, created_at, updated_at)
VALUES (?, 'sms', ?, 'reply', 'failed', ?, ?, ?)`, "reply:"+sfx, ticketID, "undeliverable to "+phone, now, now).Error)
	must(d.Exec(`INSERT INTO audit_log (agent_id, action, ticket_id, detail, created_at) VALUES (?, 'complaint.reveal', ?, ?, ?)`,
		agentID, ticketID, "identitas: Siti Aminah "+phone, now).Error)
}

// personal lists what of the seeded personal data is still in the
// database for one citizen's phone and tracking suffix.
func personal(t *testing.T, d *db.DB, phone, sfx string) []string {
	t.Helper()
	var left []string
	for _, c := range []struct{ name, q string }{
		{"livechat visitor", `SELECT COUNT(*) FROM livechat_visitors WHERE id = 'visitor-` + sfx + `' AND (name <> '' OR phone <> '' OR email <> '')`},
		{"livechat log", `SELECT COUNT(*) FROM livechat_log WHERE visitor_id = 'visitor-` + sfx + `' AND body LIKE '%Melati%'`},
		{"call", `SELECT COUNT(*) FROM voice_calls WHERE call_sid = 'CA` + sfx + `' AND caller = '` + phone + `'`},
		{"callback", `SELECT COUNT(*) FROM voice_callbacks WHERE call_sid = 'CA` + sfx + `' AND (phone <> '' OR status = 'waiting')`},
		{"complaint identity", `SELECT COUNT(*) FROM complaint_intakes WHERE intake_key = 'intake-` + sfx + `' AND (name <> '' OR phone <> '' OR nik <> '' OR email <> '')`},
		{"rating comment", `SELECT COUNT(*) FROM csat_responses r JOIN csat_surveys s ON s.id = r.survey_id JOIN agents a ON a.email = 'agen-` + sfx + `@example.go.id' WHERE r.comment <> '' AND s.ticket_id = r.ticket_id AND r.ticket_id IN (SELECT ticket_id FROM complaints WHERE intake_key = 'intake-` + sfx + `')`},
		{"mention preview", `SELECT COUNT(*) FROM notifications n JOIN agents a ON a.id = n.agent_id WHERE a.email = 'agen-` + sfx + `@example.go.id' AND n.preview <> ''`},
		{"delivery reason", `SELECT COUNT(*) FROM notify_deliveries WHERE event_key = 'reply:` + sfx + `' AND reason <> ''`},
		{"audit detail", `SELECT COUNT(*) FROM audit_log l JOIN agents a ON a.id = l.agent_id WHERE a.email = 'agen-` + sfx + `@example.go.id' AND l.detail <> ''`},
	} {
		var n int64
		if err := d.Raw(c.q).Scan(&n).Error; err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if n > 0 {
			left = append(left, c.name)
		}
	}
	return left
}

// TestErasureReachesEveryTable: an erasure blanks what the channels'
// tables, notifications, ratings, complaint identities and audit lines
// hold about the citizen, keeps their rows (the audit's events stay), and
// leaves another citizen's rows alone.
func TestErasureReachesEveryTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testenv.DB(t)
	files, err := attachment.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := New(Opts{DB: d, Files: files, Log: testenv.Logger(t)})
	contactID, ticketID, _ := seed(t, d, files)
	seedElsewhere(t, d, contactID, ticketID, "+6281234567890", "A")
	// Another citizen.
	now := time.Now().UTC()
	var otherC, otherT int64
	if err := d.Raw(`INSERT INTO contacts (name, created_at, updated_at) VALUES ('Budi', ?, ?) RETURNING id`, now, now).Scan(&otherC).Error; err != nil {
		t.Fatal(err)
	}
	if err := d.Exec(`INSERT INTO contact_identities (contact_id, kind, value, created_at) VALUES (?, 'phone', '+6289999999999', ?)`, otherC, now).Error; err != nil {
		t.Fatal(err)
	}
	if err := d.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, status, created_at, updated_at, last_message_at) VALUES ('TGP-DSR-2', ?, 'livechat', 'open', ?, ?, ?) RETURNING id`,
		otherC, now, now, now).Scan(&otherT).Error; err != nil {
		t.Fatal(err)
	}
	seedElsewhere(t, d, otherC, otherT, "+6289999999999", "B")
	if left := personal(t, d, "+6281234567890", "A"); len(left) != 9 {
		t.Fatalf("seed incomplete: %v", left)
	}

	out, err := s.Erase(ctx, 1, contactID)
	if err != nil {
		t.Fatal(err)
	}
	if left := personal(t, d, "+6281234567890", "A"); len(left) > 0 {
		t.Fatalf("erasure left personal data in: %s", strings.Join(left, ", "))
	}
	if left := personal(t, d, "+6289999999999", "B"); len(left) != 9 {
		t.Fatalf("another citizen's data erased: only %v left", left)
	}
	e := out.Elsewhere
	if e.LiveChatVisitors != 1 || e.LiveChatEntries != 1 || e.Calls != 1 || e.Callbacks != 1 || e.Complaints != 1 ||
		e.Ratings != 1 || e.Mentions != 1 || e.Deliveries != 1 || e.AuditLines != 1 {
		t.Fatalf("counts %+v", e)
	}
	// The audit keeps the event.
	var events int64
	if err := d.Raw(`SELECT COUNT(*) FROM audit_log WHERE ticket_id = ? AND action = 'complaint.reveal'`, ticketID).Scan(&events).Error; err != nil || events != 1 {
		t.Fatalf("audit events: %d %v", events, err)
	}
}

// TestErasureQueriesUseIndexes: every step of the erasure finds its rows
// by index on both dialects.
func TestErasureQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	tables := []string{"livechat_visitors", "livechat_log", "voice_calls", "voice_callbacks", "complaint_intakes", "complaints",
		"csat_responses", "notifications", "notify_deliveries", "audit_log", "tickets", "contact_identities"}
	for _, st := range elsewhereSteps {
		args := make([]any, st.ids)
		for i := range args {
			args[i] = int64(1)
		}
		plan := testenv.Plan(t, d, st.sql, args...)
		bad := strings.Contains(plan, "Seq Scan")
		for _, tbl := range tables {
			if strings.Contains(plan, "SCAN "+tbl+"\n") || strings.HasSuffix(plan, "SCAN "+tbl) {
				bad = true
			}
		}
		if bad {
			t.Errorf("%s scans a table:\n%s", st.name, plan)
		}
	}
}
