package pages

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// asset is one static file, read once at start: the set is small and
// embedded, so serving from memory avoids a file system round trip and
// lets every URL carry a content hash.
type asset struct {
	body  []byte
	ctype string
	hash  string // first 12 hex digits of the SHA-256 of body
	etag  string
}

const (
	// A URL with the current ?v= hash never changes, so browsers keep it.
	cacheImmutable = "public, max-age=31536000, immutable"
	// Without the hash (or with a stale one) they must revalidate.
	cacheRevalidate = "public, no-cache"
)

func loadAssets(fsys fs.FS) (map[string]asset, error) {
	out := map[string]asset{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		h := hex.EncodeToString(sum[:])[:12]
		out[p] = asset{body: body, ctype: contentType(p), hash: h, etag: `"` + h + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pages: static files: %w", err)
	}
	return out, nil
}

func contentType(p string) string {
	switch path.Ext(p) {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	if t := mime.TypeByExtension(path.Ext(p)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// assetURL is the versioned URL of a static file for templates. An
// unknown name is a template mistake; it fails rendering in tests.
func (s *Site) assetURL(name string) (string, error) {
	a, ok := s.assets[name]
	if !ok {
		return "", fmt.Errorf("pages: no static file %q", name)
	}
	return "/static/" + name + "?v=" + a.hash, nil
}

func (s *Site) handleStatic(c *fiber.Ctx) error {
	name := c.Params("*")
	a, ok := s.assets[name]
	if !ok || strings.Contains(name, "..") {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderETag, a.etag)
	if c.Query("v") == a.hash {
		c.Set(fiber.HeaderCacheControl, cacheImmutable)
	} else {
		c.Set(fiber.HeaderCacheControl, cacheRevalidate)
	}
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && etagMatches(inm, a.etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, a.ctype)
	return c.Send(a.body)
}

func etagMatches(header, etag string) bool {
	for part := range strings.SplitSeq(header, ",") {
		p := strings.TrimPrefix(strings.TrimSpace(part), "W/")
		if p == etag || p == "*" {
			return true
		}
	}
	return false
}
