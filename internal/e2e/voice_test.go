package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tanggap/channels/voice/voicetest"
	"tanggap/internal/apptest"
	"tanggap/internal/config"
)

// TestBrowserPhoneTicket: a caller leaves a voicemail on the IVR; the
// agent opens the phone ticket in the console, plays the recording in
// place and presses "Telepon balik", which asks the provider for a call.
func TestBrowserPhoneTicket(t *testing.T) {
	browser := findBrowser(t)
	tx := texts(t)
	const (
		public  = "https://tanggap.example"
		token   = "token-uji-browser"
		account = "AC0123456789abcdef0123456789abcdef"
		caller  = "+6281255554444"
	)
	fake := voicetest.NewFakeTwilio(t, account, token)
	cfg := apptest.Config(t)
	cfg.PublicURL = public
	cfg.Voice = config.Voice{TwilioAuthToken: token, TwilioAccountSID: account, TwilioAPIBaseURL: fake.Server.URL, TwilioCallerID: "+628001500123",
		CallbackTargets: []string{"+62", "sip:pbx.example.id"}} // the agent rings the caller back from the PBX
	base := apptest.Start(t, cfg).URL()

	// The call, as the provider makes it.
	p := &voicetest.Phone{T: t, Server: base, Public: public, Token: token, Account: account,
		CallSid: voicetest.NewCallSid(), From: caller, To: "+628001500123"}
	rec := p.Press(p.Incoming().Doc, "3")
	p.Follow(rec.Doc, "Record", url.Values{"RecordingUrl": {fake.RecordingURL(voicetest.NewSid("RE"))}, "RecordingDuration": {"9"}})
	p.Hangup("completed", 31)

	root := newBrowser(t, browser)
	shots := newShots(t)
	agent := newTab(t, root)
	agent.signIn(t, base+"/console?lang=id-ID", apptest.AdminEmail, apptest.AdminPassword)
	agent.selectValue(t, "#scope", "all")
	agent.waitLive(t, "the phone ticket in the list", `document.querySelector('#ticket-list .ticket-item') !== null`)
	id := agent.evalString(t, `document.querySelector('#ticket-list .ticket-item').dataset.ticketId`)
	agent.clickNow(t, "open the ticket", `#ticket-list [data-ticket-id="`+id+`"]`)
	agent.do(t, "the ticket opens", chromedp.WaitVisible(chromedp.ID("ticket-detail")))
	agent.waitJS(t, "the ticket shows its channel", fmt.Sprintf(`document.getElementById('t-channel').textContent === %q`, tx("channel.voice")))
	agent.waitLive(t, "the voicemail's player", `document.querySelector('#t-messages audio') !== null`)
	if src := agent.attr(t, "#t-messages audio", "src"); !strings.HasPrefix(src, "/api/v1/attachments/") {
		t.Fatalf("audio src = %q", src)
	}
	// The browser loads the recording with the agent's session: it plays.
	agent.do(t, "load the recording", chromedp.Evaluate[chromedp.Void](
		`(() => { const a = document.querySelector('#t-messages audio'); a.preload = 'auto'; a.load(); })()`))
	agent.waitJS(t, "the recording is playable", `(a => a.readyState >= 1 && !a.error && a.duration > 0)(document.querySelector('#t-messages audio'))`)
	agent.waitJS(t, "the call record is on the ticket", fmt.Sprintf(
		`[...document.querySelectorAll('#t-messages .msg-body')].some(p => p.textContent.includes(%q))`, tx("voice.outcome.voicemail")))
	shots.take(t, agent, "10-console-phone-ticket")

	agent.waitJS(t, "the call back form", `!document.getElementById('callback-form').hidden`)
	// A phone ticket takes internal notes, never a text reply.
	agent.waitJS(t, "the box writes notes only", `document.getElementById('mode-reply').closest('label').hidden && document.getElementById('mode-note').checked && document.getElementById('attach').hidden`)
	agent.do(t, "call back",
		chromedp.SendKeys(chromedp.ID("callback-to"), "sip:agen1@pbx.example.id"),
		chromedp.Click(chromedp.ID("callback-btn")),
	)
	agent.waitJS(t, "call back started", fmt.Sprintf(`document.getElementById('ticket-live').textContent === %q`, tx("console.call_back_started")))
	calls, _ := fake.Calls()
	if len(calls) != 1 || calls[0].Get("To") != caller || !strings.Contains(calls[0].Get("Url"), "to=sip%3Aagen1%40pbx.example.id") {
		t.Fatalf("provider calls: %v", calls)
	}
	agent.checkConsole(t)
}
