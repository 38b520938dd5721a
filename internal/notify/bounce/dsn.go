// Package bounce takes the bounces of citizen notification e-mails: an
// SMTP listener that accepts mail only for the notifications' own bounce
// addresses (bounce+<token>@<bounce domain>, see internal/notify), reads
// the RFC 3464 delivery status notification (multipart/report) it
// carries, and hands each failed delivery to notify, which fails the
// e-mail and falls back to the next route.
//
// # Guarantees, and what keeps them
//
//   - Only genuine bounce addresses are accepted (RCPT answered 550
//     otherwise), so the listener relays nothing and a made-up address
//     cannot fail a notification (the token is signed).
//   - A bounce is answered 250 only once notify has recorded it; database
//     or bus trouble answers 451, and the sending server tries again.
//   - A message that is no failure report (an auto-reply, a "delayed"
//     notice, plain text) is accepted and ignored: refusing it would
//     only bounce the bounce.
package bounce

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"strings"
)

// Recipient is one per-recipient block of a delivery status notification.
type Recipient struct {
	FinalRecipient string
	Action         string // failed, delayed, delivered, relayed, expanded
	Status         string // n.n.n
	Diagnostic     string // Diagnostic-Code, e.g. "smtp; 550 5.1.1 user unknown"
}

// Failed reports whether the recipient's delivery failed for good
// (Action: failed; its Status is then 5.x.x, or 4.x.x once a server gave
// up retrying).
func (r Recipient) Failed() bool { return strings.EqualFold(r.Action, "failed") }

// Reason is a short account of the failure for the agent.
func (r Recipient) Reason() string {
	s := r.Status
	if r.Diagnostic != "" {
		s += " (" + r.Diagnostic + ")"
	}
	return clip(strings.TrimSpace(s), 300)
}

// ErrNotReport: the message is not a delivery status notification.
var ErrNotReport = errors.New("bounce: not a delivery status notification")

// Bounds of what is read.
const (
	maxParts  = 16
	maxStatus = 64 << 10
	maxRcpts  = 50
)

// ParseDSN reads a message and returns the per-recipient blocks of its
// delivery status report: a multipart/report whose message/delivery-status
// (or message/global-delivery-status, RFC 6533) part holds a per-message
// block and then one block per recipient, blocks separated by blank lines.
func ParseDSN(r io.Reader) ([]Recipient, error) {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotReport, err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/report" || params["boundary"] == "" {
		return nil, ErrNotReport
	}
	if rt := params["report-type"]; rt != "" && !strings.EqualFold(rt, "delivery-status") && !strings.EqualFold(rt, "global-delivery-status") {
		return nil, ErrNotReport
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for i := 0; i < maxParts; i++ {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotReport, err)
		}
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if pt != "message/delivery-status" && pt != "message/global-delivery-status" {
			continue
		}
		// multipart.Reader decodes quoted-printable itself; base64 (line
		// breaks ignored) is ours.
		var body io.Reader = p
		if strings.EqualFold(strings.TrimSpace(p.Header.Get("Content-Transfer-Encoding")), "base64") {
			body = base64.NewDecoder(base64.StdEncoding, p)
		}
		raw, err := io.ReadAll(io.LimitReader(body, maxStatus))
		if err != nil {
			return nil, fmt.Errorf("%w: status part: %v", ErrNotReport, err)
		}
		return parseStatus(raw)
	}
	return nil, ErrNotReport
}

// parseStatus reads the blocks of a delivery-status body: the first is
// the per-message block, each following one a recipient.
func parseStatus(raw []byte) ([]Recipient, error) {
	raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	var out []Recipient
	blocks := bytes.Split(raw, []byte("\n\n"))
	first := true
	for _, b := range blocks {
		b = bytes.Trim(b, "\n")
		if len(b) == 0 {
			continue
		}
		h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(b, '\n', '\n')))).ReadMIMEHeader()
		if err != nil && len(h) == 0 {
			return nil, fmt.Errorf("%w: status block: %v", ErrNotReport, err)
		}
		if first {
			first = false
			if h.Get("Final-Recipient") == "" && h.Get("Action") == "" {
				continue // the per-message block
			}
		}
		if h.Get("Action") == "" {
			continue
		}
		out = append(out, Recipient{
			FinalRecipient: clip(addressOf(h.Get("Final-Recipient")), 320),
			Action:         clip(strings.ToLower(strings.TrimSpace(h.Get("Action"))), 32),
			Status:         clip(strings.TrimSpace(h.Get("Status")), 32),
			Diagnostic:     clip(strings.Join(strings.Fields(h.Get("Diagnostic-Code")), " "), 240),
		})
		if len(out) == maxRcpts {
			break
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no recipient block", ErrNotReport)
	}
	return out, nil
}

// addressOf is the address of an "rfc822; someone@example" field.
func addressOf(v string) string {
	if _, a, ok := strings.Cut(v, ";"); ok {
		return strings.TrimSpace(a)
	}
	return strings.TrimSpace(v)
}

// clip cuts s to at most n bytes on a rune boundary and drops control
// characters, so a report's text is safe to store and show.
func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return -1
		}
		return r
	}, s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
