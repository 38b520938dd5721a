package attachment

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Backend keeps bytes under keys. Write must leave nothing under key when
// r fails (the size limit ends an upload by failing its reader).
type Backend interface {
	Write(ctx context.Context, key string, r io.Reader) error
	// Open returns ErrNotFound for a key that holds nothing.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete of a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// Files is the Store over a Backend: types sniffed from the bytes, the size
// limit enforced while streaming, keys made here (never by the client), and
// the bytes sealed with Keys when encryption at rest is on.
type Files struct {
	b     Backend
	keys  *Keys          // nil: stored as sent
	locks [64]sync.Mutex // by key (seal.go)
}

var _ Store = (*Files)(nil)

// New returns a store keeping bytes in b, sealed with keys when keys is
// not nil. Files stored before encryption was turned on still read.
func New(b Backend, keys *Keys) *Files { return &Files{b: b, keys: keys} }

// ErrMagic: a plaintext beginning with the header of a sealed file is
// refused, sealed or not, so a file's first bytes always tell sealed from
// plaintext (seal.go).
var ErrMagic = fmt.Errorf("%w: begins with the header of an encrypted file", ErrType)

// NewLocal returns an unencrypted store in the folder dir (created if
// missing): the embedded default.
func NewLocal(dir string) (*Files, error) {
	d, err := NewDir(dir)
	if err != nil {
		return nil, err
	}
	return New(d, nil), nil
}

// Put stores r after sniffing its type from the first bytes (see Store).
func (f *Files) Put(ctx context.Context, r io.Reader, maxBytes int64, allowed []string) (Stored, error) {
	head, err := readHead(r)
	if err != nil {
		return Stored{}, err
	}
	mime := Sniff(head)
	if !contains(allowed, mime) {
		return Stored{}, fmt.Errorf("%w: %s", ErrType, mime)
	}
	return f.write(ctx, head, r, maxBytes, mime)
}

// PutAs stores a file whose type Detect already read (see Store).
func (f *Files) PutAs(ctx context.Context, r io.Reader, maxBytes int64, mime string) (Stored, error) {
	if mime == "" {
		return Stored{}, ErrEmptyUpload
	}
	head, err := readHead(r)
	if err != nil {
		return Stored{}, err
	}
	return f.write(ctx, head, r, maxBytes, mime)
}

func readHead(r io.Reader) ([]byte, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("attachment: read: %w", err)
	}
	if n == 0 {
		return nil, ErrEmptyUpload
	}
	return head[:n], nil
}

// write stores head followed by the rest of r under a new key.
func (f *Files) write(ctx context.Context, head []byte, r io.Reader, maxBytes int64, mime string) (Stored, error) {
	if bytes.HasPrefix(head, magic) {
		return Stored{}, ErrMagic
	}
	key, err := newKey(time.Now().UTC(), extension(mime))
	if err != nil {
		return Stored{}, err
	}
	lim := &limited{r: io.MultiReader(bytes.NewReader(head), r), left: maxBytes}
	var body io.Reader = lim
	if f.keys != nil {
		body = f.keys.seal(lim)
	}
	if err := f.b.Write(ctx, key, body); err != nil {
		if errors.Is(err, ErrTooLarge) {
			return Stored{}, ErrTooLarge
		}
		return Stored{}, err
	}
	return Stored{Key: key, MIME: mime, Size: lim.n}, nil
}

// Open returns the file under key, unsealed when it was stored encrypted.
func (f *Files) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	rc, err := f.b.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	return f.keys.open(rc)
}

// Delete removes the file under key; a missing file is not an error.
func (f *Files) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	mu := f.lock(key)
	mu.Lock()
	defer mu.Unlock()
	return f.b.Delete(ctx, key)
}

// checkKey refuses anything that is not a key we made (no "..", no
// absolute paths): year/month/name.
func checkKey(key string) error {
	parts := strings.Split(key, "/")
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) != 2 {
		return ErrInvalidKey
	}
	for _, p := range parts {
		if p == "" || p == "." || p == ".." || strings.ContainsAny(p, `\:`) || strings.HasPrefix(p, ".") {
			return ErrInvalidKey
		}
	}
	return nil
}

// limited reads at most left bytes of r and fails with ErrTooLarge on the
// first byte beyond them; n counts what it gave.
type limited struct {
	r    io.Reader
	left int64
	n    int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more tells "exactly at the limit" from "over it".
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, ErrTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	l.n += int64(n)
	return n, err
}
