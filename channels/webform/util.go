package webform

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/apperr"
)

// decodeStrictJSON decodes a JSON request body into v.
func decodeStrictJSON(c *fiber.Ctx, v any) error {
	if !strings.HasPrefix(strings.ToLower(string(c.Request().Header.ContentType())), "application/json") {
		return &apperr.Coded{Status: fiber.StatusUnsupportedMediaType, Code: apperr.CodeUnsupportedMediaType,
			Err: fmt.Errorf("webform: want application/json")}
	}
	if err := json.Unmarshal(c.Body(), v); err != nil {
		return &apperr.Coded{Status: fiber.StatusBadRequest, Code: apperr.CodeBadRequest, Err: fmt.Errorf("webform: %w", err)}
	}
	return nil
}

// cleanFilename keeps a client's file name for display only: base name,
// printable characters, bounded length.
func cleanFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) && r != '/' {
			return r
		}
		return -1
	}, name)
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	if name == "." || name == "" {
		return "lampiran"
	}
	return name
}

func randomID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("webform: random: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
