package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"tanggap/internal/apptest"
	"tanggap/internal/testenv"
)

// relay is a real SMTP server (go-smtp) keeping what it accepts.
type relay struct {
	mu   sync.Mutex
	msgs [][]byte
	to   []string
	from []string // envelope senders
}

func (r *relay) NewSession(*smtp.Conn) (smtp.Session, error) { return &relaySession{r: r}, nil }

type relaySession struct {
	r    *relay
	to   string
	from string
}

func (s *relaySession) Reset()                                    {}
func (s *relaySession) Logout() error                             { return nil }
func (s *relaySession) Mail(f string, _ *smtp.MailOptions) error  { s.from = f; return nil }
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }
func (s *relaySession) Data(rd io.Reader) error {
	b, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.msgs = append(s.r.msgs, b)
	s.r.to = append(s.r.to, s.to)
	s.r.from = append(s.r.from, s.from)
	return nil
}

// startRelay runs the SMTP server notifications go to, for the test's
// life, and returns it with its address.
func startRelay(t *testing.T) (*relay, string) {
	t.Helper()
	r := &relay{}
	srv := smtp.NewServer(r)
	srv.Domain = "127.0.0.1"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return r, ln.Addr().String()
}

func (r *relay) got() ([][]byte, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.msgs...), append([]string(nil), r.to...)
}

var statusLinkRE = regexp.MustCompile(`https?://[^/\s"]+(/pengaduan/status/link/[A-Za-z0-9._-]+)`)

// The whole contact center: a form citizen with an e-mail gets the agent's
// reply by SMTP (read back as MIME) with a signed link that opens the
// complaint on the status page; one who gave only a phone gets an SMS
// through Twilio's Messages API. The agent's reply does not wait for
// either.
func TestNotifyFormCitizensByEmailAndSMS(t *testing.T) {
	t.Parallel()
	r, relayAddr := startRelay(t)

	var smsMu sync.Mutex
	var sms []url.Values
	twilio := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if u, p, ok := req.BasicAuth(); !ok || u != "ACtest" || p != "twilio-token" || req.URL.Path != "/2010-04-01/Accounts/ACtest/Messages.json" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"code":20003,"message":"Authenticate","status":401}`)
			return
		}
		_ = req.ParseForm()
		smsMu.Lock()
		sms = append(sms, req.PostForm)
		smsMu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]string{"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"})
	}))
	t.Cleanup(twilio.Close)

	cfg := apptest.Config(t)
	cfg.Notify.SMTPURL = "smtp://" + relayAddr + "?tls=none"
	cfg.Notify.SMTPFrom = "Layanan Pengaduan <noreply@layanan.test>"
	cfg.Voice.TwilioAccountSID, cfg.Voice.TwilioAuthToken, cfg.Voice.TwilioAPIBaseURL = "ACtest", "twilio-token", twilio.URL
	cfg.Notify.TwilioSMSFrom = "+62215550100"
	a := apptest.Start(t, cfg)
	citizen := apptest.NewClient(t, a.URL())
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)

	res := citizen.Do(http.MethodPost, "/api/v1/complaints?lang=en-US", map[string]string{"name": "Siti", "email": "siti@warga.test",
		"category": "insentif", "description": "Insentif saya belum cair sejak bulan lalu."})
	var created struct {
		TrackingNumber string `json:"tracking_number"`
	}
	res.JSON(t, &created)
	tnMail := created.TrackingNumber
	tnSMS := citizen.Complaint(map[string]string{"name": "Budi", "phone": "081234567899",
		"category": "insentif", "description": "Saya hanya punya nomor telepon."})

	ticketID := func(tn string) int64 { return admin.TicketID(tn, "") }
	for _, tn := range []string{tnMail, tnSMS} {
		id := ticketID(tn)
		start := time.Now()
		res := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]string{"body": "Sudah kami teruskan ke bank penyalur."})
		if res.Status != http.StatusCreated {
			t.Fatalf("reply: %d %s", res.Status, res.Body)
		}
		t.Logf("reply answered in %v", time.Since(start))
	}

	// E-mail: one message, multipart plain + HTML in the citizen's
	// language, naming the tracking number, with a working signed link.
	var raw []byte
	testenv.CheckFor(t, 30*time.Second, 50*time.Millisecond, func() error {
		msgs, to := r.got()
		if len(msgs) != 1 {
			return fmt.Errorf("%d mails", len(msgs))
		}
		if to[0] != "siti@warga.test" {
			return fmt.Errorf("mail to %q", to[0])
		}
		raw = msgs[0]
		return nil
	})
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if mt != "multipart/alternative" || m.Header.Get("Content-Language") != "en-US" {
		t.Fatalf("mail headers %v", m.Header)
	}
	parts := map[string]string{}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[pt] = string(b)
	}
	if !strings.Contains(parts["text/plain"], tnMail) || !strings.Contains(parts["text/html"], tnMail) {
		t.Fatalf("parts lack the tracking number: %v", parts)
	}
	link := statusLinkRE.FindStringSubmatch(parts["text/plain"])
	if link == nil {
		t.Fatalf("no link in %q", parts["text/plain"])
	}
	// The page speaks the language Siti wrote in (English), not her
	// browser's; a language she picks on the site wins.
	citizen.Lang = "id-ID"
	page := citizen.Do(http.MethodGet, link[1], nil)
	citizen.Lang = ""
	if !strings.Contains(string(page.Body), `<html lang="en"`) {
		t.Errorf("status link page not in the citizen's English: %.300s", page.Body)
	}
	if chosen := citizen.Do(http.MethodGet, link[1]+"?lang=id-ID", nil); !strings.Contains(string(chosen.Body), `<html lang="id"`) {
		t.Errorf("status link page with ?lang=id-ID: %.300s", chosen.Body)
	}
	if page.Status != http.StatusOK || !strings.Contains(string(page.Body), `value="`+tnMail+`"`) ||
		!strings.Contains(string(page.Body), `value="siti@warga.test"`) || !strings.Contains(string(page.Body), `data-auto-lookup="1"`) {
		t.Fatalf("status link page: %d\n%s", page.Status, page.Body)
	}
	// What the page's script then asks: the complaint with the reply.
	if res := citizen.Do(http.MethodGet, "/api/v1/complaints/"+tnMail+"?contact=siti%40warga.test", nil); res.Status != http.StatusOK ||
		!strings.Contains(string(res.Body), "bank penyalur") {
		t.Fatalf("lookup with the link's contact: %d %s", res.Status, res.Body)
	}
	if res := citizen.Do(http.MethodGet, link[1]+"x", nil); res.Status != http.StatusBadRequest {
		t.Fatalf("a tampered link: %d", res.Status)
	}

	// SMS: the phone-only citizen.
	testenv.CheckFor(t, 30*time.Second, 50*time.Millisecond, func() error {
		smsMu.Lock()
		defer smsMu.Unlock()
		if len(sms) != 1 {
			return fmt.Errorf("%d SMS", len(sms))
		}
		return nil
	})
	smsMu.Lock()
	p := sms[0]
	smsMu.Unlock()
	if p.Get("To") != "+6281234567899" || p.Get("From") != "+62215550100" || !strings.Contains(p.Get("Body"), tnSMS) {
		t.Fatalf("SMS %v", p)
	}
	sl := statusLinkRE.FindStringSubmatch(p.Get("Body"))
	if sl == nil {
		t.Fatalf("no link in the SMS %q", p.Get("Body"))
	}
	if page := citizen.Do(http.MethodGet, sl[1], nil); page.Status != http.StatusOK || !strings.Contains(string(page.Body), `value="&#43;6281234567899"`) {
		t.Fatalf("SMS link page: %d", page.Status)
	}

	// The agent sees both outcomes on the tickets.
	for _, tn := range []string{tnMail, tnSMS} {
		var out struct {
			Notifications []struct {
				Route, Status string
			} `json:"notifications"`
		}
		admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/notifications", ticketID(tn)), nil).JSON(t, &out)
		if len(out.Notifications) != 1 || out.Notifications[0].Status != "sent" {
			t.Fatalf("notifications of %s: %+v", tn, out.Notifications)
		}
	}
}
