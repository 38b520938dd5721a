package secret_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"tanggap/internal/secret"
)

func TestConfiguredSecretWins(t *testing.T) {
	if _, err := secret.Load("short", "X_SECRET", t.TempDir(), "x.secret"); err == nil || !strings.Contains(err.Error(), "X_SECRET") {
		t.Fatalf("a short secret is refused naming its setting: %v", err)
	}
	s, err := secret.Load(strings.Repeat("k", 32), "X_SECRET", t.TempDir(), "x.secret")
	if err != nil || string(s) != strings.Repeat("k", 32) {
		t.Fatalf("got %q, %v", s, err)
	}
}

// Made once, kept private, read back the same by every later call, also
// by calls racing to make it.
func TestMadeOnceAndKept(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	got := make([][]byte, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := secret.Load("", "X_SECRET", dir, "x.secret")
			if err != nil {
				t.Error(err)
			}
			got[i] = s
		}()
	}
	wg.Wait()
	for _, s := range got[1:] {
		if string(s) != string(got[0]) || len(s) < secret.MinLength {
			t.Fatalf("secrets differ or are short: %q vs %q", s, got[0])
		}
	}
	fi, err := os.Stat(filepath.Join(dir, "x.secret"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode: %v %v", fi, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x.secret"), []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := secret.Load("", "X_SECRET", dir, "x.secret"); err == nil {
		t.Fatal("a short kept secret is refused")
	}
}
