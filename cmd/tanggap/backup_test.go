package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"tanggap/internal/config"
	"tanggap/internal/db"
	"tanggap/internal/migrate"
	"tanggap/internal/testenv"
)

// TestBackupAndRestore: a backup taken while the database is open and being
// written restores into a working database holding the rows written before.
func TestBackupAndRestore(t *testing.T) {
	ctx := context.Background()
	log := testenv.Logger(t)
	dir := t.TempDir()
	live, err := db.Open(ctx, db.Config{DataDir: dir}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if _, err := migrate.Up(ctx, live, log); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for range 20 {
		if err := live.Exec(`INSERT INTO contacts (name, created_at, updated_at) VALUES ('Warga', ?, ?)`, now, now).Error; err != nil {
			t.Fatal(err)
		}
	}
	// A writer keeps going during the backup (online).
	stop := make(chan struct{})
	wrote := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				wrote <- nil
				return
			default:
			}
			if err := live.Exec(`INSERT INTO contacts (name, created_at, updated_at) VALUES ('Lagi', ?, ?)`, now, now).Error; err != nil {
				wrote <- err
				return
			}
		}
	}()
	target := filepath.Join(t.TempDir(), "backup.db")
	cfg := config.Defaults()
	cfg.DataDir = dir
	err = backupSQLite(ctx, cfg, target, log)
	close(stop)
	if werr := <-wrote; werr != nil {
		t.Fatalf("writer during backup: %v", werr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := backupSQLite(ctx, cfg, target, log); err == nil {
		t.Fatal("backup over an existing file accepted")
	}
	cfg.DatabaseURL = "postgres://x"
	if err := backupSQLite(ctx, cfg, target+"2", log); !errors.Is(err, errBackupPostgres) {
		t.Fatalf("backup of PostgreSQL: %v", err)
	}

	// Restore: the copy becomes tanggap.db of a new data folder.
	restored := t.TempDir()
	b, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(restored, "tanggap.db"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, db.Config{DataDir: restored}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	cur, latest, err := migrate.Status(ctx, d)
	if err != nil || cur != latest {
		t.Fatalf("restored schema at %d of %d: %v", cur, latest, err)
	}
	var warga int64
	if err := d.Raw(`SELECT COUNT(*) FROM contacts WHERE name = 'Warga'`).Scan(&warga).Error; err != nil || warga != 20 {
		t.Fatalf("restored rows: %d %v", warga, err)
	}
	if err := d.Exec(`INSERT INTO contacts (name, created_at, updated_at) VALUES ('Sesudah', ?, ?)`, now, now).Error; err != nil {
		t.Fatalf("restored database does not take writes: %v", err)
	}
}
