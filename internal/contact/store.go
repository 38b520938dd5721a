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

// scanOwners reads rows of (kind, value, contact_id, name, province_code)
// into out.
func scanOwners(out map[ident]owner) func(*sql.Rows) error {
	return func(r *sql.Rows) error {
		var id ident
		var o owner
		if err := r.Scan(&id.kind, &id.value, &o.contactID, &o.name, &o.province); err != nil {
			return err
		}
		out[id] = o
		return nil
	}
}

// scanIdents reads rows of (kind, value) into a set.
func scanIdents(set map[ident]bool) func(*sql.Rows) error {
	return func(r *sql.Rows) error {
		var id ident
		if err := r.Scan(&id.kind, &id.value); err != nil {
			return err
		}
		set[id] = true
		return nil
	}
}

// lookupIdentities finds the owners of identities, with one SELECT per
// chunk (PostgreSQL: one statement, see lookupIdentitiesPG). The
// condition is written per kind, `kind = ? AND value IN (…)`, which SQLite
// runs as lookups on contact_identities_kind_value_key; a row-value
// `(kind, value) IN ((…),(…))` list measured far slower on PostgreSQL
// without statistics (231 ms for 500 pairs), so neither dialect uses it.
//
// With lock, on PostgreSQL, the contacts found are locked FOR KEY SHARE in
// id order and their tombstones read (followMerged); SQLite has one
// writer at a time, nothing to lock.
//
//	SELECT ci.kind, ci.value, ci.contact_id, c.name, c.province_code
//	FROM contact_identities ci JOIN contacts c ON c.id = ci.contact_id
//	WHERE (ci.kind = ? AND ci.value IN (?, …)) OR (ci.kind = ? AND …)
func lookupIdentities(tx *gorm.DB, ids []ident, lock bool) (map[ident]owner, error) {
	out := make(map[ident]owner, len(ids))
	byKind := map[string][]string{}
	seen := make(map[ident]bool, len(ids))
	var kinds []string
	uniq := make([]ident, 0, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		uniq = append(uniq, id)
		if _, ok := byKind[id.kind]; !ok {
			kinds = append(kinds, id.kind)
		}
		byKind[id.kind] = append(byKind[id.kind], id.value)
	}
	if db.IsPostgres(tx) {
		return lookupIdentitiesPG(tx, uniq, lock)
	}
	var (
		conds []string
		args  []any
		n     int
	)
	flush := func() error {
		if len(conds) == 0 {
			return nil
		}
		q := `SELECT ci.kind, ci.value, ci.contact_id, c.name, c.province_code
FROM contact_identities ci JOIN contacts c ON c.id = ci.contact_id
WHERE ` + strings.Join(conds, " OR ")
		err := db.Query(tx, q, args, scanOwners(out))
		if err != nil {
			return fmt.Errorf("%w: lookup identities: %v", ErrStore, err)
		}
		conds, args, n = conds[:0], args[:0], 0
		return nil
	}
	for _, k := range kinds {
		vals := byKind[k]
		for len(vals) > 0 {
			take := min(len(vals), db.MaxParams-n)
			conds = append(conds, "(ci.kind = ? AND ci.value IN ("+db.Placeholders(take)+"))")
			args = append(args, k)
			for _, v := range vals[:take] {
				args = append(args, v)
			}
			vals, n = vals[take:], n+take
			if n >= db.MaxParams {
				if err := flush(); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// insertContacts creates the new contacts of a batch and fills their ids.
// RETURNING gives the rows back in an order neither database promises, so
// rows are matched on their content: rows with equal content are
// interchangeable because identities are attached only afterwards.
//
//	INSERT INTO contacts (name, province_code, created_at, updated_at)
//	VALUES (?, ?, ?, ?), … RETURNING id, name, province_code
func insertContacts(tx *gorm.DB, created []*contactState, now time.Time) error {
	if len(created) == 0 {
		return nil
	}
	if db.IsPostgres(tx) {
		return insertContactsPG(tx, created, now)
	}
	const per = db.MaxParams / 4
	for start := 0; start < len(created); start += per {
		part := created[start:min(len(created), start+per)]
		args := make([]any, 0, 4*len(part))
		for _, c := range part {
			args = append(args, c.name, c.province, now, now)
		}
		q := `INSERT INTO contacts (name, province_code, created_at, updated_at) VALUES ` +
			db.Tuples(len(part), 4) + ` RETURNING id, name, province_code`
		m := newReturned(part)
		if err := db.Query(tx, q, args, m.scan); err != nil {
			return fmt.Errorf("%w: insert contacts: %v", ErrStore, err)
		}
		if err := m.complete(); err != nil {
			return err
		}
	}
	return nil
}

// returned hands the rows of INSERT INTO contacts … RETURNING id, name,
// province_code back to the contacts that asked for them, matched on their
// content (see insertContacts for why that is enough).
type returned struct {
	waiting map[[2]string][]*contactState
	want, n int
}

func newReturned(cs []*contactState) *returned {
	m := &returned{waiting: make(map[[2]string][]*contactState, len(cs)), want: len(cs)}
	for _, c := range cs {
		k := [2]string{c.name, c.province}
		m.waiting[k] = append(m.waiting[k], c)
	}
	return m
}

func (m *returned) scan(r *sql.Rows) error {
	var id int64
	var k [2]string
	if err := r.Scan(&id, &k[0], &k[1]); err != nil {
		return err
	}
	q := m.waiting[k]
	if len(q) == 0 {
		return fmt.Errorf("returned row matches no new contact")
	}
	q[0].id, m.waiting[k] = id, q[1:]
	m.n++
	return nil
}

func (m *returned) complete() error {
	if m.n != m.want {
		return fmt.Errorf("%w: insert contacts: %d rows returned for %d", ErrStore, m.n, m.want)
	}
	return nil
}

// insertIdentities attaches the batch's unclaimed identities to their
// contacts and returns those another transaction committed first.
//
//	INSERT INTO contact_identities (contact_id, kind, value, created_at)
//	VALUES (?, ?, ?, ?), …
//	ON CONFLICT (kind, value) DO NOTHING
//	RETURNING kind, value
//
// Rows go in sorted (kind, value) order so two instances inserting
// overlapping identities take the unique-index locks in the same order
// and wait for each other instead of deadlocking. On PostgreSQL a row whose
// key another open transaction has inserted waits for it; when that one
// commits, the row is skipped and not returned.
func insertIdentities(tx *gorm.DB, p *batchPlan, now time.Time) ([]attachment, error) {
	atts := append([]attachment(nil), p.attachments...)
	sort.Slice(atts, func(i, j int) bool {
		if atts[i].kind != atts[j].kind {
			return atts[i].kind < atts[j].kind
		}
		return atts[i].value < atts[j].value
	})
	var lost []attachment
	if db.IsPostgres(tx) {
		won, err := insertIdentitiesPG(tx, p, atts, now)
		if err != nil {
			return nil, err
		}
		for _, a := range atts {
			if !won[a.ident] {
				lost = append(lost, a)
			}
		}
		return lost, nil
	}
	const per = db.MaxParams / 4
	for start := 0; start < len(atts); start += per {
		part := atts[start:min(len(atts), start+per)]
		args := make([]any, 0, 4*len(part))
		for _, a := range part {
			args = append(args, p.contact(a.ref).id, a.kind, a.value, now)
		}
		q := `INSERT INTO contact_identities (contact_id, kind, value, created_at) VALUES ` +
			db.Tuples(len(part), 4) + ` ON CONFLICT (kind, value) DO NOTHING RETURNING kind, value`
		won := make(map[ident]bool, len(part))
		err := db.Query(tx, q, args, scanIdents(won))
		if err != nil {
			return nil, fmt.Errorf("%w: insert identities: %v", ErrStore, err)
		}
		if len(won) == len(part) {
			continue
		}
		for _, a := range part {
			if !won[a.ident] {
				lost = append(lost, a)
			}
		}
	}
	return lost, nil
}

// adoptWinners handles identities lost to a concurrent instance. A new
// contact whose strongest identity was lost gives way to that identity's
// owner: its other identities move over and the contact row is deleted,
// all inside this transaction, so nobody ever saw it.
//
//	UPDATE contact_identities SET contact_id = ? WHERE contact_id = ?
//	DELETE FROM contacts WHERE id IN (?, …)
//
// An identity lost by an existing contact, or a weaker identity lost by a
// new one, simply belongs to someone else (no automatic merge).
func adoptWinners(tx *gorm.DB, p *batchPlan, lost []attachment) error {
	ids := make([]ident, len(lost))
	isLost := make(map[ident]bool, len(lost))
	for i, a := range lost {
		ids[i] = a.ident
		isLost[a.ident] = true
	}
	owners, err := lookupIdentities(tx, ids, false)
	if err != nil {
		return err
	}
	var gone []any
	for _, c := range p.created {
		if len(c.idents) == 0 {
			continue
		}
		strongest := c.idents[0]
		for _, id := range c.idents[1:] {
			if precedence[id.kind] < precedence[strongest.kind] {
				strongest = id
			}
		}
		if !isLost[strongest] {
			continue
		}
		w, ok := owners[strongest]
		if !ok {
			return fmt.Errorf("%w: identity lost to a concurrent insert but not found", ErrStore)
		}
		if err := tx.Exec(`UPDATE contact_identities SET contact_id = ? WHERE contact_id = ?`, w.contactID, c.id).Error; err != nil {
			return fmt.Errorf("%w: move identities: %v", ErrStore, err)
		}
		gone = append(gone, c.id)
		c.adoptedBy = w.contactID
		winner := &contactState{id: w.contactID, name: w.name, province: w.province}
		if w.name == "" {
			winner.setName = c.name
		}
		if w.province == "" {
			winner.setProvince = c.province
		} else {
			c.province = w.province
		}
		p.existing = append(p.existing, winner)
	}
	if len(gone) > 0 {
		if err := tx.Exec(`DELETE FROM contacts WHERE id IN (`+db.Placeholders(len(gone))+`)`, gone...).Error; err != nil {
			return fmt.Errorf("%w: delete superseded contacts: %v", ErrStore, err)
		}
	}
	return nil
}

// fillDetails sets the name and province of existing contacts where they
// are empty, in one statement. The CASE guards re-check emptiness in the
// database, so a value set meanwhile by someone else is kept.
//
//	UPDATE contacts SET
//	  name = CASE WHEN name = '' THEN COALESCE(CASE id WHEN ? THEN ? … END, '') ELSE name END,
//	  province_code = CASE WHEN province_code = '' THEN COALESCE(CASE id WHEN ? THEN ? … END, '') ELSE province_code END,
//	  updated_at = ?
//	WHERE id IN (?, …)
func fillDetails(tx *gorm.DB, p *batchPlan, now time.Time) error {
	var names, provs, ids []any
	seen := map[int64]bool{}
	for _, c := range p.existing {
		if (c.setName == "" && c.setProvince == "") || seen[c.id] {
			continue
		}
		seen[c.id] = true
		ids = append(ids, c.id)
		if c.setName != "" {
			names = append(names, c.id, c.setName)
		}
		if c.setProvince != "" {
			provs = append(provs, c.id, c.setProvince)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	caseOf := func(col string, pairs []any) string {
		if len(pairs) == 0 {
			return col
		}
		return "CASE WHEN " + col + " = '' THEN COALESCE(CASE id" +
			strings.Repeat(" WHEN ? THEN ?", len(pairs)/2) + " END, '') ELSE " + col + " END"
	}
	q := `UPDATE contacts SET name = ` + caseOf("name", names) +
		`, province_code = ` + caseOf("province_code", provs) +
		`, updated_at = ? WHERE id IN (` + db.Placeholders(len(ids)) + `)`
	args := append(append(append(append([]any{}, names...), provs...), now), ids...)
	if err := tx.Exec(q, args...).Error; err != nil {
		return fmt.Errorf("%w: fill contact details: %v", ErrStore, err)
	}
	return nil
}

// getContact reads one contact.
//
//	SELECT id, name, province_code, created_at, updated_at FROM contacts WHERE id = ?
func getContact(tx *gorm.DB, id int64) (Contact, error) {
	var c []Contact
	err := tx.Raw(`SELECT id, name, province_code, created_at, updated_at FROM contacts WHERE id = ?`, id).Scan(&c).Error
	if err != nil {
		return Contact{}, fmt.Errorf("%w: get contact: %v", ErrStore, err)
	}
	if len(c) == 0 {
		return Contact{}, fmt.Errorf("contact %d: %w", id, ErrNotFound)
	}
	return c[0], nil
}

// listIdentities reads a contact's identities, strongest kind first.
//
//	SELECT kind, value, created_at FROM contact_identities WHERE contact_id = ?
//	ORDER BY CASE kind WHEN 'nik' THEN 0 … END, id
func listIdentities(tx *gorm.DB, contactID int64) ([]Identity, error) {
	var out []Identity
	err := tx.Raw(`SELECT kind, value, created_at FROM contact_identities WHERE contact_id = ?
ORDER BY CASE kind WHEN 'nik' THEN 0 WHEN 'phone' THEN 1 WHEN 'email' THEN 2 ELSE 3 END, id`, contactID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("%w: list identities: %v", ErrStore, err)
	}
	return out, nil
}
