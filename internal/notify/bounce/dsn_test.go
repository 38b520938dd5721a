package bounce

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// postfixDSN is a bounce as Postfix writes it (RFC 3464).
func postfixDSN(rcpt, action, status, diag string) string {
	return "Return-Path: <>\r\n" +
		"From: MAILER-DAEMON@mx.warga.test (Mail Delivery System)\r\n" +
		"To: " + rcpt + "\r\n" +
		"Subject: Undelivered Mail Returned to Sender\r\n" +
		"Auto-Submitted: auto-replied\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"B0UND\"\r\n" +
		"\r\n" +
		"This is a MIME-encapsulated message.\r\n" +
		"\r\n--B0UND\r\n" +
		"Content-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" +
		"I'm sorry to have to inform you that your message could not be delivered.\r\n" +
		"\r\n--B0UND\r\n" +
		"Content-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n" +
		"Reporting-MTA: dns; mx.warga.test\r\n" +
		"X-Postfix-Queue-ID: 4Q2b3c\r\n" +
		"Arrival-Date: Thu,  3 Dec 2026 07:00:00 +0700 (WIB)\r\n" +
		"\r\n" +
		"Final-Recipient: rfc822; salah@warga.test\r\n" +
		"Original-Recipient: rfc822;salah@warga.test\r\n" +
		"Action: " + action + "\r\n" +
		"Status: " + status + "\r\n" +
		"Remote-MTA: dns; mx.warga.test\r\n" +
		"Diagnostic-Code: " + diag + "\r\n" +
		"\r\n--B0UND\r\n" +
		"Content-Description: Undelivered Message Headers\r\nContent-Type: text/rfc822-headers\r\n\r\n" +
		"Subject: Balasan untuk pengaduan Anda\r\n" +
		"\r\n--B0UND--\r\n"
}

func TestParseDSN(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte("Reporting-MTA: dns; mx.test\r\n\r\nFinal-Recipient: rfc822; a@b.test\r\nAction: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp; 552 mailbox full\r\n"))
	b64msg := "Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + b64[:40] + "\r\n" + b64[40:] + "\r\n--x--\r\n"
	cases := []struct {
		name       string
		msg        string
		failed     bool
		wantReason string
		wantErr    error
	}{
		{"a Postfix bounce: failed, 5.1.1", postfixDSN("bounce+1-ab@b.test", "failed", "5.1.1",
			"smtp; 550 5.1.1 <salah@warga.test>:\r\n    Recipient address rejected: User unknown"), true,
			"5.1.1 (smtp; 550 5.1.1 <salah@warga.test>: Recipient address rejected: User unknown)", nil},
		{"a delay warning is no failure", postfixDSN("bounce+1-ab@b.test", "delayed", "4.4.1", "X-Postfix; connect timed out"), false, "", nil},
		{"a base64 status part", b64msg, true, "5.2.2 (smtp; 552 mailbox full)", nil},
		{"an auto-reply is no report", "From: a@b.test\r\nContent-Type: text/plain\r\n\r\nSaya sedang cuti.\r\n", false, "", ErrNotReport},
		{"a report without a status part", "Content-Type: multipart/report; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x--\r\n", false, "", ErrNotReport},
		{"a status part without a recipient", "Content-Type: multipart/report; boundary=x\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n--x--\r\n", false, "", ErrNotReport},
		{"a disposition report is no delivery report", "Content-Type: multipart/report; report-type=disposition-notification; boundary=x\r\n\r\n--x--\r\n", false, "", ErrNotReport},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rcpts, err := ParseDSN(strings.NewReader(tc.msg))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rcpts) != 1 || rcpts[0].Failed() != tc.failed {
				t.Fatalf("recipients %+v", rcpts)
			}
			if tc.failed && rcpts[0].Reason() != tc.wantReason {
				t.Fatalf("reason %q, want %q", rcpts[0].Reason(), tc.wantReason)
			}
		})
	}
}

func FuzzParseDSN(f *testing.F) {
	f.Add(postfixDSN("bounce+1-ab@b.test", "failed", "5.1.1", "smtp; 550 user unknown"))
	f.Add(postfixDSN("x", "delayed", "4.0.0", ""))
	f.Add("Content-Type: multipart/report; boundary=x\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!\r\n--x--\r\n")
	f.Add("Content-Type: multipart/report; boundary=x\r\n\r\n--x\r\nContent-Type: message/global-delivery-status\r\n\r\n\r\n\r\nAction: failed\r\nStatus: 5\xff\r\n--x--\r\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, msg string) {
		rcpts, err := ParseDSN(strings.NewReader(msg))
		if err != nil {
			if !errors.Is(err, ErrNotReport) {
				t.Fatalf("an error that is not ErrNotReport: %v", err)
			}
			return
		}
		if len(rcpts) == 0 || len(rcpts) > maxRcpts {
			t.Fatalf("%d recipients without an error", len(rcpts))
		}
		for _, r := range rcpts {
			if len(r.Reason()) > 300 || strings.ContainsAny(r.Reason(), "\r\n\x00") {
				t.Fatalf("unsafe reason %q", r.Reason())
			}
		}
	})
}
