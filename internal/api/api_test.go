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

// TestReadiness: /readyz is the gateway's (JetStream), /readyz/core the
// core's (database too). With the database down the gateway stays ready:
// it still takes webhooks safely.
func TestReadiness(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	d := testenv.DB(t)
	b := testenv.Bus(t)
	app := api.New(api.Opts{Log: testenv.Logger(t), Locale: cat, Lang: pages.Lang,
		Ready: map[string]api.Checker{"nats": b}, CoreReady: map[string]api.Checker{"database": d}})
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
	for _, p := range []string{"/readyz", "/readyz/core"} {
		if code, body := get(p); code != http.StatusOK || body["status"] != "ready" || body["gateway"] != "ready" || body["core"] != "ready" {
			t.Fatalf("%s ready: %d %v", p, code, body)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	code, body := get("/readyz")
	checks, _ := body["checks"].(map[string]any)
	if code != http.StatusOK || body["gateway"] != "ready" || body["core"] != "unavailable" || checks["database"] != "unavailable" || checks["nats"] != "ok" {
		t.Fatalf("database down: the gateway must stay ready: %d %v", code, body)
	}
	code, body = get("/readyz/core")
	if code != http.StatusServiceUnavailable || body["core"] != "unavailable" {
		t.Fatalf("database down: the core is not ready: %d %v", code, body)
	}
	b.Close()
	for _, p := range []string{"/readyz", "/readyz/core"} {
		code, body := get(p)
		checks, _ := body["checks"].(map[string]any)
		if code != http.StatusServiceUnavailable || body["gateway"] != "unavailable" || checks["nats"] != "unavailable" {
			t.Fatalf("%s NATS down: %d %v", p, code, body)
		}
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Fatalf("healthz must not depend on dependencies: %d", code)
	}
}
