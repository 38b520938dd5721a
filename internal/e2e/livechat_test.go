package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tanggap/internal/apptest"
	"tanggap/internal/testenv"
)

// cuttable is a TCP proxy in front of the app whose "network" the test
// can cut (every connection dropped, new ones refused) and restore.
type cuttable struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]struct{}
}

func newCuttable(t *testing.T, target string) *cuttable {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cuttable{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *cuttable) url() string { return "http://" + p.ln.Addr().String() }

func (p *cuttable) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns[c], p.conns[up] = struct{}{}, struct{}{}
		p.mu.Unlock()
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

func (p *cuttable) pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// cut drops every connection and refuses new ones until restore.
func (p *cuttable) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *cuttable) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// TestLiveChatWidget: the citizens' chat page /chat opens the widget full
// page, one step at a time (the pre-chat form, then the conversation); it
// sends a message, an agent replies through the API and the widget shows
// it; the network is cut, the agent replies and the citizen writes
// meanwhile; after the network is back both messages arrive once, in
// order. A reload keeps the conversation, and the page in English
// re-labels everything, the visitor's own messages included.
func TestLiveChatWidget(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	app := apptest.Start(t, apptest.Config(t))
	direct := app.URL()
	proxy := newCuttable(t, strings.TrimPrefix(direct, "http://"))
	root := newBrowser(t, browser)
	shots := newShots(t)
	citizen := newTab(t, root)
	citizen.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))

	citizen.do(t, "open the chat page", chromedp.Navigate(proxy.url()+"/chat?lang=id-ID"),
		chromedp.WaitVisible(chromedp.ID("tgc-panel")))
	citizen.waitJS(t, "widget texts loaded", `document.getElementById('tgc-send').textContent === 'Kirim'`)
	citizen.waitJS(t, "connected", `document.getElementById('tgc-status').classList.contains('tgc-status-open')`)
	if n := citizen.evalString(t, `String(document.querySelectorAll('#tgc-launcher').length)`); n != "0" {
		t.Errorf("the chat page shows %s launcher buttons, want the chat itself", n)
	}
	// One step at a time: the pre-chat form alone, its buttons in view.
	citizen.waitJS(t, "the pre-chat form first", `!document.getElementById('tgc-prechat').hidden &&
		document.getElementById('tgc-form').hidden && document.getElementById('tgc-log').hidden`)
	// The page loads with the focus at its start: no field takes it (that
	// would skip the heading and the hours, and open a phone's keyboard).
	if got := citizen.evalString(t, `(e => e && e !== document.body ? (e.id || e.tagName) : '')(document.activeElement)`); got != "" {
		t.Errorf("on load the chat page put the focus in %q, want it left at the page's start", got)
	}
	checkInPanel(t, citizen, ".tgc-prechat .tgc-btn", ".tgc-prechat .tgc-btn-plain")
	// Before the first message a phone or email does make this chat
	// findable on the status page: the form says so, not "from the next".
	if got := citizen.text(t, "#tgc-prechat-hint"); got != tx("livechat.prechat_hint") {
		t.Errorf("pre-chat hint before the first message = %q, want %q", got, tx("livechat.prechat_hint"))
	}
	// The page's own line says what to do next while that is the form...
	if got := citizen.evalString(t, `(e => e && !e.hidden ? e.textContent : '')(document.querySelector('.chat-next'))`); got != tx("chat_page.next") {
		t.Errorf("the page's next step beside the pre-chat form reads %q, want %q", got, tx("chat_page.next"))
	}
	shots.take(t, citizen, "chat-00-prechat")
	citizen.do(t, "skip the pre-chat form", chromedp.Click(chromedp.CSS(".tgc-prechat .tgc-btn-plain")))
	citizen.waitJS(t, "focus in the message box", `document.activeElement && document.activeElement.id === 'tgc-text' &&
		document.getElementById('tgc-prechat').hidden`)
	// ...and goes once the form is done with: it would ask for a phone or
	// email through the whole conversation.
	if citizen.evalString(t, `String(document.querySelector('.chat-next').hidden)`) != "true" {
		t.Error("the page still says to give a phone or email once the pre-chat form is done")
	}
	citizen.do(t, "type a message", chromedp.SendKeys(chromedp.ID("tgc-text"), "Kartu saya <b>belum</b> aktif"),
		chromedp.Click(chromedp.ID("tgc-send")))
	citizen.waitJS(t, "message acknowledged", `document.querySelector('.tgc-mine[data-status="sent"]')`)
	if got := citizen.text(t, ".tgc-mine .tgc-body"); got != "Kartu saya <b>belum</b> aktif" {
		t.Fatalf("own message shown as %q", got)
	}
	if got := citizen.text(t, ".tgc-mine .tgc-time"); !clockRE.MatchString(got) {
		t.Errorf("own message time %q, want HH:MM", got)
	}
	// The newest line sits just above the box, as in any messaging app,
	// not at the top of an empty log.
	if gap := citizen.evalString(t, `String(Math.round(((l) => l.getBoundingClientRect().bottom - l.lastElementChild.getBoundingClientRect().bottom)(document.getElementById('tgc-log'))))`); atoi(gap) > 40 {
		t.Errorf("the newest line of the chat is %s px above the box, want it just above", gap)
	}
	// Nobody is online: the widget says so, and, as the visitor gave no
	// phone or email, promises no status page (it could not find them).
	citizen.waitJSFor(t, "leave-a-message notice", asyncWait, `!document.getElementById('tgc-queue').hidden`)
	if got := citizen.text(t, "#tgc-queue .tgc-hint"); got != tx("livechat.answer_here") {
		t.Errorf("how the answer comes = %q, want %q", got, tx("livechat.answer_here"))
	}
	if got := citizen.text(t, "#tgc-give-contact"); got != tx("livechat.give_contact") {
		t.Errorf("offer to give a contact = %q", got)
	}
	if h := citizen.evalString(t, `String(Math.round(document.getElementById('tgc-queue').getBoundingClientRect().height / document.getElementById('tgc-panel').getBoundingClientRect().height * 100))`); atoi(h) > 25 {
		t.Errorf("the out-of-hours notice takes %s %% of the panel", h)
	}
	if got := citizen.text(t, "#tgc-sub"); !strings.HasPrefix(got, "Nomor pelacakan: ") {
		t.Errorf("header = %q, want the tracking number under its one name", got)
	}
	shots.take(t, citizen, "chat-01-sent")
	// Giving a phone number now lets an officer reach the visitor, but
	// the ticket was opened without it: still no status-page promise.
	citizen.do(t, "offer a contact", chromedp.Click(chromedp.ID("tgc-give-contact")))
	citizen.waitJS(t, "the pre-chat form again", `!document.getElementById('tgc-prechat').hidden &&
		document.activeElement && document.activeElement.id === 'tgc-name'`)
	// Mid-conversation the form is named for what it does now, and its
	// second button goes back to the conversation instead of "skipping".
	if got := citizen.text(t, ".tgc-prechat-title") + " | " + citizen.text(t, ".tgc-prechat .tgc-btn-plain"); got != tx("livechat.add_contact_title")+" | "+tx("livechat.add_contact_cancel") {
		t.Errorf("the contact form in a conversation reads (title | second button) %q, want %q", got, tx("livechat.add_contact_title")+" | "+tx("livechat.add_contact_cancel"))
	}
	if citizen.evalString(t, `String(document.querySelector('.chat-next').hidden)`) != "true" {
		t.Error("the page's pre-chat step line came back with the contact form in a conversation")
	}
	shots.take(t, citizen, "chat-01b-add-contact")
	citizen.do(t, "cancel", chromedp.Click(chromedp.CSS(".tgc-prechat .tgc-btn-plain")))
	citizen.waitJS(t, "back in the conversation, focus on the button", `document.getElementById('tgc-prechat').hidden &&
		!document.getElementById('tgc-log').hidden && !document.getElementById('tgc-form').hidden &&
		document.activeElement && document.activeElement.id === 'tgc-give-contact'`)
	citizen.do(t, "offer a contact again", chromedp.Click(chromedp.ID("tgc-give-contact")))
	citizen.waitJS(t, "the contact form again", `!document.getElementById('tgc-prechat').hidden &&
		document.activeElement && document.activeElement.id === 'tgc-name'`)
	if got := citizen.text(t, "#tgc-prechat-hint"); got != tx("livechat.prechat_hint_later") {
		t.Errorf("pre-chat hint once the ticket is open = %q, want %q", got, tx("livechat.prechat_hint_later"))
	}
	citizen.do(t, "give a phone number", chromedp.SendKeys(chromedp.ID("tgc-phone"), "0812-1111-2222"),
		chromedp.Click(chromedp.CSS(".tgc-prechat .tgc-btn:not(.tgc-btn-plain)")))
	citizen.waitJS(t, "back in the conversation", `document.getElementById('tgc-prechat').hidden &&
		!document.getElementById('tgc-log').hidden && document.querySelectorAll('#tgc-give-contact').length === 0`)
	if got := citizen.text(t, "#tgc-queue .tgc-hint"); got != tx("livechat.answer_here") {
		t.Errorf("after a late contact, how the answer comes = %q, want %q", got, tx("livechat.answer_here"))
	}

	agent := apptest.NewClient(t, direct)
	agent.Login(apptest.AdminEmail, apptest.AdminPassword)
	var ticketID int64
	var tn string
	testenv.CheckFor(t, asyncWait, 100*time.Millisecond, func() error {
		var body struct {
			Tickets []struct {
				ID             int64  `json:"id"`
				Channel        string `json:"channel"`
				TrackingNumber string `json:"tracking_number"`
			} `json:"tickets"`
		}
		agent.Do("GET", "/api/v1/tickets?scope=all", nil).JSON(t, &body)
		for _, tk := range body.Tickets {
			if tk.Channel == "livechat" {
				ticketID, tn = tk.ID, tk.TrackingNumber
				return nil
			}
		}
		return fmt.Errorf("no live-chat ticket yet")
	})
	// What the notice does not promise indeed does not work.
	if r := agent.Do("GET", "/api/v1/complaints/"+tn+"?contact=081211112222", nil); r.Status != 404 {
		t.Errorf("status lookup of a chat without contact: %d", r.Status)
	}
	reply := func(text string) {
		t.Helper()
		r := agent.Do("POST", fmt.Sprintf("/api/v1/tickets/%d/messages", ticketID), map[string]any{"body": text})
		if r.Status >= 300 {
			t.Fatalf("reply: %d %s", r.Status, r.Body)
		}
	}
	reply("Halo, kami cek dulu ya.")
	citizen.waitJS(t, "the reply shown", `[...document.querySelectorAll('.tgc-theirs .tgc-body')].some(e => e.textContent === 'Halo, kami cek dulu ya.')`)

	// The network goes away. While it is down the browser itself logs
	// each failed websocket attempt: that, and only that, is expected.
	cutAt := time.Now()
	proxy.cut()
	citizen.waitJS(t, "the widget noticed", `!document.getElementById('tgc-status').classList.contains('tgc-status-open')`)
	// The widget retries within a second or two; each attempt fails.
	citizen.waitConsole(t, "a failed websocket attempt", asyncWait, websocketFailedRE)
	reply("Kartu Anda sudah aktif.")
	citizen.do(t, "write while offline", chromedp.SendKeys(chromedp.ID("tgc-text"), "Terima kasih"),
		chromedp.Click(chromedp.ID("tgc-send")))
	shots.take(t, citizen, "chat-02-offline")
	proxy.restore()

	citizen.waitJSFor(t, "reconnected with the reply", asyncWait,
		`[...document.querySelectorAll('.tgc-theirs .tgc-body')].some(e => e.textContent === 'Kartu Anda sudah aktif.')`)
	citizen.expectConsole(cutAt, time.Now(), websocketFailedRE)
	citizen.waitJSFor(t, "the offline message acknowledged", asyncWait,
		`[...document.querySelectorAll('.tgc-mine')].every(e => e.getAttribute('data-status') !== 'sending' && e.getAttribute('data-status') !== 'retrying')`)
	order := citizen.evalString(t, `JSON.stringify([...document.querySelectorAll('.tgc-msg .tgc-body')].map(e => e.textContent))`)
	var bodies []string
	if err := json.Unmarshal([]byte(order), &bodies); err != nil {
		t.Fatal(err)
	}
	want := []string{"Kartu saya <b>belum</b> aktif", "Halo, kami cek dulu ya.", "Kartu Anda sudah aktif.", "Terima kasih"}
	wantAlt := []string{"Kartu saya <b>belum</b> aktif", "Halo, kami cek dulu ya.", "Terima kasih", "Kartu Anda sudah aktif."}
	if got := strings.Join(bodies, "|"); got != strings.Join(want, "|") && got != strings.Join(wantAlt, "|") {
		t.Fatalf("messages shown: %q", bodies)
	}
	// The message written offline reached the ticket once.
	storedOnce := func() error {
		var d struct {
			Messages []struct {
				Body string `json:"body"`
			} `json:"messages"`
		}
		agent.Do("GET", fmt.Sprintf("/api/v1/tickets/%d", ticketID), nil).JSON(t, &d)
		n := 0
		for _, m := range d.Messages {
			if m.Body == "Terima kasih" {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("offline message stored %d times", n)
		}
		return nil
	}
	testenv.CheckFor(t, asyncWait, 100*time.Millisecond, storedOnce)
	if got := citizen.evalString(t, `String(document.querySelectorAll('.tgc-msg .tgc-time').length)`); got != "4" {
		t.Errorf("%s of 4 messages show their time", got)
	}
	shots.take(t, citizen, "chat-03-restored")

	// A message the server can never take (over the length its box allows,
	// put there by a script) says so, on itself and above the box, instead
	// of trying again for ever.
	citizen.do(t, "send a message too long", chromedp.Evaluate[chromedp.Void](`document.getElementById('tgc-text').value = 'a'.repeat(4001)`),
		chromedp.Click(chromedp.ID("tgc-send")))
	citizen.waitJSFor(t, "marked not sent, with the reason", asyncWait, fmt.Sprintf(`[...document.querySelectorAll('.tgc-mine')].some(e => e.getAttribute('data-status') === 'failed' && e.querySelector('.tgc-mark').textContent.endsWith(%q))
		&& document.getElementById('tgc-form-error').textContent === %q && !document.getElementById('tgc-form-error').hidden`, tx("livechat.not_sent"), tx("livechat.not_sent_reason")))

	// A reload keeps the conversation, straight in the conversation step.
	citizen.do(t, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("tgc-panel")))
	citizen.waitJSFor(t, "history after reload", asyncWait, `document.querySelectorAll('.tgc-msg').length === 4`)
	citizen.waitJS(t, "no pre-chat form again", `document.getElementById('tgc-prechat').hidden && !document.getElementById('tgc-form').hidden`)
	// The reload resent nothing twice: still once, after every resume so far.
	if err := storedOnce(); err != nil {
		t.Fatal(err)
	}

	// The page in English: every label follows, the visitor's own too.
	citizen.do(t, "the page in English", chromedp.Navigate(proxy.url()+"/chat?lang=en-US"), chromedp.WaitVisible(chromedp.ID("tgc-panel")))
	citizen.waitJS(t, "English texts", `document.getElementById('tgc-send').textContent === 'Send'`)
	citizen.waitJSFor(t, "history in English", asyncWait, `document.querySelectorAll('.tgc-msg').length === 4`)
	if got := citizen.evalString(t, `[...document.querySelectorAll('.tgc-mine .tgc-who')].map(e => e.textContent).join('|')`); got != "You|You" {
		t.Errorf("own messages labelled %q in English", got)
	}
	if got := citizen.text(t, "#tgc-sub"); !strings.HasPrefix(got, "Tracking number: ") {
		t.Errorf("English header = %q", got)
	}
	shots.take(t, citizen, "chat-04-english")

	// A phone: the tracking number wraps between its groups only.
	citizen.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	checkTrackingGroups(t, citizen, "#tgc-sub .tgc-tn-group")
	shots.take(t, citizen, "chat-05-phone")

	// The chat ends: it was opened without a phone or email (the one given
	// later does not count for it), so its end says the status page cannot
	// find its number. Written to again it reopens, still the same ticket
	// opened without a contact: its next end says so again.
	en := textsIn(t, "en-US")
	solve := func() {
		t.Helper()
		if r := agent.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", ticketID), map[string]string{"status": "solved"}); r.Status != http.StatusOK {
			t.Fatalf("solve: %d %s", r.Status, r.Body)
		}
	}
	ends := func(key string) string {
		return citizen.evalString(t, fmt.Sprintf(`String([...document.querySelectorAll('#tgc-log li.tgc-system')].filter(li => li.textContent === %q).length)`, en(key, "tn", tn)))
	}
	solve()
	citizen.waitJSFor(t, "the chat's end, without the status page", asyncWait, fmt.Sprintf(`[...document.querySelectorAll('#tgc-log li.tgc-system')].some(li => li.textContent === %q)`, en("livechat.solved_no_contact", "tn", tn)))
	citizen.do(t, "write again", chromedp.SendKeys(chromedp.ID("tgc-text"), "Satu pertanyaan lagi"), chromedp.Click(chromedp.ID("tgc-send")))
	testenv.CheckFor(t, asyncWait, 100*time.Millisecond, func() error {
		var d struct {
			Status string `json:"status"`
		}
		agent.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", ticketID), nil).JSON(t, &d)
		if d.Status != "open" {
			return fmt.Errorf("ticket %s, want reopened by the visitor's message", d.Status)
		}
		return nil
	})
	solve()
	citizen.waitJSFor(t, "the second end", asyncWait, fmt.Sprintf(`[...document.querySelectorAll('#tgc-log li.tgc-system')].filter(li => li.textContent === %q).length === 2`, en("livechat.solved_no_contact", "tn", tn)))
	if n := ends("livechat.solved"); n != "0" {
		t.Errorf("%s ends of a chat opened without a contact promise nothing against the status page", n)
	}
	if r := agent.Do("GET", "/api/v1/complaints/"+tn+"?contact=081211112222", nil); r.Status != 404 {
		t.Errorf("status lookup of the reopened chat without contact: %d", r.Status)
	}

	// A file chosen waits for Send, with its own remove button (one picked
	// by mistake is taken out, not sent at once); one of the wrong kind is
	// refused by its name; sent, it goes with the text as one message.
	photo := writePNG(t)
	wrongKind := filepath.Join(t.TempDir(), "catatan.txt")
	if err := os.WriteFile(wrongKind, []byte("catatan"), 0o644); err != nil {
		t.Fatal(err)
	}
	sentBefore := citizen.evalString(t, `String(document.querySelectorAll('#tgc-log .tgc-mine').length)`)
	citizen.do(t, "choose a photo", chromedp.SetUploadFiles(chromedp.ID("tgc-file"), []string{photo}))
	citizen.waitJS(t, "the photo waits for Send, nothing sent", fmt.Sprintf(`!document.getElementById('tgc-pending').hidden
		&& [...document.querySelectorAll('#tgc-pending .tgc-pending-name')].map(n => n.textContent).join('|') === %q
		&& String(document.querySelectorAll('#tgc-log .tgc-mine').length) === %q
		&& document.getElementById('tgc-file-live').textContent === %q`, filepath.Base(photo), sentBefore, en("livechat.file_ready", "name", filepath.Base(photo))))
	shots.take(t, citizen, "chat-05-file-waiting")
	citizen.do(t, "choose a text file", chromedp.SetUploadFiles(chromedp.ID("tgc-file"), []string{wrongKind}))
	citizen.waitJS(t, "the text file refused by its name, the photo still waiting", fmt.Sprintf(`document.getElementById('tgc-form-error').textContent === %q
		&& document.querySelectorAll('#tgc-pending li').length === 1`, en("livechat.file_type_named", "name", "catatan.txt")))
	citizen.clickNow(t, "take the photo out", "#tgc-pending .tgc-pending-remove")
	citizen.waitJS(t, "nothing waiting, the focus in the message box", `document.getElementById('tgc-pending').hidden
		&& document.activeElement && document.activeElement.id === 'tgc-text'`)
	citizen.do(t, "choose the photo again", chromedp.SetUploadFiles(chromedp.ID("tgc-file"), []string{photo}))
	citizen.waitJS(t, "the photo waiting again", `document.querySelectorAll('#tgc-pending li').length === 1`)
	citizen.do(t, "send it with a line", chromedp.SendKeys(chromedp.ID("tgc-text"), "Ini foto kartu saya"), chromedp.Click(chromedp.ID("tgc-send")))
	citizen.waitJS(t, "sent as one message with the photo", fmt.Sprintf(`document.getElementById('tgc-pending').hidden
		&& [...document.querySelectorAll('#tgc-log .tgc-mine')].some(li => (b => b && b.textContent === 'Ini foto kartu saya')(li.querySelector('.tgc-body'))
			&& (a => a && a.textContent === %q)(li.querySelector('.tgc-file-link')))`, filepath.Base(photo)))
	testenv.CheckFor(t, asyncWait, 100*time.Millisecond, func() error {
		if r := agent.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", ticketID), nil); !strings.Contains(string(r.Body), filepath.Base(photo)) {
			return fmt.Errorf("the photo is not on the ticket yet")
		}
		return nil
	})
	citizen.checkConsole(t)
}

var (
	clockRE = regexp.MustCompile(`^\d{1,2}[.:]\d{2}( ?[AP]M)?$`)
	// What the browser logs for each websocket attempt while the test's
	// network is cut.
	websocketFailedRE = regexp.MustCompile(`^WebSocket connection to 'ws://127\.0\.0\.1:\d+/livechat/ws' failed`)
)

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// checkInPanel fails when an element is not fully inside the widget's
// panel (cut off).
func checkInPanel(t *testing.T, tb *tab, selectors ...string) {
	t.Helper()
	for _, sel := range selectors {
		ok := tb.evalString(t, fmt.Sprintf(`(() => {
			const p = document.getElementById('tgc-panel').getBoundingClientRect();
			const r = document.querySelector(%q).getBoundingClientRect();
			return String(r.width > 0 && r.top >= p.top && r.bottom <= p.bottom + 0.5 && r.left >= p.left && r.right <= p.right + 0.5);
		})()`, sel))
		if ok != "true" {
			t.Errorf("%s is not fully visible in the widget", sel)
		}
	}
}

// checkTrackingGroups fails when the tracking number is not made of four
// digit groups each kept on one line.
func checkTrackingGroups(t *testing.T, tb *tab, groupSel string) {
	t.Helper()
	got := tb.evalString(t, fmt.Sprintf(`JSON.stringify([...document.querySelectorAll(%q)].map(g => [g.textContent, g.getClientRects().length]))`, groupSel))
	var groups [][]any
	if err := json.Unmarshal([]byte(got), &groups); err != nil {
		t.Fatal(err)
	}
	if len(groups) != 4 {
		t.Fatalf("tracking number groups %s = %s, want 4", groupSel, got)
	}
	for _, g := range groups {
		if n, _ := g[1].(float64); n != 1 {
			t.Errorf("tracking number group %v breaks over %v lines", g[0], g[1])
		}
	}
}

// TestLiveChatWidgetEmbedded: the widget on another site (one script tag)
// at laptop size shows one step at a time with every button in view; a
// visitor who gives a phone number is told the status page finds the
// ticket, and it does, also when the chat ends; the widget's own English
// switch re-labels the visitor's messages too.
func TestLiveChatWidgetEmbedded(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	var appURL string
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Situs program</title></head>
<body><h1>Situs program</h1><p>Informasi program.</p>
<script src="%s/static/js/livechat-widget.js" data-lang="id-ID" defer></script></body></html>`, appURL)
	}))
	t.Cleanup(site.Close)
	cfg := apptest.Config(t)
	cfg.LivechatAllowedOrigins = []string{site.URL}
	appURL = apptest.Start(t, cfg).URL()
	root := newBrowser(t, browser)
	shots := newShots(t)
	citizen := newTab(t, root)
	citizen.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))

	citizen.do(t, "open the program's site", chromedp.Navigate(site.URL), chromedp.WaitVisible(chromedp.ID("tgc-launcher")))
	citizen.waitJS(t, "widget texts loaded", `document.getElementById('tgc-launcher').textContent === 'Obrolan'`)
	citizen.do(t, "open the widget", chromedp.Click(chromedp.ID("tgc-launcher")))
	citizen.waitJS(t, "connected", `document.getElementById('tgc-status').classList.contains('tgc-status-open')`)
	citizen.waitJS(t, "the pre-chat form alone, focused", `!document.getElementById('tgc-prechat').hidden &&
		document.getElementById('tgc-form').hidden && document.activeElement && document.activeElement.id === 'tgc-name'`)
	checkInPanel(t, citizen, ".tgc-prechat .tgc-btn", ".tgc-prechat .tgc-btn-plain", "#tgc-email")
	shots.take(t, citizen, "widget-01-prechat")

	citizen.do(t, "give a phone number", chromedp.SendKeys(chromedp.ID("tgc-phone"), "0812-3456-7890"),
		chromedp.Click(chromedp.CSS(".tgc-prechat .tgc-btn:not(.tgc-btn-plain)")))
	citizen.waitJS(t, "the conversation step", `document.getElementById('tgc-prechat').hidden && !document.getElementById('tgc-form').hidden &&
		document.activeElement && document.activeElement.id === 'tgc-text'`)
	citizen.do(t, "type a message", chromedp.SendKeys(chromedp.ID("tgc-text"), "Dana insentif belum masuk"),
		chromedp.Click(chromedp.ID("tgc-send")))
	citizen.waitJS(t, "message acknowledged", `document.querySelector('.tgc-mine[data-status="sent"]')`)
	citizen.waitJSFor(t, "leave-a-message notice", asyncWait, `!document.getElementById('tgc-queue').hidden`)
	if got := citizen.text(t, "#tgc-queue .tgc-hint"); got != tx("livechat.answer_status") {
		t.Errorf("how the answer comes = %q, want %q", got, tx("livechat.answer_status"))
	}
	if n := citizen.evalString(t, `String(document.querySelectorAll('#tgc-give-contact').length)`); n != "0" {
		t.Errorf("asked for a contact the visitor already gave")
	}
	checkInPanel(t, citizen, "#tgc-send", "#tgc-text")
	shots.take(t, citizen, "widget-02-sent")

	// What the notice promises works: the status page finds the ticket.
	tn := strings.TrimPrefix(citizen.text(t, "#tgc-sub"), "Nomor pelacakan: ")
	if !trackingRE.MatchString(tn) {
		t.Fatalf("header tracking number %q", tn)
	}
	lookup := apptest.NewClient(t, appURL)
	testenv.CheckFor(t, asyncWait, 200*time.Millisecond, func() error {
		if r := lookup.Do("GET", "/api/v1/complaints/"+tn+"?contact=081234567890", nil); r.Status != http.StatusOK {
			return fmt.Errorf("status lookup: %d %s", r.Status, r.Body)
		}
		return nil
	})

	citizen.do(t, "switch to English", chromedp.Click(chromedp.ID("tgc-lang")))
	citizen.waitJS(t, "English texts", `document.getElementById('tgc-send').textContent === 'Send'`)
	if got := citizen.text(t, ".tgc-mine .tgc-who"); got != "You" {
		t.Errorf("own message labelled %q after the English switch", got)
	}
	if got := citizen.text(t, ".tgc-mine .tgc-mark"); !strings.HasSuffix(got, "Sent") {
		t.Errorf("own message mark %q after the English switch", got)
	}
	shots.take(t, citizen, "widget-03-english")

	citizen.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	checkTrackingGroups(t, citizen, "#tgc-sub .tgc-tn-group")
	checkInPanel(t, citizen, "#tgc-send", "#tgc-lang")
	shots.take(t, citizen, "widget-04-phone")
	// Solved, the chat ends naming its number (in English, the widget's
	// language now) without a word against the status page: it does find
	// it.
	admin := apptest.NewClient(t, appURL)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	if r := admin.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", ticketIDs(t, admin, tn)[tn]), map[string]string{"status": "solved"}); r.Status != http.StatusOK {
		t.Fatalf("solve: %d %s", r.Status, r.Body)
	}
	citizen.waitJSFor(t, "the chat's end", asyncWait, fmt.Sprintf(`[...document.querySelectorAll('#tgc-log li.tgc-system')].some(li => li.textContent === %q)`, textsIn(t, "en-US")("livechat.solved", "tn", tn)))
	citizen.checkConsole(t)
}
