package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"tanggap/internal/apptest"
)

// The monthly report over HTTP, as the reports screen links it: the
// printable page (HTML under a CSP without scripts) and the CSV download
// of a month made on demand; a month that is no month is refused; an
// agent without the reports permission is refused.
func TestMonthlyReportOverHTTP(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	get := func(path string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, a.URL()+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+admin.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, string(b)
	}

	res, page := get("/api/v1/reports/monthly/2026-11")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("monthly page: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("monthly page CSP = %q", csp)
	}
	if !strings.Contains(page, "2026-11") || !strings.Contains(page, "<table") || strings.Contains(page, "<script") {
		t.Errorf("monthly page is not the month's printable tables:\n%.600s", page)
	}

	res, body := get("/api/v1/reports/monthly/2026-11?format=csv")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), `filename="laporan_2026-11.csv"`) {
		t.Fatalf("monthly CSV: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	if lines := strings.Split(strings.TrimSpace(body), "\n"); len(lines) < 2 {
		t.Errorf("monthly CSV has %d lines:\n%s", len(lines), body)
	}

	if res := admin.Do(http.MethodGet, "/api/v1/reports/monthly/2026-13", nil); res.Status != http.StatusUnprocessableEntity {
		t.Errorf("month 2026-13: %d %s", res.Status, res.Body)
	}
	if res := admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "budi@tanggap.test", "name": "Budi",
		"password": "rahasia-budi-1", "capacity": 3}); res.Status != http.StatusCreated {
		t.Fatalf("add an agent: %d %s", res.Status, res.Body)
	}
	budi := apptest.NewClient(t, a.URL())
	budi.Login("budi@tanggap.test", "rahasia-budi-1")
	if res := budi.Do(http.MethodGet, "/api/v1/reports/monthly/2026-11", nil); res.Status != http.StatusForbidden {
		t.Errorf("an agent reads the monthly report: %d, want 403", res.Status)
	}
}
