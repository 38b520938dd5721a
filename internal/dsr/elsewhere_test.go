package dsr

import (
	"context"
	"fmt"
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
	// The complaint's lifecycle: the unit's answer and instructions, and
	// steps whose notes quote the citizen beside steps whose text names
	// only an institution or a code.
	must(d.Exec(`UPDATE complaints SET stage = 'answered', unit = 'dinsos', instructions = ?, answer = ?, answered_at = ?, answered_in_time = ?, disposed_at = ? WHERE ticket_id = ?`,
		"hubungi ibu Siti di "+phone, "Ibu Siti Aminah, bantuan untuk Jl. Melati sudah dicairkan", now, true, now, ticketID).Error)
	for _, st := range []struct{ step, note, detail string }{
		{"received", "", "treated as a complaint (webform)"},
		{"kind_changed", "", "pengaduan -> aspirasi"},
		{"incomplete", "mohon kirim foto KTP ibu Siti Aminah", ""},
		{"disposed", "Dinas Sosial", "alamat Jl. Melati, telp " + phone},
		{"published", "Ibu Siti Aminah, bantuan untuk Jl. Melati sudah dicairkan", ""},
		{"reopened", "belum diterima di Jl. Melati", ""},
	} {
		must(d.Exec(`INSERT INTO complaint_steps (ticket_id, step, agent_id, public_note, detail, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			ticketID, st.step, agentID, st.note, st.detail, now).Error)
	}
	// A restriction asked for them: its reason in the request, the
	// restriction and the admin audit line, which carries no ticket.
	reason := `{"reason":"Siti Aminah minta dibekukan ` + sfx + `"}`
	must(d.Exec(`INSERT INTO processing_restrictions (contact_id, agent_id, reason, created_at) VALUES (?, ?, ?, ?)`, contactID, agentID, "Siti Aminah minta dibekukan "+sfx, now).Error)
	must(d.Exec(`INSERT INTO refused_items (record_id, channel, item, provider_message_id, sender, cause, reason, raw, received_at, created_at)
VALUES (?, 'whatsapp', 'message', ?, ?, 'invalid', 'too long', '{"text":"rumah saya di Jl. Melati"}', ?, ?)`, "refused-"+sfx, "wamid."+sfx, phone, now, now).Error)
	must(d.Exec(`INSERT INTO subject_requests (kind, contact_id, agent_id, detail, created_at) VALUES ('restrict', ?, ?, ?, ?)`, contactID, agentID, reason, now).Error)
	must(d.Exec(`INSERT INTO audit_log (agent_id, action, detail, created_at) VALUES (?, 'admin.post.subjects', ?, ?)`,
		agentID, fmt.Sprintf("POST /api/v1/admin/subjects/%d/restrict %s", contactID, reason), now).Error)
	must(d.Exec(`INSERT INTO audit_log (agent_id, action, detail, created_at) VALUES (?, 'admin.delete.subjects', ?, ?)`,
		agentID, fmt.Sprintf("DELETE /api/v1/admin/subjects/%d/restrict", contactID), now).Error)
}

// figures are the counts the reports read about one citizen's ticket:
// its complaint steps by kind, its complaint's stage and answer time, its
// audit lines and requests by action.
func figures(t *testing.T, d *db.DB, contactID, ticketID int64) string {
	t.Helper()
	var out []string
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`SELECT step || ':' || COUNT(*) FROM complaint_steps WHERE ticket_id = ? GROUP BY step ORDER BY step`, []any{ticketID}},
		{`SELECT stage || ':' || unit || ':' || CASE WHEN answered_in_time THEN 'in time' ELSE 'late' END || ':' || CASE WHEN answered_at IS NULL THEN 'unanswered' ELSE 'answered' END
FROM complaints WHERE ticket_id = ?`, []any{ticketID}},
		{`SELECT action || ':' || COUNT(*) FROM audit_log WHERE ticket_id = ? OR detail LIKE ? GROUP BY action ORDER BY action`,
			[]any{ticketID, fmt.Sprintf("%% /api/v1/admin/subjects/%d/%%", contactID)}},
		{`SELECT kind || ':' || COUNT(*) FROM subject_requests WHERE contact_id = ? GROUP BY kind ORDER BY kind`, []any{contactID}},
	} {
		var rows []string
		if err := d.Raw(q.sql, q.args...).Scan(&rows).Error; err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
		out = append(out, strings.Join(rows, ","))
	}
	return strings.Join(out, " | ")
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
		{"audit detail", `SELECT COUNT(*) FROM audit_log l JOIN agents a ON a.id = l.agent_id WHERE a.email = 'agen-` + sfx + `@example.go.id' AND l.ticket_id IS NOT NULL AND l.detail <> ''`},
		{"complaint step notes", `SELECT COUNT(*) FROM complaint_steps s JOIN agents a ON a.id = s.agent_id WHERE a.email = 'agen-` + sfx + `@example.go.id'
AND (s.public_note LIKE '%Siti%' OR s.public_note LIKE '%Melati%' OR s.detail LIKE '%Melati%')`},
		{"complaint answer", `SELECT COUNT(*) FROM complaints WHERE intake_key = 'intake-` + sfx + `' AND (answer <> '' OR instructions <> '')`},
		{"subject audit line", `SELECT COUNT(*) FROM audit_log WHERE ticket_id IS NULL AND detail LIKE '%minta dibekukan ` + sfx + `%'`},
		{"request reason", `SELECT COUNT(*) FROM subject_requests WHERE detail LIKE '%minta dibekukan ` + sfx + `%'`},
		{"restriction reason", `SELECT COUNT(*) FROM processing_restrictions WHERE reason LIKE '%minta dibekukan ` + sfx + `%'`},
		{"refused item", `SELECT COUNT(*) FROM refused_items WHERE record_id = 'refused-` + sfx + `'`},
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
	if left := personal(t, d, "+6281234567890", "A"); len(left) != 15 {
		t.Fatalf("seed incomplete: %v", left)
	}
	before := figures(t, d, contactID, ticketID)

	out, err := s.Erase(ctx, 1, contactID)
	if err != nil {
		t.Fatal(err)
	}
	if left := personal(t, d, "+6281234567890", "A"); len(left) > 0 {
		t.Fatalf("erasure left personal data in: %s", strings.Join(left, ", "))
	}
	if left := personal(t, d, "+6289999999999", "B"); len(left) != 15 {
		t.Fatalf("another citizen's data erased: only %v left", left)
	}
	e := out.Elsewhere
	if e.LiveChatVisitors != 1 || e.LiveChatEntries != 1 || e.Calls != 1 || e.Callbacks != 1 || e.Complaints != 1 ||
		e.Ratings != 1 || e.Mentions != 1 || e.Deliveries != 1 || e.AuditLines != 1 ||
		e.ComplaintSteps != 4 || e.ComplaintAnswers != 1 || e.SubjectAuditLines != 1 || e.RequestReasons != 2 || e.RefusedItems != 1 {
		t.Fatalf("counts %+v", e)
	}
	// The figures stay: steps by kind, the complaint's stage, unit and
	// answer time, audit lines and requests by action (the erasure adds
	// its own request).
	after := figures(t, d, contactID, ticketID)
	if want := strings.Replace(before, "restrict:1", "erase:1,restrict:1", 1); after != want {
		t.Fatalf("figures changed by the erasure:\n before %s\n after  %s", before, after)
	}
	t.Logf("figures kept: %s", after)
	// What names an institution or a code stays; the path of the
	// request's audit line stays without its body.
	var kept []string
	if err := d.Raw(`SELECT public_note || detail FROM complaint_steps WHERE ticket_id = ? AND (public_note <> '' OR detail <> '') ORDER BY id`, ticketID).Scan(&kept).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Join(kept, "|") != "treated as a complaint (webform)|pengaduan -> aspirasi|Dinas Sosial" {
		t.Fatalf("step texts kept: %q", kept)
	}
	var line string
	if err := d.Raw(`SELECT detail FROM audit_log WHERE action = 'admin.post.subjects' AND detail LIKE ?`, fmt.Sprintf("POST /api/v1/admin/subjects/%d/%%", contactID)).Scan(&line).Error; err != nil {
		t.Fatal(err)
	}
	if line != fmt.Sprintf("POST /api/v1/admin/subjects/%d/restrict", contactID) {
		t.Fatalf("request audit line %q", line)
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
		"csat_responses", "notifications", "notify_deliveries", "audit_log", "tickets", "contact_identities",
		"complaint_steps", "subject_requests", "processing_restrictions", "refused_items"}
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
	plan := testenv.Plan(t, d, sqlSubjectLines, "POST /api/v1/admin/subjects/1%")
	if !strings.Contains(plan, "audit_log_action_created_idx") {
		t.Errorf("subject audit lines not found by action:\n%s", plan)
	}
}
