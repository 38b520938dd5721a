package e2e

import (
	"encoding/base64"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserPINSessionFileDownloads: on the status page, the file of an
// anonymous complaint opened with its tracking number and PIN is offered
// as a button whose form posts the PIN (no PIN in any URL), and what that
// form downloads is the uploaded file, byte for byte. The same for a
// complaint looked up with its phone number: the form posts the phone.
func TestBrowserPINSessionFileDownloads(t *testing.T) {
	browser := findBrowser(t)
	_, a, admin := startLifecycleApp(t)
	base := a.URL()
	data, err := os.ReadFile(writePNG(t))
	if err != nil {
		t.Fatal(err)
	}
	pub := apptest.NewClient(t, base)
	res := pub.Multipart("/api/v1/complaints", map[string]string{"anonymous": "on", "category": "pendaftaran",
		"description": "Petugas meminta uang untuk mendaftarkan saya."}, []apptest.File{{Name: "bukti.png", Data: data}})
	if res.Status != http.StatusCreated {
		t.Fatalf("complaint: %d %s", res.Status, res.Body)
	}
	var out struct {
		TN  string `json:"tracking_number"`
		PIN string `json:"pin"`
	}
	res.JSON(t, &out)
	ticketIDs(t, admin, out.TN)

	root := newBrowser(t, browser)
	shots := newShots(t)
	citizen := newTab(t, root)
	citizen.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	citizen.do(t, "status page", chromedp.Navigate(base+"/pengaduan/status?lang=id-ID&tn="+out.TN), chromedp.WaitVisible(chromedp.ID("lookup-form")))
	citizen.do(t, "pin", chromedp.SendKeys(chromedp.ID("pin"), out.PIN))
	citizen.do(t, "look up", chromedp.Click(chromedp.ID("lookup-btn")))
	citizen.waitJS(t, "the file offered", `!!document.querySelector('.msg-files form.file-post button')`)
	if got := citizen.text(t, ".msg-files form.file-post button"); got != "bukti.png" {
		t.Errorf("file button %q", got)
	}
	if got := citizen.evalString(t, `[...document.querySelectorAll('.msg-files a, .msg-files form')].map(e => e.getAttribute('href') || e.getAttribute('action')).join(' ')`); got == "" ||
		strings.Contains(got, out.PIN) || strings.Contains(got, "pin=") || strings.Contains(got, "contact=") {
		t.Errorf("file links carry a secret or a contact: %q", got)
	}
	shots.take(t, citizen, "pinfile-01-status-page")
	// What the form posts (its own fields, urlencoded as a native submit).
	if got := downloadByForm(t, citizen); got != base64.StdEncoding.EncodeToString(data) {
		t.Fatalf("downloaded %d base64 chars (%.40q), want the uploaded %d bytes", len(got), got, len(data))
	}

	// A complaint looked up with its phone number: the phone stays out of
	// every URL the same way (the file opens in a tab of its own, whose
	// address history and Referer would keep).
	const phone = "081244445555"
	res = pub.Multipart("/api/v1/complaints", map[string]string{"name": "Rina", "phone": phone, "category": "pendaftaran",
		"description": "Bukti pendaftaran saya lampirkan."}, []apptest.File{{Name: "bukti.png", Data: data}})
	if res.Status != http.StatusCreated {
		t.Fatalf("complaint: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &out)
	ticketIDs(t, admin, out.TN)
	citizen.do(t, "status page", chromedp.Navigate(base+"/pengaduan/status?lang=id-ID&tn="+out.TN), chromedp.WaitVisible(chromedp.ID("lookup-form")))
	citizen.do(t, "phone", chromedp.SendKeys(chromedp.ID("contact"), phone))
	citizen.do(t, "look up", chromedp.Click(chromedp.ID("lookup-btn")))
	citizen.waitJS(t, "the file offered", `!!document.querySelector('.msg-files form.file-post button')`)
	if got := citizen.evalString(t, `[...document.querySelectorAll('.msg-files a, .msg-files form')].map(e => e.getAttribute('href') || e.getAttribute('action')).join(' ')`); got == "" ||
		strings.Contains(got, phone) || strings.Contains(got, "contact=") {
		t.Errorf("file links carry the phone: %q", got)
	}
	if got := downloadByForm(t, citizen); got != base64.StdEncoding.EncodeToString(data) {
		t.Fatalf("downloaded by phone %d base64 chars (%.40q), want the uploaded %d bytes", len(got), got, len(data))
	}
	// A wrong phone downloads nothing.
	citizen.do(t, "download with another phone", chromedp.Evaluate[chromedp.Void](`(() => { window.__file = undefined;
		const f = document.querySelector('.msg-files form.file-post');
		const body = new URLSearchParams(new FormData(f)); body.set('contact', '081299990000');
		fetch(f.action, {method: 'POST', body}).then(r => { window.__file = String(r.status); }); })()`))
	citizen.waitJS(t, "refused", `typeof window.__file === 'string'`)
	if got := citizen.evalString(t, `window.__file`); got != "404" {
		t.Errorf("a wrong phone: %s, want 404", got)
	}
	citizen.checkConsole(t)
}

// downloadByForm posts the first file form of the status page's thread as
// its native submit would (its own fields, urlencoded) and returns what it
// downloads, base64-encoded ("error <status>" when refused).
func downloadByForm(t *testing.T, citizen *tab) string {
	t.Helper()
	citizen.do(t, "download", chromedp.Evaluate[chromedp.Void](`(() => { window.__file = undefined;
		const f = document.querySelector('.msg-files form.file-post');
		fetch(f.action, {method: 'POST', body: new URLSearchParams(new FormData(f))})
			.then(r => r.ok ? r.arrayBuffer() : Promise.reject(r.status))
			.then(b => { let s = ''; new Uint8Array(b).forEach(c => { s += String.fromCharCode(c); }); window.__file = btoa(s); }, e => { window.__file = 'error ' + e; }); })()`))
	citizen.waitJS(t, "the download", `typeof window.__file === 'string'`)
	return citizen.evalString(t, `window.__file`)
}
