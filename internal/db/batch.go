package db

import (
	"database/sql"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Helpers for the set-based statements of the batch paths (contact
// resolution, ingest). Each caller still writes its SQL out beside its
// method; these only run it and build placeholder lists.

// MaxParams bounds the bound parameters of one multi-row statement on
// SQLite. SQLite itself allows 32766, but the driver (glebarez/go-sqlite)
// matches every parameter against every argument, quadratic in their
// number: 7,000-parameter statements made batches of 1,000 slower than
// batches of 500. Chunks of about SQLite's historic limit keep binding
// linear; the extra statements cost little in-process.
const MaxParams = 999

// Chunks calls f on [lo, hi) ranges of n rows of cols parameters each, so
// that no statement binds more than MaxParams.
func Chunks(n, cols int, f func(lo, hi int) error) error {
	per := max(MaxParams/cols, 1)
	for lo := 0; lo < n; lo += per {
		if err := f(lo, min(n, lo+per)); err != nil {
			return err
		}
	}
	return nil
}

// IsPostgres reports whether tx talks to PostgreSQL.
func IsPostgres(tx *gorm.DB) bool { return tx.Dialector.Name() == "postgres" }

// Query runs a statement that returns rows (SELECT, … RETURNING) and hands
// each row to scan. Rows are read directly, not through gorm's Scan: Scan
// renders every statement with all its parameters into a log string even
// when logging is off, which for a 500-row INSERT cost more CPU than the
// rest of the call.
func Query(tx *gorm.DB, q string, args []any, scan func(*sql.Rows) error) error {
	rows, err := tx.Raw(q, args...).Rows()
	if err != nil {
		return err
	}
	return eachRow(rows, scan)
}

// PGQuery runs a PostgreSQL statement with native ($n) placeholders and
// array arguments on the transaction's own connection, bypassing gorm's
// statement builder (which would expand a slice into a placeholder list).
func PGQuery(tx *gorm.DB, q string, args []any, scan func(*sql.Rows) error) error {
	rows, err := tx.Statement.ConnPool.QueryContext(tx.Statement.Context, q, args...)
	if err != nil {
		return err
	}
	return eachRow(rows, scan)
}

// PGExec is PGQuery for statements without rows.
func PGExec(tx *gorm.DB, q string, args ...any) error {
	_, err := tx.Statement.ConnPool.ExecContext(tx.Statement.Context, q, args...)
	return err
}

func eachRow(rows *sql.Rows, scan func(*sql.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Anys converts a slice for variadic query arguments.
func Anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// JoinIDs is ids as one comma-separated text, for a PostgreSQL statement
// that takes a list of any length as one argument
// (string_to_array(?, ',')::bigint[]) instead of a placeholder each.
func JoinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

// NullTime is t for a nullable column: the zero time is NULL.
func NullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// Placeholders returns "?, ?, …" (n of them).
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// Tuples returns "(?, ?), (?, ?)…" for rows of cols columns.
func Tuples(rows, cols int) string { return TuplesWith(rows, cols, "") }

// TuplesWith is Tuples with a constant SQL expression appended to each row.
func TuplesWith(rows, cols int, constant string) string {
	one := "(" + Placeholders(cols)
	if constant != "" {
		one += ", " + constant
	}
	one += ")"
	var b strings.Builder
	b.Grow(rows * (len(one) + 2))
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}
