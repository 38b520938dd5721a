package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"testing"

	"tanggap/internal/attachment"
	"tanggap/internal/config"
	"tanggap/internal/testenv"
)

func TestSealFilesCommand(t *testing.T) {
	ctx := context.Background()
	log := testenv.Logger(t)
	cfg := config.Config{DataDir: t.TempDir()}
	cfg.FileStore.Kind = "local"
	if _, err := sealFiles(ctx, cfg, log); !errors.Is(err, attachment.ErrNoKeys) {
		t.Fatalf("without a key: %v", err)
	}
	plain, err := attachment.NewLocal(cfg.AttachmentDir())
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("%PDF-1.7\nsurat\n%%EOF")
	st, err := plain.Put(ctx, bytes.NewReader(data), 1<<20, attachment.Documents)
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	rand.Read(key)
	cfg.FileStore.EncryptionKey = base64.StdEncoding.EncodeToString(key)
	rep, err := sealFiles(ctx, cfg, log)
	if err != nil || rep != (attachment.SealReport{Sealed: 1}) {
		t.Fatalf("seal: %+v %v", rep, err)
	}
	keys, _ := attachment.ParseKeys(cfg.FileStore.EncryptionKey)
	d, _ := attachment.NewDir(cfg.AttachmentDir())
	if ok, err := attachment.New(d, keys).Sealed(ctx, st.Key); err != nil || !ok {
		t.Fatalf("sealed=%v %v", ok, err)
	}
	if rep, err := sealFiles(ctx, cfg, log); err != nil || rep != (attachment.SealReport{Already: 1}) {
		t.Fatalf("again: %+v %v", rep, err)
	}
	cfg.FileStore.Kind = "nats"
	if _, err := sealFiles(ctx, cfg, log); !errors.Is(err, errSealObjects) {
		t.Fatalf("object store: %v", err)
	}
}
