package webform

import (
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/tracking"
)

// FuzzIdempotencyKey: whatever the header, the key is refused or it names
// one submission: the same valid tracking number every time, a provider
// id without the number in it.
func FuzzIdempotencyKey(f *testing.F) {
	for _, s := range []string{"", "7f0c5a52-3b1e-4c61-9a57-1d2e3f405161", "short", "a b c d e f g h i j", "ü-ü-ü-ü-ü-ü-ü-ü-ü"} {
		f.Add(s)
	}
	app := fiber.New()
	var got string
	var gotErr error
	app.Post("/", func(c *fiber.Ctx) error {
		got, gotErr = idempotencyKey(c)
		return nil
	})
	f.Fuzz(func(t *testing.T, key string) {
		req := httptest.NewRequest("POST", "/", nil)
		req.Header[IdempotencyHeader] = []string{key}
		if _, err := app.Test(req, -1); err != nil {
			return // a header net/http itself refuses
		}
		if gotErr != nil || got == "" {
			return
		}
		if len(got) < minKeyLen || len(got) > maxKeyLen {
			t.Fatalf("key of %d bytes accepted", len(got))
		}
		a, b := newSubmission(got), newSubmission(got)
		if a != b {
			t.Fatalf("one key, two submissions: %+v %+v", a, b)
		}
		if n, err := tracking.Normalize(a.tracking); err != nil || n != a.tracking {
			t.Fatalf("tracking number %q: %v", a.tracking, err)
		}
		if len(a.keyHash) != 64 || a.providerID == "" {
			t.Fatalf("submission %+v", a)
		}
	})
}
