package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/nats-io/nats.go"

	"tanggap/internal/apptest"
	"tanggap/internal/bus"
	"tanggap/internal/testenv"
)

// The console's push socket as an agent meets it, through the real
// gateway (internal/consolews) and real citizens; the frames and events
// are described in the README's "The agents' push socket" and in
// internal/bus/EVENTS.md.

const socketOpenJS = `document.documentElement.dataset.socket === 'open'`

// rowJS is the list row of ticket id (null when not listed).
func rowJS(id int64) string {
	return fmt.Sprintf(`document.querySelector('#ticket-list [data-ticket-id="%d"]')`, id)
}

// rowWithJS is the list row whose text includes text (undefined when none).
func rowWithJS(text string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('#ticket-list .ticket-item')].find(b => b.textContent.includes(%q))`, text)
}

// threadHasJS says whether the open thread shows text.
func threadHasJS(text string) string {
	return fmt.Sprintf(`document.getElementById('t-messages').textContent.includes(%q)`, text)
}

// TestBrowserConsoleLiveChannels is issue 11's "done when" for the three
// channels a citizen writes on: a WhatsApp message (signed webhook, the
// Graph API stood in), a live chat (the citizens' widget in another tab)
// and the complaint form reach an open console with no reload, as a new
// ticket listed from its event alone and as a message in the open thread.
// How long each took, from the moment the citizen's message was accepted
// to the event frame and to the screen, is measured in the page and
// logged. On the way: the unread badge and the count in the page title
// for messages on a ticket that is not open, the citizen typing shown to
// the agent, the agent typing shown to the citizen, and a WhatsApp
// delivery receipt moving the reply's mark from the event alone.
func TestBrowserConsoleLiveChannels(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	graph := newGraphStandIn(t)
	cfg := demoConfig(t)
	cfg.WhatsApp = graph.config()
	base := apptest.Start(t, cfg).URL()
	root := newBrowser(t, browser)
	shots := newShots(t)
	var arrivals []arrival

	sari := newTab(t, root)
	sari.instrument(t)
	sari.signIn(t, base+"/console?lang=id-ID", "sari@tanggap.example", "demo-sari-2026")
	sari.selectValue(t, "#scope", "queue")
	sari.waitJS(t, "socket open", socketOpenJS)
	sari.keepMark(t)

	// --- WhatsApp: a new ticket, listed from its event alone ----------------
	citizen := apptest.NewClient(t, base)
	const waID = "6281298761234"
	const waFirst = "Kartu prakerja saya belum aktif"
	mark := sari.pageNow(t)
	sari.watch(t, "wa-new", rowWithJS(waFirst)+` !== undefined`)
	citizen.WhatsApp(apptest.WhatsAppText(waID, "Siti Rahayu", "wamid.e2e-in-1", time.Now(), waFirst))
	arrivals = append(arrivals, sari.arrived(t, "wa-new", "WhatsApp: a new ticket in the list", rowWithJS(waFirst)+` !== undefined`,
		time.Now(), "ticket.created", ticketOf(sari, t, rowWithJS(waFirst)+`.dataset.ticketId`), ""))
	waTicket := mustAtoi(t, sari.evalString(t, rowWithJS(waFirst)+`.dataset.ticketId`))
	if got := sari.requestsSince(t, mark, "/api/v1/tickets?"); len(got) != 0 {
		t.Errorf("the new ticket was listed by re-reading the list %v; its event carries the row", got)
	}

	// --- WhatsApp: a message in the open thread -----------------------------
	sari.open(t, waTicket)
	const waSecond = "Sudah saya coba masuk berkali-kali"
	sari.watch(t, "wa-msg", threadHasJS(waSecond))
	citizen.WhatsApp(apptest.WhatsAppText(waID, "Siti Rahayu", "wamid.e2e-in-2", time.Now(), waSecond))
	arrivals = append(arrivals, sari.arrived(t, "wa-msg", "WhatsApp: a message in the open thread", threadHasJS(waSecond),
		time.Now(), "message.created", fixedID(waTicket), "in"))

	// --- live chat: a new ticket, unread on a ticket that is not open -------
	chat := newTab(t, root)
	chat.instrument(t)
	chat.do(t, "open the chat page", chromedp.Navigate(base+"/chat?lang=id-ID"), chromedp.WaitVisible(chromedp.ID("tgc-panel")))
	chat.waitJS(t, "connected", `document.getElementById('tgc-status').classList.contains('tgc-status-open')`)
	chat.do(t, "skip the pre-chat form", chromedp.Click(chromedp.CSS(".tgc-prechat .tgc-btn-plain")))
	chat.waitJS(t, "the message box", `document.activeElement && document.activeElement.id === 'tgc-text'`)
	// The gateway accepts a chat message (publishes it) before it writes
	// the conversation's log and acks to the widget, so the console may
	// show it before the widget marks it sent: the clock starts when the
	// citizen presses send, which over-counts a little. typed: the text is
	// in the box already.
	chatSay := func(key, text string, typed bool) time.Time {
		t.Helper()
		if !typed {
			chat.do(t, "write "+text, chromedp.SendKeys(chromedp.ID("tgc-text"), text))
		}
		pressed := chat.evalString(t, `String((() => { const at = Date.now(); document.getElementById('tgc-send').click(); return at; })())`)
		chat.waitJS(t, "the widget's message accepted", fmt.Sprintf(
			`[...document.querySelectorAll('.tgc-mine[data-status="sent"], .tgc-mine[data-status="read"]')].some(e => e.textContent.includes(%q))`, text))
		return time.UnixMilli(mustAtoi(t, pressed))
	}
	const chatFirst = "Halo, saya mau tanya jadwal pelatihan"
	sari.watch(t, "chat-new", rowWithJS(chatFirst)+` !== undefined`)
	at := chatSay("chat-new", chatFirst, false)
	arrivals = append(arrivals, sari.arrived(t, "chat-new", "live chat: a new ticket in the list", rowWithJS(chatFirst)+` !== undefined`,
		at, "ticket.created", ticketOf(sari, t, rowWithJS(chatFirst)+`.dataset.ticketId`), ""))
	chatTicket := mustAtoi(t, sari.evalString(t, rowWithJS(chatFirst)+`.dataset.ticketId`))
	badgeJS := rowJS(chatTicket) + `.querySelector('.unread')`
	sari.waitJS(t, "unread badge", badgeJS+` !== null && document.title.startsWith('(1) ')`)
	if got := sari.evalString(t, badgeJS+`.textContent`); got != tx("console.unread", "n", 1) {
		t.Errorf("unread badge = %q, want %q", got, tx("console.unread", "n", 1))
	}
	const chatSecond = "Apakah bisa pindah ke kelas sore?"
	twoJS := fmt.Sprintf(`(b => b !== null && b.textContent === %q)(%s) && document.title.startsWith('(2) ')`, tx("console.unread", "n", 2), badgeJS)
	sari.watch(t, "chat-unread", twoJS)
	at = chatSay("chat-unread", chatSecond, false)
	arrivals = append(arrivals, sari.arrived(t, "chat-unread", "live chat: unread count on a ticket not open", twoJS,
		at, "message.created", fixedID(chatTicket), "in"))
	shots.take(t, sari, "20-console-live-unread")
	sari.open(t, chatTicket)
	sari.waitJS(t, "unread cleared", `!document.title.startsWith('(') && `+badgeJS+` === null`)

	// --- live chat: typing both ways, a message in the open thread ----------
	const chatThird = "Terima kasih sebelumnya"
	chat.do(t, "the citizen types", chromedp.SendKeys(chromedp.ID("tgc-text"), chatThird))
	sari.waitLive(t, "the citizen typing", fmt.Sprintf(`document.getElementById('t-typing').textContent === %q`, tx("console.citizen_typing")))
	shots.take(t, sari, "21-console-live-citizen-typing")
	// The widget says the citizen stopped after a few idle seconds.
	sari.waitJS(t, "the citizen stopped typing", `document.getElementById('t-typing').textContent === ''`)
	sari.watch(t, "chat-msg", threadHasJS(chatThird))
	at = chatSay("chat-msg", chatThird, true)
	arrivals = append(arrivals, sari.arrived(t, "chat-msg", "live chat: a message in the open thread", threadHasJS(chatThird),
		at, "message.created", fixedID(chatTicket), "in"))

	sari.do(t, "the agent types", chromedp.SendKeys(chromedp.ID("reply-body"), "Bisa, kami pindahkan"))
	chat.waitJS(t, "the agent typing shown to the citizen", fmt.Sprintf(`!document.getElementById('tgc-typing').hidden
		&& document.getElementById('tgc-typing').textContent === %q`, tx("livechat.agent_typing", "name", "Sari")))
	shots.take(t, chat, "chat-10-agent-typing")
	sari.do(t, "send the reply", chromedp.SendKeys(chromedp.ID("reply-body"), " ke kelas sore."), chromedp.Click(chromedp.ID("reply-btn")))
	chat.waitJS(t, "the reply reached the citizen, typing gone", `[...document.querySelectorAll('.tgc-theirs .tgc-body')].some(e => e.textContent === 'Bisa, kami pindahkan ke kelas sore.')
		&& document.getElementById('tgc-typing').hidden`)

	// --- complaint form: a new ticket, a follow-up in the open thread -------
	const formFirst = "Sertifikat pelatihan saya belum terbit"
	const formPhone = "081377778888"
	sari.watch(t, "form-new", rowWithJS(formFirst)+` !== undefined`)
	tn := citizen.Complaint(map[string]string{"name": "Lina", "phone": formPhone, "category": "lainnya", "description": formFirst + " sejak bulan lalu."})
	arrivals = append(arrivals, sari.arrived(t, "form-new", "complaint form: a new ticket in the list", rowWithJS(formFirst)+` !== undefined`,
		time.Now(), "ticket.created", ticketOf(sari, t, rowWithJS(formFirst)+`.dataset.ticketId`), ""))
	formTicket := mustAtoi(t, sari.evalString(t, rowWithJS(formFirst)+`.dataset.ticketId`))
	if first := mustAtoi(t, sari.evalString(t, `document.querySelector('#ticket-list .ticket-item').dataset.ticketId`)); first != formTicket {
		t.Errorf("ticket %d is listed first, want the new one, %d", first, formTicket)
	}
	sari.open(t, formTicket)
	const formFollowUp = "Apakah sudah ada kabar?"
	sari.watch(t, "form-msg", threadHasJS(formFollowUp))
	r := citizen.Do(http.MethodPost, "/api/v1/complaints/"+url.PathEscape(tn)+"/messages?contact="+formPhone, map[string]string{"body": formFollowUp})
	accepted2xx(t, "follow-up", r.Status, r.Body)
	arrivals = append(arrivals, sari.arrived(t, "form-msg", "complaint form: a follow-up in the open thread", threadHasJS(formFollowUp),
		time.Now(), "message.created", fixedID(formTicket), "in"))

	// --- a delivery receipt moves the mark from the event alone -------------
	sari.open(t, waTicket)
	replied := sari.pageNow(t)
	sari.do(t, "reply on WhatsApp", chromedp.SendKeys(chromedp.ID("reply-body"), "Baik, kami cek dulu."), chromedp.Click(chromedp.ID("reply-btn")))
	outJS := `[...document.querySelectorAll('#t-messages .msg-out')].find(m => m.textContent.includes('kami cek dulu'))`
	sari.waitLive(t, "the reply sent", outJS+` !== undefined && `+outJS+`.querySelector('.delivery-sent') !== null`)
	wamid := fmt.Sprintf("wamid.e2e-%d", graph.sent.Load())
	// The reply's own frames (the message, then "sent") may each have the
	// console read the ticket, and may come after the mark is on screen:
	// they are in, and their reads done, before the receipt is posted.
	sari.frameNow(t, "the reply's frame", replied, fmt.Sprintf(`f.event === 'message.created' && f.ticket_id === %d && f.direction === 'out'`, waTicket))
	sari.frameNow(t, "the reply's sent frame", replied, fmt.Sprintf(`f.event === 'message.updated' && f.ticket_id === %d && f.status === 'sent'`, waTicket))
	sari.settled(t)
	mark = sari.pageNow(t)
	citizen.WhatsApp(waStatus(waID, wamid, "read", time.Now()))
	sari.waitLive(t, "the read mark", outJS+`.querySelector('.delivery-read') !== null`)
	if got := sari.evalString(t, outJS+`.querySelector('.delivery').textContent`); got != tx("delivery.read") {
		t.Errorf("delivery mark = %q, want %q", got, tx("delivery.read"))
	}
	// A read of the ticket started after the receipt's frame came would
	// be the receipt's doing.
	read := sari.frameNow(t, "the receipt's frame", mark, fmt.Sprintf(`f.event === 'message.updated' && f.ticket_id === %d && f.status === 'read'`, waTicket))
	for _, u := range sari.requestsSince(t, read, "/api/v1/tickets/") {
		if strings.HasSuffix(u, fmt.Sprintf("/api/v1/tickets/%d", waTicket)) {
			t.Errorf("the delivery mark re-read the ticket (%s); the event carries it", u)
		}
	}

	var lines []string
	for _, a := range arrivals {
		lines = append(lines, fmt.Sprintf("%-48s frame %6v  screen %6v", a.what, a.frame, a.screen))
	}
	t.Logf("citizen message accepted → open console:\n%s", strings.Join(lines, "\n"))
	sari.checkNoReload(t)
	for _, tb := range []*tab{sari, chat} {
		tb.checkConsole(t)
	}
}

// TestBrowserConsoleLiveGateway: two agents on the real push socket. Sari
// (agent) and Dewi (supervisor) open one ticket and see each other's
// viewing mark, Sari sees Dewi typing and then her reply; a ticket Dewi
// solves leaves Sari's list; the queue board moves when a complaint
// arrives. Then the network drops: both consoles say so, and while they
// are away a follow-up comes, a new complaint arrives and a ticket is
// solved; once the network is back they reconnect on their own and catch
// up by re-reading what they show. Last, Sari's session is logged out
// from another client: her console gets bye and returns to the sign-in
// form. Nothing reloads the page.
func TestBrowserConsoleLiveGateway(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	direct, cfg := startDemo(t)
	proxy := newCuttable(t, strings.TrimPrefix(direct, "http://"))
	base := proxy.url()
	citizen := apptest.NewClient(t, direct)
	const contact = "081377778888"
	tn := citizen.Complaint(map[string]string{"name": "Lina", "phone": contact, "category": "lainnya", "description": "Saldo pelatihan saya berkurang sendiri."})
	tnSolved := citizen.Complaint(map[string]string{"name": "Tono", "phone": "081377779999", "category": "lainnya", "description": "Jadwal pelatihan saya bentrok."})
	tnAway := citizen.Complaint(map[string]string{"name": "Rudi", "phone": "081377776666", "category": "lainnya", "description": "Email konfirmasi tidak pernah datang."})
	dewiAPI := apptest.NewClient(t, direct)
	dewiAPI.Login("dewi@tanggap.example", "demo-dewi-2026")
	ids := ticketIDs(t, dewiAPI, tn, tnSolved, tnAway)
	for _, id := range []int64{ids[tnSolved], ids[tnAway]} {
		apptest.FollowedUp(t, cfg, dewiAPI, id) // a complaint is solved once its follow-up is published
	}

	root := newBrowser(t, browser)
	shots := newShots(t)
	sari := newTab(t, root)
	sari.instrument(t)
	sari.signIn(t, base+"/console?lang=id-ID", "sari@tanggap.example", "demo-sari-2026")
	dewi := newTab(t, root)
	dewi.instrument(t)
	dewi.signIn(t, base+"/console?lang=id-ID", "dewi@tanggap.example", "demo-dewi-2026")
	for _, tb := range []*tab{sari, dewi} {
		tb.waitJS(t, "socket open", socketOpenJS)
		if got := tb.text(t, "#live-state"); got != tx("console.live_open") {
			t.Errorf("live state = %q, want %q", got, tx("console.live_open"))
		}
		tb.keepMark(t)
		tb.selectValue(t, "#scope", "queue")
		tb.waitJS(t, "tickets listed", rowJS(ids[tn])+` && `+rowJS(ids[tnSolved])+` && `+rowJS(ids[tnAway]))
		tb.open(t, ids[tn])
	}
	viewersIs := func(text string) string {
		return fmt.Sprintf(`document.getElementById('t-viewers').textContent === %q`, text)
	}
	sari.waitLive(t, "Dewi's viewing mark", viewersIs(tx("console.viewer_viewing", "name", "Dewi")))
	dewi.waitLive(t, "Sari's viewing mark", viewersIs(tx("console.viewer_viewing", "name", "Sari")))

	// Dewi writes a reply: Sari sees her typing, then the reply.
	const reply = "Sudah kami teruskan ke bagian keuangan."
	dewi.do(t, "Dewi types", chromedp.SendKeys(chromedp.ID("reply-body"), "Sudah kami teruskan"))
	sari.waitLive(t, "Dewi typing", viewersIs(tx("console.viewer_typing", "name", "Dewi")))
	shots.take(t, sari, "22-console-live-collision")
	dewi.do(t, "Dewi sends", chromedp.SendKeys(chromedp.ID("reply-body"), " ke bagian keuangan."), chromedp.Click(chromedp.ID("reply-btn")))
	sari.waitLive(t, "Dewi's reply in Sari's thread, Dewi viewing again", threadHasJS(reply)+` && `+viewersIs(tx("console.viewer_viewing", "name", "Dewi")))
	// Dewi moves on to another ticket: her mark leaves Sari's.
	dewi.open(t, ids[tnAway])
	sari.waitLive(t, "Dewi's mark gone", `document.getElementById('t-viewers').hidden`)

	// Dewi solves another ticket: it leaves Sari's list.
	if r := dewiAPI.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", ids[tnSolved]), map[string]string{"status": "solved"}); r.Status != http.StatusOK {
		t.Fatalf("solve: %d %s", r.Status, r.Body)
	}
	sari.waitLive(t, "the solved ticket left the list", rowJS(ids[tnSolved])+` === null`)

	// The board moves when a complaint arrives.
	dewi.openBoard(t)
	waitingJS := `document.querySelector('#board-rows tr[data-queue="umum"] .board-waiting').textContent`
	dewi.waitJS(t, "board rows", `!!document.querySelector('#board-rows tr[data-queue="umum"]')`)
	if got := dewi.text(t, "#board-intro"); got != tx("board.intro_live") {
		t.Errorf("board intro = %q, want %q", got, tx("board.intro_live"))
	}
	before := dewi.evalString(t, waitingJS)
	tnNew := citizen.Complaint(map[string]string{"name": "Wati", "phone": "081377770000", "category": "lainnya", "description": "Akun saya terkunci."})
	dewi.waitLive(t, "the board moved", fmt.Sprintf(`%s !== %q`, waitingJS, before))
	sari.waitLive(t, "the new complaint listed", fmt.Sprintf(`%s !== undefined`, rowWithJS(tnNew)))

	// The network drops. While the consoles are away a follow-up comes on
	// the open ticket, a complaint arrives and a ticket is solved.
	const away = "Halo, apakah masih diproses?"
	var lateID int64
	var restoredAt map[*tab]float64
	awayWhile(t, proxy, tx("console.live_down"), []*tab{sari, dewi}, func() {
		r := citizen.Do(http.MethodPost, "/api/v1/complaints/"+url.PathEscape(tn)+"/messages?contact="+contact, map[string]string{"body": away})
		accepted2xx(t, "follow-up", r.Status, r.Body)
		tnLate := citizen.Complaint(map[string]string{"name": "Yani", "phone": "081377775555", "category": "lainnya", "description": "Nomor peserta saya tidak ditemukan."})
		if r := dewiAPI.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", ids[tnAway]), map[string]string{"status": "solved"}); r.Status != http.StatusOK {
			t.Fatalf("solve: %d %s", r.Status, r.Body)
		}
		lateID = ticketIDs(t, dewiAPI, tnLate)[tnLate]
		checkFor(t, asyncWait, func() error {
			var d struct {
				Messages []struct {
					Body string `json:"body"`
				} `json:"messages"`
			}
			dewiAPI.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", ids[tn]), nil).JSON(t, &d)
			for _, m := range d.Messages {
				if m.Body == away {
					return nil
				}
			}
			return fmt.Errorf("the follow-up is not stored yet")
		})
		if sari.evalString(t, threadHasJS(away)+` || `+rowJS(lateID)+` !== null ? 'stale?' : 'ok'`) != "ok" {
			t.Fatal("the console learned of changes while its network was down")
		}
		restoredAt = map[*tab]float64{sari: sari.pageNow(t), dewi: dewi.pageNow(t)}
	})
	sari.waitJS(t, "caught up: the follow-up, the new ticket, the solved one gone",
		threadHasJS(away)+` && `+rowJS(lateID)+` !== null && `+rowJS(ids[tnAway])+` === null`)
	dewi.waitJS(t, "the board re-read", fmt.Sprintf(`window.__e2e.requests.some(r => r.start > %f && r.name.includes('/api/v1/queues/metrics'))`, restoredAt[dewi]))
	if got := sari.requestsSince(t, restoredAt[sari], "/api/v1/tickets?"); len(got) == 0 {
		t.Error("Sari's list was not re-read after the reconnect")
	}

	// Sari's session is logged out from another client: bye.
	other := apptest.NewClient(t, direct)
	other.Token = sari.sessionToken(t)
	loggedOutAt := sari.pageNow(t)
	if r := other.Do(http.MethodPost, "/api/v1/auth/logout", nil); r.Status != http.StatusNoContent {
		t.Fatalf("logout from another client: %d %s", r.Status, r.Body)
	}
	sari.waitJS(t, "back at the sign-in form", `!document.getElementById('login-view').hidden && document.getElementById('console-view').hidden`)
	if got := sari.text(t, "#login-alert"); got != tx("console.session_expired") {
		t.Errorf("sign-in notice = %q, want %q", got, tx("console.session_expired"))
	}
	// The socket says bye; but a request the console makes between the
	// logout and the bye (an event it reacts to, a timer) is answered 401,
	// which ends the session in the console first, and it then closes the
	// socket before the bye arrives. Either tells it, never neither, and
	// never two byes. (The gateway's bye itself: internal/consolews.) The
	// 401 may answer a request sent just before the logout: it is one
	// answered after it.
	sari.waitJS(t, "told by a bye or a 401", fmt.Sprintf(`window.__e2e.frames.some(f => f.type === 'bye') ||
		window.__e2e.requests.some(r => r.end > %f && r.status === 401)`, loggedOutAt))
	if n := sari.evalString(t, `String(window.__e2e.frames.filter(f => f.type === 'bye').length)`); n != "1" && n != "0" {
		t.Errorf("%s bye frames, want 1 (or none when a 401 came first)", n)
	}
	for _, tb := range []*tab{sari, dewi} {
		tb.checkNoReload(t)
		tb.checkConsole(t)
	}
}

// What the browser logs while the test's network is cut: the push
// socket's failed attempts and the failed reads of the reconnect probe.
var consoleCutRE = regexp.MustCompile(`^(WebSocket connection to 'ws://127\.0\.0\.1:\d+/api/v1/ws' failed|Failed to load resource: net::ERR_)`)

// awayWhile cuts the network of the consoles behind proxy, waits until
// each says it is down, runs meanwhile, then brings the network back and
// waits for each socket to be open again. The browser's errors for the
// cut are expected; any other still fails checkConsole.
func awayWhile(t *testing.T, proxy *cuttable, down string, tabs []*tab, meanwhile func()) {
	t.Helper()
	cutAt := time.Now()
	proxy.cut()
	for _, tb := range tabs {
		tb.waitJS(t, "the drop said", fmt.Sprintf(`document.getElementById('live-state').textContent === %q`, down))
	}
	meanwhile()
	proxy.restore()
	for _, tb := range tabs {
		tb.waitJSFor(t, "the socket back", asyncWait, socketOpenJS)
		tb.expectConsole(cutAt, time.Now(), consoleCutRE)
	}
}

// TestBrowserConsoleIdle: an idle console with its socket open makes no
// HTTP request to the API while the gateway beats and events keep coming
// (an admin gets every queue's figures each metrics interval and applies
// them from the event). The span is measured on the server's clock: the
// gateway's heartbeats, seen as its announcements on the bus.
func TestBrowserConsoleIdle(t *testing.T) {
	browser := findBrowser(t)
	cfg := apptest.Config(t)
	busCfg := testenv.SharedBusConfig(t)
	cfg.NATSURL, cfg.NATSSubjectPrefix = busCfg.URL, busCfg.SubjectPrefix
	cfg.ConsoleHeartbeat = time.Second
	cfg.Routing.MetricsInterval = time.Second
	base := apptest.Start(t, cfg).URL()

	nc, err := nats.Connect(busCfg.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	// Each heartbeat the gateway announces all its viewing marks ("full").
	var beats atomic.Int64
	sub, err := nc.Subscribe(bus.NewNames(busCfg.SubjectPrefix).ConsoleViewers(), func(m *nats.Msg) {
		var a struct {
			Full bool `json:"full"`
		}
		if json.Unmarshal(m.Data, &a) == nil && a.Full {
			beats.Add(1)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Unsubscribe() })
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}

	root := newBrowser(t, browser)
	admin := newTab(t, root)
	admin.instrument(t)
	admin.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	admin.waitJS(t, "socket open", socketOpenJS)
	admin.keepMark(t)
	mark := admin.pageNow(t)
	markMS := time.Now().UnixMilli()
	from := beats.Load()
	const span = 3 // heartbeats: at least two whole ones after the mark
	checkFor(t, asyncWait, func() error {
		if n := beats.Load() - from; n < span {
			return fmt.Errorf("%d heartbeats since the mark", n)
		}
		return nil
	})
	admin.waitJS(t, "queue figures pushed meanwhile", fmt.Sprintf(`window.__e2e.frames.filter(f => f.event === 'queue.metrics' && f.at > %d).length >= 2`, markMS))
	got := admin.requestsSince(t, mark, "/api/")
	if len(got) != 0 {
		t.Errorf("an idle console with its socket open made %d API requests: %v", len(got), got)
	}
	frames := admin.evalString(t, fmt.Sprintf(`String(window.__e2e.frames.filter(f => f.at > %d).length)`, markMS))
	t.Logf("idle console: %d heartbeats, %s frames applied, %d API requests in %v", beats.Load()-from, frames, len(got), time.Since(time.UnixMilli(markMS)).Round(time.Millisecond))
	admin.checkNoReload(t)
	admin.checkConsole(t)
}

// TestBrowserListReadKeepsPushedTicket: a read of the list that was on
// its way when a new ticket's event came (a reconnect, a change of scope,
// the refresh button) answers from before that ticket; its answer must
// not take the pushed row away again.
func TestBrowserListReadKeepsPushedTicket(t *testing.T) {
	browser := findBrowser(t)
	graph := newGraphStandIn(t)
	cfg := demoConfig(t)
	cfg.WhatsApp = graph.config()
	base := apptest.Start(t, cfg).URL()
	sari := newTab(t, newBrowser(t, browser))
	sari.signIn(t, base+"/console?lang=id-ID", "sari@tanggap.example", "demo-sari-2026")
	sari.selectValue(t, "#scope", "queue")
	sari.waitJS(t, "socket open", socketOpenJS)

	// The page holds the answers of list reads until told to let them go,
	// and marks when a let-go answer has been taken in (a task after the
	// console's code has run on it).
	sari.do(t, "hold list reads", chromedp.Evaluate[chromedp.Void](`(() => {
		const f = window.fetch;
		window.__held = [];
		window.fetch = (url, init) => {
			const p = f(url, init);
			if (!String(url).includes('/api/v1/tickets?')) { return p; }
			return p.then((r) => r.text().then((body) => new Promise((resolve) => {
				window.__held.push(() => {
					const res = new Response(body, { status: r.status, headers: r.headers });
					const json = res.json.bind(res);
					res.json = () => json().then((d) => { setTimeout(() => { window.__landed = true; }, 0); return d; });
					resolve(res);
				});
			})));
		};
		window.__release = () => { const h = window.__held; window.__held = []; h.forEach((g) => g()); };
	})()`))
	sari.do(t, "refresh the list", chromedp.Click(chromedp.ID("refresh-btn")))
	sari.waitJS(t, "the read held", `window.__held.length === 1`)

	const text = "Saldo pelatihan belum masuk"
	apptest.NewClient(t, base).WhatsApp(apptest.WhatsAppText("6281298760000", "Rina", "wamid.e2e-held-1", time.Now(), text))
	sari.waitJS(t, "the new ticket pushed into the list", rowWithJS(text)+` !== undefined`)

	sari.do(t, "let the read answer", chromedp.Evaluate[chromedp.Void](`window.__release()`))
	sari.waitJS(t, "the answer taken in", `window.__landed === true`)
	if !sari.evalBool(t, rowWithJS(text)+` !== undefined`) {
		t.Error("the list read's answer, from before the new ticket, took its pushed row away")
	}
	sari.checkConsole(t)
}
