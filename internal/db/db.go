// Package db opens the relational store: PostgreSQL when a URL is given,
// otherwise an embedded SQLite file (pure Go, no cgo). It hides nothing else:
// each domain package writes its own SQL in its store.go.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"tanggap/internal/mask"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the SQL flavour in use; migrations are kept per dialect.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Config selects the database.
type Config struct {
	URL          string // postgres://… ; empty: SQLite under DataDir
	DataDir      string
	MaxOpenConns int
	// Lazy (PostgreSQL): return the pool even when the database does not
	// answer yet; the pool connects when it does. The caller waits for it
	// (Ping) before using it. Without it Open fails.
	Lazy bool

	// busyTimeout overrides SQLite's busy_timeout, for tests.
	busyTimeout time.Duration
}

// DB is an open database.
type DB struct {
	*gorm.DB
	Dialect Dialect
	// Where describes the database for logs, without credentials.
	Where string
	// lockKey names the SQLite file's write lock (writelock.go).
	lockKey string
}

// Open connects and checks the connection.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*DB, error) {
	gcfg := &gorm.Config{
		Logger:                                   logger.Discard,
		SkipDefaultTransaction:                   true,
		PrepareStmt:                              false,
		DisableForeignKeyConstraintWhenMigrating: true,
		DisableAutomaticPing:                     true, // Open pings below (or not, Lazy)
		NowFunc:                                  func() time.Time { return time.Now().UTC() },
	}
	var (
		d   *DB
		err error
	)
	switch {
	case cfg.URL == "":
		d, err = openSQLite(cfg, gcfg)
	case strings.HasPrefix(cfg.URL, "postgres://"), strings.HasPrefix(cfg.URL, "postgresql://"):
		d, err = openPostgres(cfg, gcfg)
	default:
		return nil, fmt.Errorf("db: unsupported DATABASE_URL scheme (want postgres://)")
	}
	if err != nil {
		return nil, err
	}
	if err := d.Ping(ctx); err != nil {
		if cfg.Lazy && d.Dialect == Postgres {
			log.Warn("database not answering yet; the pool connects when it does", "where", d.Where, "err", redact(err, cfg.URL))
			return d, nil
		}
		_ = d.Close()
		return nil, err
	}
	log.Info("database open", "dialect", d.Dialect, "where", d.Where)
	return d, nil
}

func openSQLite(cfg Config, gcfg *gorm.Config) (*DB, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("db: data dir: %w", err)
	}
	path := filepath.Join(cfg.DataDir, "tanggap.db")
	busy := busyTimeout
	if cfg.busyTimeout > 0 {
		busy = cfg.busyTimeout
	}
	// WAL lets readers run beside the writer; _txlock=immediate takes the
	// write lock at BEGIN so a transaction never fails on a lock upgrade;
	// synchronous(NORMAL) is durable in WAL mode against process crashes.
	// The writers of this process queue in order on a Go lock of the file
	// before they touch SQLite's (writelock.go): busy_timeout alone lets a
	// waiter starve.
	dsn := "file:" + path + "?_txlock=immediate" +
		"&_pragma=journal_mode(WAL)&_pragma=busy_timeout(" + strconv.FormatInt(busy.Milliseconds(), 10) + ")" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	// The driver registered by glebarez/go-sqlite (sql.Open connects to
	// nothing), so functions registered with it stay available.
	probe, err := sql.Open(sqlite.DriverName, "")
	if err != nil {
		return nil, fmt.Errorf("db: sqlite driver: %w", err)
	}
	drv := probe.Driver()
	_ = probe.Close()
	key := path
	if abs, err := filepath.Abs(path); err == nil {
		key = abs
	}
	lock := openWriteLock(key)
	sqlDB := sql.OpenDB(&lockedConnector{drv: drv, dsn: dsn, lock: lock, timeout: writeLockTimeout})
	// gorm goes through lockedPool: writers wait for the lock before they
	// take a connection (lockedpool.go).
	pool := &lockedPool{db: sqlDB, lock: lock, timeout: writeLockTimeout}
	g, err := gorm.Open(&sqliteDialector{sqlite.Dialector{DSN: dsn, Conn: pool}}, gcfg)
	if err != nil {
		_ = sqlDB.Close()
		closeWriteLock(key)
		return nil, fmt.Errorf("db: open sqlite: %w", err)
	}
	// SQLite has one writer; a small pool keeps readers concurrent in WAL
	// mode while writers queue on the write lock.
	n := cfg.MaxOpenConns
	if n <= 0 {
		n = 4
	}
	sqlDB.SetMaxOpenConns(n)
	sqlDB.SetMaxIdleConns(n)
	return &DB{DB: g, Dialect: SQLite, Where: path, lockKey: key}, nil
}

func openPostgres(cfg Config, gcfg *gorm.Config) (*DB, error) {
	g, err := gorm.Open(&postgresDialector{postgres.Dialector{Config: &postgres.Config{DSN: cfg.URL}}}, gcfg)
	if err != nil {
		return nil, fmt.Errorf("db: open postgres: %w", redact(err, cfg.URL))
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("db: postgres pool: %w", err)
	}
	n := cfg.MaxOpenConns
	if n <= 0 {
		n = 20
	}
	sqlDB.SetMaxOpenConns(n)
	sqlDB.SetMaxIdleConns(n)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{DB: g, Dialect: Postgres, Where: mask.URL(cfg.URL)}, nil
}

// The dialectors below skip rendering statements for the logger. gorm's
// Scan renders every statement it runs with its values inlined (a
// regular-expression pass over the SQL and every value formatted) before
// it knows whether any logger will print it; with the Discard logger used
// here nothing ever does, and on a batched INSERT of hundreds of values the
// rendering costs more than sending the statement. Explain returns the SQL
// as written instead.
type postgresDialector struct{ postgres.Dialector }

func (postgresDialector) Explain(sql string, _ ...any) string { return sql }

type sqliteDialector struct{ sqlite.Dialector }

func (sqliteDialector) Explain(sql string, _ ...any) string { return sql }

// Ping checks the database answers.
func (d *DB) Ping(ctx context.Context) error {
	sqlDB, err := d.DB.DB()
	if err != nil {
		return fmt.Errorf("db: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("db: ping: %w", err)
	}
	return nil
}

// Close closes the pool.
func (d *DB) Close() error {
	sqlDB, err := d.DB.DB()
	if err != nil {
		return err
	}
	err = sqlDB.Close()
	if d.lockKey != "" {
		closeWriteLock(d.lockKey)
		d.lockKey = ""
	}
	return err
}

// Tx runs fn in one transaction, committing when it returns nil.
func (d *DB) Tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return d.WithContext(ctx).Transaction(fn)
}

func redact(err error, url string) error {
	msg := strings.ReplaceAll(err.Error(), url, mask.URL(url))
	return errors.New(msg)
}
