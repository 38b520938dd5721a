package dsr

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"tanggap/internal/attachment"
	"tanggap/internal/db"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
)

var pdf = []byte("%PDF-1.7\nKTP milik Siti\n%%EOF")

// seed makes a citizen with an identity, one ticket, one message and one
// stored file (plain SQL: tests only).
func seed(t *testing.T, d *db.DB, files attachment.Store) (contactID, ticketID int64, key string) {
	t.Helper()
	ctx := context.Background()
	st, err := files.Put(ctx, bytes.NewReader(pdf), 1<<20, attachment.Documents)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.Raw(`INSERT INTO contacts (name, province_code, created_at, updated_at) VALUES ('Siti Aminah', '32', ?, ?) RETURNING id`, now, now).Scan(&contactID).Error)
	must(d.Exec(`INSERT INTO contact_identities (contact_id, kind, value, created_at) VALUES (?, 'phone', '+6281234567890', ?)`, contactID, now).Error)
	must(d.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, subject, reporter_phone, status, created_at, updated_at, last_message_at)
VALUES ('TGP-DSR-1', ?, 'webform', 'Kartu saya', '+6281234567890', 'open', ?, ?, ?) RETURNING id`, contactID, now, now, now).Scan(&ticketID).Error)
	var msgID int64
	must(d.Raw(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, created_at, updated_at)
VALUES (?, 'in', 'webform', 'p1', 'NIK saya 3201234567890001', ?, ?) RETURNING id`, ticketID, now, now).Scan(&msgID).Error)
	must(d.Exec(`INSERT INTO attachments (message_id, storage_key, filename, mime, size, created_at) VALUES (?, ?, 'ktp.pdf', 'application/pdf', ?, ?)`,
		msgID, st.Key, st.Size, now).Error)
	return contactID, ticketID, st.Key
}

func TestSubjectRequests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testenv.DB(t)
	files, err := attachment.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := New(Opts{DB: d, Files: files, Log: testenv.Logger(t)})
	contactID, ticketID, key := seed(t, d, files)
	const admin = 1

	// Export: JSON with the thread and identities, plus the file itself.
	var buf bytes.Buffer
	if err := s.Export(ctx, admin, contactID, &buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]byte{}
	for _, f := range zr.File {
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		got[f.Name] = b
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(got["data.json"], &data); err != nil {
		t.Fatalf("data.json: %v", err)
	}
	for _, want := range []string{"+6281234567890", "NIK saya 3201234567890001", "Siti Aminah", "ktp.pdf", "TGP-DSR-1"} {
		if !strings.Contains(string(got["data.json"]), want) {
			t.Errorf("export lacks %q", want)
		}
	}
	var fileFound bool
	for name, b := range got {
		if strings.HasPrefix(name, "files/") && strings.HasSuffix(name, "-ktp.pdf") && bytes.Equal(b, pdf) {
			fileFound = true
		}
	}
	if !fileFound {
		t.Errorf("export lacks the file: %v", keys(got))
	}

	// Restrict: the ticket is frozen; lifted, it is not.
	if err := s.Restrict(ctx, admin, contactID, ""); !errors.Is(err, ErrReason) {
		t.Fatalf("restrict without a reason: %v", err)
	}
	if err := s.Restrict(ctx, admin, contactID, "keberatan warga, surat 12/2026"); err != nil {
		t.Fatal(err)
	}
	if err := s.Restrict(ctx, admin, contactID, "again"); err != nil {
		t.Fatalf("restricting twice: %v", err)
	}
	if err := ticket.CheckNotRestricted(ctx, d.DB, ticketID); !errors.Is(err, ticket.ErrRestricted) {
		t.Fatalf("restricted ticket: %v, want ErrRestricted", err)
	}
	if err := s.Lift(ctx, admin, contactID); err != nil {
		t.Fatal(err)
	}
	if err := ticket.CheckNotRestricted(ctx, d.DB, ticketID); err != nil {
		t.Fatalf("after lift: %v", err)
	}

	// Erase: identities, name, bodies and the file go; the ticket stays.
	res, err := s.Erase(ctx, admin, contactID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages != 1 || res.Attachments != 1 || res.Identities != 1 || res.FilesDeleted != 1 || res.Tickets != 1 {
		t.Fatalf("erasure %+v", res)
	}
	if _, err := files.Open(ctx, key); !errors.Is(err, attachment.ErrNotFound) {
		t.Fatalf("file after erase: %v", err)
	}
	var left struct {
		Body, Name, Status, Phone string
		Tickets, Identities       int64
	}
	d.Raw(`SELECT body FROM messages WHERE ticket_id = ?`, ticketID).Scan(&left.Body)
	d.Raw(`SELECT name FROM contacts WHERE id = ?`, contactID).Scan(&left.Name)
	d.Raw(`SELECT status FROM tickets WHERE id = ?`, ticketID).Scan(&left.Status)
	d.Raw(`SELECT reporter_phone FROM tickets WHERE id = ?`, ticketID).Scan(&left.Phone)
	d.Raw(`SELECT COUNT(*) FROM tickets WHERE contact_id = ?`, contactID).Scan(&left.Tickets)
	d.Raw(`SELECT COUNT(*) FROM contact_identities WHERE contact_id = ?`, contactID).Scan(&left.Identities)
	if left.Body != "" || left.Name != "" || left.Phone != "" || left.Identities != 0 || left.Tickets != 1 || left.Status != "open" {
		t.Fatalf("after erase: %+v", left)
	}
	reqs, err := s.Requests(ctx, contactID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, r := range reqs {
		kinds = append(kinds, r.Kind)
	}
	if strings.Join(kinds, ",") != "erase,lift,restrict,restrict,export" {
		t.Fatalf("requests recorded: %v", kinds)
	}
	if err := s.Restrict(ctx, admin, 999999, "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown contact: %v", err)
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
