package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http/httptest"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/nats-io/nats.go"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/locale"
	"tanggap/internal/pages"
	"tanggap/internal/statuslink"
	"tanggap/internal/testenv"
)

// parsedMail is a received message read back as MIME.
type parsedMail struct {
	header      mail.Header
	text, html  string
	contentLang string
}

func parseMail(t *testing.T, raw []byte) parsedMail {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not a mail message: %v", err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", m.Header.Get("Content-Type"), err)
	}
	out := parsedMail{header: m.Header, contentLang: m.Header.Get("Content-Language")}
	mr := multipart.NewReader(m.Body, params["boundary"])
	var types []string
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		pt, pp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if pp["charset"] != "utf-8" {
			t.Errorf("part %s has charset %q", pt, pp["charset"])
		}
		types = append(types, pt)
		switch pt {
		case "text/plain":
			out.text = string(b)
		case "text/html":
			out.html = string(b)
		}
	}
	if strings.Join(types, ",") != "text/plain,text/html" {
		t.Fatalf("parts %v, want text/plain then text/html", types)
	}
	return out
}

var linkRE = regexp.MustCompile(`https://layanan\.test/pengaduan/status/link/([A-Za-z0-9._-]+)`)

// statusSite is the real status page with the real link opener.
func statusSite(t *testing.T, f *fixture) *fiber.App {
	cat, _ := locale.Load()
	app := fiber.New()
	pages.New(pages.Opts{Locale: cat, StatusLinks: f.svc.StatusLinks()}).Mount(app)
	return app
}

func get(t *testing.T, app *fiber.App, path string) (int, string) {
	t.Helper()
	resp, err := app.Test(httptest.NewRequest("GET", path, nil), 10000)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// watch collects ticket.notified events.
func watch(t *testing.T, b *bus.Bus) func() []bus.TicketNotified {
	ch := make(chan *nats.Msg, 256)
	sub, err := b.NC.ChanSubscribe(b.Names.EventSubject(bus.TicketNotified{}), ch)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	var got []bus.TicketNotified
	return func() []bus.TicketNotified {
		for {
			select {
			case m := <-ch:
				var ev bus.TicketNotified
				if err := json.Unmarshal(m.Data, &ev); err != nil {
					t.Fatal(err)
				}
				got = append(got, ev)
			default:
				return got
			}
		}
	}
}

func TestFormCitizenGetsTheReplyByEmailWithAWorkingLink(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	events := watch(t, f.b)
	f.run(t)
	tid, reply := f.addTicket(t, ticketSpec{channel: "webform", email: "siti@warga.test", phone: "+6281234567890", lang: "en-US"})

	// The webform adapter posts the reply on the status page; the core
	// pushes message.updated "posted". Twice: the event reaches every
	// instance, and a redelivery must not mail twice.
	ev := bus.MessageUpdated{Scope: bus.Scope{TicketID: tid, QueueID: f.queue}, MessageID: reply, DeliveryStatus: domain.DeliveryPosted, At: time.Now()}
	f.b.Emit(ev)
	f.b.Emit(ev)

	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		if d := f.deliveries(t, tid); len(d) != 1 || d[0].Status != StatusSent {
			return fmt.Errorf("deliveries %+v", d)
		}
		return nil
	})
	mails := f.mail.mails()
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1", len(mails))
	}
	if mails[0].From != "noreply@layanan.test" || len(mails[0].To) != 1 || mails[0].To[0] != "siti@warga.test" {
		t.Fatalf("envelope from %q to %v", mails[0].From, mails[0].To)
	}
	m := parseMail(t, mails[0].Data)
	var tn string
	f.d.Raw(`SELECT tracking_number FROM tickets WHERE id = ?`, tid).Row().Scan(&tn)
	subj, _ := new(mime.WordDecoder).DecodeHeader(m.header.Get("Subject"))
	if subj != "A reply to your complaint "+tn || m.contentLang != "en-US" {
		t.Fatalf("subject %q, language %q: want the citizen's language (en-US)", subj, m.contentLang)
	}
	if !strings.Contains(m.text, tn) || !strings.Contains(m.html, tn) {
		t.Fatalf("the tracking number is missing:\n%s\n%s", m.text, m.html)
	}
	if strings.Contains(m.text, "Sudah kami proses") {
		t.Fatal("the reply's text travelled in the e-mail; only the link should")
	}
	lt, lh := linkRE.FindStringSubmatch(m.text), linkRE.FindStringSubmatch(m.html)
	if lt == nil || lh == nil || lt[1] != lh[1] {
		t.Fatalf("no signed link in both parts:\n%s\n%s", m.text, m.html)
	}

	// The link opens the complaint on the real status page, prefilled.
	site := statusSite(t, f)
	code, body := get(t, site, "/pengaduan/status/link/"+lt[1])
	if code != 200 || !strings.Contains(body, `value="`+tn+`"`) || !strings.Contains(body, `value="siti@warga.test"`) || !strings.Contains(body, `data-auto-lookup="1"`) {
		t.Fatalf("status link: %d\n%s", code, body)
	}
	// A forged link (another ticket under the same signature) and an
	// expired one are refused with a clear page.
	parts := strings.Split(lt[1], ".")
	other, _ := f.links.Sign("2612-9999-9999-9999", statuslink.ContactEmail)
	forged := parts[0] + "." + strings.Split(other, ".")[1] + "." + parts[2]
	cat, _ := locale.Load()
	if code, body := get(t, site, "/pengaduan/status/link/"+forged); code != 400 || !strings.Contains(body, cat.T("id-ID", "notify.link_invalid")) || strings.Contains(body, "siti@") {
		t.Fatalf("forged link: %d\n%s", code, body)
	}
	expired, _ := f.links.SignClaims(statuslink.Claims{TrackingNumber: tn, Contact: statuslink.ContactEmail, Expires: time.Now().Add(-time.Minute)})
	if code, body := get(t, site, "/pengaduan/status/link/"+expired); code != 410 || !strings.Contains(body, cat.T("id-ID", "notify.link_expired")) || strings.Contains(body, "siti@") {
		t.Fatalf("expired link: %d\n%s", code, body)
	}

	// The console heard sending, then sent.
	testenv.CheckFor(t, 5*time.Second, 20*time.Millisecond, func() error {
		var st []string
		for _, e := range events() {
			if e.TicketID == tid {
				st = append(st, e.Status)
			}
		}
		if strings.Join(st, ",") != "sending,sent" {
			return fmt.Errorf("events %v", st)
		}
		return nil
	})
}

func TestPhoneOnlyCitizenGetsAnSMSAndItsDeliveryIsShown(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.run(t)
	tid, _ := f.addTicket(t, ticketSpec{channel: "webform", phone: "+6281234567891"})

	// The agent asks for more information: ticket.updated pending.
	f.b.Emit(bus.TicketUpdated{Scope: bus.Scope{TicketID: tid, QueueID: f.queue}, Status: domain.StatusOpen, At: time.Now()})
	f.setStatus(t, tid, domain.StatusPending)
	// A priority change while pending is no second request.
	f.b.Emit(bus.TicketUpdated{Scope: bus.Scope{TicketID: tid, QueueID: f.queue}, Status: domain.StatusPending, Priority: domain.PriorityHigh, At: time.Now()})

	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		if d := f.deliveries(t, tid); len(d) != 1 || d[0].Status != StatusSent || d[0].Route != RouteSMS || d[0].Kind != KindMoreInfo {
			return fmt.Errorf("deliveries %+v", d)
		}
		return nil
	})
	sms := f.tw.sent()
	if len(sms) != 1 {
		t.Fatalf("%d SMS, want 1", len(sms))
	}
	var tn string
	f.d.Raw(`SELECT tracking_number FROM tickets WHERE id = ?`, tid).Row().Scan(&tn)
	p := sms[0]
	if p.Get("To") != "+6281234567891" || p.Get("From") != "+62215550100" || !strings.Contains(p.Get("Body"), tn) ||
		p.Get("StatusCallback") != "https://layanan.test"+TwilioCallbackPath {
		t.Fatalf("SMS form %v", p)
	}
	lm := linkRE.FindStringSubmatch(p.Get("Body"))
	if lm == nil {
		t.Fatalf("no link in %q", p.Get("Body"))
	}
	if gotTN, contact, _, err := f.svc.StatusLinks().OpenStatusLink(context.Background(), lm[1]); err != nil || gotTN != tn || contact != "+6281234567891" {
		t.Fatalf("link opens %q %q %v", gotTN, contact, err)
	}

	// Twilio's status callback: delivered (the signed HTTP route is
	// tested in notifyhttp).
	sid := f.deliveries(t, tid)[0].ProviderID
	if err := f.svc.ApplyTwilioStatus(context.Background(), TwilioStatus{MessageSID: sid, Status: "delivered"}); err != nil {
		t.Fatal(err)
	}
	if d := f.deliveries(t, tid); d[0].Status != StatusDelivered {
		t.Fatalf("after the callback: %+v", d[0])
	}
}

func TestWhatsAppOutsideTheWindowGetsTheTemplate(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.run(t)
	inside, _ := f.addTicket(t, ticketSpec{channel: "whatsapp", phone: "+6281234567892", lastInbound: time.Now().Add(-time.Hour)})
	outside, _ := f.addTicket(t, ticketSpec{channel: "whatsapp", phone: "+6281234567893", lastInbound: time.Now().Add(-25 * time.Hour)})

	// Inside the window the citizen is on WhatsApp: no route at all.
	if r, err := f.svc.routes(context.Background(), mustTicket(t, f, inside), job{Kind: KindSolved, TicketID: inside}); err != nil || len(r) != 0 {
		t.Fatalf("inside the window: routes %v, %v", r, err)
	}
	f.setStatus(t, outside, domain.StatusSolved)
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		if d := f.deliveries(t, outside); len(d) != 1 || d[0].Status != StatusSent || d[0].Route != RouteWhatsApp {
			return fmt.Errorf("deliveries %+v", d)
		}
		return nil
	})
	sends := f.graph.sent()
	if len(sends) != 1 {
		t.Fatalf("%d sends", len(sends))
	}
	var tn string
	f.d.Raw(`SELECT tracking_number FROM tickets WHERE id = ?`, outside).Row().Scan(&tn)
	tpl, _ := sends[0]["template"].(map[string]any)
	raw, _ := json.Marshal(sends[0])
	if sends[0]["type"] != "template" || sends[0]["to"] != "6281234567893" || tpl["name"] != "status_pengaduan" ||
		!strings.Contains(string(raw), `"text":"`+tn+`"`) || !strings.Contains(string(raw), "/pengaduan/status/link/") {
		t.Fatalf("template send %s", raw)
	}
}

func mustTicket(t *testing.T, f *fixture, id int64) ticketInfo {
	ti, err := f.svc.store.ticket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return ti
}

// A bounced e-mail (550 at RCPT) falls back to SMS; an undelivered SMS
// (status callback) falls back to nothing further, and says so.
func TestBounceFallsBackToTheNextRoute(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.mail.refuse["salah@warga.test"] = true
	f.run(t)
	tid, reply := f.addTicket(t, ticketSpec{channel: "webform", email: "salah@warga.test", phone: "+6281234567894"})
	f.b.Emit(bus.MessageUpdated{Scope: bus.Scope{TicketID: tid, QueueID: f.queue}, MessageID: reply, DeliveryStatus: domain.DeliveryPosted, At: time.Now()})
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		d := f.deliveries(t, tid)
		if len(d) != 2 || d[0].Route != RouteEmail || d[0].Status != StatusFailed || d[1].Route != RouteSMS || d[1].Status != StatusSent {
			return fmt.Errorf("deliveries %+v", d)
		}
		if !strings.Contains(d[0].Reason, "550") {
			return fmt.Errorf("reason %q does not say why", d[0].Reason)
		}
		return nil
	})
	if n := len(f.mail.mails()); n != 0 {
		t.Fatalf("%d mails accepted", n)
	}
}

// An SMS reported undelivered hands over to the next route (e-mail here).
func TestUndeliveredSMSFallsBackToEmail(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Opts) { o.Routes = []Route{RouteSMS, RouteEmail} })
	f.run(t)
	tid, reply := f.addTicket(t, ticketSpec{channel: "voice", email: "budi@warga.test", phone: "+6281234567895"})
	f.b.Emit(bus.MessageUpdated{Scope: bus.Scope{TicketID: tid, QueueID: f.queue}, MessageID: reply, DeliveryStatus: domain.DeliveryFailed, At: time.Now()})
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		if d := f.deliveries(t, tid); len(d) != 1 || d[0].Status != StatusSent {
			return fmt.Errorf("deliveries %+v", d)
		}
		return nil
	})
	sid := f.deliveries(t, tid)[0].ProviderID
	if err := f.svc.ApplyTwilioStatus(context.Background(), TwilioStatus{MessageSID: sid, Status: "undelivered", ErrorCode: "30003"}); err != nil {
		t.Fatal(err)
	}
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		d := f.deliveries(t, tid)
		if len(d) != 2 || d[0].Status != StatusFailed || !strings.Contains(d[0].Reason, "30003") || d[1].Route != RouteEmail || d[1].Status != StatusSent {
			return fmt.Errorf("deliveries %+v", d)
		}
		return nil
	})
	if len(f.mail.mails()) != 1 || len(f.tw.sent()) != 1 {
		t.Fatalf("mails %d, sms %d", len(f.mail.mails()), len(f.tw.sent()))
	}
}
