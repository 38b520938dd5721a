package attachment

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

// sealPass checks, on backend b, that files stored before encryption was
// turned on are served as they are, then sealed in place by SealAll (the
// plaintext gone from the store, the same bytes read back), that a second
// pass finds them sealed, and that a file sealed with a key no longer
// configured is reported, not rewritten.
func sealPass(t *testing.T, b Backend, raw func(key string) []byte) {
	t.Helper()
	ctx := context.Background()
	plain := New(b, nil)
	keyOld, keyNew := newKeySpec(t), newKeySpec(t)
	var keys []string
	var datas [][]byte
	for i, size := range []int{len(pdf), chunkSize + 9} {
		data := append(append([]byte{}, pdf...), bytes.Repeat([]byte("rahasia "), size/8+1)...)[:size]
		st, err := plain.Put(ctx, bytes.NewReader(data), 1<<20, Documents)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(raw(st.Key), pdf[:8]) {
			t.Fatalf("file %d: not plaintext before sealing", i)
		}
		keys, datas = append(keys, st.Key), append(datas, data)
	}
	lost, err := New(b, mustKeys(t, keyOld)).Put(ctx, bytes.NewReader(pdf), 1<<20, Documents)
	if err != nil {
		t.Fatal(err)
	}
	sealed := New(b, mustKeys(t, keyNew))
	for i, k := range keys {
		assertReads(t, sealed, k, datas[i]) // served while not yet sealed
		if s, err := sealed.Sealed(ctx, k); err != nil || s {
			t.Fatalf("file %d: sealed=%v %v before the pass", i, s, err)
		}
	}
	rep, err := sealed.SealAll(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if rep != (SealReport{Sealed: 2, Unreadable: 1}) {
		t.Fatalf("first pass %+v", rep)
	}
	for i, k := range keys {
		if r := raw(k); bytes.Contains(r, []byte("rahasia")) || bytes.Contains(r, pdf[:8]) {
			t.Fatalf("file %d: plaintext still in the store", i)
		}
		if s, err := sealed.Sealed(ctx, k); err != nil || !s {
			t.Fatalf("file %d: sealed=%v %v after the pass", i, s, err)
		}
		assertReads(t, sealed, k, datas[i])
	}
	if _, err := sealed.Open(ctx, lost.Key); !errors.Is(err, ErrKeyUnknown) {
		t.Fatalf("a file sealed with another key: %v", err)
	}
	rep, err = New(b, mustKeys(t, keyNew+","+keyOld)).SealAll(ctx, slog.New(slog.DiscardHandler))
	if err != nil || rep != (SealReport{Already: 3}) {
		t.Fatalf("second pass %+v %v", rep, err)
	}
	if _, err := plain.SealAll(ctx, slog.New(slog.DiscardHandler)); !errors.Is(err, ErrNoKeys) {
		t.Fatalf("sealing without a key: %v", err)
	}
}

func TestSealAllOnDir(t *testing.T) {
	dir := t.TempDir()
	d, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	sealPass(t, d, func(key string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key)))
		if err != nil {
			t.Fatal(err)
		}
		return b
	})
}

func TestSealAllOnObjects(t *testing.T) {
	cfg := testenv.SharedBusConfig(t)
	bus := testenv.ConnectBus(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bucket := "seal_" + strings.ReplaceAll(cfg.SubjectPrefix, ".", "_")
	t.Cleanup(func() { _ = bus.JS.DeleteObjectStore(context.Background(), bucket) })
	ob, err := NewObjects(ctx, bus.JS, ObjectsConfig{Bucket: bucket, Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	sealPass(t, ob, func(key string) []byte {
		b, err := ob.os.GetBytes(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return b
	})
}

// TestPlaintextWithTheHeaderIsRefused: a file whose bytes begin with the
// sealed header would be taken for a sealed one; it is refused whether
// the store seals or not, so the header alone tells them apart.
func TestPlaintextWithTheHeaderIsRefused(t *testing.T) {
	ctx := context.Background()
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	forged := append(append([]byte{}, magic...), []byte(" surat biasa, bukan berkas terenkripsi\n")...)
	for name, s := range map[string]*Files{"plain": New(d, nil), "sealing": New(d, mustKeys(t, newKeySpec(t)))} {
		if _, err := s.Put(ctx, bytes.NewReader(forged), 1<<20, []string{"text/plain"}); !errors.Is(err, ErrMagic) || !errors.Is(err, ErrType) {
			t.Errorf("%s store, Put: %v, want ErrMagic", name, err)
		}
		if _, err := s.PutAs(ctx, bytes.NewReader(forged), 1<<20, "text/plain"); !errors.Is(err, ErrMagic) {
			t.Errorf("%s store, PutAs: %v, want ErrMagic", name, err)
		}
	}
	// A short file that is only the start of the header is plaintext.
	st, err := New(d, nil).PutAs(ctx, bytes.NewReader(magic[:4]), 1<<20, "text/plain")
	if err != nil {
		t.Fatal(err)
	}
	assertReads(t, New(d, mustKeys(t, newKeySpec(t))), st.Key, magic[:4])
}
