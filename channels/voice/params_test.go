package voice

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseCallReadsDocumentedParameters(t *testing.T) {
	v := url.Values{
		"CallSid": {"CA0123456789abcdef0123456789abcdef"}, "AccountSid": {"AC0123456789abcdef0123456789abcdef"},
		"From": {"+6281234567890"}, "To": {"+628001234567"}, "CallStatus": {"completed"}, "Direction": {"inbound"},
		"Digits": {"1234#"}, "RecordingUrl": {"https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"},
		"RecordingSid": {"RE0123456789abcdef0123456789abcdef"}, "RecordingDuration": {"14"}, "CallDuration": {"61"},
		"TranscriptionText": {" halo "}, "TranscriptionStatus": {"completed"}, "DialCallStatus": {"no-answer"},
		"QueueResult": {"bridged"}, "QueuePosition": {"3"},
	}
	c, err := parseCall(v)
	if err != nil {
		t.Fatal(err)
	}
	if c.Digits != "1234#" || c.RecordingDuration != 14 || c.CallDuration != 61 || c.QueuePosition != 3 ||
		c.TranscriptionText != "halo" || !c.TranscriptionOK || c.DialCallStatus != "no-answer" || c.Direction != "inbound" {
		t.Fatalf("%+v", c)
	}
}

func TestParseCallRefusesMalformedParameters(t *testing.T) {
	good := func() url.Values { return url.Values{"CallSid": {"CA1"}} }
	cases := map[string]func(url.Values){
		"missing CallSid":          func(v url.Values) { v.Del("CallSid") },
		"CallSid with a separator": func(v url.Values) { v.Set("CallSid", "CA1:voicemail") },
		"parent call id malformed": func(v url.Values) { v.Set("ParentCallSid", "CA 1") },
		"agent call id malformed":  func(v url.Values) { v.Set("DequeingCallSid", "CA1:x") },
		"letters as digits":        func(v url.Values) { v.Set("Digits", "12a") },
		"too many digits":          func(v url.Values) { v.Set("Digits", strings.Repeat("1", 40)) },
		"negative duration":        func(v url.Values) { v.Set("CallDuration", "-1") },
		"huge duration":            func(v url.Values) { v.Set("RecordingDuration", "99999999999") },
		"recording not http":       func(v url.Values) { v.Set("RecordingUrl", "file:///etc/passwd") },
		"recording URL too long":   func(v url.Values) { v.Set("RecordingUrl", "https://a.example/"+strings.Repeat("r", 1000)) },
		"unknown recording status": func(v url.Values) { v.Set("RecordingStatus", "done") },
		"three channels":           func(v url.Values) { v.Set("RecordingChannels", "3") },
		"recording source spaces":  func(v url.Values) { v.Set("RecordingSource", "Dial Verb") },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			v := good()
			mutate(v)
			if _, err := parseCall(v); !errors.Is(err, errBadRequest) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestDecodeFormIsStrict(t *testing.T) {
	for name, body := range map[string]string{
		"broken escape":  "CallSid=CA1&Digits=%zz",
		"semicolon":      "CallSid=CA1;Digits=1",
		"too large":      "CallSid=" + strings.Repeat("a", maxBodyBytes),
		"too many pairs": strings.Repeat("a=1&", maxParams+1),
		"invalid utf-8":  "CallSid=%ff",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := decodeForm([]byte(body)); !errors.Is(err, errBadRequest) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// FuzzDecodeForm: any body either decodes to parameters that re-encode to
// the same values, or is refused with errBadRequest; parsing the call
// never panics and accepts only well-formed ids and digits.
func FuzzDecodeForm(f *testing.F) {
	f.Add([]byte("CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212"))
	f.Add([]byte("CallSid=CA1&Digits=%23&RecordingUrl=https%3A%2F%2Fapi.twilio.com%2Fr&RecordingDuration=5"))
	f.Add([]byte("a=1&a=2&b"))
	f.Add([]byte("%"))
	f.Add([]byte("CallSid=CA1&CallDuration=9999999999999999999999"))
	f.Add([]byte("CallSid=CA1&RecordingSid=RE1&RecordingStatus=completed&RecordingChannels=2&RecordingSource=DialVerb&RecordingDuration=95"))
	f.Add([]byte("CallSid=CA1&RecordingStatus=absent&RecordingChannels=1&RecordingSource=OutboundAPI&ErrorCode=0"))
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := decodeForm(body)
		if err != nil {
			if !errors.Is(err, errBadRequest) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		again, err := url.ParseQuery(v.Encode())
		if err != nil || len(again) != len(v) {
			t.Fatalf("decoded values do not round trip: %v", err)
		}
		c, err := parseCall(v)
		if err != nil {
			if !errors.Is(err, errBadRequest) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !validSid(c.CallSid) || strings.Trim(c.Digits, "0123456789*#") != "" || c.CallDuration < 0 {
			t.Fatalf("accepted malformed call %+v", c)
		}
		switch c.RecordingStatus {
		case "", recordingInProgress, recordingCompleted, recordingAbsent, recordingFailed:
		default:
			t.Fatalf("accepted recording status %q", c.RecordingStatus)
		}
		if c.RecordingChannels < 0 || c.RecordingChannels > 2 || strings.ContainsAny(c.RecordingSource, ":/ ") ||
			(c.RecordingSid != "" && !validSid(c.RecordingSid)) || (c.DequeingCall != "" && !validSid(c.DequeingCall)) {
			t.Fatalf("accepted malformed recording %+v", c)
		}
	})
}

// The fixtures are requests as the provider sends them (documented
// parameter names, form encoding).
func TestProviderFixturesParse(t *testing.T) {
	cases := map[string]func(Call) bool{
		"incoming.form": func(c Call) bool {
			return c.Status == "ringing" && c.From == "+6281234567890" && c.Direction == "inbound"
		},
		"gather.form": func(c Call) bool { return c.Digits == "4821093755120843" },
		"record-action.form": func(c Call) bool {
			return c.RecordingDuration == 23 && strings.HasPrefix(c.RecordingURL, "https://api.twilio.com/")
		},
		"status-completed.form": func(c Call) bool { return c.Status == "completed" && c.CallDuration == 41 },
		"enqueue-wait.form":     func(c Call) bool { return c.QueuePosition == 3 },
		"recording-status.form": func(c Call) bool {
			return c.RecordingStatus == "completed" && c.RecordingDuration == 95 && c.RecordingChannels == 2 &&
				c.RecordingSource == "DialVerb" && c.RecordingSid == "RE1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a" &&
				strings.HasPrefix(c.RecordingURL, "https://api.twilio.com/")
		},
	}
	for name, ok := range cases {
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			v, err := decodeForm(body)
			if err != nil {
				t.Fatal(err)
			}
			c, err := parseCall(v)
			if err != nil || !ok(c) {
				t.Fatalf("%+v, %v", c, err)
			}
		})
	}
}
