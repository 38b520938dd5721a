package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"tanggap/internal/apptest"
	"tanggap/internal/testenv"
)

// scrape reads the app's /metrics as Prometheus would.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("scrape: %d %s", res.StatusCode, b)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("scrape: parse: %v", err)
	}
	return fams
}

// value is the value of the family's series with exactly these labels
// (among others); ok is false when there is none.
func value(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	f, ok := fams[name]
	if !ok {
		return 0, false
	}
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range labels {
			if have[k] != v {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

// The metrics listener tells what happened: a citizen's complaint counted
// as accepted on the bus, the console's requests by route pattern (the
// ticket id is not a label), the reply handed to the channel, the
// consumers drained and the complaint's ack timed, the database pool and
// the Go runtime; and it is not on the public port.
func TestMetricsTellWhatHappened(t *testing.T) {
	t.Parallel()
	cfg := apptest.Config(t)
	a := apptest.Start(t, cfg)
	if a.MetricsURL() == "" {
		t.Fatal("metrics are on by default")
	}
	if res, err := http.Get(a.URL() + "/metrics"); err == nil {
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			t.Fatal("/metrics answers on the public port")
		}
	}
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	id := fileComplaint(t, admin, "Insentif belum cair sejak bulan lalu")
	if res := admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil); res.Status != http.StatusOK {
		t.Fatalf("ticket: %d %s", res.Status, res.Body)
	}
	if res := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]string{"body": "Sedang kami periksa."}); res.Status != http.StatusCreated && res.Status != http.StatusAccepted && res.Status != http.StatusOK {
		t.Fatalf("reply: %d %s", res.Status, res.Body)
	}

	// Solving asks the citizen how we did: a csat/solve job.
	apptest.FollowedUp(t, cfg, admin, id) // a complaint is solved once its follow-up is published
	if res := admin.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", id), map[string]string{"status": "solved"}); res.Status != http.StatusOK {
		t.Fatalf("solve: %d %s", res.Status, res.Body)
	}

	var fams map[string]*dto.MetricFamily
	testenv.CheckFor(t, 20*time.Second, 50*time.Millisecond, func() error {
		fams = scrape(t, a.MetricsURL())
		if v, _ := value(fams, "tanggap_jobs_total", map[string]string{"kind": "csat/solve", "outcome": "done"}); v < 1 {
			return fmt.Errorf("the solve job is not counted yet")
		}
		if v, _ := value(fams, "tanggap_outbound_messages_total", map[string]string{"channel": "webform", "outcome": "sent"}); v < 1 {
			return fmt.Errorf("the reply is not counted as sent yet")
		}
		if v, ok := value(fams, "tanggap_jetstream_consumer_pending", map[string]string{"consumer": "core-ingest"}); !ok || v != 0 {
			return fmt.Errorf("core-ingest pending %v (listed: %v)", v, ok)
		}
		if v, _ := value(fams, "tanggap_ingest_ack_latency_seconds", nil); v < 1 {
			return fmt.Errorf("the complaint's ack is not observed yet")
		}
		return nil
	})
	if v, _ := value(fams, "tanggap_inbound_messages_total", map[string]string{"channel": "webform", "outcome": "accepted"}); v != 1 {
		t.Errorf("inbound webform accepted = %v, want 1", v)
	}
	if v, _ := value(fams, "tanggap_http_requests_total", map[string]string{"route": "/api/v1/tickets/:id<int>", "method": "GET", "status": "200"}); v != 1 {
		t.Errorf("GET ticket by route pattern = %v, want 1; series: %v", v, fams["tanggap_http_requests_total"])
	}
	if v, _ := value(fams, "tanggap_http_request_duration_seconds", map[string]string{"route": "/api/v1/auth/login", "method": "POST"}); v != 1 {
		t.Errorf("login latency samples = %v, want 1", v)
	}
	for _, f := range fams["tanggap_http_requests_total"].GetMetric() {
		for _, l := range f.GetLabel() {
			if l.GetName() == "route" && strings.HasSuffix(l.GetValue(), fmt.Sprintf("/%d", id)) {
				t.Errorf("a raw path became a label: %q", l.GetValue())
			}
		}
	}
	if v, _ := value(fams, "tanggap_ingest_batch_duration_seconds", nil); v < 1 {
		t.Errorf("ingest batches observed = %v, want ≥ 1", v)
	}
	assigned, _ := value(fams, "tanggap_routing_decisions_total", map[string]string{"outcome": "assigned"})
	queued, _ := value(fams, "tanggap_routing_decisions_total", map[string]string{"outcome": "queued"})
	if assigned+queued != 1 {
		t.Errorf("routing decisions = %v assigned + %v queued, want 1 in all", assigned, queued)
	}
	if _, ok := value(fams, "tanggap_websocket_connections", map[string]string{"kind": "console"}); !ok {
		t.Error("console websocket connections not exported")
	}
	if _, ok := value(fams, "tanggap_websocket_connections", map[string]string{"kind": "livechat"}); !ok {
		t.Error("live-chat websocket connections not exported")
	}
	if v, ok := value(fams, "tanggap_jetstream_up", nil); !ok || v != 1 {
		t.Errorf("jetstream up = %v (%v)", v, ok)
	}
	for _, name := range []string{"go_sql_open_connections", "go_goroutines", "process_cpu_seconds_total"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("%s not exported", name)
		}
	}
}

// A request the error handler answers is observed with the status the
// client got, not the 200 fiber starts with.
func TestMetricsSeeErrorStatuses(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, apptest.Config(t))
	anon := apptest.NewClient(t, a.URL())
	if res := anon.Do(http.MethodGet, "/api/v1/tickets", nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("anonymous list: %d", res.Status)
	}
	fams := scrape(t, a.MetricsURL())
	if v, _ := value(fams, "tanggap_http_requests_total", map[string]string{"route": "/api/v1/tickets", "method": "GET", "status": "401"}); v != 1 {
		t.Errorf("401 on the list = %v, want 1", v)
	}
}

// total is the sum of every series of a family (sample counts for
// histograms).
func total(fams map[string]*dto.MetricFamily, name string) float64 {
	var n float64
	for _, m := range fams[name].GetMetric() {
		n += m.GetCounter().GetValue() + float64(m.GetHistogram().GetSampleCount())
	}
	return n
}

// With observations switched off (SetObservations, the overhead
// benchmark's switch) nothing is recorded: no request, message, ingest
// batch or routing decision counted, no view audited. Switched on again,
// both record, the view included.
func TestObservationsSwitchedOffRecordNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := apptest.Start(t, apptest.Config(t))
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	families := []string{"tanggap_http_requests_total", "tanggap_http_request_duration_seconds", "tanggap_inbound_messages_total",
		"tanggap_ingest_batch_size", "tanggap_routing_decisions_total"}
	views := func(ticket int64) int {
		var page struct {
			Views []json.RawMessage `json:"views"`
		}
		res := admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/admin/view-audit?ticket=%d", ticket), nil)
		if res.Status != http.StatusOK {
			t.Fatalf("view audit: %d %s", res.Status, res.Body)
		}
		res.JSON(t, &page)
		return len(page.Views)
	}

	before := scrape(t, a.MetricsURL())
	if err := a.SetObservations(ctx, false); err != nil {
		t.Fatal(err)
	}
	id := fileComplaint(t, admin, "Bantuan sosial belum diterima")
	if res := admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil); res.Status != http.StatusOK {
		t.Fatalf("ticket: %d %s", res.Status, res.Body)
	}
	if err := a.SetObservations(ctx, false); err != nil { // writes what was buffered
		t.Fatal(err)
	}
	after := scrape(t, a.MetricsURL())
	for _, name := range families {
		if b, a := total(before, name), total(after, name); a != b {
			t.Errorf("%s went from %v to %v with observations off", name, b, a)
		}
	}
	if n := views(id); n != 0 {
		t.Errorf("%d views audited with observations off", n)
	}

	if err := a.SetObservations(ctx, true); err != nil {
		t.Fatal(err)
	}
	if res := admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil); res.Status != http.StatusOK {
		t.Fatalf("ticket: %d %s", res.Status, res.Body)
	}
	if err := a.SetObservations(ctx, false); err != nil { // writes the view
		t.Fatal(err)
	}
	on := scrape(t, a.MetricsURL())
	if v, _ := value(on, "tanggap_http_requests_total", map[string]string{"route": "/api/v1/tickets/:id<int>", "method": "GET", "status": "200"}); v != 1 {
		t.Errorf("GET ticket counted %v times, want 1 (the view with observations on)", v)
	}
	if n := views(id); n != 1 {
		t.Errorf("%d views audited, want 1", n)
	}
}
