// Package migrate applies the embedded SQL migrations (package migrations,
// one folder per dialect, files NNNN_name.sql) to a database and records
// each applied version in schema_migrations.
//
// Rules it keeps:
//   - Every file runs in its own transaction together with the row that
//     records its version, so a failing file leaves neither schema changes
//     (where the dialect has transactional DDL: both of ours do) nor a
//     version row behind.
//   - Two instances starting at once do not race. PostgreSQL: a session
//     advisory lock, keyed by the current schema, held on one dedicated
//     connection for the whole run. SQLite: each file's transaction is
//     opened with an explicit BEGIN IMMEDIATE, which takes the database
//     write lock (others queue on busy_timeout), and re-reads
//     schema_migrations before applying, so the loser of a race sees the
//     winner's row and skips the file.
//   - A database that records a version this binary does not know is
//     refused (ErrDatabaseNewer): an older binary must not run against a
//     newer schema.
//   - The embedded files must be numbered 1..n without gaps or duplicates,
//     and both dialect folders must carry the same versions and names (a
//     test checks this).
//
// A file may hold several statements. PostgreSQL (pgx) runs a parameterless
// Exec over the simple protocol, which accepts several statements; the
// SQLite driver (glebarez/go-sqlite) loops sqlite3_prepare_v2 over the whole
// string, so it runs every statement too. No splitting is done here.
// Statements that cannot run inside a transaction (CREATE INDEX
// CONCURRENTLY) are not supported.
package migrate

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"path"
	"regexp"
	"slices"
	"strconv"
	"time"

	"tanggap/internal/db"
	"tanggap/migrations"
)

// Version is one embedded migration file.
type Version struct {
	Number int    // 1, 2, …: the NNNN of the file name
	Name   string // the part after NNNN_, without .sql
	File   string // path inside the dialect folder, e.g. "0001_init.sql"
	sql    string
}

var fileRE = regexp.MustCompile(`^([0-9]+)_([a-z0-9_]+)\.sql$`)

// Versions lists the embedded migrations of a dialect in order.
func Versions(dialect db.Dialect) ([]Version, error) {
	return load(migrations.FS, dialect)
}

// load reads dir <dialect>/ of fsys: every *.sql file must be named
// NNNN_name.sql and the numbers must run 1..n.
func load(fsys fs.FS, dialect db.Dialect) ([]Version, error) {
	dir := string(dialect)
	if dialect != db.Postgres && dialect != db.SQLite {
		return nil, fmt.Errorf("%w: unknown dialect %q", ErrBadFiles, dialect)
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %v", ErrBadFiles, dir, err)
	}
	var vs []Version
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		m := fileRE.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("%w: %s/%s: want NNNN_name.sql (lower case)", ErrBadFiles, dir, e.Name())
		}
		n, err := strconv.Atoi(m[1])
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%w: %s/%s: bad version number", ErrBadFiles, dir, e.Name())
		}
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("%w: %s/%s: %v", ErrBadFiles, dir, e.Name(), err)
		}
		vs = append(vs, Version{Number: n, Name: m[2], File: e.Name(), sql: string(body)})
	}
	slices.SortFunc(vs, func(a, b Version) int { return a.Number - b.Number })
	for i, v := range vs {
		if i > 0 && v.Number == vs[i-1].Number {
			return nil, fmt.Errorf("%w: %s: version %d used by %s and %s", ErrBadFiles, dir, v.Number, vs[i-1].File, v.File)
		}
		if v.Number != i+1 {
			return nil, fmt.Errorf("%w: %s: version %d missing (next file is %s)", ErrBadFiles, dir, i+1, v.File)
		}
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("%w: %s: no migrations", ErrBadFiles, dir)
	}
	return vs, nil
}

// Up applies every embedded migration the database lacks, in order, and
// returns the versions it applied (empty when the schema was current). On
// error, applied still lists the versions committed before the failure.
func Up(ctx context.Context, d *db.DB, log *slog.Logger) ([]int, error) {
	return upFS(ctx, d, migrations.FS, log)
}

// upFS is Up over any file tree laid out like migrations.FS; tests inject
// broken trees through it.
func upFS(ctx context.Context, d *db.DB, fsys fs.FS, log *slog.Logger) (applied []int, err error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	vs, err := load(fsys, d.Dialect)
	if err != nil {
		return nil, err
	}
	sqlDB, err := d.DB.DB()
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	// One connection for the whole run: the PostgreSQL advisory lock belongs
	// to a session, and using the same connection for the work means a pool
	// of size one cannot deadlock against the lock holder.
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: connection: %w", err)
	}
	defer conn.Close()

	if d.Dialect == db.Postgres {
		unlock, err := lockPostgres(ctx, conn, log)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	if _, err := conn.ExecContext(ctx, createTableSQL(d.Dialect)); err != nil {
		return nil, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	done, err := recorded(ctx, conn)
	if err != nil {
		return nil, err
	}
	if err := checkKnown(vs, done, log); err != nil {
		return nil, err
	}
	for _, v := range vs {
		if _, ok := done[v.Number]; ok {
			continue
		}
		start := time.Now()
		ran, err := apply(ctx, conn, d.Dialect, v)
		if err != nil {
			return applied, err
		}
		if ran {
			applied = append(applied, v.Number)
			log.Info("migration applied", "version", v.Number, "name", v.Name, "took", time.Since(start).Round(time.Millisecond))
		}
	}
	return applied, nil
}

// lockPostgres takes the advisory lock of the current schema on conn and
// returns its release. Keying by schema lets parallel test runs, each in
// its own schema, migrate without waiting on each other.
func lockPostgres(ctx context.Context, conn *sql.Conn, log *slog.Logger) (func(), error) {
	var schema sql.NullString
	if err := conn.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return nil, fmt.Errorf("migrate: current schema: %w", err)
	}
	if !schema.Valid {
		return nil, fmt.Errorf("migrate: no schema selected (does the search_path schema exist?)")
	}
	h := fnv.New64a()
	h.Write([]byte("tanggap.migrate." + schema.String))
	key := int64(h.Sum64())

	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
		return nil, fmt.Errorf("migrate: lock: %w", err)
	}
	if !got {
		log.Info("waiting for another instance to finish migrating", "schema", schema.String)
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
			return nil, fmt.Errorf("migrate: lock: %w", err)
		}
	}
	return func() {
		// Release even when ctx is done: the connection goes back to the
		// pool and would otherwise keep the lock for its lifetime.
		uctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, key); err != nil {
			log.Warn("migrate: release lock failed, discarding connection", "err", err)
			// Returning ErrBadConn from Raw makes database/sql close the
			// connection, which ends the session and frees its locks.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}, nil
}

func createTableSQL(dialect db.Dialect) string {
	if dialect == db.Postgres {
		return `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT      PRIMARY KEY,
    name       TEXT        NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
)`
	}
	return `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT   PRIMARY KEY,
    name       TEXT     NOT NULL,
    applied_at DATETIME NOT NULL
)`
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// recorded returns the versions in schema_migrations with their names.
func recorded(ctx context.Context, q querier) (map[int]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT version, name FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	defer rows.Close()
	done := map[int]string{}
	for rows.Next() {
		var (
			n    int64
			name string
		)
		if err := rows.Scan(&n, &name); err != nil {
			return nil, fmt.Errorf("migrate: read schema_migrations: %w", err)
		}
		done[int(n)] = name
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	return done, nil
}

// checkKnown refuses a database that records a version missing from vs.
func checkKnown(vs []Version, done map[int]string, log *slog.Logger) error {
	known := make(map[int]Version, len(vs))
	for _, v := range vs {
		known[v.Number] = v
	}
	var unknown []int
	for n, name := range done {
		v, ok := known[n]
		if !ok {
			unknown = append(unknown, n)
			continue
		}
		if v.Name != name {
			// A renamed file is harmless; a different migration under the
			// same number is not, but the name alone cannot tell them apart.
			log.Warn("migration name differs from the recorded one", "version", n, "file", v.Name, "recorded", name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return fmt.Errorf("%w: database has version(s) %v, this binary knows up to %d", ErrDatabaseNewer, unknown, vs[len(vs)-1].Number)
	}
	return nil
}

// apply runs one file and records it in one transaction. It reports false
// when another instance recorded the version first (SQLite race loser).
func apply(ctx context.Context, conn *sql.Conn, dialect db.Dialect, v Version) (ran bool, err error) {
	label := fmt.Sprintf("%04d_%s", v.Number, v.Name)
	tx, err := begin(ctx, conn, dialect)
	if err != nil {
		return false, fmt.Errorf("migrate: %s: begin: %w", label, err)
	}
	defer func() {
		if err != nil || !ran {
			tx.rollback()
		}
	}()
	// Re-read inside the transaction: on SQLite the write lock is only
	// held from BEGIN IMMEDIATE on, and another instance may have applied
	// the file while this one waited for it.
	var n int
	if err := tx.q.QueryRowContext(ctx, bind(dialect, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), v.Number).Scan(&n); err != nil {
		return false, fmt.Errorf("migrate: %s: check: %w", label, err)
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.q.ExecContext(ctx, v.sql); err != nil {
		return false, fmt.Errorf("%w: %s: %v", ErrFailed, label, err)
	}
	if _, err := tx.q.ExecContext(ctx, bind(dialect, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
		v.Number, v.Name, time.Now().UTC()); err != nil {
		return false, fmt.Errorf("migrate: %s: record: %w", label, err)
	}
	if err := tx.commit(ctx); err != nil {
		return false, fmt.Errorf("migrate: %s: commit: %w", label, err)
	}
	return true, nil
}

// execQuerier is what a migration runs on: a *sql.Tx, or on SQLite the
// dedicated *sql.Conn inside a hand-opened transaction.
type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type txn struct {
	q        execQuerier
	commit   func(ctx context.Context) error
	rollback func()
}

// begin opens one migration's transaction. PostgreSQL uses database/sql's
// transaction (the advisory lock already serialises instances). SQLite
// gets an explicit BEGIN IMMEDIATE on the dedicated connection, so the
// write lock is taken up front whatever the DSN says: with glebarez/
// go-sqlite v1.21.2 the _txlock DSN parameter is silently ignored when
// _time_format is also given, and a deferred transaction that reads and
// then writes fails with SQLITE_BUSY_SNAPSHOT instead of waiting.
func begin(ctx context.Context, conn *sql.Conn, dialect db.Dialect) (*txn, error) {
	if dialect == db.Postgres {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		return &txn{
			q:        tx,
			commit:   func(context.Context) error { return tx.Commit() },
			rollback: func() { _ = tx.Rollback() },
		}, nil
	}
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return nil, err
	}
	return &txn{
		q: conn,
		commit: func(ctx context.Context) error {
			_, err := conn.ExecContext(ctx, `COMMIT`)
			return err
		},
		rollback: func() {
			// Roll back even when ctx is done, so the pooled connection
			// is not handed out inside an open transaction; if that fails,
			// make database/sql close it instead.
			rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := conn.ExecContext(rctx, `ROLLBACK`); err != nil {
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		},
	}, nil
}

// bind rewrites ? placeholders to $n for PostgreSQL. Only used on the
// fixed statements above, which hold no literal question marks.
func bind(dialect db.Dialect, q string) string {
	if dialect != db.Postgres {
		return q
	}
	out := make([]byte, 0, len(q)+8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			out = append(out, '$')
			out = strconv.AppendInt(out, int64(n), 10)
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}

// Status reports the highest version recorded in the database (0 when
// nothing was applied) and the highest version this binary carries.
func Status(ctx context.Context, d *db.DB) (current int, latest int, err error) {
	vs, err := Versions(d.Dialect)
	if err != nil {
		return 0, 0, err
	}
	latest = vs[len(vs)-1].Number
	sqlDB, err := d.DB.DB()
	if err != nil {
		return 0, 0, fmt.Errorf("migrate: %w", err)
	}
	exists, err := tableExists(ctx, sqlDB, d.Dialect)
	if err != nil || !exists {
		return 0, latest, err
	}
	var cur sql.NullInt64
	if err := sqlDB.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&cur); err != nil {
		return 0, latest, fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	return int(cur.Int64), latest, nil
}

func tableExists(ctx context.Context, sqlDB *sql.DB, dialect db.Dialect) (bool, error) {
	var q string
	if dialect == db.Postgres {
		// to_regclass follows search_path, like the unqualified name does.
		q = `SELECT to_regclass('schema_migrations') IS NOT NULL`
	} else {
		q = `SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	}
	var ok bool
	if err := sqlDB.QueryRowContext(ctx, q).Scan(&ok); err != nil {
		return false, fmt.Errorf("migrate: look for schema_migrations: %w", err)
	}
	return ok, nil
}
