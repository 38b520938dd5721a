package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DATA_DIR", dir)
	t.Setenv("DATABASE_URL", "") // the embedded file, whatever the caller's environment says
	t.Setenv("LOG_LEVEL", "warn")

	if code := run([]string{"migrate"}); code != 0 {
		t.Fatalf("migrate exited %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "tanggap.db")); err != nil {
		t.Fatalf("migrate left no database: %v", err)
	}
	if code := run([]string{"migrate"}); code != 0 {
		t.Fatalf("second migrate exited %d", code)
	}
	if code := run([]string{"help"}); code != 0 {
		t.Fatalf("help exited %d", code)
	}
	if code := run([]string{"frobnicate"}); code != 2 {
		t.Fatalf("unknown command exited %d, want 2", code)
	}
	t.Setenv("LOG_FORMAT", "xml")
	if code := run([]string{"serve"}); code != 2 {
		t.Fatalf("invalid configuration exited %d, want 2", code)
	}
}
