package app

import (
	"context"
	"fmt"
	"log/slog"

	"tanggap/internal/attachment"
	"tanggap/internal/bus"
	"tanggap/internal/config"
)

// newFileStore builds the attachment store the configuration asks for:
// the local folder (embedded default) or JetStream's object store, sealed
// with the encryption keys when any are set.
func newFileStore(ctx context.Context, cfg config.Config, b *bus.Bus, log *slog.Logger) (attachment.Store, error) {
	keys, err := attachment.ParseKeys(cfg.FileStore.EncryptionKey)
	if err != nil {
		return nil, fmt.Errorf("app: FILES_ENCRYPTION_KEY: %w", err)
	}
	var backend attachment.Backend
	switch cfg.FileStore.Kind {
	case "nats":
		backend, err = attachment.NewObjects(ctx, b.JS, attachment.ObjectsConfig{Bucket: cfg.FileStore.Bucket, Replicas: cfg.FileStoreReplicas()})
	default:
		backend, err = attachment.NewDir(cfg.AttachmentDir())
	}
	if err != nil {
		return nil, err
	}
	keyID := ""
	if keys != nil {
		keyID = keys.ID()
	}
	log.Info("file store", "kind", cfg.FileStore.Kind, "encrypted", keys != nil, "key_id", keyID)
	return attachment.New(backend, keys), nil
}
