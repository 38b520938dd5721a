package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// SQLite writers queue in order. SQLite lets one connection write at a
// time, and a connection that finds the file locked waits in SQLite's busy
// handler: it sleeps and tries again (every 100 ms after the first few
// tries) until busy_timeout has passed. That wait has no queue. A writer
// that commits and begins its next transaction at once takes the lock
// again before a sleeping waiter wakes up, so under load (several
// connections writing, a busy CPU) one waiter can lose every try and fail
// with SQLITE_BUSY ("database is locked") although each transaction is
// short. BEGIN IMMEDIATE does not help there: it waits the same way.
//
// So every connection of this process to one database file first takes a
// Go lock shared by all pools open on that file, handed over first come,
// first served, and holds it while it may write:
//
//   - a transaction that is not read-only (BEGIN IMMEDIATE through the
//     DSN's _txlock), from BeginTx to Commit or Rollback;
//   - a transaction opened by hand with a BEGIN statement (migrations), up
//     to its COMMIT, END or ROLLBACK;
//   - outside a transaction, every statement but a read (SELECT, or a
//     WITH naming no writing statement), until its result is returned
//     (Exec) or its rows are closed (Query: INSERT … RETURNING).
//
// Reads outside a transaction take no lock: in WAL mode they never wait for
// the writer. The lock is waited for at most writeLockTimeout (then the
// error says "database is locked", as SQLite's would), so a caller that
// writes on a second connection while its own transaction holds the lock
// fails as it did before instead of hanging. Other processes on the same
// file are still kept apart by SQLite's own lock and busy handler only.

// busyTimeout is SQLite's busy_timeout: how long a connection polls for
// the file lock while another process holds it.
const busyTimeout = 10 * time.Second

// writeLockTimeout is the longest wait for the write lock of this process.
const writeLockTimeout = 10 * time.Second

// errWriteLockTimeout is returned when the write lock was not free within
// writeLockTimeout; its text matches SQLite's busy error (see IsRetryable).
var errWriteLockTimeout = errors.New("database is locked (waited for the write lock of this process)")

// writeLock is the write lock of one database file. A buffered channel of
// one: goroutines blocked sending on a channel are served in the order
// they came.
type writeLock struct {
	ch   chan struct{}
	refs int // pools open on the file; guarded by writeLocksMu
	// waits and waited count the takes that found the lock held and their
	// time waiting (WriteLockWaits): only a take that waits pays for them.
	waits, waited atomic.Int64
}

var (
	writeLocksMu sync.Mutex
	writeLocks   = map[string]*writeLock{}
)

// openWriteLock returns the lock of the file at path, shared with every
// other pool open on it; closeWriteLock releases the reference.
func openWriteLock(path string) *writeLock {
	writeLocksMu.Lock()
	defer writeLocksMu.Unlock()
	l := writeLocks[path]
	if l == nil {
		l = &writeLock{ch: make(chan struct{}, 1)}
		writeLocks[path] = l
	}
	l.refs++
	return l
}

func closeWriteLock(path string) {
	writeLocksMu.Lock()
	defer writeLocksMu.Unlock()
	if l := writeLocks[path]; l != nil {
		if l.refs--; l.refs <= 0 {
			delete(writeLocks, path)
		}
	}
}

func (l *writeLock) lock(ctx context.Context, timeout time.Duration) error {
	select {
	case l.ch <- struct{}{}:
		return nil
	default:
	}
	start := time.Now()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case l.ch <- struct{}{}:
		l.waits.Add(1)
		l.waited.Add(int64(time.Since(start)))
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return errWriteLockTimeout
	}
}

func (l *writeLock) unlock() { <-l.ch }

// WriteLockWaits reports how many writes of this process on d's SQLite
// file found its write lock held and waited, and how long they waited in
// all, since the file was first opened (zero on PostgreSQL). Benchmarks
// read it to see writers queue behind each other.
func (d *DB) WriteLockWaits() (waits int64, waited time.Duration) {
	writeLocksMu.Lock()
	l := writeLocks[d.lockKey]
	writeLocksMu.Unlock()
	if d.Dialect != SQLite || l == nil {
		return 0, 0
	}
	return l.waits.Load(), time.Duration(l.waited.Load())
}

// lockedConnector opens driver connections that take the write lock.
type lockedConnector struct {
	drv     driver.Driver
	dsn     string
	lock    *writeLock
	timeout time.Duration
}

func (c *lockedConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return newLockedConn(conn, c.lock, c.timeout)
}

func (c *lockedConnector) Driver() driver.Driver { return c.drv }

// lockedConn wraps one connection. database/sql uses a connection from one
// goroutine at a time, so held needs no guard of its own.
type lockedConn struct {
	conn    driver.Conn
	beginTx driver.ConnBeginTx
	execer  driver.ExecerContext
	queryer driver.QueryerContext
	prep    driver.ConnPrepareContext
	lock    *writeLock
	timeout time.Duration
	held    bool // this connection holds the lock (a transaction is open)
}

func newLockedConn(conn driver.Conn, lock *writeLock, timeout time.Duration) (*lockedConn, error) {
	c := &lockedConn{conn: conn, lock: lock, timeout: timeout}
	var ok [4]bool
	c.beginTx, ok[0] = conn.(driver.ConnBeginTx)
	c.execer, ok[1] = conn.(driver.ExecerContext)
	c.queryer, ok[2] = conn.(driver.QueryerContext)
	c.prep, ok[3] = conn.(driver.ConnPrepareContext)
	if ok != [4]bool{true, true, true, true} {
		_ = conn.Close()
		return nil, fmt.Errorf("db: sqlite driver connection %s lacks a context method", reflect.TypeOf(conn))
	}
	return c, nil
}

func (c *lockedConn) acquire(ctx context.Context) error {
	// The lock may come already taken, before the pool (lockedpool.go).
	if claim(ctx, c.lock) {
		c.held = true
		return nil
	}
	if err := c.lock.lock(ctx, c.timeout); err != nil {
		return err
	}
	c.held = true
	return nil
}

func (c *lockedConn) release() {
	if c.held {
		c.held = false
		c.lock.unlock()
	}
}

func (c *lockedConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *lockedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, err := c.prep.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &lockedStmt{Stmt: s, c: c, query: query}, nil
}

func (c *lockedConn) Close() error {
	c.release()
	return c.conn.Close()
}

func (c *lockedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *lockedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if opts.ReadOnly {
		return c.beginTx.BeginTx(ctx, opts)
	}
	if err := c.acquire(ctx); err != nil {
		return nil, err
	}
	tx, err := c.beginTx.BeginTx(ctx, opts)
	if err != nil {
		c.release()
		return nil, err
	}
	return &lockedTx{tx: tx, c: c}, nil
}

func (c *lockedConn) Ping(ctx context.Context) error {
	if p, ok := c.conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *lockedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	took, err := c.before(ctx, query)
	if err != nil {
		return nil, err
	}
	res, err := c.execer.ExecContext(ctx, query, args)
	c.after(query, took, err)
	return res, err
}

func (c *lockedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	took, err := c.before(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := c.queryer.QueryContext(ctx, query, args)
	if err != nil || !took {
		c.after(query, took, err)
		return rows, err
	}
	return &lockedRows{Rows: rows, c: c}, nil
}

// before takes the lock for a statement that may write outside a
// transaction; took reports whether it did, for this statement alone or
// for the transaction a BEGIN opens.
func (c *lockedConn) before(ctx context.Context, query string) (took bool, err error) {
	if c.held || !mayWrite(query) {
		return false, nil
	}
	if err := c.acquire(ctx); err != nil {
		return false, err
	}
	return true, nil
}

// after releases the lock when the statement is done with it: at once,
// unless it opened a transaction by hand; a hand-opened transaction keeps
// it until it ends.
func (c *lockedConn) after(query string, took bool, err error) {
	switch kind := statementKind(query); {
	case took && kind == stmtBegin && err == nil:
		// held until COMMIT, END or ROLLBACK
	case took:
		c.release()
	case kind == stmtEnd && err == nil:
		c.release()
	}
}

// lockedTx releases the lock when the transaction ends.
type lockedTx struct {
	tx driver.Tx
	c  *lockedConn
}

func (t *lockedTx) Commit() error {
	err := t.tx.Commit()
	t.c.release()
	return err
}

func (t *lockedTx) Rollback() error {
	err := t.tx.Rollback()
	t.c.release()
	return err
}

// lockedStmt is a prepared statement; run outside a transaction it takes
// the lock as the connection's statements do.
type lockedStmt struct {
	driver.Stmt
	c     *lockedConn
	query string
}

func (s *lockedStmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), namedValues(args))
}

func (s *lockedStmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), namedValues(args))
}

func (s *lockedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	took, err := s.c.before(ctx, s.query)
	if err != nil {
		return nil, err
	}
	var res driver.Result
	if se, ok := s.Stmt.(driver.StmtExecContext); ok {
		res, err = se.ExecContext(ctx, args)
	} else {
		res, err = s.Stmt.Exec(values(args)) //nolint:staticcheck // drivers without the context method
	}
	s.c.after(s.query, took, err)
	return res, err
}

func (s *lockedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	took, err := s.c.before(ctx, s.query)
	if err != nil {
		return nil, err
	}
	var rows driver.Rows
	if sq, ok := s.Stmt.(driver.StmtQueryContext); ok {
		rows, err = sq.QueryContext(ctx, args)
	} else {
		rows, err = s.Stmt.Query(values(args)) //nolint:staticcheck // drivers without the context method
	}
	if err != nil || !took {
		s.c.after(s.query, took, err)
		return rows, err
	}
	return &lockedRows{Rows: rows, c: s.c}, nil
}

func namedValues(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

func values(args []driver.NamedValue) []driver.Value {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		out[i] = a.Value
	}
	return out
}

// lockedRows are the rows of a writing statement run outside a
// transaction; the statement has finished writing once they are closed.
// The optional column-type methods of the driver's rows are passed on.
type lockedRows struct {
	driver.Rows
	c      *lockedConn
	closed bool
}

func (r *lockedRows) Close() error {
	err := r.Rows.Close()
	if !r.closed {
		r.closed = true
		r.c.release()
	}
	return err
}

func (r *lockedRows) Next(dest []driver.Value) error { return r.Rows.Next(dest) }

func (r *lockedRows) ColumnTypeScanType(i int) reflect.Type {
	if x, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return x.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *lockedRows) ColumnTypeDatabaseTypeName(i int) string {
	if x, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return x.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *lockedRows) ColumnTypeLength(i int) (int64, bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return x.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *lockedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return x.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *lockedRows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return x.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

// Statement kinds that matter to the lock.
const (
	stmtOther = iota
	stmtRead  // SELECT, EXPLAIN, a WITH naming no writing statement
	stmtBegin // opens a transaction by hand
	stmtEnd   // COMMIT, END or ROLLBACK (not ROLLBACK TO a savepoint)
)

func statementKind(query string) int {
	q := strings.TrimLeft(query, " \t\r\n(")
	word := q
	if i := strings.IndexAny(q, " \t\r\n;("); i >= 0 {
		word = q[:i]
	}
	switch strings.ToUpper(word) {
	case "SELECT", "EXPLAIN":
		return stmtRead
	case "WITH":
		if writesIn(q) {
			return stmtOther
		}
		return stmtRead
	case "BEGIN":
		return stmtBegin
	case "COMMIT", "END":
		return stmtEnd
	case "ROLLBACK":
		rest := strings.ToUpper(strings.TrimSpace(q[len(word):]))
		rest = strings.TrimPrefix(rest, "TRANSACTION")
		if strings.HasPrefix(strings.TrimSpace(rest), "TO") {
			return stmtOther // to a savepoint: the transaction goes on
		}
		return stmtEnd
	}
	return stmtOther
}

// writesIn reports whether a statement names a writing statement anywhere
// (a WITH … INSERT, a data-modifying CTE). A word inside a string literal
// counts too: it only makes a read wait for the lock.
func writesIn(q string) bool {
	words := strings.FieldsFunc(strings.ToUpper(q), func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r == '_')
	})
	for _, w := range words {
		switch w {
		case "INSERT", "UPDATE", "DELETE", "REPLACE":
			return true
		}
	}
	return false
}

// mayWrite reports whether a statement run outside a transaction may write
// (or open a transaction). Only reads (see stmtRead) are known not to; a
// PRAGMA, for one, may change the file.
func mayWrite(query string) bool { return statementKind(query) != stmtRead }
