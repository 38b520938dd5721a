package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
)

// TestBrowserTicketOutOfReach: Sari has a ticket open, writing in its
// reply box, when it moves to a queue she is not in (here she sends it
// there herself, from another device). Her console, told by the push,
// reads the ticket once, is refused, and closes it: it leaves her list,
// the list says why, and the focus, which went with the reply box, is on
// the list's heading (no other ticket is listed). Nothing else of the
// ticket is asked for. An address naming the ticket then shows the
// refusal as one: a sign and the error style, not the colour of success.
//
// What she had written is not lost with the ticket: it stays under the
// list's status line, named by the tracking number, to copy (for the
// colleague who has the ticket now) or discard. Signing out with it still
// there asks first and names the ticket; "cancel" keeps her signed in
// with the text, going on discards it for good. Screenshots at 1366×800
// and 390×844.
func TestBrowserTicketOutOfReach(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)

	sariAPI := apptest.NewClient(t, base)
	sariAPI.Login("sari@tanggap.example", "demo-sari-2026")
	goOnline(t, sariAPI)
	tn := apptest.NewClient(t, base).Complaint(map[string]string{"name": "Rina", "phone": "081311115555", "category": "lainnya",
		"description": "Kartu saya belum aktif sejak bulan lalu."})
	id := ticketIDs(t, sariAPI, tn)[tn]

	sari := newTab(t, root)
	sari.instrument(t)
	sari.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	sari.signIn(t, base+fmt.Sprintf("/console?lang=id-ID#ticket-%d", id), "sari@tanggap.example", "demo-sari-2026")
	sari.waitJS(t, "her ticket open, the reply box offered", `!document.getElementById('reply-form').hidden && document.getElementById('t-tn').textContent !== ''`)
	sari.waitLive(t, "her ticket listed", fmt.Sprintf(`!!document.querySelector('#ticket-list [data-ticket-id="%d"]')`, id))
	const reply = "Baik Bu Rina, kartu Anda sedang kami cek."
	sari.do(t, "writing a reply", chromedp.Focus("#reply-body"), chromedp.SendKeys("#reply-body", reply))
	sari.settled(t)
	mark := sari.pageNow(t)

	if r := sariAPI.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/transfer", id), map[string]any{"queue": "insentif", "note": "Soal insentif."}); r.Status/100 != 2 {
		t.Fatalf("transfer to insentif: %d %s", r.Status, r.Body)
	}
	sari.waitLive(t, "the ticket closed and gone from her list, the reason said, the focus on the list", fmt.Sprintf(`document.getElementById('ticket-detail').hidden
		&& !document.getElementById('ticket-placeholder').hidden
		&& !document.querySelector('#ticket-list [data-ticket-id="%d"]')
		&& location.hash === ''
		&& document.getElementById('list-status').textContent === %q
		&& !document.getElementById('list-status').classList.contains('form-status-error')
		&& %s`, id, tx("console.ticket_left", "tracking", tn)+" "+tx("unsent.kept_below"), focusedJS("#tickets-title")))
	sari.waitJS(t, "her unsent reply kept, named, read-only, with copy and discard", fmt.Sprintf(`(() => {
		const box = document.getElementById('unsent-left');
		const ta = document.getElementById('unsent-text-%d');
		return !box.hidden && box.querySelectorAll('.unsent-item').length === 1
			&& box.querySelector('.unsent-title').textContent === %q
			&& !!ta && ta.readOnly && ta.value === %q
			&& document.querySelector('#unsent-left label[for="unsent-text-%d"]') !== null
			&& !!box.querySelector('[data-copy="%d"]') && !!box.querySelector('[data-discard="%d"]')
			&& document.getElementById('reply-body').value === '';
	})()`, id, tx("unsent.title", "tracking", tn), reply, id, id, id))
	shots.takeView(t, sari, "unsent-reply-kept-1366")
	sari.settled(t)
	failed := sari.failedRequestsSince(t, mark)
	if len(failed) != 1 || !strings.HasSuffix(failed[0], fmt.Sprintf("/api/v1/tickets/%d", id)) {
		t.Errorf("refused requests after the move: %q, want only the one read of the ticket", failed)
	}

	// Asked for by its address, the ticket is refused, and the refusal is
	// shown as an error.
	sari.do(t, "open it by its address", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#ticket-%d'`, id)))
	sari.waitJS(t, "the refusal, set apart as an error", fmt.Sprintf(`document.getElementById('ticket-live').textContent === %q
		&& document.getElementById('ticket-live').classList.contains('form-status-error')
		&& document.getElementById('reply-form').hidden`, "⚠ "+tx("error.forbidden")))

	// Copied: the page says so (or, where the browser keeps the clipboard
	// from the page, that the text is selected for Ctrl+C).
	sari.clickNow(t, "copy the unsent reply", fmt.Sprintf(`[data-copy="%d"]`, id))
	sari.waitJS(t, "the copy said", fmt.Sprintf(`[%q, %q].includes(document.getElementById('list-status').textContent)`,
		tx("unsent.copied", "tracking", tn), tx("unsent.copy_selected")))

	// A reload keeps it (the same agent, the same tab).
	sari.do(t, "a phone screen, the list in the address, and a reload", chromedp.EmulateViewport(390, 844),
		chromedp.Evaluate[chromedp.Void](`history.replaceState(null, '', location.pathname + location.search)`), chromedp.Reload())
	sari.waitLive(t, "the unsent reply still there after the reload", fmt.Sprintf(`document.getElementById('unsent-text-%d') !== null
		&& document.getElementById('unsent-text-%d').value === %q`, id, id, reply))
	shots.takeView(t, sari, "unsent-reply-kept-390")

	// Signing out asks first, naming the ticket; cancel keeps everything.
	sari.clickNow(t, "sign out", "#logout-btn")
	sari.waitJS(t, "asked before the unsent reply goes, the ticket named, cancel focused", fmt.Sprintf(`(() => {
		const d = document.querySelector('dialog.unsent-dialog');
		return !!d && d.open && d.querySelector('h2').textContent === %q
			&& Array.from(d.querySelectorAll('li')).map((li) => li.textContent).join('|') === %q
			&& document.activeElement === document.getElementById('unsent-stay');
	})()`, tx("unsent.signout_title", "count", "1"), tn))
	shots.takeView(t, sari, "unsent-signout-asked-390")
	// No single-key shortcut acts behind the question.
	sari.do(t, "press ? behind the question", chromedp.KeyEvent("?"))
	if sari.evalBool(t, `!!document.querySelector('dialog.shortcuts-dialog[open]') || document.activeElement !== document.getElementById('unsent-stay')`) {
		t.Error("a shortcut acted behind the sign-out question")
	}
	sari.clickNow(t, "cancel", "#unsent-stay")
	sari.waitJS(t, "still signed in, the reply kept, the focus back on sign out", fmt.Sprintf(`!document.querySelector('dialog.unsent-dialog')
		&& document.getElementById('login-view').hidden
		&& document.getElementById('unsent-text-%d').value === %q
		&& document.activeElement === document.getElementById('logout-btn')`, id, reply))

	// Going on discards it: nothing of it stays in the tab.
	sari.clickNow(t, "sign out", "#logout-btn")
	sari.clickNow(t, "sign out and discard", "#unsent-go")
	sari.waitJS(t, "signed out, the unsent reply gone from the page and the tab", `!document.getElementById('login-view').hidden
		&& document.getElementById('unsent-left').hidden
		&& document.getElementById('unsent-left').children.length === 0
		&& sessionStorage.getItem('tanggap.unsent-left') === null
		&& sessionStorage.getItem('tanggap.reply-drafts') === null`)
	sari.checkConsole(t)
}

// TestBrowserTransferAwayClosesTheTicket: Sari transfers her open ticket,
// by keyboard, to a queue she is not a member of (Insentif). The transfer
// goes through and the ticket leaves her sight: it closes without being
// read again (no request is refused), leaves her list, the list says where
// it went, and the focus is on the ticket listed next to it. In "all
// tickets", a push of a transfer away (one she did not have open) takes
// the ticket from her list too. On a phone
// the last of her tickets goes the same way from the details panel, and
// the focus is then on the list's heading. Screenshots at 1366×800 and
// 390×844.
func TestBrowserTransferAwayClosesTheTicket(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)
	shots := newShots(t)

	sariAPI := apptest.NewClient(t, base)
	sariAPI.Login("sari@tanggap.example", "demo-sari-2026")
	if r := sariAPI.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "busy"}); r.Status != http.StatusOK {
		t.Fatalf("busy: %d %s", r.Status, r.Body)
	}
	citizen := apptest.NewClient(t, base)
	tnA := citizen.Complaint(map[string]string{"name": "Rina", "phone": "081311116666", "category": "lainnya",
		"description": "Dana insentif bulan lalu belum masuk."})
	tnB := citizen.Complaint(map[string]string{"name": "Agus", "phone": "081311117777", "category": "lainnya",
		"description": "Kartu saya belum aktif sejak bulan lalu."})
	tnC := citizen.Complaint(map[string]string{"name": "Wati", "phone": "081311110000", "category": "lainnya",
		"description": "Nomor rekening saya berubah."})
	ids := ticketIDs(t, sariAPI, tnA, tnB, tnC)
	for _, tn := range []string{tnA, tnB, tnC} {
		if r := sariAPI.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/claim", ids[tn]), nil); r.Status != http.StatusOK {
			t.Fatalf("claim %s: %d %s", tn, r.Status, r.Body)
		}
	}
	a, b, c := ids[tnA], ids[tnB], ids[tnC]

	sari := newTab(t, root)
	sari.instrument(t)
	sari.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	sari.signIn(t, base+"/console?lang=id-ID", "sari@tanggap.example", "demo-sari-2026")
	// "Semua tiket": what she may see, which the push of the transfer,
	// reaching her as the one it was taken from, does not add to.
	sari.selectValue(t, "#scope", "all")
	sari.waitLive(t, "her tickets listed", fmt.Sprintf(`!!document.querySelector('#ticket-list [data-ticket-id="%d"]')
		&& !!document.querySelector('#ticket-list [data-ticket-id="%d"]') && !!document.querySelector('#ticket-list [data-ticket-id="%d"]')`, a, b, c))
	sari.open(t, a)
	sari.waitJS(t, "transfer offered, the queues listed", `!document.getElementById('transfer-form').hidden
		&& !!document.querySelector('#transfer-queue option[value="insentif"]')`)
	insentif := sari.evalString(t, `document.querySelector('#transfer-queue option[value="insentif"]').textContent`)
	sari.selectValue(t, "#transfer-queue", "insentif")
	sari.settled(t)
	mark := sari.pageNow(t)
	sari.pressEnter(t, "Alihkan", "#transfer-btn")
	sari.waitJS(t, "the ticket closed and gone from her list, where it went said, the focus on the other ticket", fmt.Sprintf(`document.getElementById('ticket-detail').hidden
		&& document.getElementById('details-pane').hidden
		&& !document.querySelector('#ticket-list [data-ticket-id="%d"]')
		&& location.hash === ''
		&& document.getElementById('list-status').textContent === %q
		&& %s`, a, tx("console.transferred_away", "tracking", tnA, "target", insentif),
		focusedJS(fmt.Sprintf(`#ticket-list .ticket-item[data-ticket-id="%d"]`, b))))
	// The push of the transfer reaches her too (she had the ticket): it
	// asks nothing either.
	sari.frameNow(t, "the transfer pushed", mark, fmt.Sprintf(`f.event === 'ticket.transferred' && f.ticket_id === %d`, a))
	sari.settled(t)
	if failed := sari.failedRequestsSince(t, mark); len(failed) != 0 {
		t.Errorf("refused requests after the transfer: %q", failed)
	}
	if sari.evalString(t, fmt.Sprintf(`String(!!document.querySelector('#ticket-list [data-ticket-id="%d"]'))`, a)) != "false" {
		t.Error("the transferred ticket is back in her list after the push")
	}
	shots.take(t, sari, "transfer-away-laptop")

	// One she does not have open, transferred from elsewhere: the push
	// takes it from her list too.
	mark = sari.pageNow(t)
	if r := sariAPI.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/transfer", c), map[string]any{"queue": "insentif"}); r.Status != http.StatusOK {
		t.Fatalf("transfer %s: %d %s", tnC, r.Status, r.Body)
	}
	sari.frameNow(t, "that transfer pushed", mark, fmt.Sprintf(`f.event === 'ticket.transferred' && f.ticket_id === %d`, c))
	sari.waitJS(t, "gone from her list", fmt.Sprintf(`!document.querySelector('#ticket-list [data-ticket-id="%d"]')`, c))

	// On a phone: the last ticket, from the details panel.
	sari.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	sari.open(t, b)
	sari.clickShown(t, "open the details", "details-btn")
	sari.waitJS(t, "transfer offered", `!document.getElementById('transfer-form').hidden && document.getElementById('transfer-form').getClientRects().length > 0`)
	sari.selectValue(t, "#transfer-queue", "insentif")
	sari.settled(t)
	mark = sari.pageNow(t)
	sari.pressEnter(t, "Alihkan", "#transfer-btn")
	sari.waitJS(t, "the list shown again, where it went said, the focus on its heading", fmt.Sprintf(`document.getElementById('ticket-detail').hidden
		&& !document.querySelector('#ticket-list [data-ticket-id="%d"]')
		&& document.getElementById('list-status').textContent === %q
		&& document.getElementById('list-status').getClientRects().length > 0
		&& %s && document.activeElement.getClientRects().length > 0`, b, tx("console.transferred_away", "tracking", tnB, "target", insentif), focusedJS("#tickets-title")))
	sari.frameNow(t, "the transfer pushed", mark, fmt.Sprintf(`f.event === 'ticket.transferred' && f.ticket_id === %d`, b))
	sari.settled(t)
	if failed := sari.failedRequestsSince(t, mark); len(failed) != 0 {
		t.Errorf("refused requests after the transfer on the phone: %q", failed)
	}
	if w := sari.evalString(t, `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("console is %s px wide on a 390 px screen", w)
	}
	shots.take(t, sari, "transfer-away-phone")
	sari.checkConsole(t)
}

// TestBrowserTransferInShowsTheCitizen: Budi's console is open on his own
// tickets when Sari transfers him a complaint that came in before he
// signed in (his console never saw it arrive). The row comes in live with
// the citizen's name and the time of the citizen's last message, as a
// reload would show it, not "(tanpa nama)" and the transfer's time; the
// page title counts only messages on tickets in his list.
func TestBrowserTransferInShowsTheCitizen(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)

	sariAPI := apptest.NewClient(t, base)
	sariAPI.Login("sari@tanggap.example", "demo-sari-2026")
	budiAPI := apptest.NewClient(t, base)
	budiAPI.Login("budi@tanggap.example", "demo-budi-2026")
	// Only Sari is online when the complaint comes: it is hers, and Budi
	// (online once it is) has nothing of it yet.
	goOnline(t, sariAPI)
	tn := apptest.NewClient(t, base).Complaint(map[string]string{"name": "Dedi Kurniawan", "phone": "081311116666", "category": "lainnya",
		"description": "Saldo pelatihan saya belum masuk."})
	id := ticketIDs(t, sariAPI, tn)[tn]
	checkFor(t, 10*time.Second, func() error {
		var d struct {
			AssigneeID int64 `json:"assignee_id"`
		}
		sariAPI.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(t, &d)
		if d.AssigneeID == 0 {
			return fmt.Errorf("ticket %d not assigned yet", id)
		}
		return nil
	})
	goOnline(t, budiAPI)

	budi := newTab(t, root)
	budi.instrument(t)
	budi.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	budi.signIn(t, base+"/console?lang=id-ID", "budi@tanggap.example", "demo-budi-2026")
	budi.selectValue(t, "#scope", "mine")
	budi.waitJS(t, "socket open", socketOpenJS)
	budi.waitJS(t, "his list read, without the complaint", fmt.Sprintf(`!!document.getElementById('ticket-list') && !document.querySelector('#ticket-list [data-ticket-id="%d"]')`, id))
	budi.settled(t)

	var targets struct {
		Agents []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"agents"`
	}
	sariAPI.Do(http.MethodGet, "/api/v1/transfer-targets", nil).JSON(t, &targets)
	var budiID int64
	for _, a := range targets.Agents {
		if strings.HasPrefix(a.Name, "Budi") {
			budiID = a.ID
		}
	}
	if r := sariAPI.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/transfer", id), map[string]any{"agent_id": budiID, "note": "Soal saldo."}); r.Status/100 != 2 {
		t.Fatalf("transfer to Budi: %d %s", r.Status, r.Body)
	}
	row := rowJS(id)
	budi.waitLive(t, "the complaint in his list, with the citizen's name", fmt.Sprintf(`!!%[1]s && %[1]s.querySelector('.ticket-contact').textContent === 'Dedi Kurniawan'`, row))
	if got := budi.evalString(t, row+`.querySelector('.ticket-contact').textContent`); got == tx("contact.no_name") {
		t.Errorf("the transferred ticket is listed as %q", got)
	}
	// A citizen writes on a ticket not in his list: no count in the title.
	other := apptest.NewClient(t, base).Complaint(map[string]string{"name": "Lina", "phone": "081311117777", "category": "lainnya",
		"description": "Jadwal pelatihan saya tidak muncul."})
	ticketIDs(t, sariAPI, other)
	r := apptest.NewClient(t, base).Do(http.MethodPost, "/api/v1/complaints/"+other+"/messages?contact=081311117777", map[string]string{"body": "Mohon dibantu."})
	accepted2xx(t, "follow-up", r.Status, r.Body)
	r = apptest.NewClient(t, base).Do(http.MethodPost, "/api/v1/complaints/"+tn+"/messages?contact=081311116666", map[string]string{"body": "Sudah seminggu."})
	accepted2xx(t, "follow-up", r.Status, r.Body)
	budi.waitLive(t, "his ticket's message counted in the title, the other one not", fmt.Sprintf(`!!%s.querySelector('.unread') && document.title.startsWith('(1) ')`, row))
	budi.checkConsole(t)
}

// goOnline sets the signed-in agent of c online through the API.
func goOnline(t *testing.T, c *apptest.Client) {
	t.Helper()
	if r := c.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "online"}); r.Status != http.StatusOK {
		t.Fatalf("online: %d %s", r.Status, r.Body)
	}
}

// TestBrowserDraftOfAnotherTicketOutOfReach: Sari wrote a reply to one
// ticket, left it unsent and opened another; the first is then moved to a
// queue she is not in (from another device). Her console reads that
// ticket when the push tells of the move, is refused, and keeps the reply
// under the list's status line as it would the open ticket's, saying why;
// the ticket she has open stays as it was.
func TestBrowserDraftOfAnotherTicketOutOfReach(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	base := startWithDemoSeed(t)
	root := newBrowser(t, browser)

	sariAPI := apptest.NewClient(t, base)
	sariAPI.Login("sari@tanggap.example", "demo-sari-2026")
	goOnline(t, sariAPI)
	citizen := apptest.NewClient(t, base)
	tnA := citizen.Complaint(map[string]string{"name": "Rina", "phone": "081311116666", "category": "lainnya",
		"description": "Kartu saya belum aktif sejak bulan lalu."})
	tnB := citizen.Complaint(map[string]string{"name": "Budi", "phone": "081311117777", "category": "lainnya",
		"description": "Pelatihan saya tidak tercatat selesai."})
	ids := ticketIDs(t, sariAPI, tnA, tnB)

	sari := newTab(t, root)
	sari.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	sari.signIn(t, base+fmt.Sprintf("/console?lang=id-ID#ticket-%d", ids[tnB]), "sari@tanggap.example", "demo-sari-2026")
	sari.waitJS(t, "Budi's ticket open", fmt.Sprintf(`!document.getElementById('reply-form').hidden && document.getElementById('t-tn').textContent === %q`, tnB))
	const reply = "Baik Pak Budi, catatan pelatihan Anda kami periksa."
	sari.do(t, "writing to Budi", chromedp.Focus("#reply-body"), chromedp.SendKeys("#reply-body", reply))
	sari.do(t, "Rina's ticket instead", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#ticket-%d'`, ids[tnA])))
	sari.waitJS(t, "Rina's ticket open, its reply box empty", fmt.Sprintf(`document.getElementById('t-tn').textContent === %q && document.getElementById('reply-body').value === ''`, tnA))
	sari.waitLive(t, "both listed", fmt.Sprintf(`!!document.querySelector('#ticket-list [data-ticket-id="%d"]') && !!document.querySelector('#ticket-list [data-ticket-id="%d"]')`, ids[tnA], ids[tnB]))

	if r := sariAPI.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/transfer", ids[tnB]), map[string]any{"queue": "insentif", "note": "Soal insentif."}); r.Status/100 != 2 {
		t.Fatalf("transfer to insentif: %d %s", r.Status, r.Body)
	}
	sari.waitLive(t, "Budi's reply kept, named, the reason said", fmt.Sprintf(`(() => {
		const ta = document.getElementById('unsent-text-%d');
		return !!ta && ta.value === %q && ta.readOnly
			&& document.querySelector('#unsent-left .unsent-title').textContent === %q
			&& document.getElementById('list-status').textContent === %q
			&& !document.querySelector('#ticket-list [data-ticket-id="%d"]');
	})()`, ids[tnB], reply, tx("unsent.title", "tracking", tnB), tx("console.ticket_left", "tracking", tnB)+" "+tx("unsent.kept_below"), ids[tnB]))
	if got := sari.evalString(t, `document.getElementById('t-tn').textContent + '|' + document.getElementById('reply-form').hidden`); got != tnA+"|false" {
		t.Errorf("the open ticket after the other's move: %q, want Rina's, its reply box offered", got)
	}
	// Not kept twice: it is no longer among the drafts the sign-out names.
	sari.clickNow(t, "sign out", "#logout-btn")
	sari.waitJS(t, "asked, Budi's ticket named once", fmt.Sprintf(`(() => {
		const d = document.querySelector('dialog.unsent-dialog');
		return !!d && Array.from(d.querySelectorAll('li')).map((li) => li.textContent).join('|') === %q;
	})()`, tnB))
	sari.clickNow(t, "cancel", "#unsent-stay")

	// Out of reach with nothing pushed: she gives another ticket, with a
	// reply of hers waiting on it, to Budi of her queue, then an admin
	// takes her out of that queue (a membership change moves no ticket).
	// The next read of her list, which does not list the ticket, has it
	// read, refused, and the reply kept.
	tnC := citizen.Complaint(map[string]string{"name": "Citra", "phone": "081311119999", "category": "lainnya",
		"description": "Saldo pelatihan saya tidak bertambah."})
	idC := ticketIDs(t, sariAPI, tnC)[tnC]
	budi := apptest.NewClient(t, base)
	budi.Login("budi@tanggap.example", "demo-budi-2026")
	goOnline(t, budi)
	adm := apptest.NewClient(t, base)
	adm.Login(apptest.AdminEmail, apptest.AdminPassword)
	sari.do(t, "Citra's ticket", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#ticket-%d'`, idC)))
	sari.waitJS(t, "Citra's ticket open", fmt.Sprintf(`!document.getElementById('reply-form').hidden && document.getElementById('t-tn').textContent === %q`, tnC))
	const replyC = "Baik Bu Citra, saldo Anda kami periksa."
	sari.do(t, "writing to Citra", chromedp.Focus("#reply-body"), chromedp.SendKeys("#reply-body", replyC))
	sari.do(t, "Rina's ticket again", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#ticket-%d'`, ids[tnA])))
	sari.waitJS(t, "Rina's ticket open again", fmt.Sprintf(`document.getElementById('t-tn').textContent === %q`, tnA))
	if r := sariAPI.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/transfer", idC), map[string]any{"agent_id": agentID(t, adm, "budi@tanggap.example"), "note": "Untuk Budi."}); r.Status/100 != 2 {
		t.Fatalf("transfer to Budi: %d %s", r.Status, r.Body)
	}
	sari.waitLive(t, "Citra's ticket gone from her list, her reply still a draft", fmt.Sprintf(`!document.querySelector('#ticket-list [data-ticket-id="%d"]')
		&& !document.getElementById('unsent-text-%d')`, idC, idC))
	sariID := agentID(t, adm, "sari@tanggap.example")
	if r := adm.Do(http.MethodPut, fmt.Sprintf("/api/v1/admin/agents/%d/routing", sariID), map[string]any{"queues": []string{"jabar"}}); r.Status/100 != 2 {
		t.Fatalf("take Sari out of umum: %d %s", r.Status, r.Body)
	}
	sari.selectValue(t, "#status-filter", "all")
	sari.waitLive(t, "Citra's reply kept after the list's read", fmt.Sprintf(`!!document.getElementById('unsent-text-%d')
		&& document.getElementById('unsent-text-%d').value === %q`, idC, idC, replyC))
}
