package migrate

import "errors"

var (
	// ErrDatabaseNewer: the database records a migration this binary does
	// not carry, so it was migrated by a newer release. Start is refused.
	ErrDatabaseNewer = errors.New("migrate: database schema is newer than this binary")
	// ErrBadFiles: the embedded migration files are misnamed, duplicated or
	// have a gap in their numbering (a build mistake, caught at start).
	ErrBadFiles = errors.New("migrate: bad migration files")
	// ErrFailed: a migration's SQL failed; its transaction was rolled back
	// and its version is not recorded.
	ErrFailed = errors.New("migrate: migration failed")
)
