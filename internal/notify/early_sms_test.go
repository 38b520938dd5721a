package notify_test

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/channels/voice"
	"tanggap/internal/notify"
	"tanggap/internal/notify/notifyhttp"
	"tanggap/internal/testenv"
)

// Twilio's status callback can come before the send has recorded the SID
// Twilio answered, and Twilio does not call again. The stand-in posts a
// signed callback to the real webhook between accepting the SMS and
// answering: it is answered 204 and still ends the SMS delivered, or
// failed with Twilio's error and handed to e-mail.
func TestTwilioStatusBeforeTheSIDIsRecorded(t *testing.T) {
	t.Parallel()
	f := notify.NewFixture(t, func(o *notify.Opts) { o.Routes = []notify.Route{notify.RouteSMS, notify.RouteEmail} })
	app := fiber.New()
	(&notifyhttp.Hooks{Notify: f.Service(), TwilioAuthToken: notify.TestTwilioToken, PublicURL: "https://layanan.test"}).Mount(app)

	var mu sync.Mutex
	codes := map[string]int{} // To -> the webhook's answer
	outcome := map[string]url.Values{
		"+6281234567881": {"MessageStatus": {"delivered"}},
		"+6281234567882": {"MessageStatus": {"undelivered"}, "ErrorCode": {"30003"}},
	}
	f.BeforeSMSAnswer(func(sid, to string) {
		form := url.Values{"MessageSid": {sid}, "AccountSid": {"AC0123456789abcdef0123456789abcdef"}, "To": {to}}
		for k, v := range outcome[to] {
			form[k] = v
		}
		req := httptest.NewRequest("POST", notify.TwilioCallbackPath, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", voice.Signature(notify.TestTwilioToken, "https://layanan.test"+notify.TwilioCallbackPath, form))
		code := 0
		if resp, err := app.Test(req, 10000); err == nil {
			code = resp.StatusCode
		}
		mu.Lock()
		codes[to] = code
		mu.Unlock()
	})
	f.Run(t)

	delivered := f.CallerReplyFailed(t, "+6281234567881", "")
	failed := f.CallerReplyFailed(t, "+6281234567882", "sari@warga.test")
	testenv.CheckFor(t, 15*time.Second, 20*time.Millisecond, func() error {
		if d := f.Deliveries(t, delivered); len(d) != 1 || d[0].Route != notify.RouteSMS || d[0].Status != notify.StatusDelivered {
			return fmt.Errorf("delivered ticket: %+v", d)
		}
		d := f.Deliveries(t, failed)
		if len(d) != 2 || d[0].Route != notify.RouteSMS || d[0].Status != notify.StatusFailed || !strings.Contains(d[0].Reason, "30003") ||
			d[1].Route != notify.RouteEmail || d[1].Status != notify.StatusSent {
			return fmt.Errorf("failed ticket: %+v", d)
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	if codes["+6281234567881"] != 204 || codes["+6281234567882"] != 204 {
		t.Fatalf("webhook answers %v, want 204 each", codes)
	}
	if f.SMSCount() != 2 || f.MailCount() != 1 {
		t.Fatalf("%d SMS and %d e-mails, want 2 and 1", f.SMSCount(), f.MailCount())
	}
}
