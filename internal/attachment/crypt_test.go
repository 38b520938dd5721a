package attachment

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func newKeySpec(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func mustKeys(t *testing.T, spec string) *Keys {
	t.Helper()
	k, err := ParseKeys(spec)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestEncryptionAtRest: what lies on disk is not the plaintext, reads give
// the plaintext back whatever its size, and a wrong key says so.
func TestEncryptionAtRest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	key1, key2 := newKeySpec(t), newKeySpec(t)
	sealed := New(d, mustKeys(t, key1))
	for _, size := range []int{len(pdf), chunkSize - len(pdf), chunkSize, 3*chunkSize + 7} {
		data := append(append([]byte{}, pdf...), bytes.Repeat([]byte("rahasia "), size/8+1)...)[:max(size, len(pdf))]
		st, err := sealed.Put(ctx, bytes.NewReader(data), 1<<20, Documents)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size != int64(len(data)) {
			t.Fatalf("size %d, want %d", st.Size, len(data))
		}
		raw, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(st.Key)))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte("rahasia")) || bytes.Contains(raw, pdf[:8]) {
			t.Fatalf("size %d: plaintext on disk", size)
		}
		assertReads(t, sealed, st.Key, data)
	}

	st, err := sealed.Put(ctx, bytes.NewReader(pdf), 1<<20, Documents)
	if err != nil {
		t.Fatal(err)
	}
	// Rotation: the new key first seals new files, the old one still opens old ones.
	rotated := New(d, mustKeys(t, key2+","+key1))
	assertReads(t, rotated, st.Key, pdf)
	// A store without the key, or with another key only, says which.
	for name, s := range map[string]*Files{"no key": New(d, nil), "another key": New(d, mustKeys(t, key2))} {
		if _, err := s.Open(ctx, st.Key); !errors.Is(err, ErrKeyUnknown) {
			t.Errorf("%s: %v, want ErrKeyUnknown", name, err)
		}
	}
	// A key that claims the same id but is another key: authentication fails.
	forged := mustKeys(t, key2)
	forged.keys[0].id = mustKeys(t, key1).keys[0].id
	if _, err := New(d, forged).Open(ctx, st.Key); !errors.Is(err, ErrDecrypt) {
		t.Errorf("wrong key under the right id: %v, want ErrDecrypt", err)
	}
	// Files stored before encryption was turned on still read.
	plain, err := New(d, nil).Put(ctx, bytes.NewReader(jpeg), 1<<20, Documents)
	if err != nil {
		t.Fatal(err)
	}
	assertReads(t, sealed, plain.Key, jpeg)
	// The limit still holds, and leaves nothing behind.
	before := countFiles(t, dir)
	if _, err := sealed.Put(ctx, bytes.NewReader(jpeg), 50, Documents); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
	if countFiles(t, dir) != before {
		t.Fatal("refused upload left a file")
	}
}

// TestTamperedFileFails: flipping a byte, cutting the last chunk off or
// appending bytes is refused, never read as a shorter or longer file.
func TestTamperedFileFails(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, _ := NewDir(dir)
	s := New(d, mustKeys(t, newKeySpec(t)))
	data := append(append([]byte{}, pdf...), bytes.Repeat([]byte{7}, 2*chunkSize+100)...)
	st, err := s.Put(ctx, bytes.NewReader(data), 1<<20, Documents)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, filepath.FromSlash(st.Key))
	orig, _ := os.ReadFile(path)
	for name, mutate := range map[string]func([]byte) []byte{
		"flipped byte":   func(b []byte) []byte { b[len(b)/2] ^= 1; return b },
		"last chunk cut": func(b []byte) []byte { return b[:len(magic)+idSize+saltSize+2*(chunkSize+aesOverhead)] },
		"bytes appended": func(b []byte) []byte { return append(b, 1, 2, 3) },
		"header only":    func(b []byte) []byte { return b[:len(magic)+idSize+saltSize] },
		"salt changed":   func(b []byte) []byte { b[len(magic)+idSize] ^= 1; return b },
		"first chunk cut": func(b []byte) []byte {
			return append(b[:len(magic)+idSize+saltSize], b[len(magic)+idSize+saltSize+chunkSize+aesOverhead:]...)
		},
	} {
		if err := os.WriteFile(path, mutate(append([]byte{}, orig...)), 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := s.Open(ctx, st.Key)
		if err == nil {
			_, err = io.ReadAll(r)
			r.Close()
		}
		if !errors.Is(err, ErrDecrypt) {
			t.Errorf("%s: %v, want ErrDecrypt", name, err)
		}
	}
}

func TestParseKeys(t *testing.T) {
	if k, err := ParseKeys(""); k != nil || err != nil {
		t.Fatalf("empty: %v %v", k, err)
	}
	hexKey := "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	k, err := ParseKeys(hexKey + ", " + newKeySpec(t))
	if err != nil || len(k.keys) != 2 || len(k.ID()) != 2*idSize {
		t.Fatalf("two keys: %v %v", k, err)
	}
	for _, bad := range []string{"short", base64.StdEncoding.EncodeToString(make([]byte, 16)), hexKey + ",", "zz" + hexKey[2:]} {
		if _, err := ParseKeys(bad); !errors.Is(err, ErrBadKey) {
			t.Errorf("%q: %v, want ErrBadKey", bad, err)
		}
	}
}
