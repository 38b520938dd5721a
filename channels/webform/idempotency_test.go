package webform_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"tanggap/channels/webform"
	"tanggap/internal/apptest"
	"tanggap/internal/db"
	"tanggap/internal/testenv"
)

// keyedComplaint posts a JSON complaint with an Idempotency-Key.
func keyedComplaint(t *testing.T, c *apptest.Client, key string, fields map[string]string) apptest.Response {
	t.Helper()
	body, _ := json.Marshal(fields)
	return c.Raw(http.MethodPost, "/api/v1/complaints", "application/json", string(body), map[string]string{webform.IdempotencyHeader: key})
}

func trackingOf(t *testing.T, res apptest.Response) string {
	t.Helper()
	if res.Status != http.StatusCreated {
		t.Fatalf("complaint: %d %s", res.Status, res.Body)
	}
	var out struct {
		TrackingNumber string `json:"tracking_number"`
	}
	res.JSON(t, &out)
	return out.TrackingNumber
}

// ticketsWith waits until the core stored the sentinel complaint of the
// same citizen (sent last, so ingest saw every earlier one) and counts the
// tickets with tracking number tn.
func ticketsWith(t *testing.T, check func(q string, args ...any) int64, tn, sentinel string) int64 {
	t.Helper()
	testenv.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		if check(`SELECT COUNT(*) FROM tickets WHERE tracking_number = ?`, sentinel) == 0 {
			return errNotYet
		}
		return nil
	})
	return check(`SELECT COUNT(*) FROM tickets WHERE tracking_number = ?`, tn)
}

type notYet struct{}

func (notYet) Error() string { return "not stored yet" }

var errNotYet error = notYet{}

func startForm(t *testing.T) (*apptest.Client, func(q string, args ...any) int64) {
	t.Helper()
	cfg := apptest.Config(t)
	a := apptest.Start(t, cfg)
	admin := apptest.NewClient(t, a.URL())
	d, err := db.Open(context.Background(), db.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, MaxOpenConns: 2}, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	check := func(q string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := d.Raw(q, args...).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	return admin, check
}

// TestResubmittedComplaintKeepsItsFirstNumber: a retry with the same key
// (after a dropped answer) gets the first tracking number and makes no
// second ticket, as JSON and as the form's multipart; another key is
// another complaint.
func TestResubmittedComplaintKeepsItsFirstNumber(t *testing.T) {
	t.Parallel()
	c, check := startForm(t)
	fields := map[string]string{"name": "Budi", "phone": "081234560001", "category": "insentif", "description": "Bantuan belum diterima."}
	const key = "7f0c5a52-3b1e-4c61-9a57-1d2e3f405161"
	first := trackingOf(t, keyedComplaint(t, c, key, fields))
	if again := trackingOf(t, keyedComplaint(t, c, key, fields)); again != first {
		t.Fatalf("retry got %s, first answer was %s", again, first)
	}
	// The form's own encoding, with the key in the header.
	var buf bytes.Buffer
	req := multipartReq(t, fields, nil)
	buf.ReadFrom(req.Body)
	res := c.Raw(http.MethodPost, "/api/v1/complaints", req.Header.Get("Content-Type"), buf.String(), map[string]string{webform.IdempotencyHeader: key})
	if again := trackingOf(t, res); again != first {
		t.Fatalf("multipart retry got %s, first answer was %s", again, first)
	}
	other := trackingOf(t, keyedComplaint(t, c, "another-key-0000000000001", fields))
	if other == first {
		t.Fatal("another key got the same number")
	}
	sentinel := c.Complaint(fields)
	if n := ticketsWith(t, check, first, sentinel); n != 1 {
		t.Fatalf("%d tickets with %s, want 1", n, first)
	}
	if n := check(`SELECT COUNT(*) FROM form_idempotency WHERE tracking_number = ?`, first); n != 1 {
		t.Fatalf("%d key records for %s, want 1", n, first)
	}
}

// TestConcurrentDuplicateSubmitsMakeOneTicket: the same key sent many
// times at once (a double click, a retry racing the first) is one ticket
// and one tracking number.
func TestConcurrentDuplicateSubmitsMakeOneTicket(t *testing.T) {
	t.Parallel()
	c, check := startForm(t)
	fields := map[string]string{"name": "Sari", "phone": "081234560002", "category": "insentif", "description": "Dobel kirim."}
	const key = "0d7e2c39-5f7b-4b0e-8a11-c0ffee000002"
	const n = 8
	got := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			body, _ := json.Marshal(fields)
			req, _ := http.NewRequest(http.MethodPost, c.Base+"/api/v1/complaints", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(webform.IdempotencyHeader, key)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			var out struct {
				TrackingNumber string `json:"tracking_number"`
			}
			if res.StatusCode != http.StatusCreated || json.NewDecoder(res.Body).Decode(&out) != nil {
				t.Errorf("submit %d: %d", i, res.StatusCode)
				return
			}
			got[i] = out.TrackingNumber
		}()
	}
	close(start)
	wg.Wait()
	for i := range got {
		if got[i] != got[0] || got[0] == "" {
			t.Fatalf("answers %v, want one tracking number", got)
		}
	}
	sentinel := c.Complaint(fields)
	if k := ticketsWith(t, check, got[0], sentinel); k != 1 {
		t.Fatalf("%d tickets with %s, want 1", k, got[0])
	}
	if k := check(`SELECT COUNT(*) FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.tracking_number = ?`, got[0]); k != 1 {
		t.Fatalf("%d messages on the ticket, want 1", k)
	}
}

func TestBadIdempotencyKeyIsRefused(t *testing.T) {
	h := newHarness(t)
	for _, key := range []string{"short", strings.Repeat("a", 129), "contains space 12345678", "ünïcode-key-123456789"} {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/complaints", strings.NewReader(`{"name":"A","phone":"081234567890","category":"bansos","description":"d"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(webform.IdempotencyHeader, key)
		status, body := h.do(t, req)
		errBody, _ := body["error"].(map[string]any)
		if status != http.StatusBadRequest || errBody["code"] != "bad_request" {
			t.Fatalf("key %q: %d %v, want 400 bad_request", key, status, body)
		}
	}
}

// TestKeyLookupUsesTheIndex: the lookup every keyed submission runs is
// served by the primary key.
func TestKeyLookupUsesTheIndex(t *testing.T) {
	d := testenv.DB(t)
	plan := testenv.Plan(t, d, webform.LookupKeySQL, "abc")
	t.Log(plan)
	if !strings.Contains(plan, "form_idempotency_pkey") && !strings.Contains(plan, "sqlite_autoindex_form_idempotency_1") {
		t.Fatalf("key lookup not served by the primary key:\n%s", plan)
	}
}

// TestAcceptedLogLineKeepsTrackingAndContactApart: no log line of a
// submission carries the tracking number beside the citizen's contact.
func TestAcceptedLogLineKeepsTrackingAndContactApart(t *testing.T) {
	var logs syncBuffer
	h := newHarnessLog(t, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	fields := map[string]string{"name": "Budi", "phone": "081234567890", "email": "budi@example.go.id", "category": "bansos", "description": "x"}
	status, body := h.do(t, multipartReq(t, fields, nil))
	if status != http.StatusCreated {
		t.Fatalf("%d %v", status, body)
	}
	tn := body["tracking_number"].(string)
	sawAccepted := false
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "complaint accepted") {
			sawAccepted = true
		}
		if strings.Contains(line, tn) && (strings.Contains(line, "phone") || strings.Contains(line, "email") || strings.Contains(line, "0812") || strings.Contains(line, "+6281")) {
			t.Fatalf("log line carries the tracking number and the contact: %s", line)
		}
	}
	if !sawAccepted {
		t.Fatalf("no 'complaint accepted' line:\n%s", logs.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
