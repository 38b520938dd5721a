package db

import (
	"context"
	"database/sql"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Rows is what a Read's Scan walks: the rows of one statement (a
// *sql.Rows, or pgx's rows of a pipeline). Scan takes the same
// destinations as database/sql's.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// Read is one read statement, written with ? placeholders as for Query,
// and the function that walks its rows.
type Read struct {
	SQL  string
	Args []any
	Scan func(Rows) error
}

// Reads runs reads in order and hands each one's rows to its Scan. On
// PostgreSQL they go in one round trip: one connection sends them all
// together (a pgx pipeline, with the pool's statement cache) and reads
// their results in turn; elsewhere (SQLite, in-process) they run one after
// another. Each statement sees what was committed when it started, as if
// it were run alone. The first error (of a statement or of a Scan) is
// returned; the reads after it are not scanned.
func (d *DB) Reads(ctx context.Context, reads ...Read) error {
	if d.Dialect != Postgres || len(reads) < 2 {
		return d.readEach(ctx, reads)
	}
	pool, err := d.DB.DB()
	if err != nil {
		return err
	}
	texts := make([]string, len(reads))
	flats := make([][]any, len(reads))
	for i, r := range reads {
		if texts[i], flats[i], err = bind(d.Dialect, r.SQL, r.Args); err != nil {
			return err
		}
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	piped := false
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return nil // another driver: one after another below
		}
		piped = true
		var b pgx.Batch
		for i := range reads {
			b.Queue(texts[i], flats[i]...)
		}
		br := c.Conn().SendBatch(ctx, &b)
		for _, r := range reads {
			rows, err := br.Query()
			if err != nil {
				_ = br.Close()
				return err
			}
			err = r.Scan(rows)
			rows.Close()
			if err == nil {
				err = rows.Err()
			}
			if err != nil {
				_ = br.Close() // reads the rest of the results
				return err
			}
		}
		return br.Close()
	})
	if err != nil || piped {
		return err
	}
	return d.readEachOn(ctx, conn, texts, flats, reads)
}

// readEach runs reads one after another on the pool.
func (d *DB) readEach(ctx context.Context, reads []Read) error {
	for _, r := range reads {
		rows, err := d.Query(ctx, r.SQL, r.Args...)
		if err != nil {
			return err
		}
		if err := scanClose(rows, r.Scan); err != nil {
			return err
		}
	}
	return nil
}

// readEachOn runs bound reads one after another on conn.
func (d *DB) readEachOn(ctx context.Context, conn *sql.Conn, texts []string, flats [][]any, reads []Read) error {
	for i, r := range reads {
		rows, err := conn.QueryContext(ctx, texts[i], flats[i]...)
		if err != nil {
			return err
		}
		if err := scanClose(rows, r.Scan); err != nil {
			return err
		}
	}
	return nil
}

func scanClose(rows *sql.Rows, scan func(Rows) error) error {
	err := scan(rows)
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = rows.Err()
	}
	return err
}
