package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"tanggap/internal/api"
	"tanggap/internal/locale"
	"tanggap/internal/pages"
	"tanggap/internal/testenv"
)

func TestReadiness(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	d := testenv.DB(t)
	b := testenv.Bus(t)
	app := api.New(api.Opts{Log: testenv.Logger(t), Locale: cat, Lang: pages.Lang,
		Ready: map[string]api.Checker{"database": d, "nats": b}})
	get := func(path string) (int, map[string]any) {
		t.Helper()
		res, err := app.Test(httptest.NewRequest(http.MethodGet, path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatalf("%s: %s", path, raw)
		}
		return res.StatusCode, body
	}
	if code, body := get("/readyz"); code != http.StatusOK || body["status"] != "ready" {
		t.Fatalf("ready: %d %v", code, body)
	}
	b.Close()
	code, body := get("/readyz")
	checks, _ := body["checks"].(map[string]any)
	if code != http.StatusServiceUnavailable || checks["nats"] != "unavailable" || checks["database"] != "ok" {
		t.Fatalf("NATS down: %d %v", code, body)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	code, body = get("/readyz")
	checks, _ = body["checks"].(map[string]any)
	if code != http.StatusServiceUnavailable || checks["database"] != "unavailable" {
		t.Fatalf("database down: %d %v", code, body)
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Fatalf("healthz must not depend on dependencies: %d", code)
	}
}
