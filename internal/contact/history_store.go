package contact

import (
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
)

// SQL of the contact panel, notes, merges and duplicates. Every statement
// a request runs is served by an index (history_test.go proves it with
// EXPLAIN): contacts by primary key, identities by contact_id or by
// (kind, value), notes by (contact_id, created_at, id), merges by
// (into_id, created_at) or (from_id, created_at), merge items by their
// primary key.

// contactRow is a contact with its tombstone mark.
type contactRow struct {
	ID           int64
	Name         string
	ProvinceCode string
	MergedIntoID *int64
	CreatedAt    time.Time
}

// maxMergeHops bounds following tombstones (A merged into B merged into C…).
const maxMergeHops = 16

// getContactRow runs:
//
//	SELECT id, name, province_code, merged_into_id, created_at FROM contacts WHERE id = ?
func getContactRow(q *gorm.DB, id int64) (contactRow, error) {
	var rows []contactRow
	if err := q.Raw(`SELECT id, name, province_code, merged_into_id, created_at FROM contacts WHERE id = ?`, id).Scan(&rows).Error; err != nil {
		return contactRow{}, fmt.Errorf("%w: get contact: %v", ErrStore, err)
	}
	if len(rows) == 0 {
		return contactRow{}, fmt.Errorf("contact %d: %w", id, ErrNotFound)
	}
	return rows[0], nil
}

// liveContact reads contact id, following tombstones to the contact that
// survived the merges.
func liveContact(q *gorm.DB, id int64) (contactRow, error) {
	for range maxMergeHops {
		c, err := getContactRow(q, id)
		if err != nil || c.MergedIntoID == nil {
			return c, err
		}
		id = *c.MergedIntoID
	}
	return contactRow{}, fmt.Errorf("%w: contact %d: merges nested too deep", ErrStore, id)
}

// lockContacts reads and locks two contacts in id order (PostgreSQL: FOR
// UPDATE, which also waits for ingest batches holding them FOR KEY SHARE).
//
//	SELECT id, name, province_code, merged_into_id, created_at FROM contacts
//	WHERE id IN (?, ?) ORDER BY id FOR UPDATE
func lockContacts(tx *gorm.DB, a, b int64) (map[int64]contactRow, error) {
	q := `SELECT id, name, province_code, merged_into_id, created_at FROM contacts WHERE id IN (?, ?) ORDER BY id`
	if db.IsPostgres(tx) {
		q += ` FOR UPDATE`
	}
	var rows []contactRow
	if err := tx.Raw(q, a, b).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("%w: lock contacts: %v", ErrStore, err)
	}
	out := make(map[int64]contactRow, 2)
	for _, r := range rows {
		out[r.ID] = r
	}
	for _, id := range []int64{a, b} {
		if _, ok := out[id]; !ok {
			return nil, fmt.Errorf("contact %d: %w", id, ErrNotFound)
		}
	}
	return out, nil
}

// panelIdentities runs:
//
//	SELECT id, kind, value, created_at FROM contact_identities WHERE contact_id = ?
//	ORDER BY CASE kind WHEN 'nik' THEN 0 … END, id
func panelIdentities(q *gorm.DB, contactID int64) ([]PanelIdentity, error) {
	out := []PanelIdentity{}
	err := q.Raw(`SELECT id, kind, value, created_at FROM contact_identities WHERE contact_id = ?
ORDER BY CASE kind WHEN 'nik' THEN 0 WHEN 'phone' THEN 1 WHEN 'email' THEN 2 ELSE 3 END, id`, contactID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("%w: panel identities: %v", ErrStore, err)
	}
	return out, nil
}

// holdersOf is the identities of another contact than except with one of
// values, of that kind: e-mails by their lower-cased form.
func holdersOf(q *gorm.DB, kind string, values []string, except int64) ([]valueOwner, error) {
	if kind == KindEmail {
		return emailsIn(q, values, except)
	}
	return identitiesIn(q, kind, values, except)
}

// identitiesIn finds other contacts' identities of one kind among values.
//
//	SELECT contact_id, value FROM contact_identities WHERE kind = ? AND value IN (…) AND contact_id <> ?
func identitiesIn(q *gorm.DB, kind string, values []string, except int64) ([]valueOwner, error) {
	var rows []valueOwner
	values = uniq(values)
	if len(values) == 0 {
		return nil, nil
	}
	if err := q.Raw(`SELECT contact_id, value FROM contact_identities WHERE kind = ? AND value IN ? AND contact_id <> ?`,
		kind, values, except).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("%w: identities by value: %v", ErrStore, err)
	}
	return rows, nil
}

// valueOwner is an identity value and its contact.
type valueOwner struct {
	ContactID int64
	Value     string
}

// emailsIn finds other contacts' e-mails equal to one of values in any
// letter case (index contact_identities_lower_idx).
//
//	SELECT contact_id, value FROM contact_identities
//	WHERE kind = 'email' AND lower(value) IN (…) AND contact_id <> ?
func emailsIn(q *gorm.DB, values []string, except int64) ([]valueOwner, error) {
	lower := make([]string, len(values))
	for i, v := range values {
		lower[i] = strings.ToLower(v)
	}
	lower = uniq(lower)
	if len(lower) == 0 {
		return nil, nil
	}
	var rows []valueOwner
	if err := q.Raw(`SELECT contact_id, value FROM contact_identities WHERE kind = 'email' AND lower(value) IN ? AND contact_id <> ?`,
		lower, except).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("%w: e-mails by value: %v", ErrStore, err)
	}
	return rows, nil
}

// maxNotes bounds the notes one panel read returns (newest first).
const maxNotes = 200

// listNotes runs:
//
//	SELECT n.id, n.agent_id, a.name, n.body, n.created_at FROM contact_notes n
//	JOIN agents a ON a.id = n.agent_id WHERE n.contact_id = ?
//	ORDER BY n.created_at DESC, n.id DESC LIMIT 200
func listNotes(q *gorm.DB, contactID int64) ([]Note, error) {
	out := []Note{}
	err := q.Raw(`SELECT n.id, n.agent_id, a.name AS agent_name, n.body, n.created_at FROM contact_notes n
JOIN agents a ON a.id = n.agent_id WHERE n.contact_id = ?
ORDER BY n.created_at DESC, n.id DESC LIMIT ?`, contactID, maxNotes).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("%w: notes: %v", ErrStore, err)
	}
	return out, nil
}

// insertNote runs:
//
//	INSERT INTO contact_notes (contact_id, agent_id, body, created_at) VALUES (?, ?, ?, ?) RETURNING id
func insertNote(tx *gorm.DB, contactID, agentID int64, body string, now time.Time) (int64, error) {
	var id int64
	if err := tx.Raw(`INSERT INTO contact_notes (contact_id, agent_id, body, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		contactID, agentID, body, now).Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("%w: insert note: %v", ErrStore, err)
	}
	return id, nil
}

// mergeRec is a stored merge with what it filled in.
type mergeRec struct {
	Merge
	NameFilled     string
	ProvinceFilled string
}

const mergeCols = `m.id, m.into_id, m.from_id, m.agent_id, a.name AS agent_name, m.created_at, m.undone_at, m.undone_by,
	COALESCE(u.name, '') AS undone_by_name, m.name_filled, m.province_filled`

const mergeJoins = `FROM contact_merges m JOIN agents a ON a.id = m.agent_id LEFT JOIN agents u ON u.id = m.undone_by`

// listMerges reads the merges a contact took part in, newest first, with
// what each moved.
//
//	SELECT … FROM contact_merges m … WHERE m.into_id = ? ORDER BY m.created_at DESC LIMIT 50
//	SELECT … FROM contact_merges m … WHERE m.from_id = ? ORDER BY m.created_at DESC LIMIT 50
//	SELECT merge_id, kind, item_id FROM contact_merge_items WHERE merge_id IN (…)
func listMerges(q *gorm.DB, contactID int64) ([]Merge, error) {
	var recs []mergeRec
	for _, col := range []string{"into_id", "from_id"} {
		var rows []mergeRec
		if err := q.Raw(`SELECT `+mergeCols+` `+mergeJoins+` WHERE m.`+col+` = ? ORDER BY m.created_at DESC, m.id DESC LIMIT 50`,
			contactID).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("%w: merges: %v", ErrStore, err)
		}
		recs = append(recs, rows...)
	}
	if err := fillItems(q, recs); err != nil {
		return nil, err
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].ID > recs[j].ID })
	out := make([]Merge, len(recs))
	for i, r := range recs {
		out[i] = r.Merge
	}
	return out, nil
}

// getMerge reads one merge with what it moved.
func getMerge(q *gorm.DB, id int64) (mergeRec, error) {
	var rows []mergeRec
	if err := q.Raw(`SELECT `+mergeCols+` `+mergeJoins+` WHERE m.id = ?`, id).Scan(&rows).Error; err != nil {
		return mergeRec{}, fmt.Errorf("%w: merge: %v", ErrStore, err)
	}
	if len(rows) == 0 {
		return mergeRec{}, fmt.Errorf("merge %d: %w", id, ErrMergeNotFound)
	}
	if err := fillItems(q, rows); err != nil {
		return mergeRec{}, err
	}
	return rows[0], nil
}

func fillItems(q *gorm.DB, recs []mergeRec) error {
	if len(recs) == 0 {
		return nil
	}
	idx := make(map[int64]*mergeRec, len(recs))
	ids := make([]int64, 0, len(recs))
	for i := range recs {
		recs[i].TicketIDs, recs[i].IdentityIDs, recs[i].NoteIDs = []int64{}, []int64{}, []int64{}
		idx[recs[i].ID] = &recs[i]
		ids = append(ids, recs[i].ID)
	}
	var items []struct {
		MergeID int64
		Kind    string
		ItemID  int64
	}
	if err := q.Raw(`SELECT merge_id, kind, item_id FROM contact_merge_items WHERE merge_id IN ? ORDER BY merge_id, kind, item_id`,
		ids).Scan(&items).Error; err != nil {
		return fmt.Errorf("%w: merge items: %v", ErrStore, err)
	}
	for _, it := range items {
		r := idx[it.MergeID]
		switch it.Kind {
		case "ticket":
			r.TicketIDs = append(r.TicketIDs, it.ItemID)
		case "identity":
			r.IdentityIDs = append(r.IdentityIDs, it.ItemID)
		case "note":
			r.NoteIDs = append(r.NoteIDs, it.ItemID)
		}
	}
	return nil
}

// insertMerge runs:
//
//	INSERT INTO contact_merges (into_id, from_id, agent_id, name_filled, province_filled, created_at)
//	VALUES (?, ?, ?, ?, ?, ?) RETURNING id
func insertMerge(tx *gorm.DB, into, from, agentID int64, name, province string, now time.Time) (int64, error) {
	var id int64
	if err := tx.Raw(`INSERT INTO contact_merges (into_id, from_id, agent_id, name_filled, province_filled, created_at)
VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, into, from, agentID, name, province, now).Scan(&id).Error; err != nil {
		return 0, fmt.Errorf("%w: insert merge: %v", ErrStore, err)
	}
	return id, nil
}

// insertItems records what a merge moved.
//
//	INSERT INTO contact_merge_items (merge_id, kind, item_id) VALUES (?, ?, ?), …
func insertItems(tx *gorm.DB, m Merge) error {
	var args []any
	for _, k := range []struct {
		kind string
		ids  []int64
	}{{"ticket", m.TicketIDs}, {"identity", m.IdentityIDs}, {"note", m.NoteIDs}} {
		for _, id := range k.ids {
			args = append(args, m.ID, k.kind, id)
		}
	}
	return db.Chunks(len(args)/3, 3, func(lo, hi int) error {
		if err := tx.Exec(`INSERT INTO contact_merge_items (merge_id, kind, item_id) VALUES `+db.Tuples(hi-lo, 3),
			args[3*lo:3*hi]...).Error; err != nil {
			return fmt.Errorf("%w: merge items: %v", ErrStore, err)
		}
		return nil
	})
}

// moveAll gives every row of table owned by from to to.
//
//	UPDATE contact_identities SET contact_id = ? WHERE contact_id = ? RETURNING id
//	UPDATE contact_notes SET contact_id = ? WHERE contact_id = ? RETURNING id
func moveAll(tx *gorm.DB, table string, from, to int64) ([]int64, error) {
	ids := []int64{}
	err := db.Query(tx, `UPDATE `+table+` SET contact_id = ? WHERE contact_id = ? RETURNING id`, []any{to, from},
		func(r *sql.Rows) error {
			var id int64
			if err := r.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("%w: move %s: %v", ErrStore, table, err)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

// moveBack gives the listed rows of table back from from to to and
// returns how many were still on from.
//
//	UPDATE contact_identities SET contact_id = ? WHERE contact_id = ? AND id IN (…)
func moveBack(tx *gorm.DB, table string, ids []int64, from, to int64) (int, error) {
	n := 0
	err := db.Chunks(len(ids), 2, func(lo, hi int) error {
		res := tx.Exec(`UPDATE `+table+` SET contact_id = ? WHERE contact_id = ? AND id IN (`+db.Placeholders(hi-lo)+`)`,
			append([]any{to, from}, db.Anys(ids[lo:hi])...)...)
		if res.Error != nil {
			return fmt.Errorf("%w: move back %s: %v", ErrStore, table, res.Error)
		}
		n += int(res.RowsAffected)
		return nil
	})
	return n, err
}

// fillFromMerge sets the survivor's empty name / province from the merged
// contact.
func fillFromMerge(tx *gorm.DB, id int64, name, province string, now time.Time) error {
	if name == "" && province == "" {
		return nil
	}
	if err := tx.Exec(`UPDATE contacts SET name = CASE WHEN name = '' THEN ? ELSE name END,
province_code = CASE WHEN province_code = '' THEN ? ELSE province_code END, updated_at = ? WHERE id = ?`,
		name, province, now, id).Error; err != nil {
		return fmt.Errorf("%w: fill from merge: %v", ErrStore, err)
	}
	return nil
}

// unfill empties what a merge filled in, where still unchanged.
func unfill(tx *gorm.DB, m mergeRec, now time.Time) error {
	if m.NameFilled == "" && m.ProvinceFilled == "" {
		return nil
	}
	if err := tx.Exec(`UPDATE contacts SET name = CASE WHEN ? <> '' AND name = ? THEN '' ELSE name END,
province_code = CASE WHEN ? <> '' AND province_code = ? THEN '' ELSE province_code END, updated_at = ? WHERE id = ?`,
		m.NameFilled, m.NameFilled, m.ProvinceFilled, m.ProvinceFilled, now, m.IntoID).Error; err != nil {
		return fmt.Errorf("%w: unfill: %v", ErrStore, err)
	}
	return nil
}

// setMergedInto runs:
//
//	UPDATE contacts SET merged_into_id = ?, updated_at = ? WHERE id = ?
func setMergedInto(tx *gorm.DB, id int64, into *int64, now time.Time) error {
	if err := tx.Exec(`UPDATE contacts SET merged_into_id = ?, updated_at = ? WHERE id = ?`, into, now, id).Error; err != nil {
		return fmt.Errorf("%w: mark merged: %v", ErrStore, err)
	}
	return nil
}

// markUndone runs:
//
//	UPDATE contact_merges SET undone_at = ?, undone_by = ? WHERE id = ?
func markUndone(tx *gorm.DB, id, agentID int64, now time.Time) error {
	if err := tx.Exec(`UPDATE contact_merges SET undone_at = ?, undone_by = ? WHERE id = ?`, now, agentID, id).Error; err != nil {
		return fmt.Errorf("%w: mark split: %v", ErrStore, err)
	}
	return nil
}

// latestOpenMerge runs:
//
//	SELECT id FROM contact_merges WHERE into_id = ? AND undone_at IS NULL
//	ORDER BY created_at DESC, id DESC LIMIT 1
func latestOpenMerge(q *gorm.DB, contactID int64) (int64, error) {
	var ids []int64
	if err := q.Raw(`SELECT id FROM contact_merges WHERE into_id = ? AND undone_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1`,
		contactID).Scan(&ids).Error; err != nil {
		return 0, fmt.Errorf("%w: latest merge: %v", ErrStore, err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

// followMerged is the ingest side of merges on PostgreSQL. A batch that
// found identities of existing contacts has locked those contacts FOR KEY
// SHARE (the lock an identity or ticket insert referencing them takes
// anyway, shared with other batches) in id order before writing anything,
// in the lookup itself (lookupIdentitiesPG): a merge holding one of them
// (FOR UPDATE) makes the batch wait, and when the merge has committed the
// lookup reads the tombstone, which this follows to the survivor (locked
// the same way), so nothing is filed under a merged contact. A merge that
// comes second waits for the batch and then moves what it wrote. SQLite
// runs one write transaction at a time, so the race does not exist there.
//
//	SELECT id, merged_into_id, name, province_code FROM contacts
//	WHERE id = ANY($1) ORDER BY id FOR KEY SHARE
//
// (only for a survivor of a tombstone the lookup found that the lookup
// did not find itself).
func followMerged(tx *gorm.DB, known map[ident]owner) error {
	if !db.IsPostgres(tx) || len(known) == 0 {
		return nil
	}
	type row struct {
		into           *int64
		name, province string
	}
	seen := map[int64]row{}
	for _, o := range known {
		seen[o.contactID] = row{into: o.mergedInto, name: o.name, province: o.province}
	}
	// A tombstone is followed even when its survivor was found too (the
	// citizen wrote with an identity of each): only a survivor not found
	// yet is read again.
	merged := false
	var ask []int64
	for _, o := range known {
		if o.mergedInto == nil {
			continue
		}
		merged = true
		if _, ok := seen[*o.mergedInto]; !ok {
			seen[*o.mergedInto] = row{}
			ask = append(ask, *o.mergedInto)
		}
	}
	for hop := 1; len(ask) > 0; hop++ {
		if hop == maxMergeHops {
			return fmt.Errorf("%w: merges nested too deep", ErrStore)
		}
		sort.Slice(ask, func(i, j int) bool { return ask[i] < ask[j] })
		var next []int64
		err := db.PGQuery(tx, `SELECT id, merged_into_id, name, province_code FROM contacts
WHERE id = ANY($1::bigint[]) ORDER BY id FOR KEY SHARE`, []any{ask}, func(r *sql.Rows) error {
			var id int64
			var into sql.NullInt64
			var rw row
			if err := r.Scan(&id, &into, &rw.name, &rw.province); err != nil {
				return err
			}
			if into.Valid {
				v := into.Int64
				rw.into = &v
				if _, ok := seen[v]; !ok {
					seen[v] = row{}
					next = append(next, v)
				}
			}
			seen[id] = rw
			return nil
		})
		if err != nil {
			return fmt.Errorf("%w: lock contacts: %v", ErrStore, err)
		}
		ask = next
	}
	if !merged {
		return nil
	}
	for id, o := range known {
		cur := o.contactID
		for range maxMergeHops {
			rw := seen[cur]
			if rw.into == nil {
				break
			}
			cur = *rw.into
		}
		if cur != o.contactID {
			known[id] = owner{contactID: cur, name: seen[cur].name, province: seen[cur].province}
		}
	}
	return nil
}
