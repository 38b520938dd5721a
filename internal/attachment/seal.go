package attachment

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/nats-io/nats.go/jetstream"
)

// Sealing files stored before encryption was turned on.
//
// Whether a file is sealed is read from its first bytes, never guessed
// from a failed decryption: a sealed file begins with the magic, and no
// plaintext may (Put and PutAs refuse one, sealed or not), so a file
// without the magic is plaintext and one with it is sealed. A file that
// carries the magic but opens with no configured key is reported, not
// served as it is. (A plaintext beginning with the magic could only have
// been stored before that refusal; the sealing pass reports it as
// unreadable rather than guess.)
//
// Open still serves a plaintext file when a key is configured, so turning
// encryption on breaks no download; SealAll rewrites each one sealed, in
// place under the same key (the server runs it in the background when a
// key is set, see internal/app).

// ErrNoKeys: sealing asked of a store without encryption keys.
var ErrNoKeys = errors.New("attachment: no encryption key configured (FILES_ENCRYPTION_KEY)")

// Lister is a Backend that lists its keys (both backends are).
type Lister interface {
	List(ctx context.Context, fn func(key string) error) error
}

// SealReport counts what a sealing pass found.
type SealReport struct {
	Sealed     int64 `json:"sealed"`     // plaintext files rewritten sealed
	Already    int64 `json:"already"`    // sealed with a configured key
	Unreadable int64 `json:"unreadable"` // carry the header, but of no configured key
	Failed     int64 `json:"failed"`     // could not be read or written
}

// Sealed reports whether the file under key is sealed (its header only).
func (f *Files) Sealed(ctx context.Context, key string) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, err
	}
	rc, err := f.b.Open(ctx, key)
	if err != nil {
		return false, err
	}
	defer rc.Close()
	head := make([]byte, len(magic))
	n, err := io.ReadFull(rc, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("attachment: read: %w", err)
	}
	return bytes.Equal(head[:n], magic), nil
}

// SealAll rewrites every plaintext file of the store sealed with the
// first key, under the same key. It is safe to run again (sealed files
// are left alone) and while the server runs (a file deleted meanwhile is
// not brought back by this instance: the key's lock orders the two).
func (f *Files) SealAll(ctx context.Context, log *slog.Logger) (SealReport, error) {
	var rep SealReport
	if f.keys == nil {
		return rep, ErrNoKeys
	}
	l, ok := f.b.(Lister)
	if !ok {
		return rep, errors.New("attachment: this backend cannot list its files")
	}
	err := l.List(ctx, func(key string) error {
		switch state, err := f.sealOne(ctx, key); {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			rep.Failed++
			log.Error("file not sealed", "key", key, "error", err)
		case state == sealDone:
			rep.Sealed++
		case state == sealAlready:
			rep.Already++
		case state == sealUnreadable:
			rep.Unreadable++
			log.Error("file carries the encryption header but no configured key opens it", "key", key)
		}
		return nil
	})
	return rep, err
}

const (
	sealGone = iota
	sealDone
	sealAlready
	sealUnreadable
)

// sealOne seals the file under key if it is plaintext. The sealed bytes
// are spooled to a temporary file first (an object store cannot be read
// and rewritten under one name at once).
func (f *Files) sealOne(ctx context.Context, key string) (int, error) {
	if checkKey(key) != nil {
		return sealGone, nil // not ours (a temporary upload)
	}
	mu := f.lock(key)
	mu.Lock()
	defer mu.Unlock()
	rc, err := f.b.Open(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return sealGone, nil
	}
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	br := bufio.NewReader(rc)
	head, err := br.Peek(len(magic) + idSize)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("attachment: read: %w", err)
	}
	if bytes.HasPrefix(head, magic) {
		// Sealed: its header names the key; only that is read, so a pass
		// over files sealed already costs one short read each.
		if len(head) < len(magic)+idSize || f.keys.find(head[len(magic):]) == nil {
			return sealUnreadable, nil
		}
		return sealAlready, nil
	}
	// The spool holds the sealed bytes only: no plaintext copy is made.
	spool, err := os.CreateTemp("", "tanggap-seal-*")
	if err != nil {
		return 0, fmt.Errorf("attachment: %w", err)
	}
	defer func() { spool.Close(); os.Remove(spool.Name()) }()
	if _, err := io.Copy(spool, f.keys.seal(br)); err != nil {
		return 0, fmt.Errorf("attachment: seal: %w", err)
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return 0, fmt.Errorf("attachment: %w", err)
	}
	if err := f.b.Write(ctx, key, spool); err != nil {
		return 0, err
	}
	return sealDone, nil
}

// lock is the mutex of key's stripe: Delete and sealing of one key never
// overlap in this instance.
func (f *Files) lock(key string) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(key))
	return &f.locks[h.Sum32()%uint32(len(f.locks))]
}

// List calls fn with every key under the folder (temporary uploads
// skipped).
func (d *Dir) List(ctx context.Context, fn func(key string) error) error {
	return filepath.WalkDir(d.dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(d.dir, p)
		if err != nil {
			return err
		}
		return fn(filepath.ToSlash(rel))
	})
}

// List calls fn with every object's name in the bucket.
func (o *Objects) List(ctx context.Context, fn func(key string) error) error {
	infos, err := o.os.List(ctx)
	if errors.Is(err, jetstream.ErrNoObjectsFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("attachment: object store list: %w", err)
	}
	for _, in := range infos {
		if in.Deleted {
			continue
		}
		if err := fn(in.Name); err != nil {
			return err
		}
	}
	return nil
}
