package db

import (
	"context"
	"database/sql"
	"time"
)

// lockedPool is gorm's connection pool on SQLite. A statement or a
// transaction that may write takes the file's write lock (writelock.go)
// BEFORE it takes a connection from the pool, and hands the lock to the
// connection it then gets.
//
// Why: taken on the connection (the driver level, below database/sql),
// the lock is waited for while holding a pooled connection. With a pool of
// N connections and N writers waiting, a transaction that holds the lock
// and needs one more connection (a read outside the transaction: a
// settings cache filled on first use, a lookup by another service) waits
// for a connection that only a waiter can give back, and the waiters wait
// for the lock it holds: everything stands still until the waiters give up
// after writeLockTimeout with "database is locked". Phone calls under load
// failed that way (BenchmarkCalls on a busy machine). Waiting here, before
// the pool, holds no connection, so the holder always gets one.
//
// The hand-over: the lock taken here travels in the statement's context
// (a heldToken); the connection's acquire claims it instead of waiting,
// and from then on the connection releases it as before (after the
// statement, at Commit or Rollback, when rows are closed). A token nobody
// claimed (the statement never reached a connection, or the driver did not
// need the lock) is released here.
//
// Statements that reach database/sql directly (d.DB.DB()) still take the
// lock on their connection, as before.
type lockedPool struct {
	db      *sql.DB
	lock    *writeLock
	timeout time.Duration
}

// heldToken is the write lock taken by lockedPool for one statement or
// transaction, until a connection claims it.
type heldToken struct {
	lock    *writeLock
	claimed bool // set by the connection (same goroutine, synchronous call)
}

type heldKey struct{}

// claim takes the token in ctx for lock, if there is one unclaimed.
func claim(ctx context.Context, lock *writeLock) bool {
	t, ok := ctx.Value(heldKey{}).(*heldToken)
	if !ok || t.claimed || t.lock != lock {
		return false
	}
	t.claimed = true
	return true
}

// take locks for a statement that may write and returns the context that
// carries the lock to the connection, and done, which releases the lock
// unless a connection claimed it.
func (p *lockedPool) take(ctx context.Context) (context.Context, func(), error) {
	if err := p.lock.lock(ctx, p.timeout); err != nil {
		return ctx, nil, err
	}
	t := &heldToken{lock: p.lock}
	return context.WithValue(ctx, heldKey{}, t), func() {
		if !t.claimed {
			p.lock.unlock()
		}
	}, nil
}

func (p *lockedPool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return p.db.PrepareContext(ctx, query)
}

func (p *lockedPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if !mayWrite(query) {
		return p.db.ExecContext(ctx, query, args...)
	}
	ctx, done, err := p.take(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	return p.db.ExecContext(ctx, query, args...)
}

func (p *lockedPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if !mayWrite(query) {
		return p.db.QueryContext(ctx, query, args...)
	}
	ctx, done, err := p.take(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	return p.db.QueryContext(ctx, query, args...)
}

func (p *lockedPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if !mayWrite(query) {
		return p.db.QueryRowContext(ctx, query, args...)
	}
	ctx, done, err := p.take(ctx)
	if err != nil {
		// A Row carrying the error: the same query on a closed context.
		cctx, cancel := context.WithCancelCause(ctx)
		cancel(err)
		return p.db.QueryRowContext(cctx, query, args...)
	}
	defer done()
	return p.db.QueryRowContext(ctx, query, args...)
}

// BeginTx opens a transaction; one that may write (not read-only) holds
// the lock from here to Commit or Rollback.
func (p *lockedPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	if opts != nil && opts.ReadOnly {
		return p.db.BeginTx(ctx, opts)
	}
	ctx, done, err := p.take(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	return p.db.BeginTx(ctx, opts)
}

// GetDBConn lets gorm's DB() return the pool underneath.
func (p *lockedPool) GetDBConn() (*sql.DB, error) { return p.db, nil }
