package contact

import (
	"database/sql"
	"fmt"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/db"
)

// PostgreSQL forms of the batch statements (store.go dispatches here).
//
// Rows travel as one array parameter per column, expanded with unnest: the
// statement text is the same for every batch size (pgx prepares it once
// per connection), Bind carries a few arrays instead of thousands of
// values, and the identity lookup joins unnest to a LATERAL subquery with
// LIMIT 1, which can only run as one unique-index probe per identity. A
// `kind = ? AND value IN (…)` list, by contrast, let an unanalyzed table
// be scanned for every row of the kind. These statements bypass gorm's
// statement builder (it would expand slices into placeholder lists) and
// run on the transaction's own connection.

// lookupIdentitiesPG: see lookupIdentities. With lock it is also the
// batch's lock on the contacts it found (followMerged): the rows are
// locked in the order of their ids, after the sort, and a contact that a
// merge holds is read again once the merge has committed, its tombstone
// (merged_into_id) included.
//
//	SELECT ci.kind, ci.value, ci.contact_id, c.name, c.province_code, c.merged_into_id
//	FROM unnest($1::text[], $2::text[]) AS k(kind, value)
//	CROSS JOIN LATERAL (SELECT kind, value, contact_id FROM contact_identities
//	  WHERE kind = k.kind AND value = k.value LIMIT 1) ci
//	JOIN contacts c ON c.id = ci.contact_id
//	[ORDER BY c.id FOR KEY SHARE OF c]
func lookupIdentitiesPG(tx *gorm.DB, ids []ident, lock bool) (map[ident]owner, error) {
	kinds, values := make([]string, len(ids)), make([]string, len(ids))
	for i, id := range ids {
		kinds[i], values[i] = id.kind, id.value
	}
	q := `SELECT ci.kind, ci.value, ci.contact_id, c.name, c.province_code, c.merged_into_id
FROM unnest($1::text[], $2::text[]) AS k(kind, value)
CROSS JOIN LATERAL (SELECT kind, value, contact_id FROM contact_identities
  WHERE kind = k.kind AND value = k.value LIMIT 1) ci
JOIN contacts c ON c.id = ci.contact_id`
	if lock {
		q += `
ORDER BY c.id FOR KEY SHARE OF c`
	}
	out := make(map[ident]owner, len(ids))
	err := db.PGQuery(tx, q, []any{kinds, values}, func(r *sql.Rows) error {
		var id ident
		var o owner
		if err := r.Scan(&id.kind, &id.value, &o.contactID, &o.name, &o.province, &o.mergedInto); err != nil {
			return err
		}
		out[id] = o
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: lookup identities: %v", ErrStore, err)
	}
	return out, nil
}

// insertContactsPG: see insertContacts.
//
//	INSERT INTO contacts (name, province_code, created_at, updated_at)
//	SELECT u.name, u.province_code, $3, $3 FROM unnest($1::text[], $2::text[]) AS u(name, province_code)
//	RETURNING id, name, province_code
func insertContactsPG(tx *gorm.DB, created []*contactState, now time.Time) error {
	names, provinces := make([]string, len(created)), make([]string, len(created))
	for i, c := range created {
		names[i], provinces[i] = c.name, c.province
	}
	m := newReturned(created)
	if err := db.PGQuery(tx, `INSERT INTO contacts (name, province_code, created_at, updated_at)
SELECT u.name, u.province_code, $3::timestamptz, $3::timestamptz FROM unnest($1::text[], $2::text[]) AS u(name, province_code)
RETURNING id, name, province_code`, []any{names, provinces, now}, m.scan); err != nil {
		return fmt.Errorf("%w: insert contacts: %v", ErrStore, err)
	}
	return m.complete()
}

// insertIdentitiesPG: see insertIdentities; atts come sorted, and unnest
// keeps their order.
//
//	INSERT INTO contact_identities (contact_id, kind, value, created_at)
//	SELECT u.*, $4 FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u
//	ON CONFLICT (kind, value) DO NOTHING
//	RETURNING kind, value
func insertIdentitiesPG(tx *gorm.DB, p *batchPlan, atts []attachment, now time.Time) (map[ident]bool, error) {
	contacts := make([]int64, len(atts))
	kinds, values := make([]string, len(atts)), make([]string, len(atts))
	for i, a := range atts {
		contacts[i], kinds[i], values[i] = p.contact(a.ref).id, a.kind, a.value
	}
	won := make(map[ident]bool, len(atts))
	err := db.PGQuery(tx, `INSERT INTO contact_identities (contact_id, kind, value, created_at)
SELECT u.*, $4::timestamptz FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u
ON CONFLICT (kind, value) DO NOTHING
RETURNING kind, value`, []any{contacts, kinds, values, now}, scanIdents(won))
	if err != nil {
		return nil, fmt.Errorf("%w: insert identities: %v", ErrStore, err)
	}
	return won, nil
}
