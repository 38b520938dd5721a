package migrate_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"tanggap/internal/db"
	"tanggap/internal/migrate"
	"tanggap/internal/testenv"
)

// foreignKey is one referencing side: a child table's columns, in order.
type foreignKey struct {
	table   string
	columns []string
	parent  string
}

func (fk foreignKey) String() string {
	return fmt.Sprintf("%s(%s) → %s", fk.table, strings.Join(fk.columns, ", "), fk.parent)
}

// unindexedParents are the parent tables whose children need no index on
// their reference, and why. An index on messages.agent_id, say, would cost
// every stored message a write to spare a scan that never happens.
var unindexedParents = map[string]bool{
	// Staff accounts are deactivated, never deleted: their messages, notes
	// and audit rows keep naming them.
	"agents": true,
	// An admin removes a queue one at a time, and deletes its row only once
	// no ticket refers to it (else it is archived): one read of each child
	// table per removal.
	"queues": true,
}

// TestEveryForeignKeyHasAnIndex checks that each foreign key's columns lead
// some index of its table, on both dialects. Without one, deleting a parent
// row (a ticket ingest opened for a message another instance stored first,
// a contact a batch created and gave back, a saved view) makes the database
// read the whole child table for each row deleted: on PostgreSQL in the
// referential trigger of ON DELETE CASCADE / SET NULL / NO ACTION, on
// SQLite in its foreign-key check. A child table that grows with the
// tickets makes that a cost that grows with the data.
func TestEveryForeignKeyHasAnIndex(t *testing.T) {
	t.Parallel()
	forEachTarget(t, func(t *testing.T, cfg db.Config) {
		d := testenv.OpenDB(t, cfg)
		ctx := ctxT(t)
		if _, err := migrate.Up(ctx, d, testenv.Logger(t)); err != nil {
			t.Fatal(err)
		}
		var fks []foreignKey
		var indexed map[string][][]string
		if d.Dialect == db.Postgres {
			fks, indexed = pgForeignKeys(t, d)
		} else {
			fks, indexed = sqliteForeignKeys(t, d)
		}
		if len(fks) < 10 {
			t.Fatalf("found %d foreign keys: the catalogue query reads the wrong schema", len(fks))
		}
		var missing []string
		for _, fk := range fks {
			if unindexedParents[fk.parent] {
				continue
			}
			if !leadsAnIndex(fk.columns, indexed[fk.table]) {
				missing = append(missing, fk.String())
			}
		}
		if len(missing) > 0 {
			t.Errorf("%d foreign keys with no index leading with their columns:\n  %s", len(missing), strings.Join(missing, "\n  "))
		}
	})
}

// leadsAnIndex reports whether cols, in any order, are the first
// len(cols) columns of one of the indexes.
func leadsAnIndex(cols []string, indexes [][]string) bool {
	want := slices.Clone(cols)
	slices.Sort(want)
	for _, ix := range indexes {
		if len(ix) < len(want) {
			continue
		}
		lead := slices.Clone(ix[:len(want)])
		slices.Sort(lead)
		if slices.Equal(lead, want) {
			return true
		}
	}
	return false
}

func pgForeignKeys(t *testing.T, d *db.DB) ([]foreignKey, map[string][][]string) {
	t.Helper()
	var fkRows []struct {
		Tbl, Parent, Cols string
	}
	if err := d.Raw(`
		SELECT c.conrelid::regclass::text AS tbl, c.confrelid::regclass::text AS parent,
		       string_agg(a.attname, ',' ORDER BY k.ord) AS cols
		FROM pg_constraint c
		JOIN pg_namespace n ON n.oid = c.connamespace AND n.nspname = current_schema()
		CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
		WHERE c.contype = 'f'
		GROUP BY c.oid, c.conrelid, c.confrelid`).Scan(&fkRows).Error; err != nil {
		t.Fatal(err)
	}
	// An index's key columns in order (not its INCLUDE columns, which no
	// search uses); an expression reads as "", which no foreign key's
	// column matches. Partial indexes do not serve every parent row.
	var ixRows []struct {
		Tbl, Cols string
	}
	if err := d.Raw(`
		SELECT i.indrelid::regclass::text AS tbl,
		       string_agg(COALESCE(a.attname, ''), ',' ORDER BY k.ord) AS cols
		FROM pg_index i
		JOIN pg_class ic ON ic.oid = i.indexrelid
		JOIN pg_namespace n ON n.oid = ic.relnamespace AND n.nspname = current_schema()
		CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
		LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0
		WHERE i.indpred IS NULL AND k.ord <= i.indnkeyatts
		GROUP BY i.indexrelid, i.indrelid`).Scan(&ixRows).Error; err != nil {
		t.Fatal(err)
	}
	var fks []foreignKey
	for _, r := range fkRows {
		fks = append(fks, foreignKey{table: r.Tbl, parent: r.Parent, columns: strings.Split(r.Cols, ",")})
	}
	indexed := map[string][][]string{}
	for _, r := range ixRows {
		indexed[r.Tbl] = append(indexed[r.Tbl], strings.Split(r.Cols, ","))
	}
	return fks, indexed
}

func sqliteForeignKeys(t *testing.T, d *db.DB) ([]foreignKey, map[string][][]string) {
	t.Helper()
	var tables []string
	if err := d.Raw(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	var fks []foreignKey
	indexed := map[string][][]string{}
	for _, tbl := range tables {
		var fkRows []struct {
			ID    int
			Seq   int
			Table string
			From  string
		}
		if err := d.Raw(`SELECT id, seq, "table", "from" FROM pragma_foreign_key_list(?) ORDER BY id, seq`, tbl).Scan(&fkRows).Error; err != nil {
			t.Fatal(err)
		}
		byID := map[int]*foreignKey{}
		var order []int
		for _, r := range fkRows {
			fk := byID[r.ID]
			if fk == nil {
				fk = &foreignKey{table: tbl, parent: r.Table}
				byID[r.ID] = fk
				order = append(order, r.ID)
			}
			fk.columns = append(fk.columns, r.From)
		}
		for _, id := range order {
			fks = append(fks, *byID[id])
		}
		var ixs []struct {
			Name    string
			Partial int
		}
		if err := d.Raw(`SELECT name, partial FROM pragma_index_list(?)`, tbl).Scan(&ixs).Error; err != nil {
			t.Fatal(err)
		}
		for _, ix := range ixs {
			if ix.Partial != 0 {
				continue
			}
			// An expression's column has no name: "" here, which no
			// foreign key's column matches.
			var cols []string
			if err := d.Raw(`SELECT COALESCE(name, '') FROM pragma_index_info(?) ORDER BY seqno`, ix.Name).Scan(&cols).Error; err != nil {
				t.Fatal(err)
			}
			indexed[tbl] = append(indexed[tbl], cols)
		}
		// An INTEGER PRIMARY KEY is the rowid: no index, but the table's own order.
		var pk []string
		if err := d.Raw(`SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`, tbl).Scan(&pk).Error; err != nil {
			t.Fatal(err)
		}
		if len(pk) > 0 {
			indexed[tbl] = append(indexed[tbl], pk)
		}
	}
	return fks, indexed
}
