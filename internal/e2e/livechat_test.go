package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
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

// TestLiveChatWidget: the widget on /chat sends a message, an agent
// replies through the API and the widget shows it; the network is cut,
// the agent replies and the citizen writes meanwhile; after the network
// is back both messages arrive once, in order. A reload keeps the
// conversation.
func TestLiveChatWidget(t *testing.T) {
	browser := findBrowser(t)
	app := apptest.Start(t, apptest.Config(t))
	direct := app.URL()
	proxy := newCuttable(t, strings.TrimPrefix(direct, "http://"))
	root := newBrowser(t, browser)
	shots := newShots(t)
	citizen := newTab(t, root)

	citizen.do(t, "open the chat page", chromedp.Navigate(proxy.url()+"/chat?lang=id-ID"),
		chromedp.WaitVisible(chromedp.ID("tgc-launcher")))
	citizen.waitJS(t, "widget texts loaded", `document.getElementById('tgc-launcher').textContent === 'Obrolan'`)
	citizen.do(t, "open the widget", chromedp.Click(chromedp.ID("tgc-launcher")))
	citizen.waitJS(t, "connected", `document.getElementById('tgc-status').classList.contains('tgc-status-open')`)
	citizen.waitJS(t, "focus in the message box", `document.activeElement && document.activeElement.id === 'tgc-text'`)
	citizen.do(t, "skip the pre-chat form", chromedp.Click(chromedp.CSS(".tgc-prechat .tgc-btn-plain")))
	citizen.do(t, "type a message", chromedp.SendKeys(chromedp.ID("tgc-text"), "Kartu saya <b>belum</b> aktif"),
		chromedp.Click(chromedp.ID("tgc-send")))
	citizen.waitJS(t, "message acknowledged", `document.querySelector('.tgc-mine[data-status="sent"]')`)
	if got := citizen.text(t, ".tgc-mine .tgc-body"); got != "Kartu saya <b>belum</b> aktif" {
		t.Fatalf("own message shown as %q", got)
	}
	// Nobody is online: the widget says so and how the answer will come.
	citizen.waitJSFor(t, "leave-a-message notice", asyncWait, `!document.getElementById('tgc-queue').hidden`)
	shots.take(t, citizen, "chat-01-sent")

	agent := apptest.NewClient(t, direct)
	agent.Login(apptest.AdminEmail, apptest.AdminPassword)
	var ticketID int64
	testenv.CheckFor(t, asyncWait, 100*time.Millisecond, func() error {
		var body struct {
			Tickets []struct {
				ID      int64  `json:"id"`
				Channel string `json:"channel"`
			} `json:"tickets"`
		}
		agent.Do("GET", "/api/v1/tickets?scope=all", nil).JSON(t, &body)
		for _, tk := range body.Tickets {
			if tk.Channel == "livechat" {
				ticketID = tk.ID
				return nil
			}
		}
		return fmt.Errorf("no live-chat ticket yet")
	})
	reply := func(text string) {
		t.Helper()
		r := agent.Do("POST", fmt.Sprintf("/api/v1/tickets/%d/messages", ticketID), map[string]any{"body": text})
		if r.Status >= 300 {
			t.Fatalf("reply: %d %s", r.Status, r.Body)
		}
	}
	reply("Halo, kami cek dulu ya.")
	citizen.waitJS(t, "the reply shown", `[...document.querySelectorAll('.tgc-theirs .tgc-body')].some(e => e.textContent === 'Halo, kami cek dulu ya.')`)

	// The network goes away.
	proxy.cut()
	citizen.waitJS(t, "the widget noticed", `!document.getElementById('tgc-status').classList.contains('tgc-status-open')`)
	reply("Kartu Anda sudah aktif.")
	citizen.do(t, "write while offline", chromedp.SendKeys(chromedp.ID("tgc-text"), "Terima kasih"),
		chromedp.Click(chromedp.ID("tgc-send")))
	shots.take(t, citizen, "chat-02-offline")
	proxy.restore()

	citizen.waitJSFor(t, "reconnected with the reply", asyncWait,
		`[...document.querySelectorAll('.tgc-theirs .tgc-body')].some(e => e.textContent === 'Kartu Anda sudah aktif.')`)
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
	shots.take(t, citizen, "chat-03-restored")

	// A reload keeps the conversation.
	citizen.do(t, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("tgc-launcher")))
	citizen.do(t, "open the widget again", chromedp.Click(chromedp.ID("tgc-launcher")))
	citizen.waitJSFor(t, "history after reload", asyncWait, `document.querySelectorAll('.tgc-msg').length === 4`)
	// The reload resent nothing twice: still once, after every resume so far.
	if err := storedOnce(); err != nil {
		t.Fatal(err)
	}

	// English switch.
	citizen.do(t, "switch to English", chromedp.Click(chromedp.ID("tgc-lang")))
	citizen.waitJS(t, "English texts", `document.getElementById('tgc-send').textContent === 'Send'`)
	shots.take(t, citizen, "chat-04-english")
	citizen.checkConsole(t)
}
