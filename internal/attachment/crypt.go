package attachment

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Encryption at rest.
//
// A sealed file is: magic, the key id (8 bytes), a random 16-byte salt,
// then the plaintext in 64 KiB chunks, each sealed with AES-256-GCM. The
// file's own key is HMAC-SHA256(master key, salt), so no two files share a
// key and the chunk nonces (chunk counter plus a last-chunk flag) never
// repeat under one key; the flag and the counter make truncation, reordering
// and appending fail authentication. The key id names which master key
// sealed the file, so a new key can seal new files while the old ones stay
// readable (rotation: list the new key first, keep the old after it).

// Errors of encryption at rest.
var (
	ErrKeyUnknown = errors.New("attachment: file sealed with an encryption key that is not configured")
	ErrDecrypt    = errors.New("attachment: file does not decrypt with the configured key (wrong key or damaged file)")
	ErrBadKey     = errors.New("attachment: encryption key must be 32 bytes, base64 or hex encoded")
)

var magic = []byte("TANGGAP-ENC1")

const (
	chunkSize = 64 << 10
	idSize    = 8
	saltSize  = 16
)

// Keys holds the master keys: the first seals new files; every one opens.
type Keys struct {
	keys []masterKey
}

type masterKey struct {
	id  [idSize]byte
	key []byte
}

// ParseKeys reads a comma-separated list of 32-byte keys, each base64
// (standard or URL alphabet) or 64 hex digits. Empty spec: nil, no error.
func ParseKeys(spec string) (*Keys, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	k := &Keys{}
	for _, item := range strings.Split(spec, ",") {
		raw, err := decodeKey(strings.TrimSpace(item))
		if err != nil {
			return nil, err
		}
		mk := masterKey{key: raw}
		sum := sha256.Sum256(append([]byte("tanggap key id\x00"), raw...))
		copy(mk.id[:], sum[:])
		k.keys = append(k.keys, mk)
	}
	return k, nil
}

func decodeKey(s string) ([]byte, error) {
	if len(s) == 64 {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, ErrBadKey
}

// ID is the id of the key that seals new files (hex), safe to log.
func (k *Keys) ID() string { return hex.EncodeToString(k.keys[0].id[:]) }

func (k *Keys) find(id []byte) []byte {
	for _, mk := range k.keys {
		if bytes.Equal(mk.id[:], id) {
			return mk.key
		}
	}
	return nil
}

func fileAEAD(master, salt []byte) (cipher.AEAD, error) {
	m := hmac.New(sha256.New, master)
	m.Write(salt)
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func nonce(counter uint64, last bool) []byte {
	n := make([]byte, 12)
	binary.BigEndian.PutUint64(n[3:11], counter)
	if last {
		n[11] = 1
	}
	return n
}

// seal returns a reader of r's bytes sealed with the first key. Errors of
// r (the size limit) come through unchanged.
func (k *Keys) seal(r io.Reader) io.Reader {
	s := &sealer{src: bufio.NewReaderSize(r, chunkSize+1), plain: make([]byte, chunkSize)}
	salt := make([]byte, saltSize)
	if _, err := rand.Read(salt); err != nil {
		s.err = fmt.Errorf("attachment: random: %w", err)
		return s
	}
	s.aead, s.err = fileAEAD(k.keys[0].key, salt)
	s.out = append(append(append([]byte{}, magic...), k.keys[0].id[:]...), salt...)
	return s
}

type sealer struct {
	src     *bufio.Reader
	aead    cipher.AEAD
	plain   []byte
	buf     []byte // the last sealed chunk
	out     []byte // its bytes not yet read
	counter uint64
	done    bool
	err     error
}

func (s *sealer) Read(p []byte) (int, error) {
	for len(s.out) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		if s.done {
			return 0, io.EOF
		}
		n, err := io.ReadFull(s.src, s.plain)
		last := false
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			last = true
		case err != nil:
			s.err = err
			return 0, err
		default:
			if _, perr := s.src.Peek(1); errors.Is(perr, io.EOF) {
				last = true
			} else if perr != nil {
				s.err = perr
				return 0, perr
			}
		}
		s.buf = s.aead.Seal(s.buf[:0], nonce(s.counter, last), s.plain[:n], nil)
		s.out = s.buf
		s.counter++
		s.done = last
	}
	n := copy(p, s.out)
	s.out = s.out[n:]
	return n, nil
}

// open returns rc's plaintext: unsealed when it carries the magic, as it
// is otherwise (files stored before encryption was turned on).
func (k *Keys) open(rc io.ReadCloser) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(rc, chunkSize+aesOverhead+1)
	head, err := br.Peek(len(magic))
	if err != nil && !errors.Is(err, io.EOF) {
		rc.Close()
		return nil, fmt.Errorf("attachment: read: %w", err)
	}
	if !bytes.Equal(head, magic) {
		return struct {
			io.Reader
			io.Closer
		}{br, rc}, nil
	}
	hdr := make([]byte, len(magic)+idSize+saltSize)
	if _, err := io.ReadFull(br, hdr); err != nil {
		rc.Close()
		return nil, ErrDecrypt
	}
	id := hdr[len(magic) : len(magic)+idSize]
	var master []byte
	if k != nil {
		master = k.find(id)
	}
	if master == nil {
		rc.Close()
		return nil, fmt.Errorf("%w (key id %s)", ErrKeyUnknown, hex.EncodeToString(id))
	}
	aead, err := fileAEAD(master, hdr[len(magic)+idSize:])
	if err != nil {
		rc.Close()
		return nil, err
	}
	u := &unsealer{src: br, aead: aead, sealed: make([]byte, chunkSize+aead.Overhead()), closer: rc}
	// Open the first chunk now, so a wrong key fails here with a clear
	// error rather than halfway through a response.
	if err := u.next(); err != nil {
		rc.Close()
		return nil, err
	}
	return u, nil
}

const aesOverhead = 16

type unsealer struct {
	src     *bufio.Reader
	aead    cipher.AEAD
	sealed  []byte
	buf     []byte // the last opened chunk
	plain   []byte // its bytes not yet read
	counter uint64
	done    bool
	closer  io.Closer
}

func (u *unsealer) next() error {
	n, err := io.ReadFull(u.src, u.sealed)
	last := false
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		last = true
	case err != nil:
		return fmt.Errorf("attachment: read: %w", err)
	default:
		if _, perr := u.src.Peek(1); errors.Is(perr, io.EOF) {
			last = true
		} else if perr != nil {
			return fmt.Errorf("attachment: read: %w", perr)
		}
	}
	plain, err := u.aead.Open(u.buf[:0], nonce(u.counter, last), u.sealed[:n], nil)
	if err != nil {
		return ErrDecrypt
	}
	u.buf, u.plain = plain, plain
	u.counter++
	u.done = last
	return nil
}

func (u *unsealer) Read(p []byte) (int, error) {
	for len(u.plain) == 0 {
		if u.done {
			return 0, io.EOF
		}
		if err := u.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, u.plain)
	u.plain = u.plain[n:]
	return n, nil
}

func (u *unsealer) Close() error { return u.closer.Close() }
