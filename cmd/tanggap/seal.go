package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"tanggap/internal/attachment"
	"tanggap/internal/config"
)

// errSealObjects: the seal-files command seals the local folder; the
// object store is sealed by the server itself at start.
var errSealObjects = errors.New("seal-files: FILES_STORE=nats: the server seals the object store in the background when it starts with FILES_ENCRYPTION_KEY set")

// runSeal is `tanggap seal-files`: seal, in place, the files of the local
// folder stored before FILES_ENCRYPTION_KEY was set (the server also does
// it in the background at every start; this runs it now and says what it
// found). Safe to run again; files already sealed are left alone.
func runSeal(cfg config.Config, log *slog.Logger) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := sealFiles(ctx, cfg, log)
	if err != nil {
		log.Error("sealing failed", "err", err, "sealed", rep.Sealed)
		return 1
	}
	fmt.Printf("sealed %d, already sealed %d, unreadable %d, failed %d\n", rep.Sealed, rep.Already, rep.Unreadable, rep.Failed)
	if rep.Unreadable > 0 || rep.Failed > 0 {
		return 1
	}
	return 0
}

func sealFiles(ctx context.Context, cfg config.Config, log *slog.Logger) (attachment.SealReport, error) {
	if cfg.FileStore.Kind == "nats" {
		return attachment.SealReport{}, errSealObjects
	}
	keys, err := attachment.ParseKeys(cfg.FileStore.EncryptionKey)
	if err != nil {
		return attachment.SealReport{}, fmt.Errorf("seal-files: FILES_ENCRYPTION_KEY: %w", err)
	}
	d, err := attachment.NewDir(cfg.AttachmentDir())
	if err != nil {
		return attachment.SealReport{}, err
	}
	return attachment.New(d, keys).SealAll(ctx, log)
}
