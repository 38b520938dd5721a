package routing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/ticket"
)

// Actor is who asks for a manual routing change.
type Actor struct {
	ID int64
	// Supervisor: supervisors and admins may act on any ticket and assign
	// anyone; agents only on tickets of their queues or their own.
	Supervisor bool
}

// MaxNoteRunes bounds a transfer note.
const MaxNoteRunes = 2000

// Claim gives a waiting ticket of one of the agent's queues to the agent
// (online, away or busy; capacity permitting).
func (r *Router) Claim(ctx context.Context, by Actor, ticketID int64) error {
	var queueID int64
	var ev bus.Ticket
	err := r.tx(ctx, func(tx *gorm.DB) error {
		t, err := lockTicket(tx, r.db.Dialect, ticketID)
		if err != nil {
			return err
		}
		if err := ticket.CheckNotRestricted(ctx, tx, ticketID); err != nil {
			return err // the citizen restricted processing: no agent moves it
		}
		if t.AssigneeID != nil || !t.Status.Active() {
			return fmt.Errorf("ticket %d is assigned or not active: %w", ticketID, ErrConflict)
		}
		if t.QueueID != nil {
			queueID = *t.QueueID
		}
		if !by.Supervisor {
			if ok, err := isMember(tx, by.ID, queueID); err != nil || !ok {
				return errors.Join(err, ErrForbidden)
			}
		}
		ev = t.event(queueID, by.ID, time.Now().UTC())
		return r.takeOrFail(tx, by.ID, t, queueID, notOffline)
	})
	if err != nil {
		return err
	}
	bus.EmitIn(ctx, r.events, bus.TicketAssigned(ev))
	return nil
}

// takeOrFail runs take and turns a refusal into an error.
func (r *Router) takeOrFail(tx *gorm.DB, agentID int64, t ticketRow, queueID int64, presence string) error {
	turn := false
	if conf, err := r.settings.conf(tx.Statement.Context); err == nil {
		turn = roundRobin(conf.byID[queueID])
	}
	res, err := r.take(tx, agentID, t.ID, queueID, t.Channel, presence, turn, time.Now().UTC())
	if err != nil {
		return err
	}
	switch res {
	case agentFull, channelFull:
		return fmt.Errorf("agent %d: %w", agentID, ErrNoCapacity)
	case ticketTaken:
		return fmt.Errorf("ticket %d taken meanwhile: %w", t.ID, ErrConflict)
	}
	return nil
}

// Unclaim gives an agent's ticket back to its queue, where the next
// candidate (not the same agent) gets it at once.
func (r *Router) Unclaim(ctx context.Context, by Actor, ticketID int64, note string) error {
	return r.Transfer(ctx, by, ticketID, Target{}, note)
}

// Target is where a transfer goes: an agent, a queue, or (both empty) back
// to the ticket's own queue.
type Target struct {
	AgentID int64
	Queue   string
}

// Transfer moves a ticket to another agent or queue, with an internal note
// in its thread. The assignee (or a supervisor) may transfer; the target
// agent must be working (not offline) and have room. A ticket moved to a
// queue is offered there at once.
func (r *Router) Transfer(ctx context.Context, by Actor, ticketID int64, to Target, note string) error {
	note = strings.TrimSpace(note)
	if len([]rune(note)) > MaxNoteRunes {
		return fmt.Errorf("%w: note longer than %d characters", ErrInvalid, MaxNoteRunes)
	}
	if to.AgentID != 0 && to.Queue != "" {
		return fmt.Errorf("%w: transfer to an agent or a queue, not both", ErrInvalid)
	}
	var newQueue int64
	if to.Queue != "" {
		id, err := r.settings.lookupQueue(ctx, r.db.DB, to.Queue)
		if err != nil {
			return err
		}
		newQueue = id
	}
	var from, queueID, left int64
	var ev bus.Ticket
	now := time.Now().UTC()
	err := r.tx(ctx, func(tx *gorm.DB) error {
		from, queueID, left = 0, 0, 0
		t, err := lockTicket(tx, r.db.Dialect, ticketID)
		if err != nil {
			return err
		}
		if err := ticket.CheckNotRestricted(ctx, tx, ticketID); err != nil {
			return err // the citizen restricted processing: no agent moves it
		}
		if !t.Status.Active() {
			return fmt.Errorf("ticket %d: %w", ticketID, ErrTicketInactive)
		}
		if t.AssigneeID != nil {
			from = *t.AssigneeID
		}
		if !by.Supervisor && from != by.ID {
			return fmt.Errorf("ticket %d is not the actor's: %w", ticketID, ErrForbidden)
		}
		if t.QueueID != nil {
			queueID = *t.QueueID
		}
		if newQueue != 0 && newQueue != queueID {
			left, queueID = queueID, newQueue
		}
		if err := lockAgents(tx, r.db.Dialect, from, to.AgentID); err != nil {
			return err
		}
		if from != 0 {
			if to.AgentID == from {
				return fmt.Errorf("%w: the ticket is already with that agent", ErrInvalid)
			}
			if err := release(tx, ticketID); err != nil {
				return err
			}
			res := ticket.UnassignToQueue(tx, ticketID, from, queueID, now)
			if res.Error != nil {
				return fmt.Errorf("%w: unassign: %w", ErrStore, res.Error)
			}
			if res.RowsAffected != 1 {
				return fmt.Errorf("ticket %d changed hands meanwhile: %w", ticketID, ErrConflict)
			}
		} else if err := ticket.MoveToQueue(tx, ticketID, queueID, now).Error; err != nil {
			return fmt.Errorf("%w: set queue: %w", ErrStore, err)
		}
		t.AssigneeID = nil
		if to.AgentID != 0 {
			if err := r.takeOrFail(tx, to.AgentID, t, queueID, notOffline); err != nil {
				return err
			}
		}
		ev = t.event(queueID, to.AgentID, now)
		ev.PreviousAssigneeID, ev.PreviousQueueID = from, left
		detail := transferDetail(from, to)
		if err := addNote(tx, t, by.ID, transferNote(from, to, queueID), note, now); err != nil {
			return err
		}
		return audit(tx, by.ID, "ticket.transfer", ticketID, detail, now)
	})
	if err != nil {
		return err
	}
	// Back to its own queue is a return (unassigned); to another agent or
	// queue a transfer. Either way the event names who lost the ticket,
	// before Offer announces who got it.
	if to.AgentID == 0 && to.Queue == "" {
		bus.EmitIn(ctx, r.events, bus.TicketUnassigned(ev))
	} else {
		bus.EmitIn(ctx, r.events, bus.TicketTransferred(ev))
	}
	if to.AgentID == 0 {
		if _, err := r.Offer(ctx, ticketID, from); err != nil {
			r.log.Warn("offer transferred ticket", "ticket_id", ticketID, "err", err)
		}
	}
	if from != 0 {
		if _, err := r.assignWaiting(ctx, from, []int64{ticketID}, true); err != nil {
			r.log.Warn("assign waiting after transfer", "agent_id", from, "err", err)
		}
	}
	return nil
}

// Fields of a transfer note (messages.fields): what happened, by ids, so
// the API renders it in the viewer's language with today's names. The
// note's body is the agent's own note only.
const (
	NoteKindField     = ticket.NoteKindField
	NoteKindTransfer  = "transfer" // to an agent or another queue
	NoteKindRelease   = "release"  // back to the ticket's own queue
	NoteFromAgent     = "from_agent_id"
	NoteToAgent       = "to_agent_id"
	NoteToQueue       = "to_queue_id"
	NoteToQueueCode   = "to_queue"
	noteFieldsVersion = "1" // the fields' shape
)

// transferNote is the structured record of a transfer or release.
func transferNote(from int64, to Target, queueID int64) map[string]string {
	f := map[string]string{NoteKindField: NoteKindTransfer, "v": noteFieldsVersion, NoteFromAgent: strconv.FormatInt(from, 10)}
	switch {
	case to.AgentID != 0:
		f[NoteToAgent] = strconv.FormatInt(to.AgentID, 10)
	case to.Queue != "":
		f[NoteToQueue], f[NoteToQueueCode] = strconv.FormatInt(queueID, 10), to.Queue
	default:
		f[NoteKindField] = NoteKindRelease
		f[NoteToQueue] = strconv.FormatInt(queueID, 10)
	}
	return f
}

// transferDetail is the audit log's line for a transfer.
func transferDetail(from int64, to Target) string {
	switch {
	case to.AgentID != 0:
		return fmt.Sprintf("transfer: agent %d -> agent %d", from, to.AgentID)
	case to.Queue != "":
		return fmt.Sprintf("transfer: agent %d -> queue %s", from, to.Queue)
	}
	return fmt.Sprintf("release: agent %d -> queue", from)
}

// Assign is a supervisor giving a ticket to any agent, whatever their
// presence, capacity permitting; the previous assignee (if any) is
// released.
func (r *Router) Assign(ctx context.Context, by Actor, ticketID, agentID int64) error {
	if !by.Supervisor {
		return ErrForbidden
	}
	var from, queueID int64
	var ev bus.Ticket
	now := time.Now().UTC()
	err := r.tx(ctx, func(tx *gorm.DB) error {
		t, err := lockTicket(tx, r.db.Dialect, ticketID)
		if err != nil {
			return err
		}
		if err := ticket.CheckNotRestricted(ctx, tx, ticketID); err != nil {
			return err // the citizen restricted processing: no agent moves it
		}
		if !t.Status.Active() {
			return fmt.Errorf("ticket %d is not active: %w", ticketID, ErrConflict)
		}
		var active int64
		if err := tx.Raw(`SELECT COUNT(*) FROM agents WHERE id = ? AND deactivated_at IS NULL`, agentID).Scan(&active).Error; err != nil {
			return fmt.Errorf("%w: agent: %w", ErrStore, err)
		}
		if active == 0 {
			return fmt.Errorf("agent %d is not an active account: %w", agentID, ErrAgentNotFound)
		}
		from, queueID = 0, 0
		if t.QueueID != nil {
			queueID = *t.QueueID
		}
		if t.AssigneeID != nil {
			from = *t.AssigneeID
			if from == agentID {
				return nil
			}
			if err := lockAgents(tx, r.db.Dialect, from, agentID); err != nil {
				return err
			}
			if err := release(tx, ticketID); err != nil {
				return err
			}
			res := ticket.Unassign(tx, ticketID, from, now)
			if res.Error != nil || res.RowsAffected != 1 {
				return errors.Join(res.Error, fmt.Errorf("ticket %d changed hands meanwhile: %w", ticketID, ErrConflict))
			}
			t.AssigneeID = nil
		}
		if err := r.takeOrFail(tx, agentID, t, queueID, anyPresence); err != nil {
			return err
		}
		ev = t.event(queueID, agentID, now)
		ev.PreviousAssigneeID = from
		return audit(tx, by.ID, "ticket.assign", ticketID, fmt.Sprintf("agent %d -> agent %d", from, agentID), now)
	})
	if err != nil {
		return err
	}
	switch {
	case from == agentID: // already theirs: nothing changed
	case from != 0: // taken from someone: a transfer
		bus.EmitIn(ctx, r.events, bus.TicketTransferred(ev))
	default:
		bus.EmitIn(ctx, r.events, bus.TicketAssigned(ev))
	}
	if from != 0 && from != agentID {
		if _, err := r.AssignWaiting(ctx, from); err != nil {
			r.log.Warn("assign waiting after reassignment", "agent_id", from, "err", err)
		}
	}
	return nil
}

// SetPriority is an agent changing a ticket's priority. The SLA due times
// stay: they were promised when the ticket arrived.
func (r *Router) SetPriority(ctx context.Context, by Actor, ticketID int64, priority domain.Priority) error {
	if !priority.Known() {
		return fmt.Errorf("%w: priority %q", ErrInvalid, priority)
	}
	now := time.Now().UTC()
	var ev bus.Ticket
	err := r.tx(ctx, func(tx *gorm.DB) error {
		t, err := lockTicket(tx, r.db.Dialect, ticketID)
		if err != nil {
			return err
		}
		if err := ticket.CheckNotRestricted(ctx, tx, ticketID); err != nil {
			return err // the citizen restricted processing: no agent moves it
		}
		if !by.Supervisor {
			mine := t.AssigneeID != nil && *t.AssigneeID == by.ID
			member := false
			if t.QueueID != nil {
				if member, err = isMember(tx, by.ID, *t.QueueID); err != nil {
					return err
				}
			}
			if !mine && !member {
				return ErrForbidden
			}
		}
		if err := ticket.SetPriority(tx, ticketID, priority, now).Error; err != nil {
			return fmt.Errorf("%w: set priority: %w", ErrStore, err)
		}
		ev = t.event(idOf(t.QueueID), idOf(t.AssigneeID), now)
		ev.Priority = priority
		return audit(tx, by.ID, "ticket.priority", ticketID, string(t.Priority+" -> "+priority), now)
	})
	if err != nil {
		return err
	}
	bus.EmitIn(ctx, r.events, bus.TicketUpdated(ev))
	return nil
}

// PresenceChanged reacts to an agent's new presence (after it is stored):
// online takes waiting tickets now; offline returns tickets per the
// configuration and offers them to others; away starts the grace period
// after which Sweep returns them.
func (r *Router) PresenceChanged(ctx context.Context, agentID int64, presence domain.Presence) error {
	now := time.Now().UTC()
	if err := r.tx(ctx, func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE agents SET presence_changed_at = ? WHERE id = ? AND presence = ?`, now, agentID, presence).Error
	}); err != nil {
		return fmt.Errorf("%w: presence time: %w", ErrStore, err)
	}
	// Everyone who may transfer to the agent sees the change; presence
	// changes are rare, so reading the agent's queues here costs nothing.
	// An event is a hint: a failed read skips it, not the change.
	ev := bus.AgentPresence{AgentID: agentID, Presence: presence, At: now}
	if err := r.db.WithContext(ctx).Raw(`SELECT queue_id FROM queue_members WHERE agent_id = ? ORDER BY queue_id`, agentID).
		Scan(&ev.QueueIDs).Error; err != nil {
		r.log.Warn("agent presence event", "agent_id", agentID, "err", err)
	} else {
		if ev.QueueIDs == nil {
			ev.QueueIDs = []int64{}
		}
		bus.EmitIn(ctx, r.events, ev)
	}
	switch presence {
	case domain.PresenceOnline:
		_, err := r.AssignWaiting(ctx, agentID)
		return err
	case domain.PresenceOffline:
		_, err := r.ReturnTickets(ctx, agentID)
		return err
	}
	return nil
}

// ReturnTickets takes an agent's tickets back to their queues (per
// ReturnTickets: unstarted or all active ones) and offers each to another
// agent. It returns the tickets returned.
func (r *Router) ReturnTickets(ctx context.Context, agentID int64) ([]int64, error) {
	return r.returnTickets(ctx, agentID, r.returns, "agent left", agentID, `presence <> `+domain.SQLPresenceOnline)
}

// AccountDeactivated takes every active ticket of a deactivated account
// back to its queue and offers it to another agent, whatever
// ReturnTickets says: nobody will work them there again. by is who
// deactivated it, the one the audit log names for each return. Called
// once the account is deactivated and before it is set offline, so the
// returns are told as the deactivation's (by whom, why), not as the
// agent's leaving.
func (r *Router) AccountDeactivated(ctx context.Context, agentID, by int64) error {
	_, err := r.returnTickets(ctx, agentID, ReturnActive, "account deactivated", by, `deactivated_at IS NOT NULL`)
	return err
}

// returnTickets is ReturnTickets with the policy returns while the agent
// is still away (the SQL condition on the agent's row); why goes to the
// audit log, as the doing of actor.
func (r *Router) returnTickets(ctx context.Context, agentID int64, returns, why string, actor int64, away string) ([]int64, error) {
	if returns == ReturnNone {
		return nil, nil
	}
	cond := `status IN ` + domain.ActiveStatusesSQL
	if returns == ReturnUnstarted {
		cond = `status = ` + domain.SQLStatusNew + ` AND first_response_at IS NULL`
	}
	var ids []int64
	if err := r.db.WithContext(ctx).Raw(`SELECT id FROM tickets WHERE assignee_id = ? AND `+cond+` ORDER BY id`, agentID).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("%w: agent's tickets: %w", ErrStore, err)
	}
	var back []int64
	now := time.Now().UTC()
	for _, id := range ids {
		ok := false
		var ev bus.Ticket
		err := r.tx(ctx, func(tx *gorm.DB) error {
			ok = false
			// The agent may have come back meanwhile: only return while
			// they are still away.
			var still []int64
			if err := tx.Raw(`SELECT id FROM agents WHERE id = ? AND `+away, agentID).Scan(&still).Error; err != nil {
				return fmt.Errorf("%w: presence: %w", ErrStore, err)
			}
			if len(still) == 0 {
				return nil
			}
			t, err := lockTicket(tx, r.db.Dialect, id)
			if err != nil {
				return err
			}
			// Re-check under the lock: the ticket may have been solved or
			// moved since the list was read; releasing it then would lower
			// a load it no longer holds.
			if t.AssigneeID == nil || *t.AssigneeID != agentID || !t.Status.Active() ||
				(returns == ReturnUnstarted && (t.Status != domain.StatusNew || t.FirstResponseAt != nil)) {
				return errRetry
			}
			if err := release(tx, id); err != nil {
				return err
			}
			res := ticket.Unassign(tx, id, agentID, now)
			if res.Error != nil {
				return fmt.Errorf("%w: return ticket: %w", ErrStore, res.Error)
			}
			if res.RowsAffected != 1 {
				return errRetry // moved meanwhile; the release is rolled back
			}
			ok = true
			ev = t.event(idOf(t.QueueID), 0, now)
			ev.PreviousAssigneeID = agentID
			return audit(tx, actor, "ticket.returned", id, why, now)
		})
		if errors.Is(err, errRetry) {
			continue
		}
		if err != nil {
			return back, err
		}
		if !ok {
			break
		}
		back = append(back, id)
		bus.EmitIn(ctx, r.events, bus.TicketUnassigned(ev))
		if _, err := r.Offer(ctx, id, agentID); err != nil {
			return back, err
		}
	}
	return back, nil
}

// lockAgents locks the given agents (0s ignored) in id order on
// PostgreSQL, before a transaction that changes two agents' loads, so it
// takes them in the same order as RouteNew's candidate lock.
//
//	SELECT id FROM agents WHERE id IN (?, ?) ORDER BY id FOR NO KEY UPDATE
func lockAgents(tx *gorm.DB, dialect db.Dialect, ids ...int64) error {
	var args []any
	for _, id := range ids {
		if id != 0 {
			args = append(args, id)
		}
	}
	if dialect != db.Postgres || len(args) < 2 {
		return nil
	}
	var got []int64
	if err := tx.Raw(`SELECT id FROM agents WHERE id IN (`+db.Placeholders(len(args))+`) ORDER BY id FOR NO KEY UPDATE`, args...).Scan(&got).Error; err != nil {
		return fmt.Errorf("%w: lock agents: %w", ErrStore, err)
	}
	return nil
}

// isMember reports whether an agent is in a queue.
func isMember(tx *gorm.DB, agentID, queueID int64) (bool, error) {
	var n int
	if err := tx.Raw(`SELECT COUNT(*) FROM queue_members WHERE agent_id = ? AND queue_id = ?`, agentID, queueID).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("%w: membership: %w", ErrStore, err)
	}
	return n > 0, nil
}

// addNote writes a system note in a ticket's thread: what happened as
// structured fields, the agent's own words (if any) as the body.
//
//	INSERT INTO messages (ticket_id, direction, channel, provider_message_id, agent_id, body, fields, created_at, updated_at)
//	VALUES (?, 'note', ?, ?, ?, ?, ?, ?, ?)
func addNote(tx *gorm.DB, t ticketRow, agentID int64, fields map[string]string, body string, now time.Time) error {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Errorf("routing: random: %w", err)
	}
	raw, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("routing: note fields: %w", err)
	}
	if err := ticket.InsertSystemNote(tx, t.ID, t.Channel, "note-"+hex.EncodeToString(b[:]), agentID, body, string(raw), now).Error; err != nil {
		return fmt.Errorf("%w: note: %w", ErrStore, err)
	}
	return nil
}

// audit records a routing action. An agentID or ticketID of 0 is stored
// as NULL (an admin change by no ticket's agent, or of no one ticket).
func audit(tx *gorm.DB, agentID int64, action string, ticketID int64, detail string, now time.Time) error {
	return auditMany(tx, agentID, action, []int64{ticketID}, detail, now)
}

// nullID is an id for a nullable column: 0 is NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
