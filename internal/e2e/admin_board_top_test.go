package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserAdminBoardTabOpensAtTheTop: an admin opening the board tab
// lands at its top, on the queue board, the focus on the tab as the tab
// pattern puts it; the admin screen further down is drawn without taking
// the focus (nor the page) there. Choosing a section in the admin
// navigation then gives its button the focus. On a laptop and on a phone.
func TestBrowserAdminBoardTabOpensAtTheTop(t *testing.T) {
	browser := findBrowser(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)
	for _, size := range []struct {
		name string
		w, h int64
	}{{"laptop", 1366, 800}, {"phone", 390, 844}} {
		adm := newTab(t, root)
		adm.instrument(t)
		adm.do(t, "a "+size.name+" screen", chromedp.EmulateViewport(size.w, size.h))
		adm.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
		adm.waitJS(t, "the console tabs shown", `!document.getElementById('console-tabs').hidden`)
		adm.settled(t)
		adm.pressEnter(t, "open the board tab", "#tab-board")
		adm.waitJS(t, "the board shown, the admin screen drawn", `!document.getElementById('board-view').hidden
			&& !!document.querySelector('#admin-agents tr[data-agent]')`)
		adm.settled(t)
		adm.waitJS(t, "at the top of the board, the focus on its tab", `window.scrollY === 0 && document.getElementById('board-view').scrollTop === 0
			&& document.getElementById('board-title').getBoundingClientRect().top < window.innerHeight
			&& `+focusedJS("#tab-board"))
		shots.takeView(t, adm, "admin-board-top-"+size.name)

		adm.pressEnter(t, "choose Antrean in the admin navigation", "#admin-nav-queues")
		adm.waitJS(t, "the section shown, the focus on its button", `document.getElementById('admin-nav-queues').getAttribute('aria-pressed') === 'true'
			&& `+focusedJS("#admin-nav-queues"))
		adm.checkConsole(t)
	}
}
