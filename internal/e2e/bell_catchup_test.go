package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserBellCatchesUpAfterTheNetworkComesBack: Dewi's console loses
// its network; Budi mentions her in a note meanwhile. The push is lost
// (the server replays nothing), so once the network is back the bell
// reads itself again with the rest of the screen: the mention is counted,
// once, without a reload and without her opening the bell.
func TestBrowserBellCatchesUpAfterTheNetworkComesBack(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	direct := startWithDemoSeed(t)
	proxy := newCuttable(t, strings.TrimPrefix(direct, "http://"))
	tn := apptest.NewClient(t, direct).Complaint(map[string]string{"name": "Rina", "phone": "081311115555", "category": "lainnya",
		"description": "Sertifikat pelatihan saya belum terbit."})
	budi := apptest.NewClient(t, direct)
	budi.Login("budi@tanggap.example", "demo-budi-2026")
	id := ticketIDs(t, budi, tn)[tn]

	root := newBrowser(t, browser)
	dewi := newTab(t, root)
	dewi.instrument(t)
	dewi.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	dewi.signIn(t, proxy.url()+"/console?lang=id-ID", "dewi@tanggap.example", "demo-dewi-2026")
	dewi.waitJS(t, "socket open", socketOpenJS)
	dewi.keepMark(t)
	const bellSays = `(c => !c.hidden && c.textContent === '1')(document.getElementById('bell-count'))`
	if dewi.evalString(t, bellSays+` ? 'counted' : 'ok'`) != "ok" {
		t.Fatal("the bell counts a mention before there is one")
	}

	awayWhile(t, proxy, tx("console.live_down"), []*tab{dewi}, func() {
		if r := budi.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/notes", id), map[string]string{"body": "@dewi mohon dicek, warga menunggu"}); r.Status >= 300 {
			t.Fatalf("note: %d %s", r.Status, r.Body)
		}
		if dewi.evalString(t, bellSays+` ? 'stale?' : 'ok'`) != "ok" {
			t.Fatal("the bell learned of the mention while its network was down")
		}
	})
	dewi.waitJS(t, "the mention counted", bellSays)
	dewi.settled(t)
	if got := dewi.text(t, "#bell-count"); got != "1" {
		t.Errorf("after the catch-up the bell counts %q, want 1", got)
	}
	if dewi.evalString(t, `document.getElementById('bell-panel').hidden ? 'closed' : 'open'`) != "closed" {
		t.Error("the bell's panel opened by itself")
	}
	dewi.checkNoReload(t)
	dewi.checkConsole(t)
}
