package ticket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/attachment"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
)

// Files agents attach to replies. The bytes go to the attachment store
// (never the database or the bus), typed by attachment.Detect from the
// whole file (never the name or what the browser claims), against the
// channel's FileRules; the rows go into attachments beside the reply's
// message in the reply's transaction, and the outbound envelope carries
// the stored keys, so each channel's Deliver sends them its own way and
// the receipt moves the reply's delivery status as for any reply.

// Upload is one file of an agent's reply as received.
type Upload struct {
	Name string
	Size int64
	Data io.ReaderAt
}

// FileRules is what the ticket's channel takes: the largest file per type
// (a type not listed is refused) and how many files per reply. Zero rules
// mean the channel carries no files.
type FileRules struct {
	Types    map[string]int64
	MaxFiles int
}

// ReplyFile is a stored file of a reply being written.
type ReplyFile struct {
	Key  string
	Name string
	MIME string
	Size int64
}

// maxFileNameRunes bounds a file's display name.
const maxFileNameRunes = 120

// ReplyWithFiles is ReplyWith carrying files. Every file is checked before
// any is stored, and every problem is reported at once under "files",
// saying which file and why (type, size, count, or a channel without
// files). Files stored for a reply that then fails are removed again.
func (s *Service) ReplyWithFiles(ctx context.Context, viewer agent.Agent, ticketID int64, d Draft, rules FileRules, uploads []Upload) (Message, error) {
	if len(uploads) == 0 {
		return s.ReplyWith(ctx, viewer, ticketID, d)
	}
	// Nothing is stored for a ticket the agent may not work, nor for a
	// reply nothing could deliver.
	t, err := s.Summary(ctx, viewer, ticketID)
	if err != nil {
		return Message{}, err
	}
	if err := s.CheckDelivers(t); err != nil {
		return Message{}, err
	}
	mimes, err := checkUploads(rules, d, uploads)
	if err != nil {
		return Message{}, err
	}
	if s.files == nil {
		return Message{}, errors.New("ticket: no attachment store for reply files")
	}
	stored := make([]ReplyFile, 0, len(uploads))
	drop := func() {
		for _, f := range stored {
			if err := s.files.Delete(context.WithoutCancel(ctx), f.Key); err != nil {
				s.log.Warn("removing a file of a failed reply", "key", f.Key, "err", err)
			}
		}
	}
	for i, u := range uploads {
		st, err := s.files.PutAs(ctx, io.NewSectionReader(u.Data, 0, u.Size), rules.Types[mimes[i]], mimes[i])
		if err != nil {
			drop()
			return Message{}, fmt.Errorf("ticket: store reply file: %w", err)
		}
		stored = append(stored, ReplyFile{Key: st.Key, Name: cleanFileName(u.Name), MIME: st.MIME, Size: st.Size})
	}
	d.Files = stored
	m, err := s.ReplyWith(ctx, viewer, ticketID, d)
	if err != nil {
		drop()
		return Message{}, err
	}
	return m, nil
}

// checkUploads types every file and checks it against rules; it answers
// the types in order, or a validation error naming every refused file.
func checkUploads(rules FileRules, d Draft, uploads []Upload) ([]string, error) {
	var ve apperr.ValidationError
	if len(rules.Types) == 0 {
		ve.Add("files", "files.channel_refuses")
		return nil, ve.Err()
	}
	if d.Template != nil {
		ve.Add("files", "files.not_with_template")
		return nil, ve.Err()
	}
	if len(uploads) > rules.MaxFiles {
		ve.Add("files", "files.too_many", "max", rules.MaxFiles)
		return nil, ve.Err()
	}
	mimes := make([]string, len(uploads))
	for i, u := range uploads {
		name := cleanFileName(u.Name)
		if u.Size <= 0 {
			ve.Add("files", "files.empty", "name", name)
			continue
		}
		mimes[i] = attachment.Detect(u.Data, u.Size)
		limit, ok := rules.Types[mimes[i]]
		switch {
		case !ok:
			ve.Add("files", "files.type_refused", "name", name, "type", TypeName(mimes[i]), "allowed", allowedNames(rules))
		case u.Size > limit:
			ve.Add("files", "files.too_large", "name", name, "max", mbText(limit))
		}
	}
	if err := ve.Err(); err != nil {
		return nil, err
	}
	return mimes, nil
}

// typeNames are the names agents know file types by.
var typeNames = map[string]string{
	"image/jpeg": "JPEG", "image/png": "PNG", "application/pdf": "PDF", "text/plain": "TXT",
	attachment.MIMEDocx: "DOCX", attachment.MIMEXlsx: "XLSX", attachment.MIMEPptx: "PPTX",
	attachment.MIMEWord: "DOC", attachment.MIMEExcel: "XLS", attachment.MIMEPowerPoint: "PPT",
	attachment.MIMEAAC: "AAC", attachment.MIMEAMR: "AMR", attachment.MIMEMP3: "MP3", attachment.MIMEM4A: "M4A",
	attachment.MIMEOpus: "OGG (Opus)", attachment.MIMEMP4: "MP4", attachment.MIME3GPP: "3GP",
	"text/html": "HTML", "application/zip": "ZIP", "image/gif": "GIF", "image/webp": "WEBP",
}

// TypeName is a file type as agents know it ("PDF"), else its MIME type.
func TypeName(mime string) string {
	if n, ok := typeNames[mime]; ok {
		return n
	}
	if mime == "application/octet-stream" || mime == "" {
		return "?"
	}
	return mime
}

func allowedNames(r FileRules) string {
	seen := map[string]bool{}
	var names []string
	for m := range r.Types {
		if n := TypeName(m); !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// mbText is a size limit in MB as a person reads it ("5", "0.5").
func mbText(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprint(n >> 20)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.1f", float64(n)/(1<<20)), "0"), ".")
}

// cleanFileName keeps a display name: no path, no control or quote
// characters, at most maxFileNameRunes runes.
func cleanFileName(s string) string {
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '"' {
			continue
		}
		if n == maxFileNameRunes {
			break
		}
		b.WriteRune(r)
		n++
	}
	if strings.TrimSpace(b.String()) == "" {
		return "berkas"
	}
	return b.String()
}

// insertReplyFiles stores the rows of a reply's files, inside the reply's
// transaction.
//
//	INSERT INTO attachments (message_id, storage_key, filename, mime, size, available, created_at)
//	VALUES (?, ?, ?, ?, ?, TRUE, ?) RETURNING id
func (s *store) insertReplyFiles(ctx context.Context, tx *gorm.DB, messageID int64, files []ReplyFile, now time.Time) ([]Attachment, error) {
	out := make([]Attachment, 0, len(files))
	for _, f := range files {
		var id int64
		if err := tx.WithContext(ctx).Raw(`INSERT INTO attachments (message_id, storage_key, filename, mime, size, available, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, messageID, f.Key, f.Name, f.MIME, f.Size, true, now).Scan(&id).Error; err != nil {
			return nil, fmt.Errorf("ticket: insert reply file: %w", err)
		}
		out = append(out, Attachment{ID: id, Filename: f.Name, MIME: f.MIME, Size: f.Size, Available: true, StorageKey: f.Key})
	}
	return out, nil
}

// outboundFiles are a reply's files as its channel receives them.
func outboundFiles(files []ReplyFile) []envelope.Attachment {
	if len(files) == 0 {
		return nil
	}
	out := make([]envelope.Attachment, len(files))
	for i, f := range files {
		out[i] = envelope.Attachment{Key: f.Key, Filename: f.Name, MIME: f.MIME, Size: f.Size}
	}
	return out
}

// publicFile is a file the citizen may download from the status page: one
// of a message the page shows (publicMessages): theirs, or a reply. The
// audio of the phone channel's records of a call (a recorded conversation
// with an agent) is the agents', as the record is.
//
//	SELECT a.id, a.filename, a.mime, a.size, a.available, a.storage_key, m.fields
//	FROM attachments a JOIN messages m ON m.id = a.message_id
//	WHERE a.id = ? AND m.ticket_id = ? AND a.available
//	  AND (m.direction = 'in' OR (m.direction = 'out' AND m.delivery_status IN ('sent','posted','delivered','read','failed')))
func (s *store) publicFile(ctx context.Context, ticketID, attachmentID int64) (Attachment, error) {
	var rows []struct {
		Attachment
		Fields string
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT a.id, a.filename, a.mime, a.size, a.available, a.storage_key, m.fields
		FROM attachments a JOIN messages m ON m.id = a.message_id
		WHERE a.id = ? AND m.ticket_id = ? AND a.available AND (m.direction = `+domain.SQLDirectionIn+`
			OR (m.direction = `+domain.SQLDirectionOut+` AND m.delivery_status IN `+domain.PublicStatusesSQL+`))`, attachmentID, ticketID).
		Scan(&rows).Error; err != nil {
		return Attachment{}, fmt.Errorf("ticket: public file: %w", err)
	}
	if len(rows) == 0 || phoneRecord(rows[0].Fields) {
		return Attachment{}, ErrNotFound
	}
	return rows[0].Attachment, nil
}
