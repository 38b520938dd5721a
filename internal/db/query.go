package db

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// Query runs a read statement written with gorm's ? placeholders straight
// on the pool, without gorm's statement building and callbacks: for the
// statements of every request (the session, the inbox page), where gorm's
// own work showed in the profile. Each ? takes one argument; a slice
// argument becomes a parenthesised list, as gorm writes "IN ?"
// ("IN ($1,$2)"; an empty one "(NULL)"). q must hold no ? of its own
// (in a string literal).
func (d *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	pool, err := d.DB.DB()
	if err != nil {
		return nil, err
	}
	text, flat, err := bind(d.Dialect, q, args)
	if err != nil {
		return nil, err
	}
	return pool.QueryContext(ctx, text, flat...)
}

// bind writes q with the dialect's placeholders ($n on PostgreSQL) and
// spreads slice arguments.
func bind(d Dialect, q string, args []any) (string, []any, error) {
	var b strings.Builder
	b.Grow(len(q) + 16)
	flat := make([]any, 0, len(args))
	n := 0
	place := func(v any) {
		flat = append(flat, v)
		if d == Postgres {
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(len(flat)))
			return
		}
		b.WriteByte('?')
	}
	for i := 0; i < len(q); i++ {
		if q[i] != '?' {
			b.WriteByte(q[i])
			continue
		}
		if n == len(args) {
			return "", nil, fmt.Errorf("db: more placeholders than arguments in %q", q)
		}
		a := args[n]
		n++
		switch s := a.(type) {
		case []int64:
			placeList(&b, s, place)
		case []string:
			placeList(&b, s, place)
		case []any:
			return "", nil, fmt.Errorf("db: a []any argument in %q", q)
		default:
			place(a)
		}
	}
	if n != len(args) {
		return "", nil, fmt.Errorf("db: %d arguments for %d placeholders in %q", len(args), n, q)
	}
	return b.String(), flat, nil
}

// placeList writes a slice argument as a parenthesised list of
// placeholders, "(NULL)" when it is empty (as gorm writes "IN ?").
func placeList[T any](b *strings.Builder, s []T, place func(any)) {
	if len(s) == 0 {
		b.WriteString("(NULL)")
		return
	}
	b.WriteByte('(')
	for j, v := range s {
		if j > 0 {
			b.WriteByte(',')
		}
		place(v)
	}
	b.WriteByte(')')
}
