package app_test

import (
	"encoding/csv"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

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
	// Every CSV download starts with the UTF-8 byte-order mark, by which
	// spreadsheet programs read it as UTF-8 (Indonesian names, the "–" of
	// an empty cell), then reads as CSV.
	// Their names follow one pattern: what, the period, the grouping.
	day := time.Now().UTC().Format(time.DateOnly)
	for path, name := range map[string]string{
		"/api/v1/reports/monthly/2026-11?format=csv":                                          "laporan_2026-11.csv",
		"/api/v1/reports/volume?from=" + day + "&to=" + day + "&group_by=channel&format=csv":  "volume_" + day + "_" + day + "_channel.csv",
		"/api/v1/reports/tickets?from=" + day + "&to=" + day:                                  "tiket_" + day + "_" + day + ".csv",
		"/api/v1/reports/csat?from=" + day + "&to=" + day + "&group_by=channel&format=csv":    "csat_" + day + "_" + day + "_channel.csv",
		"/api/v1/reports/complaints?from=" + day + "&to=" + day + "&group_by=kind&format=csv": "complaints_" + day + "_" + day + "_kind.csv",
	} {
		res, body := get(path)
		if got := res.Header.Get("Content-Disposition"); got != `attachment; filename="`+name+`"` {
			t.Errorf("%s: %s, want the file named %s", path, got, name)
		}
		rest, ok := strings.CutPrefix(body, "\ufeff")
		if res.StatusCode != http.StatusOK || !ok {
			t.Errorf("%s: %d, starts %q, want the byte-order mark", path, res.StatusCode, body[:min(len(body), 12)])
			continue
		}
		if recs, err := csv.NewReader(strings.NewReader(rest)).ReadAll(); err != nil || len(recs) < 1 || strings.ContainsRune(recs[0][0], '\ufeff') {
			t.Errorf("%s: %d records, %v", path, len(recs), err)
		}
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
