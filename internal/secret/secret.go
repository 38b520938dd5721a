// Package secret loads a signing secret: the configured one, or one made
// once at random and kept in the data folder, so a local run needs no
// configuration and links stay valid across restarts. Several instances
// must share a configured secret.
package secret

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// MinLength is the shortest secret accepted.
const MinLength = 32

// Load returns configured (named by setting in errors) when set, else the
// secret in dataDir/file, creating it (random, mode 0600) on first use.
func Load(configured, setting, dataDir, file string) ([]byte, error) {
	if configured != "" {
		if len(configured) < MinLength {
			return nil, fmt.Errorf("secret: %s must have at least %d characters", setting, MinLength)
		}
		return []byte(configured), nil
	}
	path := filepath.Join(dataDir, file)
	if b, err := os.ReadFile(path); err == nil {
		if s := strings.TrimSpace(string(b)); len(s) >= MinLength {
			return []byte(s), nil
		}
		return nil, fmt.Errorf("secret: %s is too short; delete it to make a new one", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("secret: read %s: %w", path, err)
	}
	raw := make([]byte, MinLength)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	made := hex.EncodeToString(raw)
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	// Written whole under a temporary name, then linked into place: link
	// fails if the name exists, so one secret wins, and a reader never
	// sees a file that is still being written.
	tmp, err := os.CreateTemp(dataDir, "."+file+".*")
	if err != nil {
		return nil, fmt.Errorf("secret: write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("secret: write %s: %w", path, err)
	}
	if _, err := tmp.WriteString(made + "\n"); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("secret: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("secret: write %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
		return Load("", setting, dataDir, file) // another process made it first
	} else if err != nil {
		return nil, fmt.Errorf("secret: write %s: %w", path, err)
	}
	return []byte(made), nil
}
