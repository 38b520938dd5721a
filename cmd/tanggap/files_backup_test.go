package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/apptest"
	"tanggap/internal/attachment"
	"tanggap/internal/testenv"
)

// TestFilesBackupAndRestore: files stored through the API in the sealed
// FILES_STORE=nats bucket are backed up with backup-files while tanggap
// runs, the bucket is deleted (the downloads fail), restore-files puts them
// back, and the API downloads the same bytes. Backup and bucket hold them
// sealed.
func TestFilesBackupAndRestore(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := testenv.Logger(t)
	cfg := apptest.Config(t)
	shared := testenv.SharedBusConfig(t) // backup-files connects beside the app
	cfg.NATSURL, cfg.NATSSubjectPrefix = shared.URL, shared.SubjectPrefix
	cfg.FileStore.Kind = "nats"
	cfg.FileStore.Bucket = "files_" + shared.SubjectPrefix
	key := make([]byte, 32)
	rand.Read(key)
	cfg.FileStore.EncryptionKey = base64.StdEncoding.EncodeToString(key)
	js := testenv.ConnectBus(t, shared).JS
	t.Cleanup(func() { _ = js.DeleteObjectStore(context.Background(), cfg.FileStore.Bucket) })

	base := apptest.Start(t, cfg).URL()
	s := seed(t, base)
	checkFiles(t, base, s, true)
	assertSealed(t, js, cfg.FileStore.Bucket, s)

	dir := filepath.Join(t.TempDir(), "files")
	rep, err := backupFiles(ctx, cfg, dir, log)
	if err != nil || rep.Objects != len(s.Files) {
		t.Fatalf("backup: %+v %v", rep, err)
	}
	for _, plain := range s.Files {
		assertNotIn(t, filepath.Join(dir, "objects"), plain)
	}
	if _, err := backupFiles(ctx, cfg, dir, log); err == nil {
		t.Fatal("backup into a folder that is not empty accepted")
	}

	if err := js.DeleteObjectStore(ctx, cfg.FileStore.Bucket); err != nil {
		t.Fatal(err)
	}
	checkFiles(t, base, s, false)
	if _, err := restoreFiles(ctx, cfg, t.TempDir(), log); !errors.Is(err, attachment.ErrBackupIncomplete) {
		t.Fatalf("restore from a folder with no manifest: %v", err)
	}
	rep, err = restoreFiles(ctx, cfg, dir, log)
	if err != nil || rep.Objects != len(s.Files) {
		t.Fatalf("restore: %+v %v", rep, err)
	}
	checkFiles(t, base, s, true)
	assertSealed(t, js, cfg.FileStore.Bucket, s)
	if rep, err := restoreFiles(ctx, cfg, dir, log); err != nil || rep.Already != len(s.Files) || rep.Objects != 0 {
		t.Fatalf("restore again: %+v %v", rep, err)
	}

	local := cfg
	local.FileStore.Kind = "local"
	if _, err := backupFiles(ctx, local, t.TempDir(), log); !errors.Is(err, errFilesLocal) {
		t.Fatalf("local folder: %v", err)
	}
	embedded := cfg
	embedded.NATSURL = ""
	if _, err := restoreFiles(ctx, embedded, dir, log); !errors.Is(err, errFilesEmbedded) {
		t.Fatalf("embedded NATS: %v", err)
	}
}

// assertSealed reads the bucket's objects as stored: none holds a seeded
// file's plaintext.
func assertSealed(t *testing.T, js jetstream.JetStream, bucket string, s seeded) {
	t.Helper()
	ctx := context.Background()
	store, err := js.ObjectStore(ctx, bucket)
	if err != nil {
		t.Fatal(err)
	}
	infos, err := store.List(ctx)
	if err != nil || len(infos) != len(s.Files) {
		t.Fatalf("bucket lists %d objects, want %d: %v", len(infos), len(s.Files), err)
	}
	for _, info := range infos {
		b, err := store.GetBytes(ctx, info.Name)
		if err != nil {
			t.Fatal(err)
		}
		for name, plain := range s.Files {
			if bytes.Contains(b, plain[:20]) {
				t.Fatalf("object %s holds %s in plaintext", info.Name, name)
			}
		}
	}
}

// assertNotIn fails when a file under dir begins like plain.
func assertNotIn(t *testing.T, dir string, plain []byte) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		t.Fatalf("backup folder %s: %d entries, %v", dir, len(entries), err)
	}
	for _, e := range entries {
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		head := make([]byte, 20)
		_, err = io.ReadFull(f, head)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(head, plain[:20]) {
			t.Fatalf("backup file %s is plaintext", e.Name())
		}
	}
}
