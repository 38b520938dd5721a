package db

import (
	"fmt"
	"testing"
)

// TestBindAsGorm: Query's placeholders are gorm's, ? for one argument and a
// list for a slice, numbered on PostgreSQL; a count that does not match is
// refused.
func TestBindAsGorm(t *testing.T) {
	q := `SELECT 1 FROM t WHERE a = ? AND b NOT IN ? AND c IN ? AND d IN ?`
	args := []any{int64(7), []int64{1, 2}, []string{"x"}, []int64{}}
	for d, want := range map[Dialect]string{
		Postgres: `SELECT 1 FROM t WHERE a = $1 AND b NOT IN ($2,$3) AND c IN ($4) AND d IN (NULL)`,
		SQLite:   `SELECT 1 FROM t WHERE a = ? AND b NOT IN (?,?) AND c IN (?) AND d IN (NULL)`,
	} {
		got, flat, err := bind(d, q, args)
		if err != nil {
			t.Fatal(err)
		}
		if got != want || fmt.Sprint(flat) != "[7 1 2 x]" {
			t.Errorf("%s: %s %v", d, got, flat)
		}
	}
	if _, _, err := bind(Postgres, `a = ? AND b = ?`, []any{1}); err == nil {
		t.Error("a missing argument passed")
	}
	if _, _, err := bind(Postgres, `a = ?`, []any{1, 2}); err == nil {
		t.Error("an extra argument passed")
	}
}
