package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserTicketOutOfReach: Sari has a ticket open when it moves to a
// queue she is not in (here she sends it there herself, from another
// device). Her console, told by the push, stops showing it as hers to
// work: the conversation and the reply box go, and the reason is said.
func TestBrowserTicketOutOfReach(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)

	sariAPI := apptest.NewClient(t, base)
	sariAPI.Login("sari@tanggap.example", "demo-sari-2026")
	if r := sariAPI.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "online"}); r.Status != http.StatusOK {
		t.Fatalf("online: %d %s", r.Status, r.Body)
	}
	tn := apptest.NewClient(t, base).Complaint(map[string]string{"name": "Rina", "phone": "081311115555", "category": "lainnya",
		"description": "Kartu saya belum aktif sejak bulan lalu."})
	id := ticketIDs(t, sariAPI, tn)[tn]

	sari := newTab(t, root)
	sari.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	sari.signIn(t, base+fmt.Sprintf("/console?lang=id-ID#ticket-%d", id), "sari@tanggap.example", "demo-sari-2026")
	sari.waitJS(t, "her ticket open, the reply box offered", `!document.getElementById('reply-form').hidden && document.getElementById('t-tn').textContent !== ''`)
	sari.waitJS(t, "the console's push socket is open", `document.documentElement.dataset.socket === 'open'`)

	if r := sariAPI.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/transfer", id), map[string]any{"queue": "insentif", "note": "Soal insentif."}); r.Status/100 != 2 {
		t.Fatalf("transfer to insentif: %d %s", r.Status, r.Body)
	}
	sari.waitLive(t, "the ticket gone from her screen, with the reason", fmt.Sprintf(`document.getElementById('reply-form').hidden
		&& document.getElementById('t-tn').textContent === ''
		&& document.getElementById('ticket-live').textContent === %q`, tx("error.forbidden")))
}
