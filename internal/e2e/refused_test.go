package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserRefusedItems: a WhatsApp POST carries two good messages and
// two the channel cannot read (a sender that is no number; a message
// without id). An admin finds both in the admin screens' list of
// unreadable items — when, channel, why in words, the sender masked —
// opens one by keyboard-reachable button and sees the item as sent, the
// opening recorded in the view audit; on a laptop and a phone.
func TestBrowserRefusedItems(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	graph := newGraphStandIn(t)
	cfg := demoConfig(t)
	cfg.WhatsApp = graph.config()
	base := apptest.Start(t, cfg).URL()
	api := apptest.NewClient(t, base)
	now := time.Now()
	value := apptest.WhatsAppText("6281234567890", "Siti Rahayu", "wamid.e2e-ok-1", now, "Kartu saya belum aktif")
	msgs := value["messages"].([]any)
	value["messages"] = append(msgs,
		map[string]any{"from": "62-bukan-nomor", "id": "wamid.e2e-bad-1", "timestamp": fmt.Sprint(now.Unix()), "type": "text", "text": map[string]any{"body": "Tolong dibantu"}},
		map[string]any{"from": "6281234567899", "timestamp": fmt.Sprint(now.Unix()), "type": "text", "text": map[string]any{"body": "Pesan tanpa id"}},
		map[string]any{"from": "6281234567890", "id": "wamid.e2e-ok-2", "timestamp": fmt.Sprint(now.Unix()), "type": "text", "text": map[string]any{"body": "Terima kasih"}},
	)
	api.WhatsApp(value)
	api.Login(apptest.AdminEmail, apptest.AdminPassword)
	checkFor(t, 20*time.Second, func() error {
		var p struct {
			Items []struct{ ID int64 } `json:"items"`
		}
		api.Do(http.MethodGet, "/api/v1/admin/refused", nil).JSON(t, &p)
		if len(p.Items) != 2 {
			return fmt.Errorf("%d refused items listed, want 2", len(p.Items))
		}
		return nil
	})

	root := newBrowser(t, browser)
	shots := newShots(t)
	adm := openAdminBoard(t, root, base)
	adm.waitJS(t, "the admin screen drawn", `!!document.getElementById('admin-nav-refused')`)
	adm.do(t, "the unreadable items", chromedp.Click(chromedp.ID("admin-nav-refused")))
	adm.waitJS(t, "both rows, why in words, the sender masked or said unreadable", fmt.Sprintf(`(() => {
		const rows = [...document.querySelectorAll('#admin-refused tbody tr')];
		const text = rows.map((r) => r.textContent).join('|');
		return rows.length === 2 && text.includes(%q) && text.includes(%q) && text.includes(%q)
			&& text.includes('WhatsApp') && !text.includes('6281234567899') && text.includes('+62812****899');
	})()`, tx("refused.cause_sender"), tx("refused.cause_missing"), tx("refused.sender_unread")))
	adm.scrollTo(t, "admin-refused")
	shots.take(t, adm, "90-admin-refused-laptop")

	// Opened by keyboard: the button takes focus and Enter opens it.
	row := `[...document.querySelectorAll('#admin-refused tbody tr')].find((r) => r.textContent.includes(` + fmt.Sprintf("%q", tx("refused.cause_sender")) + `))`
	adm.do(t, "focus the open button", chromedp.Evaluate[chromedp.Void](row+`.querySelector('button[data-refused-open]').focus()`))
	adm.do(t, "press Enter", chromedp.KeyEvent("\r"))
	adm.waitJS(t, "the item as sent, focused", `document.activeElement && document.activeElement.id === 'refused-raw'
		&& document.querySelector('#refused-raw pre').textContent.includes('62-bukan-nomor')
		&& document.querySelector('#refused-raw pre').textContent.includes('wamid.e2e-bad-1')`)
	checkFor(t, 10*time.Second, func() error {
		var p struct {
			Views []struct {
				Kind string `json:"kind"`
			} `json:"views"`
		}
		api.Do(http.MethodGet, "/api/v1/admin/view-audit", nil).JSON(t, &p)
		for _, v := range p.Views {
			if v.Kind == "refused_item" {
				return nil
			}
		}
		return fmt.Errorf("the opening is not in the view audit: %+v", p.Views)
	})

	adm.do(t, "a phone", chromedp.EmulateViewport(390, 844))
	adm.waitJS(t, "it fits", `document.documentElement.scrollWidth <= 390
		&& document.querySelectorAll('#admin-refused tbody tr').length === 2`)
	adm.scrollTo(t, "refused-raw")
	shots.take(t, adm, "91-admin-refused-phone")
	adm.do(t, "close it", chromedp.Click(chromedp.CSS(`#refused-raw button[data-refused-close]`)))
	adm.waitJS(t, "closed, focus back on its button", `!document.getElementById('refused-raw')
		&& document.activeElement && document.activeElement.hasAttribute('data-refused-open')`)
	adm.checkConsole(t)
}
