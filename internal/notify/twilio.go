package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Twilio sends SMS through Twilio's Messages API with the phone channel's
// account: POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json,
// form-encoded To, From, Body and StatusCallback, HTTP basic auth with the
// account SID and auth token. The answer (201) is the message resource
// whose "sid" identifies later status callbacks.
type Twilio struct {
	BaseURL    string // https://api.twilio.com
	AccountSID string
	AuthToken  string
	From       string // TWILIO_SMS_FROM, E.164 or a messaging service's sender
	Client     *http.Client
}

type twilioAnswer struct {
	SID     string `json:"sid"`
	Status  string `json:"status"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Send posts one SMS. 429 and 5xx are temporary (Retry-After honoured);
// other 4xx (an invalid or unreachable number, code 21211, 21614, ...)
// are permanent.
func (t *Twilio) Send(ctx context.Context, m Message) (string, error) {
	form := url.Values{"To": {m.To}, "From": {t.From}, "Body": {m.Text}}
	if m.StatusCallback != "" {
		form.Set("StatusCallback", m.StatusCallback)
	}
	u := strings.TrimRight(t.BaseURL, "/") + "/2010-04-01/Accounts/" + url.PathEscape(t.AccountSID) + "/Messages.json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return "", Permanent(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(t.AccountSID, t.AuthToken)
	cl := t.Client
	if cl == nil {
		cl = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := cl.Do(req)
	if err != nil {
		return "", fmt.Errorf("twilio: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var a twilioAnswer
	_ = json.Unmarshal(raw, &a)
	switch {
	case resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK:
		if a.SID == "" {
			return "", fmt.Errorf("twilio: answer without a sid")
		}
		return a.SID, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		err := fmt.Errorf("twilio: HTTP %d %d %s", resp.StatusCode, a.Code, a.Message)
		if s, e := strconv.Atoi(resp.Header.Get("Retry-After")); e == nil && s > 0 {
			return "", &RetryAfterError{Err: err, After: time.Duration(s) * time.Second}
		}
		return "", err
	default:
		return "", Permanent(fmt.Errorf("twilio: HTTP %d code %d: %s", resp.StatusCode, a.Code, a.Message))
	}
}

// TwilioStatus is one status callback of an SMS (Twilio posts
// form-encoded MessageSid, MessageStatus and, on failure, ErrorCode).
type TwilioStatus struct {
	MessageSID string
	Status     string // queued, sending, sent, delivered, undelivered, failed, ...
	ErrorCode  string
}

// ErrBadCallback: a callback body that is not a Twilio message status.
var ErrBadCallback = errors.New("notify: not a message status callback")

// ParseTwilioStatus reads a status callback's form values.
func ParseTwilioStatus(form url.Values) (TwilioStatus, error) {
	st := TwilioStatus{MessageSID: form.Get("MessageSid"), Status: form.Get("MessageStatus"), ErrorCode: form.Get("ErrorCode")}
	if st.MessageSID == "" {
		st.MessageSID = form.Get("SmsSid")
	}
	if st.Status == "" {
		st.Status = form.Get("SmsStatus")
	}
	if len(st.MessageSID) < 2 || len(st.MessageSID) > 64 || !alnum(st.MessageSID) {
		return TwilioStatus{}, fmt.Errorf("%w: MessageSid", ErrBadCallback)
	}
	if st.Status == "" || len(st.Status) > 32 || !alnum(st.Status) {
		return TwilioStatus{}, fmt.Errorf("%w: MessageStatus", ErrBadCallback)
	}
	if len(st.ErrorCode) > 16 || (st.ErrorCode != "" && strings.Trim(st.ErrorCode, "0123456789") != "") {
		return TwilioStatus{}, fmt.Errorf("%w: ErrorCode", ErrBadCallback)
	}
	return st, nil
}

func alnum(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '_' && r != '-' {
			return false
		}
	}
	return true
}

// ApplyTwilioStatus records a status callback: "delivered" marks the SMS
// delivered; "undelivered" or "failed" marks it failed and queues the next
// configured route for the same event. Other statuses change nothing.
//
// Twilio can call back before the send has recorded the SID it answered
// (the row is written after the answer), and it does not retry a status
// callback. Such a status is kept (notify_early_sms, for earlyTTL) and
// applied by the send when it records the SID (applyEarlySMS). Order makes
// it safe: the callback keeps the status, then looks for the SID again;
// the send records the SID, then looks for a kept status. Each statement
// sees what the other committed before it, so at least one of the two
// finds the other's write; when both do, the status is applied twice,
// which changes nothing the second time (applyOutcome's conditional
// updates and the fallback's job key).
func (s *Service) ApplyTwilioStatus(ctx context.Context, st TwilioStatus) error {
	if !twilioFinal(st.Status) {
		return nil
	}
	d, err := s.store.byProvider(ctx, RouteSMS, st.MessageSID)
	if errors.Is(err, ErrUnknownMessage) {
		if err := s.store.keepEarly(ctx, st, s.o.Now().UTC().Add(earlyTTL)); err != nil {
			return err
		}
		if d, err = s.store.byProvider(ctx, RouteSMS, st.MessageSID); errors.Is(err, ErrUnknownMessage) {
			return nil // kept: the send applies it when it records the SID
		}
		if err != nil {
			return err
		}
		if err := s.applyTwilio(ctx, d, st); err != nil {
			return err
		}
		return s.store.dropEarly(ctx, st.MessageSID)
	}
	if err != nil {
		return err
	}
	return s.applyTwilio(ctx, d, st)
}

// earlyTTL is how long a status that came before its SID was recorded is
// kept. The SID is recorded right after Twilio's answer; a send that
// never records it (a crash in between) is failed as interrupted, and its
// early status is then of no use.
const earlyTTL = time.Hour

// twilioFinal: the statuses that change a notification.
func twilioFinal(status string) bool {
	switch status {
	case "delivered", "undelivered", "failed":
		return true
	}
	return false
}

func (s *Service) applyTwilio(ctx context.Context, d Delivery, st TwilioStatus) error {
	if st.Status == "delivered" {
		return s.applyOutcome(ctx, d, true, "")
	}
	reason := "sms " + st.Status
	if st.ErrorCode != "" {
		reason += " (Twilio error " + st.ErrorCode + ")"
	}
	return s.applyOutcome(ctx, d, false, reason)
}

// applyEarlySMS applies the status Twilio reported for d before d's SID
// was recorded, if one is kept. d is the row as just recorded "sent".
func (s *Service) applyEarlySMS(ctx context.Context, d Delivery) error {
	st, ok, err := s.store.early(ctx, d.ProviderID, s.o.Now().UTC())
	if err != nil || !ok {
		return err
	}
	if err := s.applyTwilio(ctx, d, st); err != nil {
		return err
	}
	return s.store.dropEarly(ctx, d.ProviderID)
}
