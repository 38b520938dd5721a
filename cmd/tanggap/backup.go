package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"tanggap/internal/config"
	"tanggap/internal/db"
)

// errBackupPostgres: the backup command copies the embedded database only.
var errBackupPostgres = errors.New("backup: DATABASE_URL is set: back PostgreSQL up with pg_dump (see README \"Backups\")")

// runBackup is `tanggap backup FILE`: an online copy of the embedded SQLite
// database (VACUUM INTO: a consistent snapshot while the server runs,
// compacted). Restore: stop the server, put the copy at DATA_DIR/tanggap.db
// (remove tanggap.db-wal and -shm), start.
func runBackup(cfg config.Config, log *slog.Logger, args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: tanggap backup FILE")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := backupSQLite(ctx, cfg, args[0], log); err != nil {
		log.Error("backup failed", "err", err)
		return 1
	}
	log.Info("backup written", "file", args[0])
	return 0
}

func backupSQLite(ctx context.Context, cfg config.Config, target string, log *slog.Logger) error {
	if cfg.DatabaseURL != "" {
		return errBackupPostgres
	}
	abs, err := filepath.Abs(target)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("backup: %s already exists; choose a new file", target)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "tanggap.db")); err != nil {
		return fmt.Errorf("backup: no embedded database under DATA_DIR: %w", err)
	}
	d, err := db.Open(ctx, db.Config{DataDir: cfg.DataDir}, log)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.WithContext(ctx).Exec(`VACUUM INTO ?`, abs).Error; err != nil {
		os.Remove(abs)
		return fmt.Errorf("backup: %w", err)
	}
	// The copy must open and pass SQLite's own check before it is called a
	// backup.
	var check string
	cp, err := gorm.Open(sqlite.Open("file:"+abs+"?mode=ro"), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return fmt.Errorf("backup: open copy: %w", err)
	}
	if sqlDB, err := cp.DB(); err == nil {
		defer sqlDB.Close()
	}
	if err := cp.WithContext(ctx).Raw(`PRAGMA integrity_check`).Scan(&check).Error; err != nil || check != "ok" {
		return fmt.Errorf("backup: copy failed its integrity check: %q %v", check, err)
	}
	return nil
}
