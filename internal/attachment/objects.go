package attachment

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/nats-io/nats.go/jetstream"
)

// Objects keeps files in a JetStream object store bucket, replicated with
// the NATS cluster, so every instance reads what any instance stored.
type Objects struct {
	os jetstream.ObjectStore
}

var _ Backend = (*Objects)(nil)

// ObjectsConfig names the bucket and how many NATS servers hold it.
type ObjectsConfig struct {
	Bucket   string
	Replicas int
}

// NewObjects creates the bucket if missing (or updates its replicas) and
// returns a backend on it.
func NewObjects(ctx context.Context, js jetstream.JetStream, cfg ObjectsConfig) (*Objects, error) {
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	os, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket: cfg.Bucket, Description: "attachments and recordings",
		Storage: jetstream.FileStorage, Replicas: cfg.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("attachment: object store %s: %w", cfg.Bucket, err)
	}
	return &Objects{os: os}, nil
}

// Write stores r under key; when r fails the object store purges the
// chunks already sent, so nothing is left under key.
func (o *Objects) Write(ctx context.Context, key string, r io.Reader) error {
	if _, err := o.os.Put(ctx, jetstream.ObjectMeta{Name: key}, r); err != nil {
		if errors.Is(err, ErrTooLarge) {
			return err
		}
		return fmt.Errorf("attachment: object store put: %w", err)
	}
	return nil
}

// Open streams the object under key; its digest is checked at the end.
func (o *Objects) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	r, err := o.os.Get(ctx, key)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("attachment: object store get: %w", err)
	}
	return r, nil
}

// Delete removes the object under key; a missing object is not an error.
func (o *Objects) Delete(ctx context.Context, key string) error {
	err := o.os.Delete(ctx, key)
	if err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
		return fmt.Errorf("attachment: object store delete: %w", err)
	}
	return nil
}
