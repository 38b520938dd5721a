package ticket

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/mask"
)

// Agents' internal notes. A note is a message of direction "note": it is
// never published on the outbound stream, so no channel ever delivers it,
// and the citizen's status page lists only "in" and reached "out" messages
// (publicMessages). System notes (a transfer, a release; written by
// routing) carry their kind in Fields[NoteKindField]; a note an agent
// wrote carries NoteKindAgent there, so readers tell the two apart.

// NoteKindField is the Fields key that names a note's kind (routing writes
// it on its system notes too).
const NoteKindField = "note_kind"

// NoteKindAgent marks a note an agent wrote.
const NoteKindAgent = "agent"

// NoteMentionsField lists the agent ids a note mentions ("3,7").
const NoteMentionsField = "mentions"

// MaxNoteRunes bounds an internal note.
const MaxNoteRunes = 10000

// NoteHook runs inside the note's transaction once the note row exists,
// with the ticket as locked: what must be stored with the note (the
// notifications of its mentions) is stored here, or the note is not.
type NoteHook func(ctx context.Context, tx *gorm.DB, t Summary, messageID int64, now time.Time) error

// VisibleTo reports whether viewer may see (and so work) ticket t: the
// rule every ticket read applies.
func VisibleTo(viewer agent.Agent, t Summary) bool { return visible(viewer, t) }

// CanMove reports whether an agent may move a ticket from one status to
// another (the same status is no move and allowed).
func CanMove(from, to domain.TicketStatus) bool {
	return from == to || (to != domain.StatusNew && allowed(from, to))
}

// AddNote stores an agent's internal note on a ticket the viewer may see,
// with extra fields (mentions), and runs hook in the same transaction. It
// publishes nothing outbound. Closed tickets take notes too: a note is
// the team's record, not a message to the citizen.
func (s *Service) AddNote(ctx context.Context, viewer agent.Agent, ticketID int64, body string, fields map[string]string, hook NoteHook) (Message, error) {
	body = strings.TrimSpace(body)
	var ve apperr.ValidationError
	switch {
	case body == "":
		ve.Add("body", "validation.body_required")
	case utf8.RuneCountInString(body) > MaxNoteRunes:
		ve.Add("body", "validation.too_long", "max", MaxNoteRunes)
	}
	if err := ve.Err(); err != nil {
		return Message{}, err
	}
	all := map[string]string{}
	for k, v := range fields {
		all[k] = v
	}
	all[NoteKindField] = NoteKindAgent
	raw, err := json.Marshal(all)
	if err != nil {
		return Message{}, fmt.Errorf("ticket: note fields: %w", err)
	}
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Message{}, fmt.Errorf("ticket: random: %w", err)
	}
	now := time.Now().UTC()
	var msg Message
	var t Summary
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		t, err = s.lockVisible(ctx, tx, viewer, ticketID)
		if err != nil {
			return err
		}
		id, err := s.store.insertNote(ctx, tx, t.ID, t.Channel, viewer.ID, "note-"+hex.EncodeToString(b[:]), body, string(raw), now)
		if err != nil {
			return err
		}
		if err := s.store.audit(ctx, tx, viewer.ID, "ticket.note", t.ID, fmt.Sprintf("message %d", id), now); err != nil {
			return err
		}
		if hook != nil {
			if err := hook(ctx, tx, t, id, now); err != nil {
				return err
			}
		}
		agentID := viewer.ID
		msg = Message{ID: id, Direction: domain.DirectionNote, Channel: t.Channel, Body: body, Author: viewer.Name, AgentID: &agentID,
			CreatedAt: now, Attachments: []Attachment{}, Fields: all}
		return nil
	})
	if err != nil {
		return Message{}, err
	}
	// The event tells the ticket's audience (agents only) that the thread
	// grew; its preview stays empty so no list shows a note as the
	// citizen's last word.
	s.emit(ctx, bus.MessageCreated{Scope: t.event(now).Scope, MessageID: msg.ID, Direction: domain.DirectionNote, Channel: t.Channel, At: now})
	return msg, nil
}

// NotePreview is the masked start of a note, as events and notifications
// show it.
func NotePreview(body string) string { return mask.Preview(body) }

// insertNote writes an internal note.
//
//	INSERT INTO messages (ticket_id, direction, channel, provider_message_id, agent_id, body, fields, created_at, updated_at)
//	VALUES (?, 'note', ?, ?, ?, ?, ?, ?, ?) RETURNING id
func (s *store) insertNote(ctx context.Context, tx *gorm.DB, ticketID int64, channel string, agentID int64, providerID, body, fields string, now time.Time) (int64, error) {
	var id int64
	err := tx.WithContext(ctx).Raw(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, agent_id, body, fields, created_at, updated_at)
		VALUES (?, `+domain.SQLDirectionNote+`, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ticketID, channel, providerID, agentID, body, fields, now, now).Scan(&id).Error
	if err != nil {
		return 0, fmt.Errorf("ticket: insert note: %w", err)
	}
	return id, nil
}
