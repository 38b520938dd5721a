// Package dsr carries out citizens' data-subject requests (UU 27/2022):
// export everything held about a citizen (JSON plus their files, as one zip
// stream), erase (anonymize: identities, message bodies and files go;
// tickets and figures stay), and restrict processing (the citizen's tickets
// frozen until lifted). Every request is recorded in subject_requests with
// the admin who made it; an export is also a view in the view audit.
package dsr

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/attachment"
	"tanggap/internal/db"
	"tanggap/internal/viewaudit"
)

// Errors of data-subject requests.
var (
	ErrNotFound = errors.New("dsr: contact not found")
	ErrReason   = errors.New("dsr: a reason is required (at most 500 characters)")
)

// Kinds of requests recorded.
const (
	KindExport   = "export"
	KindErase    = "erase"
	KindRestrict = "restrict"
	KindLift     = "lift"
)

// Opts wires the service.
type Opts struct {
	DB    *db.DB
	Files attachment.Store
	Views *viewaudit.Recorder // nil: exports are not recorded as views
	Log   *slog.Logger
}

// Service carries out the requests.
type Service struct{ o Opts }

// New returns the service.
func New(o Opts) *Service {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{o: o}
}

// Request is one recorded data-subject request.
type Request struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	ContactID int64     `json:"contact_id"`
	AgentID   int64     `json:"agent_id"`
	Detail    string    `json:"detail"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *Service) exists(tx *gorm.DB, contactID int64) error {
	var n int64
	if err := tx.Raw(`SELECT COUNT(*) FROM contacts WHERE id = ?`, contactID).Scan(&n).Error; err != nil {
		return fmt.Errorf("dsr: contact: %w", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

func record(tx *gorm.DB, kind string, contactID, agentID int64, detail any, now time.Time) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	if err := tx.Exec(`INSERT INTO subject_requests (kind, contact_id, agent_id, detail, created_at) VALUES (?, ?, ?, ?, ?)`,
		kind, contactID, agentID, string(b), now.UTC()).Error; err != nil {
		return fmt.Errorf("dsr: record request: %w", err)
	}
	return nil
}

// Exists returns ErrNotFound for an unknown contact.
func (s *Service) Exists(ctx context.Context, contactID int64) error {
	return s.exists(s.o.DB.WithContext(ctx), contactID)
}

// Restrict freezes the citizen's tickets: replies and changes are refused
// with ticket.ErrRestricted until Lift. Restricting twice is harmless.
func (s *Service) Restrict(ctx context.Context, agentID, contactID int64, reason string) error {
	if reason == "" || len([]rune(reason)) > 500 {
		return ErrReason
	}
	now := time.Now().UTC()
	return s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.exists(tx, contactID); err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO processing_restrictions (contact_id, agent_id, reason, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (contact_id) DO NOTHING`, contactID, agentID, reason, now).Error; err != nil {
			return fmt.Errorf("dsr: restrict: %w", err)
		}
		s.o.Log.Info("processing restricted", "contact_id", contactID, "agent_id", agentID)
		return record(tx, KindRestrict, contactID, agentID, map[string]string{"reason": reason}, now)
	})
}

// Lift ends a restriction.
func (s *Service) Lift(ctx context.Context, agentID, contactID int64) error {
	now := time.Now().UTC()
	return s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.exists(tx, contactID); err != nil {
			return err
		}
		res := tx.Exec(`DELETE FROM processing_restrictions WHERE contact_id = ?`, contactID)
		if res.Error != nil {
			return fmt.Errorf("dsr: lift: %w", res.Error)
		}
		s.o.Log.Info("restriction lifted", "contact_id", contactID, "agent_id", agentID)
		return record(tx, KindLift, contactID, agentID, map[string]int64{"lifted": res.RowsAffected}, now)
	})
}

// Restricted reports whether the citizen's processing is restricted.
func (s *Service) Restricted(ctx context.Context, contactID int64) (bool, error) {
	var n int64
	err := s.o.DB.WithContext(ctx).Raw(`SELECT COUNT(*) FROM processing_restrictions WHERE contact_id = ?`, contactID).Scan(&n).Error
	return n > 0, err
}

// Erasure reports what an erasure removed.
type Erasure struct {
	Erased
	FilesDeleted int `json:"files_deleted"`
	FilesFailed  int `json:"files_failed"`
}

// Erase anonymizes the citizen (EraseInTx): identities, name and notes
// removed, message bodies and fields blanked, the channels' tables,
// notifications, ratings, complaint identities, step notes and answers,
// audit free text and request reasons blanked, files deleted; tickets, their times,
// statuses and queues stay, so the figures stay.
func (s *Service) Erase(ctx context.Context, agentID, contactID int64) (Erasure, error) {
	var out Erasure
	now := time.Now().UTC()
	err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.exists(tx, contactID); err != nil {
			return err
		}
		var err error
		if out.Erased, err = EraseInTx(tx, contactID, now); err != nil {
			return err
		}
		return record(tx, KindErase, contactID, agentID, map[string]any{"messages": out.Messages, "attachments": out.Attachments,
			"tickets": out.Tickets, "identities": out.Identities, "notes": out.Notes, "elsewhere": out.Elsewhere}, now)
	})
	if err != nil {
		return out, err
	}
	// The rows no longer name the files: delete the bytes. A failure is
	// logged with the key (no personal data) for an operator to remove.
	for _, f := range out.Files {
		if err := s.o.Files.Delete(ctx, f.StorageKey); err != nil {
			out.FilesFailed++
			s.o.Log.Error("erase: file not deleted", "attachment_id", f.ID, "key", f.StorageKey, "error", err)
			continue
		}
		out.FilesDeleted++
	}
	s.o.Log.Info("citizen erased", "contact_id", contactID, "agent_id", agentID, "messages", out.Messages,
		"files", out.FilesDeleted, "identities", out.Identities)
	return out, nil
}

// Requests lists the requests recorded for a citizen, newest first.
func (s *Service) Requests(ctx context.Context, contactID int64) ([]Request, error) {
	var out []Request
	err := s.o.DB.WithContext(ctx).Raw(`SELECT id, kind, contact_id, agent_id, detail, created_at FROM subject_requests
WHERE contact_id = ? ORDER BY id DESC LIMIT 200`, contactID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("dsr: requests: %w", err)
	}
	for i := range out {
		out[i].CreatedAt = out[i].CreatedAt.UTC()
	}
	return out, nil
}

// Export writes a zip of everything held about the citizen: data.json
// (contact, identities, notes, tickets with their messages and
// attachments, restriction, requests, who viewed their data) and each
// stored file under files/. The request is recorded before the first byte.
func (s *Service) Export(ctx context.Context, agentID, contactID int64, w io.Writer) error {
	now := time.Now().UTC()
	if err := s.o.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.exists(tx, contactID); err != nil {
			return err
		}
		return record(tx, KindExport, contactID, agentID, map[string]string{}, now)
	}); err != nil {
		return err
	}
	if s.o.Views != nil {
		cid := contactID
		_ = s.o.Views.Record(ctx, viewaudit.View{AgentID: agentID, Kind: viewaudit.KindExport, ContactID: &cid})
		_ = s.o.Views.Flush(ctx) // the export lists its own view
	}
	data, files, err := s.gather(ctx, contactID)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	jw, err := zw.CreateHeader(&zip.FileHeader{Name: "data.json", Method: zip.Deflate, Modified: now})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(jw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(data); err != nil {
		return fmt.Errorf("dsr: export json: %w", err)
	}
	for _, f := range files {
		if err := s.addFile(ctx, zw, f, now); err != nil {
			return err
		}
	}
	return zw.Close()
}

type exportFile struct {
	ID         int64
	StorageKey string
	Filename   string
}

func (s *Service) addFile(ctx context.Context, zw *zip.Writer, f exportFile, now time.Time) error {
	r, err := s.o.Files.Open(ctx, f.StorageKey)
	if errors.Is(err, attachment.ErrNotFound) {
		s.o.Log.Warn("export: file missing from the store", "attachment_id", f.ID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("dsr: export file %d: %w", f.ID, err)
	}
	defer r.Close()
	name := path.Base(f.StorageKey)
	if f.Filename != "" {
		name = path.Base(f.Filename)
	}
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("files/%d-%s", f.ID, name), Method: zip.Store, Modified: now})
	if err != nil {
		return err
	}
	if _, err := io.Copy(fw, r); err != nil {
		return fmt.Errorf("dsr: export file %d: %w", f.ID, err)
	}
	return nil
}

// gather reads every row about the citizen, as the database holds them.
func (s *Service) gather(ctx context.Context, contactID int64) (map[string]any, []exportFile, error) {
	d := s.o.DB.WithContext(ctx)
	out := map[string]any{"exported_at": time.Now().UTC(), "contact_id": contactID}
	for _, q := range []struct{ key, sql string }{
		{"contact", `SELECT * FROM contacts WHERE id = ?`},
		{"identities", `SELECT kind, value, created_at FROM contact_identities WHERE contact_id = ? ORDER BY id`},
		{"contact_notes", `SELECT agent_id, body, created_at FROM contact_notes WHERE contact_id = ? ORDER BY id`},
		{"tickets", `SELECT * FROM tickets WHERE contact_id = ? ORDER BY id`},
		{"messages", `SELECT m.id, m.ticket_id, m.direction, m.channel, m.agent_id, m.body, m.fields, m.delivery_status, m.created_at
FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.contact_id = ? ORDER BY m.id`},
		{"attachments", `SELECT a.id, a.message_id, a.filename, a.mime, a.size, a.available, a.created_at
FROM attachments a JOIN messages m ON m.id = a.message_id JOIN tickets t ON t.id = m.ticket_id WHERE t.contact_id = ? ORDER BY a.id`},
		{"restriction", `SELECT agent_id, reason, created_at FROM processing_restrictions WHERE contact_id = ?`},
		{"requests", `SELECT id, kind, agent_id, detail, created_at FROM subject_requests WHERE contact_id = ? ORDER BY id`},
		{"views", `SELECT at, agent_id, kind, ticket_id, attachment_id FROM view_audit WHERE contact_id = ? ORDER BY at, id`},
	} {
		var rows []map[string]any
		if err := d.Raw(q.sql, contactID).Scan(&rows).Error; err != nil {
			return nil, nil, fmt.Errorf("dsr: export %s: %w", q.key, err)
		}
		if rows == nil {
			rows = []map[string]any{}
		}
		for _, r := range rows {
			for k, v := range r {
				if b, ok := v.([]byte); ok {
					r[k] = string(b)
				}
			}
		}
		out[q.key] = rows
	}
	var files []exportFile
	if err := d.Raw(`SELECT a.id, a.storage_key, a.filename FROM attachments a JOIN messages m ON m.id = a.message_id
JOIN tickets t ON t.id = m.ticket_id WHERE t.contact_id = ? AND a.storage_key <> '' ORDER BY a.id`, contactID).Scan(&files).Error; err != nil {
		return nil, nil, fmt.Errorf("dsr: export files: %w", err)
	}
	return out, files, nil
}
