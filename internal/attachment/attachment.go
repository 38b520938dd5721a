// Package attachment keeps the files citizens send (photos of documents,
// PDFs, voicemail recordings) outside the database and the bus: envelopes
// and messages carry only a key.
//
// Files (files.go) is the one Store: it sniffs types, enforces size limits,
// makes keys and optionally encrypts (crypt.go); it keeps the bytes in a
// Backend: a local folder (Dir, the embedded default) or JetStream's object
// store (Objects), which every instance of a cluster reads.
package attachment

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
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
