package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
	"tanggap/internal/db"
	"tanggap/internal/testenv"
)

// TestBrowserFormRetryAfterLostAnswerKeepsOneComplaint: the server takes
// the complaint but its answer never reaches the browser (the network
// drops); the citizen presses send again and sees the first complaint's
// tracking number, and there is one ticket.
func TestBrowserFormRetryAfterLostAnswerKeepsOneComplaint(t *testing.T) {
	browser := findBrowser(t)
	cfg := apptest.Config(t)
	base := apptest.Start(t, cfg).URL()
	check, err := db.Open(context.Background(), db.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, MaxOpenConns: 2}, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { check.Close() })
	citizen := newTab(t, newBrowser(t, browser))

	citizen.do(t, "open the form",
		chromedp.Navigate(base+"/pengaduan?lang=id-ID"),
		chromedp.WaitVisible(chromedp.ID("complaint-form")),
	)
	citizen.waitJS(t, "categories loaded", `document.querySelectorAll('#category option').length > 1`)
	// The first POST reaches the server; its answer is lost on the way
	// back, as a dropped connection loses it.
	citizen.evalString(t, `(function () {
		var real = window.fetch, dropped = 0;
		window.fetch = async function (url, init) {
			var res = await real(url, init);
			if (String(url).indexOf('/api/v1/complaints') >= 0 && init && init.method === 'POST' && dropped++ === 0) {
				window.__firstKey = init.headers['Idempotency-Key'];
				throw new TypeError('network connection lost');
			}
			if (init && init.method === 'POST') { window.__retryKey = init.headers['Idempotency-Key']; }
			return res;
		};
		return 'ok';
	})()`)
	citizen.do(t, "fill the form and send",
		chromedp.SendKeys(chromedp.ID("name"), "Siti Rahayu"),
		chromedp.SendKeys(chromedp.ID("phone"), "0812-3456-7001"),
		chromedp.SetValue(chromedp.ID("category"), "pendaftaran"),
		chromedp.SendKeys(chromedp.ID("description"), complaintLine),
		chromedp.Click(chromedp.ID("submit-btn")),
	)
	citizen.waitJS(t, "the lost answer is shown as an error", `!document.getElementById('form-alert').hidden && document.getElementById('form-alert').textContent.trim() !== ''`)
	citizen.do(t, "send again",
		chromedp.Click(chromedp.ID("submit-btn")),
		chromedp.WaitVisible(chromedp.ID("complaint-success")),
	)
	tn := citizen.text(t, "#tracking-number")
	if k1, k2 := citizen.evalString(t, `String(window.__firstKey)`), citizen.evalString(t, `String(window.__retryKey)`); k1 != k2 || len(k1) < 16 {
		t.Fatalf("retry sent key %q, first send %q: want the same key", k2, k1)
	}
	// Both sends reached the core; wait until the ticket is there, then
	// a later complaint of the same citizen (ingest keeps one citizen's
	// messages in order) proves nothing else is coming.
	later := apptest.NewClient(t, base).Complaint(map[string]string{"name": "Siti Rahayu", "phone": "0812-3456-7001",
		"category": "pendaftaran", "description": "Keluhan kedua."})
	testenv.CheckFor(t, asyncWait, 50*time.Millisecond, func() error {
		var n int64
		if err := check.Raw(`SELECT COUNT(*) FROM tickets WHERE tracking_number = ?`, later).Scan(&n).Error; err != nil || n == 0 {
			return errNotStored
		}
		return nil
	})
	var n int64
	if err := check.Raw(`SELECT COUNT(*) FROM tickets WHERE tracking_number <> ? AND reporter_phone = '+6281234567001'`, later).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	var shown int64
	check.Raw(`SELECT COUNT(*) FROM tickets WHERE tracking_number = ?`, tn).Scan(&shown)
	if n != 1 || shown != 1 {
		t.Fatalf("%d tickets from the form fill (want 1); the shown number %s has %d tickets (want 1)", n, tn, shown)
	}
}

type notStored struct{}

func (notStored) Error() string { return "not stored yet" }

var errNotStored error = notStored{}
