package dsr

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/contact"
	"tanggap/internal/ticket"
)

// Elsewhere counts what an erasure blanked beyond the threads and the
// contact: the channels' own tables, notifications, ratings, the
// complaint lifecycle and audit lines. Rows stay (figures, the audit's events);
// what names or quotes the citizen goes.
type Elsewhere struct {
	LiveChatVisitors int64 `json:"livechat_visitors"`
	LiveChatEntries  int64 `json:"livechat_entries"`
	Calls            int64 `json:"calls"`
	Callbacks        int64 `json:"callbacks"`
	Complaints       int64 `json:"complaint_identities"`
	Ratings          int64 `json:"rating_comments"`
	Mentions         int64 `json:"mention_previews"`
	Deliveries       int64 `json:"notification_reasons"`
	AuditLines       int64 `json:"audit_lines"`
	// The complaint lifecycle: step notes that may quote the citizen
	// (what is missing, the published answer, a reopening's reason), the
	// unit's answer and instructions. Steps, stages and times stay.
	ComplaintSteps   int64 `json:"complaint_step_notes"`
	ComplaintAnswers int64 `json:"complaint_answers"`
	// Lines about the citizen that carry no ticket: the admin audit of
	// their data-subject requests (the request's body: a reason) and the
	// reasons kept with the requests and a restriction.
	SubjectAuditLines int64 `json:"subject_audit_lines"`
	RequestReasons    int64 `json:"request_reasons"`
	// Items a channel could not read whose sender is one of the
	// citizen's numbers: deleted (they are a copy of what they sent).
	RefusedItems int64 `json:"refused_items"`
}

// The citizen's tickets, visitor ids and phone numbers, as subqueries
// (tickets_contact_idx, contact_identities_contact_idx).
const (
	sqlTickets  = `SELECT id FROM tickets WHERE contact_id = ?`
	sqlTracking = `SELECT tracking_number FROM tickets WHERE contact_id = ?`
	sqlVisitors = `SELECT value FROM contact_identities WHERE contact_id = ? AND kind = 'visitor'`
	sqlPhones   = `SELECT value FROM contact_identities WHERE contact_id = ? AND kind = 'phone'`
)

// elsewhereSteps are the statements of eraseElsewhere, each with the
// number of times it takes the contact id. Every one is served by an
// index (TestErasureQueriesUseIndexes).
var elsewhereSteps = []struct {
	name string
	sql  string
	ids  int
	into func(*Elsewhere) *int64
}{
	// Live chat: the visitor's name, phone and email; every entry of the
	// widget's log (messages both ways, agent names) loses its body.
	{"livechat visitors", `UPDATE livechat_visitors SET name = '', phone = '', email = ''
WHERE id IN (` + sqlVisitors + ` UNION SELECT id FROM livechat_visitors WHERE tracking_number IN (` + sqlTracking + `))
AND (name <> '' OR phone <> '' OR email <> '')`, 2,
		func(e *Elsewhere) *int64 { return &e.LiveChatVisitors }},
	{"livechat log", `UPDATE livechat_log SET body = '{}'
WHERE visitor_id IN (` + sqlVisitors + ` UNION SELECT id FROM livechat_visitors WHERE tracking_number IN (` + sqlTracking + `)) AND body <> '{}'`, 2,
		func(e *Elsewhere) *int64 { return &e.LiveChatEntries }},
	// Phone: the caller's number on their calls; their call-back requests
	// lose the number and a waiting one is ended (nobody to call).
	{"calls", `UPDATE voice_calls SET caller = '' WHERE caller IN (` + sqlPhones + `) AND caller <> ''`, 1,
		func(e *Elsewhere) *int64 { return &e.Calls }},
	{"callbacks", `UPDATE voice_callbacks SET phone = '', status = 'done', last_outcome = CASE WHEN status = 'done' THEN last_outcome ELSE 'erased' END
WHERE phone IN (` + sqlPhones + `)`, 1,
		func(e *Elsewhere) *int64 { return &e.Callbacks }},
	// A confidential complaint's identity, kept apart from the ticket.
	{"complaint identities", `UPDATE complaint_intakes SET name = '', phone = '', email = '', nik = ''
WHERE intake_key IN (SELECT intake_key FROM complaints WHERE ticket_id IN (` + sqlTickets + `)
UNION SELECT intake_key FROM complaint_intakes WHERE visitor_id IN (` + sqlVisitors + `))
AND (name <> '' OR phone <> '' OR email <> '' OR nik <> '')`, 2,
		func(e *Elsewhere) *int64 { return &e.Complaints }},
	{"rating comments", `UPDATE csat_responses SET comment = '' WHERE ticket_id IN (` + sqlTickets + `) AND comment <> ''`, 1,
		func(e *Elsewhere) *int64 { return &e.Ratings }},
	// Agents' mention notifications quote the note; notify's delivery
	// reasons may quote a provider's refusal naming the address.
	{"mention previews", `UPDATE notifications SET preview = '' WHERE ticket_id IN (` + sqlTickets + `) AND preview <> ''`, 1,
		func(e *Elsewhere) *int64 { return &e.Mentions }},
	{"notification reasons", `UPDATE notify_deliveries SET reason = '' WHERE ticket_id IN (` + sqlTickets + `) AND reason <> ''`, 1,
		func(e *Elsewhere) *int64 { return &e.Deliveries }},
	// The audit keeps who did what when; its free text goes.
	{"audit lines", `UPDATE audit_log SET detail = '' WHERE ticket_id IN (` + sqlTickets + `) AND detail <> ''`, 1,
		func(e *Elsewhere) *int64 { return &e.AuditLines }},
	// A complaint's steps keep what happened and when; their free text
	// goes, except what names an institution or a code (the unit disposed
	// to, the agency that has authority, the archive reason, the kind
	// changed, the channel received on).
	{"complaint step notes", `UPDATE complaint_steps SET
public_note = CASE WHEN step IN (` + keptNoteSteps + `) THEN public_note ELSE '' END,
detail = CASE WHEN step IN (` + keptDetailSteps + `) THEN detail ELSE '' END
WHERE ticket_id IN (` + sqlTickets + `)
AND ((public_note <> '' AND step NOT IN (` + keptNoteSteps + `)) OR (detail <> '' AND step NOT IN (` + keptDetailSteps + `)))`, 1,
		func(e *Elsewhere) *int64 { return &e.ComplaintSteps }},
	{"complaint answers", `UPDATE complaints SET answer = '', instructions = ''
WHERE ticket_id IN (` + sqlTickets + `) AND (answer <> '' OR instructions <> '')`, 1,
		func(e *Elsewhere) *int64 { return &e.ComplaintAnswers }},
	// The requests stay recorded; a restriction's reason may name them.
	{"request reasons", `UPDATE subject_requests SET detail = '{}' WHERE contact_id = ? AND kind = 'restrict' AND detail <> '{}'`, 1,
		func(e *Elsewhere) *int64 { return &e.RequestReasons }},
	{"restriction reason", `UPDATE processing_restrictions SET reason = '' WHERE contact_id = ? AND reason <> ''`, 1,
		func(e *Elsewhere) *int64 { return &e.RequestReasons }},
	// Items a channel could not read, from one of the citizen's numbers
	// (refused_items_sender_idx); one whose sender could not be read
	// names nobody we can match and goes with the retention period.
	{"refused items", `DELETE FROM refused_items WHERE sender IN (` + sqlPhones + `) AND sender <> ''`, 1,
		func(e *Elsewhere) *int64 { return &e.RefusedItems }},
}

// Steps whose public note or detail names no citizen (see above).
const (
	keptNoteSteps   = `'disposed', 'not_authority', 'archived'`
	keptDetailSteps = `'kind_changed', 'received'`
)

// The admin audit's lines of a citizen's data-subject requests carry no
// ticket: they are found by their action (audit_log_action_created_idx)
// and the contact's path; their detail keeps the method and path (who
// asked what about which contact id) and loses the body.
const sqlSubjectLines = `SELECT id, detail FROM audit_log
WHERE action IN ('admin.post.subjects', 'admin.put.subjects', 'admin.delete.subjects') AND detail LIKE ?`

func eraseSubjectLines(tx *gorm.DB, contactID int64) (int64, error) {
	var n int64
	for _, method := range []string{"POST", "PUT", "DELETE"} {
		prefix := fmt.Sprintf("%s /api/v1/admin/subjects/%d", method, contactID)
		var rows []struct {
			ID     int64
			Detail string
		}
		if err := tx.Raw(sqlSubjectLines, prefix+"%").Scan(&rows).Error; err != nil {
			return n, fmt.Errorf("dsr: erase subject audit lines: %w", err)
		}
		for _, r := range rows {
			rest := strings.TrimPrefix(r.Detail, prefix)
			if rest != "" && rest[0] != '/' && rest[0] != ' ' {
				continue // another contact whose id starts with this one's
			}
			path, _, cut := strings.Cut(rest, " ")
			if !cut {
				continue // no body: nothing but the path
			}
			if err := tx.Exec(`UPDATE audit_log SET detail = ? WHERE id = ?`, prefix+path, r.ID).Error; err != nil {
				return n, fmt.Errorf("dsr: erase subject audit line: %w", err)
			}
			n++
		}
	}
	return n, nil
}

func eraseElsewhere(tx *gorm.DB, contactID int64) (Elsewhere, error) {
	var out Elsewhere
	for _, st := range elsewhereSteps {
		args := make([]any, st.ids)
		for i := range args {
			args[i] = contactID
		}
		res := tx.Exec(st.sql, args...)
		if res.Error != nil {
			return out, fmt.Errorf("dsr: erase %s: %w", st.name, res.Error)
		}
		*st.into(&out) += res.RowsAffected
	}
	var err error
	out.SubjectAuditLines, err = eraseSubjectLines(tx, contactID)
	return out, err
}

// Erased is what EraseInTx blanked; Files are the keys whose bytes the
// caller deletes after the commit.
type Erased struct {
	ticket.Erased
	contact.Anonymized
	Elsewhere Elsewhere `json:"elsewhere"`
}

// EraseInTx anonymizes the citizen inside tx: their threads (bodies,
// fields, attachment rows, subjects, reporter addresses), the channels'
// tables, notifications, ratings, complaint identities, complaint step
// notes and answers, audit free text (with or without a ticket) and
// request reasons, then their identities, notes and name. Tickets, times, statuses,
// queues and counts stay for the figures. The data-subject erasure and the
// retention purge both erase through it.
func EraseInTx(tx *gorm.DB, contactID int64, now time.Time) (Erased, error) {
	var out Erased
	var err error
	if out.Erased, err = ticket.EraseContactThreads(tx, contactID); err != nil {
		return out, err
	}
	// Before the identities go: they name the visitor ids and numbers.
	if out.Elsewhere, err = eraseElsewhere(tx, contactID); err != nil {
		return out, err
	}
	if out.Anonymized, err = contact.AnonymizeInTx(tx, contactID, now); err != nil {
		return out, err
	}
	return out, nil
}
