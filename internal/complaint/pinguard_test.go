package complaint_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"tanggap/internal/complaint"
	"tanggap/internal/config"
	"tanggap/internal/db"
	"tanggap/internal/testenv"
	"tanggap/internal/tracking"
)

// openDB opens the env's database beside the app (another instance's view).
func (e *env) openDB() *db.DB {
	e.t.Helper()
	d, err := db.Open(context.Background(), db.Config{URL: e.cfg.DatabaseURL, DataDir: e.cfg.DataDir}, testenv.Logger(e.t))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { d.Close() })
	return d
}

type pinAnswer struct {
	TN    string `json:"tracking_number"`
	PIN   string `json:"pin"`
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// submitKeyed posts an anonymous complaint with an Idempotency-Key (safe
// from several goroutines: it reports, it does not fail the test).
func submitKeyed(base, key string) (int, pinAnswer, error) {
	body, _ := json.Marshal(map[string]any{"anonymous": true, "category": "pelatihan", "description": "Ada pungutan liar di tempat pelatihan."})
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/complaints", bytes.NewReader(body))
	if err != nil {
		return 0, pinAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, pinAnswer{}, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var a pinAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		return res.StatusCode, a, fmt.Errorf("%d %s: %w", res.StatusCode, b, err)
	}
	return res.StatusCode, a, nil
}

// TestPINLockedPerComplaint: after PINAttempts wrong PINs on one tracking
// number from one network, every attempt from it (the right PIN too) is
// refused with a clear "try later" until the window ends — counted in the
// database, so another instance refuses too — while other numbers, and
// the same number from another network, are untouched; an unknown number
// locks the same way, so a lock tells nothing.
func TestPINLockedPerComplaint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	status, a, err := submitKeyed(e.app.URL(), "kunci-lock-0000000001")
	if err != nil || status != http.StatusCreated || a.PIN == "" {
		t.Fatalf("submit: %d %+v %v", status, a, err)
	}
	_, b, _ := submitKeyed(e.app.URL(), "kunci-lock-0000000002")
	e.ticketID(a.TN)
	e.ticketID(b.TN)
	wrong := "0000-0000"
	if a.PIN == wrong {
		wrong = "1111-1111"
	}
	try := func(tn, pin string) (int, pinAnswer) {
		res := e.pub.Do(http.MethodPost, "/api/v1/complaints/"+tn+"/pin", map[string]string{"pin": pin})
		var out pinAnswer
		_ = json.Unmarshal(res.Body, &out)
		return res.Status, out
	}
	for i := 0; i < complaint.DefaultPINAttempts; i++ {
		if st, _ := try(a.TN, wrong); st != http.StatusNotFound {
			t.Fatalf("wrong PIN %d: %d", i+1, st)
		}
	}
	st, out := try(a.TN, a.PIN)
	if st != http.StatusTooManyRequests || out.Error.Code != "pin_locked" || !strings.Contains(out.Error.Message, "15 menit") {
		t.Fatalf("after %d wrong PINs the right one got %d %+v, want 429 pin_locked", complaint.DefaultPINAttempts, st, out)
	}
	// Another instance on the same database refuses too.
	other := complaint.New(complaint.Opts{DB: e.openDB(), PINCost: 4})
	if _, err := other.OpenWithPIN(context.Background(), a.TN, a.PIN, "127.0.0.1"); !errors.Is(err, complaint.ErrPINLocked) {
		t.Fatalf("other instance: %v, want ErrPINLocked", err)
	}
	// The citizen on another network is not locked out by those misses.
	if p, err := e.app.Complaints().OpenWithPIN(context.Background(), a.TN, a.PIN, "198.51.100.20"); err != nil || p.Public.TrackingNumber != a.TN {
		t.Fatalf("the citizen's network: %+v %v", p, err)
	}
	// Another complaint is untouched.
	if st, _ := try(b.TN, b.PIN); st != http.StatusOK {
		t.Fatalf("other complaint: %d", st)
	}
	// After the window, attempts count afresh (an instance whose clock is
	// one window later: a wrong PIN is a plain miss again).
	later := complaint.New(complaint.Opts{DB: e.openDB(), PINCost: 4,
		Now: func() time.Time { return time.Now().Add(complaint.DefaultPINWindow + time.Minute) }})
	if _, err := later.OpenWithPIN(context.Background(), a.TN, wrong, "127.0.0.1"); !errors.Is(err, complaint.ErrNotFound) {
		t.Fatalf("after the window: %v, want ErrNotFound", err)
	}
	// An unknown number locks like a real one.
	ghost := tracking.Generate()
	for i := 0; i < complaint.DefaultPINAttempts; i++ {
		try(ghost, wrong)
	}
	if st, out := try(ghost, wrong); st != http.StatusTooManyRequests || out.Error.Code != "pin_locked" {
		t.Fatalf("unknown number: %d %+v", st, out)
	}
}

// TestPINStrangerFromAnotherAddress: over HTTP behind a trusted proxy, the
// client address is the one the proxy forwards: a stranger's wrong PINs
// from one address get 429 pin_locked there, and the citizen from another
// address opens the complaint with the PIN; an unknown number answers the
// stranger exactly alike.
func TestPINStrangerFromAnotherAddress(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, nil, func(c *config.Config) { c.TrustedProxies = []string{"127.0.0.1", "::1"} })
	status, a, err := submitKeyed(e.app.URL(), "kunci-asing-0000000001")
	if err != nil || status != http.StatusCreated || a.PIN == "" {
		t.Fatalf("submit: %d %+v %v", status, a, err)
	}
	e.ticketID(a.TN)
	wrong := "0000-0000"
	if a.PIN == wrong {
		wrong = "1111-1111"
	}
	from := func(addr, tn, pin string) (int, string) {
		body, _ := json.Marshal(map[string]string{"pin": pin})
		req, _ := http.NewRequest(http.MethodPost, e.app.URL()+"/api/v1/complaints/"+tn+"/pin", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", addr)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out pinAnswer
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out.Error.Code
	}
	ghost := tracking.Generate()
	for _, tn := range []string{a.TN, ghost} {
		for i := 0; i < complaint.DefaultPINAttempts; i++ {
			if st, code := from("203.0.113.9", tn, wrong); st != http.StatusNotFound {
				t.Fatalf("%s: stranger's miss %d: %d %s", tn, i+1, st, code)
			}
		}
		if st, code := from("203.0.113.9", tn, wrong); st != http.StatusTooManyRequests || code != "pin_locked" {
			t.Fatalf("%s: stranger after %d misses: %d %s, want 429 pin_locked", tn, complaint.DefaultPINAttempts, st, code)
		}
	}
	if st, code := from("198.51.100.20", a.TN, a.PIN); st != http.StatusOK {
		t.Fatalf("citizen from another address: %d %s, want 200", st, code)
	}
	// The submitting network and the one that opened it are remembered
	// (past the ceiling), each under a digest that needs the PIN.
	var remembered int64
	e.openDB().Raw(`SELECT COUNT(*) FROM complaint_pin_client_failures WHERE known_until IS NOT NULL`).Scan(&remembered)
	if remembered != 2 {
		t.Fatalf("remembered networks = %d, want 2 (the submitter's and the citizen's)", remembered)
	}
}

// TestPINReplayAndConcurrentDuplicates: the same anonymous submission sent
// several times at once (one Idempotency-Key) answers every copy 201 with
// one tracking number and one PIN, never 500; a later retry of that key
// gets the same PIN back while the replay window lasts; the PIN is never
// stored plain; after the window a retry is told the PIN was shown once
// (409 pin_shown), and another key never opens it.
func TestPINReplayAndConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	const key = "kunci-ganda-000000000001"
	const n = 4
	type answer struct {
		status int
		a      pinAnswer
		err    error
	}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			st, a, err := submitKeyed(e.app.URL(), key)
			answers[i] = answer{st, a, err}
		}()
	}
	close(start)
	wg.Wait()
	first := answers[0].a
	for i, a := range answers {
		if a.err != nil || a.status != http.StatusCreated || a.a.TN != first.TN || a.a.PIN != first.PIN || a.a.PIN == "" {
			t.Fatalf("copy %d: %d %+v %v (first %+v)", i, a.status, a.a, a.err, first)
		}
	}
	id := e.ticketID(first.TN)
	// A later retry (the form's answer was lost): the same PIN.
	st, again, err := submitKeyed(e.app.URL(), key)
	if err != nil || st != http.StatusCreated || again.TN != first.TN || again.PIN != first.PIN {
		t.Fatalf("retry: %d %+v %v", st, again, err)
	}
	// One ticket, and the PIN opens it.
	if r := e.pub.Do(http.MethodPost, "/api/v1/complaints/"+first.TN+"/pin", map[string]string{"pin": first.PIN}); r.Status != http.StatusOK {
		t.Fatalf("PIN: %d %s", r.Status, r.Body)
	}
	if v := e.view(id); !v.Anonymous {
		t.Fatalf("view %+v", v)
	}
	// Never plain: no column of the intake holds the PIN.
	d := e.openDB()
	var rows []struct {
		PinHash   string
		PinSealed *string
	}
	d.Raw(`SELECT pin_hash, pin_sealed FROM complaint_intakes`).Scan(&rows)
	digits := strings.ReplaceAll(first.PIN, "-", "")
	for _, r := range rows {
		if strings.Contains(r.PinHash, digits) || (r.PinSealed != nil && strings.Contains(*r.PinSealed, digits)) {
			t.Fatalf("PIN stored plain: %+v", r)
		}
	}
	if len(rows) != 1 || rows[0].PinSealed == nil {
		t.Fatalf("intakes = %d (sealed %v), want 1 sealed", len(rows), len(rows) > 0 && rows[0].PinSealed != nil)
	}
	ctx := context.Background()
	now := complaint.New(complaint.Opts{DB: d, PINCost: 4})
	intakeKey := ""
	d.Raw(`SELECT intake_key FROM complaint_intakes`).Scan(&intakeKey)
	if _, ok, err := now.Replay(ctx, intakeKey, "kunci-lain-00000000000001"); !ok || !errors.Is(err, complaint.ErrPINShown) {
		t.Fatalf("another key: ok %v err %v, want ErrPINShown", ok, err)
	}
	// After the window: 409 pin_shown, and the sealed copy is wiped (by
	// the read and by the scheduler's sweep).
	later := complaint.New(complaint.Opts{DB: d, PINCost: 4, Now: func() time.Time { return time.Now().Add(complaint.DefaultReplayWindow + time.Minute) }})
	if _, ok, err := later.Replay(ctx, intakeKey, key); !ok || !errors.Is(err, complaint.ErrPINShown) {
		t.Fatalf("after the window: ok %v err %v", ok, err)
	}
	var kept int64
	d.Raw(`SELECT COUNT(*) FROM complaint_intakes WHERE pin_sealed IS NOT NULL OR pin_sealed_until IS NOT NULL`).Scan(&kept)
	if kept != 0 {
		t.Fatalf("sealed PIN kept after the window")
	}
	// The HTTP retry after the window (the sealed copy is gone): 409.
	st, late, _ := submitKeyed(e.app.URL(), key)
	if st != http.StatusConflict || late.Error.Code != "pin_shown" || late.Error.Message == "" {
		t.Fatalf("retry after the window: %d %+v", st, late)
	}
}
