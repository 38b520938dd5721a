package contact

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"tanggap/internal/agent"
)

// Merge moves contact fromID's tickets, identities and notes to contact
// intoID (supervisors and admins only) and records what moved. fromID
// stays as a tombstone pointing at intoID until a split.
//
// Both contact rows are locked first, in id order, so concurrent merges
// of the same contacts run one after the other and the later one finds
// the tombstone (ErrMerged); ingest batches that hold a contact (see
// followMerged) finish first, so nothing of theirs is left behind.
func (h *HistoryService) Merge(ctx context.Context, viewer agent.Agent, intoID, fromID int64) (Merge, error) {
	if !viewer.SeesAll() {
		return Merge{}, ErrForbidden
	}
	if intoID == fromID {
		return Merge{}, ErrSameContact
	}
	now := h.now()
	m := Merge{IntoID: intoID, FromID: fromID, AgentID: viewer.ID, AgentName: viewer.Name, CreatedAt: now}
	err := h.db.Tx(ctx, func(tx *gorm.DB) error {
		tx = tx.WithContext(ctx)
		locked, err := lockContacts(tx, intoID, fromID)
		if err != nil {
			return err
		}
		into, from := locked[intoID], locked[fromID]
		if into.MergedIntoID != nil || from.MergedIntoID != nil {
			return ErrMerged
		}
		var nameFilled, provinceFilled string
		if into.Name == "" && from.Name != "" {
			nameFilled = from.Name
		}
		if into.ProvinceCode == "" && from.ProvinceCode != "" {
			provinceFilled = from.ProvinceCode
		}
		if m.ID, err = insertMerge(tx, intoID, fromID, viewer.ID, nameFilled, provinceFilled, now); err != nil {
			return err
		}
		reason := fmt.Sprintf("merge %d", m.ID)
		if m.TicketIDs, err = h.tickets.MoveAllToContact(ctx, tx, fromID, intoID, viewer.ID, reason, now); err != nil {
			return err
		}
		if m.IdentityIDs, err = moveAll(tx, "contact_identities", fromID, intoID); err != nil {
			return err
		}
		if m.NoteIDs, err = moveAll(tx, "contact_notes", fromID, intoID); err != nil {
			return err
		}
		if err := insertItems(tx, m); err != nil {
			return err
		}
		if err := fillFromMerge(tx, intoID, nameFilled, provinceFilled, now); err != nil {
			return err
		}
		return setMergedInto(tx, fromID, &intoID, now)
	})
	if err != nil {
		return Merge{}, err
	}
	h.log.Info("contacts merged", "merge_id", m.ID, "into", intoID, "from", fromID, "agent_id", viewer.ID,
		"tickets", len(m.TicketIDs), "identities", len(m.IdentityIDs), "notes", len(m.NoteIDs))
	return m, nil
}

// Split undoes merge mergeID: exactly the tickets, identities and notes it
// moved go back to the merged contact, which is live again; a name or
// province the merge filled in is emptied again when still unchanged.
// Refused when the surviving contact was merged into another since
// (ErrMergedSince) or when anything recorded is no longer where the merge
// put it (ErrSplitMismatch; nothing changes).
func (h *HistoryService) Split(ctx context.Context, viewer agent.Agent, mergeID int64) (Merge, error) {
	if !viewer.SeesAll() {
		return Merge{}, ErrForbidden
	}
	now := h.now()
	var m Merge
	err := h.db.Tx(ctx, func(tx *gorm.DB) error {
		tx = tx.WithContext(ctx)
		rec, err := getMerge(tx, mergeID)
		if err != nil {
			return err
		}
		locked, err := lockContacts(tx, rec.IntoID, rec.FromID)
		if err != nil {
			return err
		}
		// Re-read under the contacts' locks: a concurrent split of the
		// same merge has committed by now.
		if rec, err = getMerge(tx, mergeID); err != nil {
			return err
		}
		if rec.UndoneAt != nil {
			return ErrMergeUndone
		}
		into, from := locked[rec.IntoID], locked[rec.FromID]
		if into.MergedIntoID != nil {
			return ErrMergedSince
		}
		if from.MergedIntoID == nil || *from.MergedIntoID != rec.IntoID {
			return ErrSplitMismatch
		}
		reason := fmt.Sprintf("split of merge %d", rec.ID)
		moved, err := h.tickets.MoveToContact(ctx, tx, rec.TicketIDs, rec.IntoID, rec.FromID, viewer.ID, reason, now)
		if err != nil {
			return err
		}
		if len(moved) != len(rec.TicketIDs) {
			return ErrSplitMismatch
		}
		for _, t := range []struct {
			table string
			ids   []int64
		}{{"contact_identities", rec.IdentityIDs}, {"contact_notes", rec.NoteIDs}} {
			n, err := moveBack(tx, t.table, t.ids, rec.IntoID, rec.FromID)
			if err != nil {
				return err
			}
			if n != len(t.ids) {
				return ErrSplitMismatch
			}
		}
		if err := unfill(tx, rec, now); err != nil {
			return err
		}
		if err := setMergedInto(tx, rec.FromID, nil, now); err != nil {
			return err
		}
		if err := markUndone(tx, rec.ID, viewer.ID, now); err != nil {
			return err
		}
		m = rec.Merge
		m.UndoneAt, m.UndoneBy, m.UndoneByName = &now, &viewer.ID, viewer.Name
		return nil
	})
	if err != nil {
		return Merge{}, err
	}
	h.log.Info("contact merge split", "merge_id", m.ID, "into", m.IntoID, "from", m.FromID, "agent_id", viewer.ID)
	return m, nil
}

// LatestMerge is the newest merge into contactID not yet split, for
// "split this contact" without naming the merge.
func (h *HistoryService) LatestMerge(ctx context.Context, contactID int64) (int64, error) {
	id, err := latestOpenMerge(h.db.WithContext(ctx), contactID)
	if err != nil {
		return 0, err
	}
	if id == 0 {
		return 0, ErrMergeNotFound
	}
	return id, nil
}
