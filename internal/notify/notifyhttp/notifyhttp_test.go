package notifyhttp

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"tanggap/channels/voice"
	"tanggap/internal/notify"
)

type applied struct {
	got []notify.TwilioStatus
	err error
}

func (a *applied) ApplyTwilioStatus(_ context.Context, st notify.TwilioStatus) error {
	a.got = append(a.got, st)
	return a.err
}

func TestTwilioStatusCallbackIsSigned(t *testing.T) {
	a := &applied{}
	app := fiber.New()
	(&Hooks{Notify: a, TwilioAuthToken: "tok", PublicURL: "https://layanan.test/"}).Mount(app)
	full := "https://layanan.test" + notify.TwilioCallbackPath
	post := func(form url.Values, sig string) int {
		req := httptest.NewRequest("POST", notify.TwilioCallbackPath, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", sig)
		resp, err := app.Test(req, 5000)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode
	}
	ok := url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"delivered"}, "AccountSid": {"AC1"}}
	bad := url.Values{"MessageSid": {"SM 1"}, "MessageStatus": {"delivered"}}
	cases := []struct {
		name string
		form url.Values
		sig  string
		want int
	}{
		{"an unsigned callback is refused", ok, "", 403},
		{"a callback signed with another token is refused", ok, voice.Signature("other", full, ok), 403},
		{"a signed callback is applied", ok, voice.Signature("tok", full, ok), 204},
		{"a signed callback that is no message status is a 400", bad, voice.Signature("tok", full, bad), 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := post(tc.form, tc.sig); got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
		})
	}
	if len(a.got) != 1 || a.got[0].MessageSID != "SM1" || a.got[0].Status != "delivered" {
		t.Fatalf("applied %+v", a.got)
	}
	// An SID that is not ours: answered, so Twilio stops retrying.
	a.err = notify.ErrUnknownMessage
	if got := post(ok, voice.Signature("tok", full, ok)); got != 204 {
		t.Fatalf("unknown sid: %d", got)
	}
}
