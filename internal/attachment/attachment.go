// Package attachment keeps the files citizens send (photos of documents,
// PDFs) outside the database and the bus: envelopes and messages carry only
// a key. The Store interface lets object storage replace the local folder.
package attachment

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Errors of the attachment store.
var (
	ErrTooLarge    = errors.New("attachment: too large")
	ErrType        = errors.New("attachment: type not allowed")
	ErrNotFound    = errors.New("attachment: not found")
	ErrInvalidKey  = errors.New("attachment: invalid key")
	ErrEmptyUpload = errors.New("attachment: empty")
)

// Store keeps attachment bytes under opaque keys.
type Store interface {
	// Put stores at most maxBytes of r whose type is one of allowed (sniffed
	// from the bytes, never trusted from the client) and returns its key,
	// detected MIME type and size.
	Put(ctx context.Context, r io.Reader, maxBytes int64, allowed []string) (Stored, error)
	// PutAs stores at most maxBytes of r under a type the caller already
	// read from the whole file (Detect), for types the first bytes cannot
	// tell apart (Office documents are ZIP or OLE containers).
	PutAs(ctx context.Context, r io.Reader, maxBytes int64, mime string) (Stored, error)
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// Stored describes a stored file.
type Stored struct {
	Key  string
	MIME string
	Size int64
}

// Documents are the types citizens may attach to complaints.
var Documents = []string{"image/jpeg", "image/png", "application/pdf"}

// Local stores files in a folder, one file per key, sharded by month.
type Local struct {
	dir string
}

// NewLocal returns a store rooted at dir (created if missing).
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("attachment: %w", err)
	}
	return &Local{dir: dir}, nil
}

var _ Store = (*Local)(nil)

// Put streams r to a temporary file, sniffing the type from the first
// bytes and enforcing the size limit, then renames it into place so a
// half-written file never carries a key.
func (l *Local) Put(ctx context.Context, r io.Reader, maxBytes int64, allowed []string) (Stored, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Stored{}, fmt.Errorf("attachment: read: %w", err)
	}
	head = head[:n]
	if n == 0 {
		return Stored{}, ErrEmptyUpload
	}
	mime := Sniff(head)
	if !contains(allowed, mime) {
		return Stored{}, fmt.Errorf("%w: %s", ErrType, mime)
	}
	return l.write(head, r, maxBytes, mime)
}

// write stores head followed by the rest of r under a new key.
func (l *Local) write(head []byte, r io.Reader, maxBytes int64, mime string) (Stored, error) {
	key, err := newKey(time.Now().UTC(), extension(mime))
	if err != nil {
		return Stored{}, err
	}
	final := filepath.Join(l.dir, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return Stored{}, fmt.Errorf("attachment: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(final), ".upload-*")
	if err != nil {
		return Stored{}, fmt.Errorf("attachment: %w", err)
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	written, err := io.Copy(tmp, io.LimitReader(io.MultiReader(bytes.NewReader(head), r), maxBytes+1))
	if err != nil {
		cleanup()
		return Stored{}, fmt.Errorf("attachment: write: %w", err)
	}
	if written > maxBytes {
		cleanup()
		return Stored{}, ErrTooLarge
	}
	if err := tmp.Sync(); err != nil {
		cleanup()
		return Stored{}, fmt.Errorf("attachment: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return Stored{}, fmt.Errorf("attachment: close: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		os.Remove(tmp.Name())
		return Stored{}, fmt.Errorf("attachment: %w", err)
	}
	return Stored{Key: key, MIME: mime, Size: written}, nil
}

// Open returns the file under key.
func (l *Local) Open(_ context.Context, key string) (io.ReadCloser, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("attachment: %w", err)
	}
	return f, nil
}

// Delete removes the file under key; a missing file is not an error.
func (l *Local) Delete(_ context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("attachment: %w", err)
	}
	return nil
}

// path maps a key to a file, refusing anything that is not a key we made
// (no "..", no absolute paths).
func (l *Local) path(key string) (string, error) {
	parts := strings.Split(key, "/")
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) != 2 {
		return "", ErrInvalidKey
	}
	for _, p := range parts {
		if p == "" || p == "." || p == ".." || strings.ContainsAny(p, `\:`) {
			return "", ErrInvalidKey
		}
	}
	return filepath.Join(l.dir, parts[0], parts[1], parts[2]), nil
}

// Sniff detects the MIME type from the first bytes.
func Sniff(head []byte) string {
	t := http.DetectContentType(head)
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	return t
}

func newKey(now time.Time, ext string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("attachment: random: %w", err)
	}
	return fmt.Sprintf("%04d/%02d/%s%s", now.Year(), int(now.Month()), hex.EncodeToString(b[:]), ext), nil
}

func extension(mime string) string {
	switch mime {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "application/pdf":
		return ".pdf"
	}
	if ext, ok := moreExtensions[mime]; ok {
		return ext
	}
	return ".bin"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
