package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserReplyCollision: Dewi is writing to a citizen when a colleague
// replies to the same ticket, and she sends before her screen shows it.
// The server holds her send once with a warning naming the colleague (her
// text kept, nothing sent, the colleague's reply now in her thread);
// sending again sends it.
func TestBrowserReplyCollision(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)

	admin, _, id := cardComplaint(t, base, "Rina", "081311116666")
	replies := func() int {
		var out struct {
			Messages []struct {
				Direction string `json:"direction"`
			} `json:"messages"`
		}
		admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(t, &out)
		n := 0
		for _, m := range out.Messages {
			if m.Direction == "out" {
				n++
			}
		}
		return n
	}

	dewi := newTab(t, root)
	dewi.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	dewi.signIn(t, base+fmt.Sprintf("/console?lang=id-ID#ticket-%d", id), "dewi@tanggap.example", "demo-dewi-2026")
	dewi.waitJS(t, "the ticket open", `!document.getElementById('reply-form').hidden && document.getElementById('t-tn').textContent !== ''`)
	dewi.waitJS(t, "the console's push socket is open", `document.documentElement.dataset.socket === 'open'`)
	const mine = "Baik Bu, kartu Ibu akan aktif dalam 3 hari kerja."
	dewi.do(t, "Dewi starts writing", chromedp.SendKeys(chromedp.ID("reply-body"), mine))

	if r := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]string{"body": "Kartu Ibu sudah kami aktifkan."}); r.Status/100 != 2 {
		t.Fatalf("the colleague's reply: %d %s", r.Status, r.Body)
	}
	dewi.do(t, "Dewi sends", chromedp.Click(chromedp.ID("reply-btn")))
	dewi.waitJS(t, "held, with the colleague named", fmt.Sprintf(`document.getElementById('reply-body-error').textContent === %q`,
		tx("console.reply_collision", "name", "Administrator")))
	dewi.waitJS(t, "the colleague's reply in Dewi's thread", `document.getElementById('t-messages').textContent.includes('Kartu Ibu sudah kami aktifkan.')`)
	if got := dewi.evalString(t, `document.getElementById('reply-body').value`); got != mine {
		t.Errorf("reply box after the warning = %q, want Dewi's text kept", got)
	}
	if n := replies(); n != 1 {
		t.Fatalf("%d replies stored after the held send, want the colleague's alone", n)
	}
	dewi.do(t, "Dewi sends again", chromedp.Click(chromedp.ID("reply-btn")))
	dewi.waitJS(t, "sent", fmt.Sprintf(`document.getElementById('ticket-live').textContent === %q && document.getElementById('reply-body').value === ''`, tx("console.reply_sent")))
	if n := replies(); n != 2 {
		t.Fatalf("%d replies stored, want both", n)
	}
}
