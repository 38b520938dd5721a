package metrics_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"tanggap/internal/metrics"
)

// Every series the shipped Grafana dashboard queries is one the binary
// exports: a renamed metric breaks this test, not the dashboard.
func TestDashboardQueriesExportedSeries(t *testing.T) {
	raw, err := os.ReadFile("grafana/tanggap.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	if len(d.Panels) == 0 {
		t.Fatal("dashboard has no panels")
	}
	m := metrics.New(metrics.Opts{})
	// Recording once makes the vectors appear in a gather.
	m.Request("/x", "GET", 200, 0)
	m.Received("webform", "accepted", 1)
	m.Delivered("webform", "sent")
	m.Ingested(1, 0)
	m.Routed("assigned", 0)
	m.Job("smtp", "done")
	m.NotifySend("email", "sent")
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string]bool{}
	for _, f := range fams {
		exported[f.GetName()] = true
	}
	// Series read at scrape time from NATS, the database and the bus are
	// exported by collectors this test does not start; their names are
	// checked against the collectors' descriptions.
	for _, name := range metrics.StateSeries() {
		exported[name] = true
	}
	word := regexp.MustCompile(`\b(tanggap_[a-z_]+|go_[a-z_]+|process_[a-z_]+)\b`)
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			for _, name := range word.FindAllString(tg.Expr, -1) {
				base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
				if !exported[name] && !exported[base] {
					t.Errorf("panel %q queries %s, which is not exported", p.Title, name)
				}
			}
		}
	}
}
