package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTP sends e-mail through a submission server: smtps://user:pass@host:465
// (TLS from the first byte) or smtp://user:pass@host:587 (STARTTLS, which
// is required: credentials never cross in clear). smtp://host:25?tls=none
// is for a relay on a trusted network only.
type SMTP struct {
	addr     string
	implicit bool
	noTLS    bool
	user     string
	pass     string
	from     *mail.Address
	host     string
	// TLS is the client TLS configuration (nil: system roots, ServerName
	// from the URL).
	TLS     *tls.Config
	Timeout time.Duration
}

// NewSMTP reads SMTP_URL and SMTP_FROM ("Name <addr>" or an address).
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("notify: SMTP_URL: %w", err)
	}
	s := &SMTP{host: u.Hostname(), Timeout: 30 * time.Second}
	port := u.Port()
	switch u.Scheme {
	case "smtps":
		s.implicit = true
		if port == "" {
			port = "465"
		}
	case "smtp":
		if port == "" {
			port = "587"
		}
		s.noTLS = u.Query().Get("tls") == "none"
	default:
		return nil, fmt.Errorf("notify: SMTP_URL must be smtps:// or smtp://")
	}
	if s.host == "" {
		return nil, fmt.Errorf("notify: SMTP_URL has no host")
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	if s.noTLS && s.user != "" {
		return nil, fmt.Errorf("notify: SMTP_URL: tls=none with credentials would send them in clear")
	}
	if s.from, err = mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("notify: SMTP_FROM: %w", err)
	}
	s.addr = net.JoinHostPort(s.host, port)
	return s, nil
}

// Send submits m; a 5xx answer (a refused recipient, say) is permanent.
func (s *SMTP) Send(ctx context.Context, m Message) (string, error) {
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return "", Permanent(fmt.Errorf("e-mail address: %w", err))
	}
	id, body, err := s.build(m, to)
	if err != nil {
		return "", Permanent(err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	c, err := s.dial(ctx)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if s.user != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.user, s.pass)); err != nil {
			return "", smtpErr(err)
		}
	}
	sender := s.from.Address
	if m.ReturnPath != "" {
		sender = m.ReturnPath
	}
	if err := c.SendMail(sender, []string{to.Address}, bytes.NewReader(body)); err != nil {
		return "", smtpErr(err)
	}
	_ = c.Quit()
	return id, nil
}

func (s *SMTP) dial(ctx context.Context) (*smtp.Client, error) {
	cfg := s.TLS
	if cfg == nil {
		cfg = &tls.Config{}
	}
	cfg = cfg.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = s.host
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return nil, fmt.Errorf("smtp dial: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	var c *smtp.Client
	switch {
	case s.implicit:
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("smtp tls: %w", err)
		}
		c = smtp.NewClient(tc)
	case s.noTLS:
		c = smtp.NewClient(conn)
	default:
		c, err = smtp.NewClientStartTLS(conn, cfg)
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("smtp starttls: %w", smtpErr(err))
		}
	}
	if err := c.Hello("localhost"); err != nil && !strings.Contains(err.Error(), "already") {
		c.Close()
		return nil, smtpErr(err)
	}
	return c, nil
}

// smtpErr makes a server's 5xx answer permanent.
func smtpErr(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 {
		return Permanent(err)
	}
	return err
}

// build writes the message: multipart/alternative, plain text then HTML,
// both quoted-printable UTF-8.
func (s *SMTP) build(m Message, to *mail.Address) (string, []byte, error) {
	rnd := make([]byte, 12)
	if _, err := rand.Read(rnd); err != nil {
		return "", nil, err
	}
	domain := s.from.Address[strings.LastIndexByte(s.from.Address, '@')+1:]
	id := "<" + hex.EncodeToString(rnd) + "@" + domain + ">"
	var head, body bytes.Buffer
	mw := multipart.NewWriter(&body)
	hdr := func(k, v string) { fmt.Fprintf(&head, "%s: %s\r\n", k, v) }
	hdr("From", s.from.String())
	hdr("To", to.String())
	hdr("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	hdr("Date", time.Now().Format(time.RFC1123Z))
	hdr("Message-ID", id)
	hdr("MIME-Version", "1.0")
	hdr("Auto-Submitted", "auto-generated")
	hdr("Content-Language", m.Lang)
	hdr("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	head.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{{"text/plain; charset=utf-8", m.Text}, {"text/html; charset=utf-8", m.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {part.typ}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return "", nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(part.body)); err != nil {
			return "", nil, err
		}
		if err := qp.Close(); err != nil {
			return "", nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return "", nil, err
	}
	return id, append(head.Bytes(), body.Bytes()...), nil
}
