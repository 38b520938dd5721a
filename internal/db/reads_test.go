package db_test

import (
	"context"
	"slices"
	"testing"

	"tanggap/internal/db"
	"tanggap/internal/testenv"
)

// Reads runs its statements in order and gives each Scan its own rows (one
// round trip on PostgreSQL); a failing statement is an error, and the
// pool serves the next call.
func TestReadsRunInOrderInOneCall(t *testing.T) {
	d := testenv.DB(t)
	ctx := context.Background()
	ints := func(out *[]int64) func(db.Rows) error {
		return func(rows db.Rows) error {
			for rows.Next() {
				var v int64
				if err := rows.Scan(&v); err != nil {
					return err
				}
				*out = append(*out, v)
			}
			return nil
		}
	}
	for i := range 3 { // the second and third with the statements cached
		var one, two []int64
		err := d.Reads(ctx,
			db.Read{SQL: `SELECT CAST(? AS BIGINT)`, Args: []any{int64(7)}, Scan: ints(&one)},
			db.Read{SQL: `SELECT id FROM (SELECT CAST(? AS BIGINT) AS id UNION ALL SELECT CAST(? AS BIGINT) AS id) u WHERE id IN ? ORDER BY id`,
				Args: []any{int64(1), int64(2), []int64{1, 2, 3}}, Scan: ints(&two)})
		if err != nil || !slices.Equal(one, []int64{7}) || !slices.Equal(two, []int64{1, 2}) {
			t.Fatalf("call %d: %v, %v, %v", i, err, one, two)
		}
	}
	var got []int64
	if err := d.Reads(ctx,
		db.Read{SQL: `SELECT CAST(? AS BIGINT)`, Args: []any{int64(1)}, Scan: ints(&got)},
		db.Read{SQL: `SELECT id FROM no_such_table`, Scan: ints(&got)}); err == nil {
		t.Fatal("a statement on a missing table passed")
	}
	got = nil
	if err := d.Reads(ctx, db.Read{SQL: `SELECT CAST(? AS BIGINT)`, Args: []any{int64(5)}, Scan: ints(&got)},
		db.Read{SQL: `SELECT CAST(? AS BIGINT)`, Args: []any{int64(6)}, Scan: ints(&got)}); err != nil || !slices.Equal(got, []int64{5, 6}) {
		t.Fatalf("after a failed call: %v, %v", err, got)
	}
}
