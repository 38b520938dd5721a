package e2e

import (
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-smtp"

	"tanggap/internal/apptest"
)

// mailbox is a real SMTP server (go-smtp) keeping what it accepts.
type mailbox struct {
	mu   sync.Mutex
	msgs []string
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailboxSession{m: m}, nil }

func (m *mailbox) all() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.msgs...)
}

type mailboxSession struct{ m *mailbox }

func (s *mailboxSession) Reset()                               {}
func (s *mailboxSession) Logout() error                        { return nil }
func (s *mailboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailboxSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *mailboxSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.m.msgs = append(s.m.msgs, string(b))
	return nil
}

var mailLinkRE = regexp.MustCompile(`https?://[^/\s"]+(/pengaduan/status/link/[A-Za-z0-9._-]+)`)

// TestBrowserNotifyEmailOutcomeAndLink: an agent replies to a form
// complaint; the citizen's e-mail goes out over SMTP and the console shows
// "Terkirim" on the ticket, live; the citizen's link opens the complaint
// on the status page without typing anything. Screenshots at 1366×800 and
// 390×844.
func TestBrowserNotifyEmailOutcomeAndLink(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	box := &mailbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "127.0.0.1"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	cfg := demoConfig(t)
	cfg.Notify.SMTPURL = "smtp://" + ln.Addr().String() + "?tls=none"
	cfg.Notify.SMTPFrom = "noreply@layanan.test"
	base := apptest.Start(t, cfg).URL()
	root := newBrowser(t, browser)
	shots := newShots(t)

	api := apptest.NewClient(t, base)
	api.Login("sari@tanggap.example", "demo-sari-2026")
	goOnline(t, api)
	citizen := apptest.NewClient(t, base)
	tn := citizen.Complaint(map[string]string{"name": "Rina", "email": "rina@warga.test", "category": "lainnya", "description": "Kartu saya belum aktif sejak bulan lalu."})
	id := ticketIDs(t, api, tn)[tn]

	sari := newTab(t, root)
	sari.do(t, "a laptop screen", chromedp.EmulateViewport(1366, 800))
	sari.signIn(t, base+"/console?lang=id-ID", "sari@tanggap.example", "demo-sari-2026")
	sari.waitLive(t, "the ticket in my list", fmt.Sprintf(`!!document.querySelector('#ticket-list [data-ticket-id="%d"]')`, id))
	sari.open(t, id)
	sari.waitJS(t, "no notification yet", fmt.Sprintf(`document.getElementById('delivery-mount').textContent.includes(%q)`, tx("notify.console.empty")))

	if r := api.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]string{"body": "Kartu Anda sudah kami aktifkan."}); r.Status != http.StatusCreated {
		t.Fatalf("reply: %d %s", r.Status, r.Body)
	}
	sari.waitLive(t, "the e-mail shown sent", fmt.Sprintf(`(() => {
		const m = document.getElementById('delivery-mount');
		return m.textContent.includes(%q) && m.textContent.includes(%q) && m.textContent.includes(%q);
	})()`, tx("notify.console.route.email"), tx("notify.console.kind.reply"), tx("notify.console.status.sent")))
	sari.checkConsole(t)
	shots.take(t, sari, "90-notify-console-laptop")

	sari.do(t, "a phone screen", chromedp.EmulateViewport(390, 844))
	sari.do(t, "open the details", chromedp.Click(chromedp.ID("details-btn")))
	sari.waitJS(t, "the notifications fit", `document.getElementById('delivery-mount').offsetParent !== null
		&& document.getElementById('delivery-mount').getBoundingClientRect().right <= 390 && document.documentElement.scrollWidth <= 390`)
	shots.take(t, sari, "91-notify-console-phone")

	var link string
	checkFor(t, 30*time.Second, func() error {
		for _, m := range box.all() {
			// The parts are quoted-printable: soft line breaks split long lines.
			body, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(m)))
			if l := mailLinkRE.FindStringSubmatch(string(body)); l != nil {
				link = l[1]
				return nil
			}
		}
		return fmt.Errorf("no mail with a link yet (%d mails)", len(box.all()))
	})

	rina := newTab(t, root)
	rina.do(t, "a phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+link))
	rina.waitJS(t, "the complaint opened by itself", fmt.Sprintf(`!document.getElementById('result').hidden
		&& document.getElementById('r-tn').textContent.includes(%q)
		&& document.getElementById('thread').textContent.includes('sudah kami aktifkan')`, tn))
	rina.checkConsole(t)
	shots.take(t, rina, "92-notify-status-link-phone")

	rina.do(t, "a forged link", chromedp.EmulateViewport(1366, 800), chromedp.Navigate(base+link+"x?lang=id-ID"))
	rina.waitJS(t, "refused, clearly", fmt.Sprintf(`document.getElementById('link-alert').textContent === %q
		&& document.getElementById('result').hidden && document.getElementById('contact').value === ''`, tx("notify.link_invalid")))
	shots.take(t, rina, "93-notify-forged-link-laptop")
}
