package attachment

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

// TestObjectsReadThroughAnotherInstance is issue 17 item 3: a file stored
// by one instance is read (and deleted) through another instance's store,
// each with its own connection to the same NATS.
func TestObjectsReadThroughAnotherInstance(t *testing.T) {
	cfg := testenv.SharedBusConfig(t)
	one, two := testenv.ConnectBus(t, cfg), testenv.ConnectBus(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bucket := "files_" + strings.ReplaceAll(cfg.SubjectPrefix, ".", "_")
	t.Cleanup(func() { _ = one.JS.DeleteObjectStore(context.Background(), bucket) })
	ob1, err := NewObjects(ctx, one.JS, ObjectsConfig{Bucket: bucket, Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	ob2, err := NewObjects(ctx, two.JS, ObjectsConfig{Bucket: bucket, Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	a, b := New(ob1, nil), New(ob2, nil)

	big := append(append([]byte{}, pdf...), bytes.Repeat([]byte("x"), 300<<10)...) // several object chunks
	st, err := a.Put(ctx, bytes.NewReader(big), 1<<20, Documents)
	if err != nil {
		t.Fatal(err)
	}
	if st.MIME != "application/pdf" || st.Size != int64(len(big)) {
		t.Fatalf("stored %+v", st)
	}
	assertReads(t, b, st.Key, big)

	if _, err := a.Put(ctx, bytes.NewReader(big), 100<<10, Documents); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the limit: %v, want ErrTooLarge", err)
	}
	if _, err := b.Open(ctx, "2026/11/0123456789abcdef.pdf"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing object: %v, want ErrNotFound", err)
	}
	if err := b.Delete(ctx, st.Key); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Open(ctx, st.Key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted through the other instance: %v, want ErrNotFound", err)
	}
	if err := a.Delete(ctx, st.Key); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
	// The refused upload left nothing behind: the bucket holds no object.
	os, err := one.JS.ObjectStore(ctx, bucket)
	if err != nil {
		t.Fatal(err)
	}
	if list, err := os.List(ctx); err == nil && len(list) > 0 {
		t.Fatalf("objects left in the bucket: %d", len(list))
	}
}

func assertReads(t *testing.T, s Store, key string, want []byte) {
	t.Helper()
	r, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes that differ from the %d stored", len(got), len(want))
	}
}
