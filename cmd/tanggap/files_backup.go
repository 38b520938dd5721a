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
	"tanggap/internal/bus"
	"tanggap/internal/config"
)

var (
	// errFilesLocal: the local folder is copied as it is (README "Backups").
	errFilesLocal = errors.New("FILES_STORE is not nats: copy the folder DATA_DIR/attachments as it is (see README \"Backups\")")
	// errFilesEmbedded: a second embedded NATS server must not open the
	// running one's store.
	errFilesEmbedded = errors.New("NATS_URL is empty: the files are in the embedded server's store; stop tanggap and copy DATA_DIR/nats")
)

// runBackupFiles is `tanggap backup-files DIR`: every object of the
// FILES_STORE=nats bucket (attachment.BackupObjects), online.
func runBackupFiles(cfg config.Config, log *slog.Logger, args []string) int {
	return runFiles(cfg, log, args, "backup-files", backupFiles)
}

// runRestoreFiles is `tanggap restore-files DIR`: the backup's objects put
// back into the bucket, which is created when missing.
func runRestoreFiles(cfg config.Config, log *slog.Logger, args []string) int {
	return runFiles(cfg, log, args, "restore-files", restoreFiles)
}

func runFiles(cfg config.Config, log *slog.Logger, args []string, name string,
	f func(context.Context, config.Config, string, *slog.Logger) (attachment.ObjectsReport, error)) int {
	if len(args) != 1 {
		fmt.Fprintf(os.Stderr, "usage: tanggap %s DIR\n", name)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := f(ctx, cfg, args[0], log)
	if err != nil {
		log.Error(name+" failed", "err", err, "objects", rep.Objects)
		return 1
	}
	log.Info(name+" done", "dir", args[0], "bucket", cfg.FileStore.Bucket, "objects", rep.Objects, "bytes", rep.Bytes, "already_there", rep.Already)
	return 0
}

func backupFiles(ctx context.Context, cfg config.Config, dir string, log *slog.Logger) (attachment.ObjectsReport, error) {
	b, err := filesBus(ctx, cfg, log)
	if err != nil {
		return attachment.ObjectsReport{}, err
	}
	defer b.Close()
	return attachment.BackupObjects(ctx, b.JS, cfg.FileStore.Bucket, dir)
}

func restoreFiles(ctx context.Context, cfg config.Config, dir string, log *slog.Logger) (attachment.ObjectsReport, error) {
	b, err := filesBus(ctx, cfg, log)
	if err != nil {
		return attachment.ObjectsReport{}, err
	}
	defer b.Close()
	// As the server creates it, if it is missing.
	o, err := attachment.NewObjects(ctx, b.JS, attachment.ObjectsConfig{Bucket: cfg.FileStore.Bucket, Replicas: cfg.FileStoreReplicas()})
	if err != nil {
		return attachment.ObjectsReport{}, err
	}
	return o.RestoreObjects(ctx, dir)
}

func filesBus(ctx context.Context, cfg config.Config, log *slog.Logger) (*bus.Bus, error) {
	if cfg.FileStore.Kind != "nats" {
		return nil, errFilesLocal
	}
	if cfg.NATSURL == "" {
		return nil, errFilesEmbedded
	}
	return bus.Connect(ctx, bus.Config{URL: cfg.NATSURL, SubjectPrefix: cfg.NATSSubjectPrefix,
		Replicas: cfg.NATSReplicas, Name: "tanggap files backup"}, log)
}
