package attachment

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	jpeg = append([]byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{1}, 100)...)
	pdf  = []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n%%EOF")
	html = []byte("<!DOCTYPE html><html><script>alert(1)</script>")
)

func TestPut(t *testing.T) {
	cases := []struct {
		name     string
		data     []byte
		max      int64
		wantMIME string
		wantErr  error
	}{
		{"JPEG by its bytes", jpeg, 1 << 20, "image/jpeg", nil},
		{"PDF by its bytes", pdf, 1 << 20, "application/pdf", nil},
		{"HTML is refused whatever its name", html, 1 << 20, "", ErrType},
		{"empty upload", nil, 1 << 20, "", ErrEmptyUpload},
		{"over the size limit", jpeg, 50, "", ErrTooLarge},
		{"exactly at the limit", jpeg, int64(len(jpeg)), "image/jpeg", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := NewLocal(dir)
			if err != nil {
				t.Fatal(err)
			}
			st, err := s.Put(context.Background(), bytes.NewReader(tc.data), tc.max, Documents)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("got %v, want %v", err, tc.wantErr)
				}
				if n := countFiles(t, dir); n != 0 {
					t.Fatalf("%d files left after a refused upload", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.MIME != tc.wantMIME || st.Size != int64(len(tc.data)) {
				t.Fatalf("stored %+v", st)
			}
			f, err := s.Open(context.Background(), st.Key)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, _ := io.ReadAll(f)
			if !bytes.Equal(got, tc.data) {
				t.Fatal("stored bytes differ")
			}
		})
	}
}

func TestKeysCannotEscapeTheFolder(t *testing.T) {
	s, _ := NewLocal(t.TempDir())
	for _, key := range []string{"../../etc/passwd", "/etc/passwd", "2026/11/../../x", "2026/11", "", `2026/11/..\x`, "2026/11/."} {
		if _, err := s.Open(context.Background(), key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Open(%q): %v, want ErrInvalidKey", key, err)
		}
	}
	if _, err := s.Open(context.Background(), "2026/11/0123456789abcdef.jpg"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing file: %v", err)
	}
}

func TestDelete(t *testing.T) {
	dir := t.TempDir()
	s, _ := NewLocal(dir)
	st, err := s.Put(context.Background(), bytes.NewReader(pdf), 1<<20, Documents)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(context.Background(), st.Key); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(context.Background(), st.Key); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
	if countFiles(t, dir) != 0 {
		t.Fatal("file still there")
	}
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && !strings.HasPrefix(filepath.Base(p), ".") {
			n++
		}
		if err == nil && !info.IsDir() && strings.HasPrefix(filepath.Base(p), ".upload-") {
			n++ // a temporary upload left behind counts too
		}
		return nil
	})
	return n
}
