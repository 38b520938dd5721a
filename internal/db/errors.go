package db

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// IsUniqueViolation reports whether err is a unique-constraint violation
// on either dialect (PostgreSQL 23505, SQLite "UNIQUE constraint failed").
// It is the one place driver error codes are read.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// IsRetryable reports whether a transaction failed only because it ran at
// the same time as another (PostgreSQL deadlock_detected 40P01 or
// serialization_failure 40001; SQLite "database is locked"): running it
// again is safe and will succeed.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "40P01" || pgErr.Code == "40001"
	}
	return strings.Contains(err.Error(), "database is locked")
}

// IsForeignKeyViolation reports whether err is a foreign-key violation
// (PostgreSQL 23503, SQLite "FOREIGN KEY constraint failed").
func IsForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23503"
	}
	return strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}
