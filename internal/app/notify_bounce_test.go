package app_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"tanggap/channels/voice"
	"tanggap/internal/apptest"
	"tanggap/internal/localport"
	"tanggap/internal/notify"
	"tanggap/internal/testenv"
)

// The whole contact center with the bounce listener on: the e-mail to a
// form citizen goes out from its own bounce address; the receiving
// server's report, mailed to that address over SMTP, fails the e-mail on
// the ticket and the citizen gets an SMS instead.
func TestNotifyBouncedEmailFallsBackToSMS(t *testing.T) {
	t.Parallel()
	r, relayAddr := startRelay(t)

	var smsMu sync.Mutex
	sms := 0
	twilio := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if u, p, ok := req.BasicAuth(); !ok || u != "ACtest" || p != "twilio-token" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"code":20003,"message":"Authenticate","status":401}`)
			return
		}
		smsMu.Lock()
		sms++
		smsMu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]string{"sid": "SM0123456789abcdef0123456789abcdee", "status": "queued"})
	}))
	t.Cleanup(twilio.Close)

	bouncePort, err := localport.Free()
	if err != nil {
		t.Fatal(err)
	}
	bounceAddr := fmt.Sprintf("127.0.0.1:%d", bouncePort)

	cfg := apptest.Config(t)
	cfg.Notify.SMTPURL = "smtp://" + relayAddr + "?tls=none"
	cfg.Notify.SMTPFrom = "Layanan Pengaduan <noreply@layanan.test>"
	cfg.Notify.BounceSMTPAddr = bounceAddr
	cfg.Voice.TwilioAccountSID, cfg.Voice.TwilioAuthToken, cfg.Voice.TwilioAPIBaseURL = "ACtest", "twilio-token", twilio.URL
	cfg.Notify.TwilioSMSFrom = "+62215550100"
	a := apptest.Start(t, cfg)
	citizen := apptest.NewClient(t, a.URL())
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)

	tn := citizen.Complaint(map[string]string{"name": "Rina", "email": "rina@warga.test", "phone": "081234567898",
		"category": "insentif", "description": "Insentif saya belum cair sejak bulan lalu."})
	id := admin.TicketID(tn, "")
	if res := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]string{"body": "Sudah kami teruskan."}); res.Status != http.StatusCreated {
		t.Fatalf("reply: %d %s", res.Status, res.Body)
	}
	var from string
	testenv.CheckFor(t, 30*time.Second, 50*time.Millisecond, func() error {
		r.mu.Lock()
		defer r.mu.Unlock()
		if len(r.from) != 1 {
			return fmt.Errorf("%d mails", len(r.from))
		}
		from = r.from[0]
		return nil
	})
	// SMTP_FROM's domain, as NOTIFY_BOUNCE_DOMAIN is not set.
	if !strings.HasPrefix(from, "bounce+") || !strings.HasSuffix(from, "@layanan.test") {
		t.Fatalf("envelope sender %q", from)
	}

	dsn := "From: MAILER-DAEMON@mx.warga.test\r\nSubject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.warga.test\r\n\r\n" +
		"Final-Recipient: rfc822; rina@warga.test\r\nAction: failed\r\nStatus: 5.2.1\r\nDiagnostic-Code: smtp; 550 5.2.1 mailbox disabled\r\n--b--\r\n"
	testenv.CheckFor(t, 20*time.Second, 50*time.Millisecond, func() error {
		c, err := smtp.Dial(bounceAddr)
		if err != nil {
			return err // the listener is starting
		}
		defer c.Close()
		if err := c.SendMail("", []string{from}, strings.NewReader(dsn)); err != nil {
			var se *smtp.SMTPError
			if errors.As(err, &se) && se.Code/100 == 4 {
				// A temporary refusal (the e-mail is still being marked
				// sent): a mail server retries, and so does this.
				return err
			}
			t.Fatalf("bounce: %v", err)
		}
		return c.Quit()
	})
	testenv.CheckFor(t, 30*time.Second, 50*time.Millisecond, func() error {
		var out struct {
			Notifications []struct {
				Route, Status, Reason string
			} `json:"notifications"`
		}
		admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/notifications", id), nil).JSON(t, &out)
		got := map[string]string{}
		for _, n := range out.Notifications {
			got[n.Route] = n.Status + " " + n.Reason
		}
		if !strings.HasPrefix(got["email"], "failed") || !strings.Contains(got["email"], "5.2.1") || !strings.HasPrefix(got["sms"], "sent") {
			return fmt.Errorf("notifications %v", got)
		}
		return nil
	})
	smsMu.Lock()
	defer smsMu.Unlock()
	if sms != 1 {
		t.Fatalf("%d SMS, want 1", sms)
	}
}

// The whole contact center: an SMS that Twilio's signed status callback
// reports undelivered fails on the ticket with Twilio's error code, and
// the citizen gets the e-mail instead; an unsigned callback changes
// nothing.
func TestNotifyUndeliveredSMSFallsBackToEmail(t *testing.T) {
	t.Parallel()
	r, relayAddr := startRelay(t)
	const sid = "SM00000000000000000000000000000abc"
	twilio := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]string{"sid": sid, "status": "queued"})
	}))
	t.Cleanup(twilio.Close)

	cfg := apptest.Config(t)
	cfg.Notify.SMTPURL = "smtp://" + relayAddr + "?tls=none"
	cfg.Notify.SMTPFrom = "noreply@layanan.test"
	cfg.Notify.Routes = []string{"sms", "email"}
	cfg.Voice.TwilioAccountSID, cfg.Voice.TwilioAuthToken, cfg.Voice.TwilioAPIBaseURL = "ACtest", "twilio-token", twilio.URL
	cfg.Notify.TwilioSMSFrom = "+62215550100"
	a := apptest.Start(t, cfg)
	citizen := apptest.NewClient(t, a.URL())
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	tn := citizen.Complaint(map[string]string{"name": "Joko", "email": "joko@warga.test", "phone": "081234567897",
		"category": "insentif", "description": "Insentif saya belum cair sejak bulan lalu."})
	id := admin.TicketID(tn, "")
	if res := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]string{"body": "Sudah kami teruskan."}); res.Status != http.StatusCreated {
		t.Fatalf("reply: %d %s", res.Status, res.Body)
	}
	notices := func() map[string]string {
		var out struct {
			Notifications []struct{ Route, Status, Reason string } `json:"notifications"`
		}
		admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/notifications", id), nil).JSON(t, &out)
		got := map[string]string{}
		for _, n := range out.Notifications {
			got[n.Route] = n.Status + " " + n.Reason
		}
		return got
	}
	testenv.CheckFor(t, 30*time.Second, 50*time.Millisecond, func() error {
		if got := notices(); !strings.HasPrefix(got["sms"], "sent") || got["email"] != "" {
			return fmt.Errorf("notifications %v", got)
		}
		return nil
	})

	form := url.Values{"MessageSid": {sid}, "MessageStatus": {"undelivered"}, "ErrorCode": {"30003"}, "AccountSid": {"ACtest"}}
	post := func(sig string) int {
		return citizen.Raw(http.MethodPost, notify.TwilioCallbackPath, "application/x-www-form-urlencoded", form.Encode(),
			map[string]string{"X-Twilio-Signature": sig}).Status
	}
	if st := post("forged"); st != http.StatusForbidden {
		t.Fatalf("unsigned callback: %d", st)
	}
	if got := notices(); !strings.HasPrefix(got["sms"], "sent") {
		t.Fatalf("an unsigned callback changed the notice: %v", got)
	}
	if st := post(voice.Signature("twilio-token", strings.TrimRight(cfg.BaseURL(), "/")+notify.TwilioCallbackPath, form)); st != http.StatusNoContent {
		t.Fatalf("signed callback: %d", st)
	}
	testenv.CheckFor(t, 30*time.Second, 50*time.Millisecond, func() error {
		got := notices()
		if !strings.HasPrefix(got["sms"], "failed") || !strings.Contains(got["sms"], "30003") || !strings.HasPrefix(got["email"], "sent") {
			return fmt.Errorf("notifications %v", got)
		}
		return nil
	})
	if msgs, to := r.got(); len(msgs) != 1 || to[0] != "joko@warga.test" {
		t.Fatalf("mails to %v", to)
	}
}
