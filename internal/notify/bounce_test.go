package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/notify/bounce"
	"tanggap/internal/testenv"
)

const bounceDomain = "bounce.layanan.test"

// startBounceListener serves the bounce listener on a free port.
func startBounceListener(t *testing.T, f *fixture) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := bounce.New(bounce.Opts{Domain: bounceDomain, Notify: f.svc, Unknown: ErrUnknownMessage, Log: testenv.Logger(t)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return ln.Addr().String()
}

// mailBounce sends msg to rcpt from the null sender, as a receiving
// server sends its report, over SMTP.
func mailBounce(addr, rcpt, msg string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("mx.warga.test"); err != nil {
		return err
	}
	if err := c.SendMail("", []string{rcpt}, strings.NewReader(msg)); err != nil {
		return err
	}
	return c.Quit()
}

func dsnFor(rcpt string) string {
	return "From: MAILER-DAEMON@mx.warga.test\r\nTo: " + rcpt + "\r\nSubject: Undelivered Mail Returned to Sender\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n" +
		"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.warga.test\r\n\r\n" +
		"Final-Recipient: rfc822; hilang@warga.test\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
		"Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n" +
		"--b--\r\n"
}

// An e-mail the receiving server accepted and later bounced: it went out
// with its own VERP envelope sender; the report, mailed over SMTP to the
// bounce listener, fails the e-mail with the reason and the SMS route
// takes over, once, however often the report comes.
func TestBouncedEmailFallsBackToSMS(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Opts) {
		o.BounceDomain, o.BounceKey = bounceDomain, []byte("bounce-key-0123456789abcdef")
	})
	f.run(t)
	addr := startBounceListener(t, f)
	tid, reply := f.addTicket(t, ticketSpec{channel: "webform", email: "hilang@warga.test", phone: "+6281234567881"})
	f.b.Emit(bus.MessageUpdated{Scope: bus.Scope{TicketID: tid, QueueID: f.queue}, MessageID: reply, DeliveryStatus: domain.DeliveryPosted, At: time.Now()})
	var sent Delivery
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		d := f.deliveries(t, tid)
		if len(d) != 1 || d[0].Route != RouteEmail || d[0].Status != StatusSent {
			return fmt.Errorf("deliveries %+v", d)
		}
		sent = d[0]
		return nil
	})
	mails := f.mail.mails()
	if len(mails) != 1 {
		t.Fatalf("%d mails", len(mails))
	}
	returnPath := mails[0].From
	if !regexp.MustCompile(`^bounce\+[0-9]+-[0-9a-f]{24}@` + regexp.QuoteMeta(bounceDomain) + `$`).MatchString(returnPath) {
		t.Fatalf("envelope sender %q is no bounce address", returnPath)
	}
	if id, ok := f.svc.BounceRow(returnPath); !ok || id != sent.ID {
		t.Fatalf("the bounce address names row %d %v, want %d", id, ok, sent.ID)
	}
	if !regexp.MustCompile(`(?m)^From: .*<noreply@layanan\.test>\r$`).Match(mails[0].Data) {
		t.Fatalf("the From header changed with the envelope sender")
	}

	// Addresses that are not genuine bounce addresses are refused at RCPT.
	forged := strings.Replace(returnPath, "-", "-0", 1)
	for _, rcpt := range []string{forged, "postmaster@" + bounceDomain, strings.Replace(returnPath, bounceDomain, "other.test", 1)} {
		var se *smtp.SMTPError
		if err := mailBounce(addr, rcpt, dsnFor(rcpt)); !errors.As(err, &se) || se.Code != 550 {
			t.Fatalf("RCPT %s: %v, want 550", rcpt, err)
		}
	}
	// An auto-reply to the bounce address is taken and changes nothing.
	must(t, mailBounce(addr, returnPath, "From: hilang@warga.test\r\nSubject: Cuti\r\n\r\nSaya sedang cuti.\r\n"))
	if d := f.deliveries(t, tid); len(d) != 1 || d[0].Status != StatusSent {
		t.Fatalf("an auto-reply changed the notice: %+v", d)
	}

	// The report, in upper case as some servers fold it, then again.
	must(t, mailBounce(addr, strings.ToUpper(returnPath), dsnFor(returnPath)))
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		d := f.deliveries(t, tid)
		if len(d) != 2 || d[0].Status != StatusFailed || !strings.Contains(d[0].Reason, "5.1.1") ||
			!strings.Contains(d[0].Reason, "bounced") || d[1].Route != RouteSMS || d[1].Status != StatusSent {
			return fmt.Errorf("deliveries %+v", d)
		}
		return nil
	})
	must(t, mailBounce(addr, returnPath, dsnFor(returnPath)))
	waitJobsDone(t, f)
	if n := len(f.tw.sent()); n != 1 {
		t.Fatalf("%d SMS, want 1", n)
	}
	if d := f.deliveries(t, tid); len(d) != 2 {
		t.Fatalf("deliveries %+v", d)
	}
}

// Without a bounce domain, e-mails keep SMTP_FROM as the envelope sender.
func TestWithoutBounceDomainTheSenderIsSMTPFrom(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.run(t)
	tid, reply := f.addTicket(t, ticketSpec{channel: "webform", email: "ani@warga.test"})
	f.b.Emit(bus.MessageUpdated{Scope: bus.Scope{TicketID: tid, QueueID: f.queue}, MessageID: reply, DeliveryStatus: domain.DeliveryPosted, At: time.Now()})
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		if m := f.mail.mails(); len(m) != 1 || m[0].From != "noreply@layanan.test" {
			return fmt.Errorf("mails %+v", m)
		}
		return nil
	})
	if _, ok := f.svc.BounceRow("bounce+1-00@layanan.test"); ok {
		t.Fatal("a bounce address without a bounce domain")
	}
}
