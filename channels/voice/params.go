package voice

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits on a provider request. Twilio's voice requests carry a few dozen
// short parameters; anything far beyond is not a provider speaking.
const (
	maxBodyBytes   = 64 << 10
	maxParams      = 128
	maxParamBytes  = 4096
	maxDigits      = 32
	maxSidBytes    = 64
	maxDurationSec = 24 * 60 * 60
	// maxRecordingURLBytes keeps a recording URL within an envelope field.
	maxRecordingURLBytes = 1000
)

// errBadRequest wraps every problem with a provider request's parameters.
var errBadRequest = errors.New("voice: bad request")

// decodeForm parses an application/x-www-form-urlencoded body strictly:
// the signature is computed over exactly these values, so a lenient parser
// that guessed at broken escapes could validate something the provider
// never sent.
func decodeForm(body []byte) (url.Values, error) {
	if len(body) > maxBodyBytes {
		return nil, fmt.Errorf("%w: body too large", errBadRequest)
	}
	if strings.Count(string(body), "&") >= maxParams {
		return nil, fmt.Errorf("%w: too many parameters", errBadRequest)
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("%w: form: %v", errBadRequest, err)
	}
	for k, vals := range v {
		if !utf8.ValidString(k) || len(k) > 64 {
			return nil, fmt.Errorf("%w: parameter name", errBadRequest)
		}
		for _, s := range vals {
			if len(s) > maxParamBytes || !utf8.ValidString(s) {
				return nil, fmt.Errorf("%w: parameter %s", errBadRequest, k)
			}
		}
	}
	return v, nil
}

// Call is what one voice webhook request tells about the call, with the
// documented parameter names of Twilio's voice webhooks.
type Call struct {
	CallSid    string // CallSid: unique id of the call
	ParentCall string // ParentCallSid: the call that dialed this one
	AccountSid string // AccountSid
	From       string // From: the caller, as the provider gives it
	To         string // To: the number called
	Status     string // CallStatus
	Direction  string // Direction: inbound, outbound-api, outbound-dial
	Digits     string // Digits: keys pressed in a Gather or to end a Record

	RecordingURL      string // RecordingUrl
	RecordingSid      string // RecordingSid
	RecordingDuration int    // RecordingDuration, seconds
	CallDuration      int    // CallDuration, seconds (status callback)
	TranscriptionText string // TranscriptionText
	TranscriptionOK   bool   // TranscriptionStatus == completed
	DialCallStatus    string // DialCallStatus (Dial action)
	QueueResult       string // QueueResult (Enqueue action)
	QueuePosition     int    // QueuePosition (Enqueue waitUrl)
	DequeingCall      string // DequeingCallSid: the agent's call taking a queued caller (Queue url)

	// The recording status callback of a Dial or REST-API recording.
	RecordingStatus   string // RecordingStatus: in-progress, completed, absent, failed
	RecordingChannels int    // RecordingChannels: 1 or 2
	RecordingSource   string // RecordingSource, e.g. DialVerb, OutboundAPI
}

// Recording statuses as the recording status callback reports them.
const (
	recordingInProgress = "in-progress"
	recordingCompleted  = "completed"
	recordingAbsent     = "absent"
	recordingFailed     = "failed"
)

// Call statuses as the provider reports them.
const (
	callQueued     = "queued"
	callRinging    = "ringing"
	callInProgress = "in-progress"
	callCompleted  = "completed"
	callBusy       = "busy"
	callFailed     = "failed"
	callNoAnswer   = "no-answer"
	callCanceled   = "canceled"
)

// parseCall reads the documented parameters and checks their shape. A
// request without a well-formed CallSid is refused: every step of the call
// is keyed on it.
func parseCall(v url.Values) (Call, error) {
	c := Call{
		CallSid:           v.Get("CallSid"),
		ParentCall:        v.Get("ParentCallSid"),
		AccountSid:        v.Get("AccountSid"),
		From:              strings.TrimSpace(v.Get("From")),
		To:                strings.TrimSpace(v.Get("To")),
		Status:            v.Get("CallStatus"),
		Direction:         v.Get("Direction"),
		Digits:            strings.TrimSpace(v.Get("Digits")),
		RecordingURL:      v.Get("RecordingUrl"),
		RecordingSid:      v.Get("RecordingSid"),
		TranscriptionText: strings.TrimSpace(v.Get("TranscriptionText")),
		TranscriptionOK:   v.Get("TranscriptionStatus") == "completed",
		DialCallStatus:    v.Get("DialCallStatus"),
		QueueResult:       v.Get("QueueResult"),
		DequeingCall:      v.Get("DequeingCallSid"),
		RecordingStatus:   v.Get("RecordingStatus"),
		RecordingSource:   v.Get("RecordingSource"),
	}
	var p []string
	if !validSid(c.CallSid) {
		p = append(p, "CallSid")
	}
	if c.ParentCall != "" && !validSid(c.ParentCall) {
		p = append(p, "ParentCallSid")
	}
	if c.DequeingCall != "" && !validSid(c.DequeingCall) {
		p = append(p, "DequeingCallSid")
	}
	if c.RecordingSid != "" && !validSid(c.RecordingSid) {
		p = append(p, "RecordingSid")
	}
	if len(c.Digits) > maxDigits || strings.Trim(c.Digits, "0123456789*#") != "" {
		p = append(p, "Digits")
	}
	if c.RecordingURL != "" {
		// It is kept as a message field, which the envelope bounds.
		if u, err := url.Parse(c.RecordingURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			len(c.RecordingURL) > maxRecordingURLBytes {
			p = append(p, "RecordingUrl")
		}
	}
	switch c.RecordingStatus {
	case "", recordingInProgress, recordingCompleted, recordingAbsent, recordingFailed:
	default:
		p = append(p, "RecordingStatus")
	}
	if len(c.RecordingSource) > maxSidBytes || strings.Trim(c.RecordingSource, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		p = append(p, "RecordingSource")
	}
	switch v.Get("RecordingChannels") {
	case "":
	case "1":
		c.RecordingChannels = 1
	case "2":
		c.RecordingChannels = 2
	default:
		p = append(p, "RecordingChannels")
	}
	num := func(name string, dst *int) {
		s := v.Get(name)
		if s == "" {
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > maxDurationSec {
			p = append(p, name)
			return
		}
		*dst = n
	}
	num("RecordingDuration", &c.RecordingDuration)
	num("CallDuration", &c.CallDuration)
	num("QueuePosition", &c.QueuePosition)
	if len(p) > 0 {
		return Call{}, fmt.Errorf("%w: %s", errBadRequest, strings.Join(p, ", "))
	}
	return c, nil
}

// validSid accepts Twilio's SIDs (two letters and 32 hex digits) and the
// UUID-style ids of compatible providers, nothing that could smuggle a
// separator into a provider message id.
func validSid(s string) bool {
	if s == "" || len(s) > maxSidBytes {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
