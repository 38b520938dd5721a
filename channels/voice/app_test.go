package voice_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tanggap/channels/voice"
	"tanggap/channels/voice/voicetest"
	"tanggap/internal/apptest"
	"tanggap/internal/config"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
)

// Whole calls through the HTTP endpoints of the real app, on the
// configured backends, with a stand-in for the provider's REST API.

const (
	public  = "https://tanggap.example"
	token   = "token-rahasia-uji"
	account = "AC0123456789abcdef0123456789abcdef"
	ours    = "+628001500123"
)

type callCenter struct {
	t      *testing.T
	base   string
	agent  *apptest.Client
	twilio *voicetest.FakeTwilio
}

func start(t *testing.T) *callCenter {
	t.Helper()
	return startWith(t, func(*config.Config) {})
}

// startWith starts the app with the test's changes to its configuration.
func startWith(t *testing.T, change func(*config.Config)) *callCenter {
	t.Helper()
	cfg := apptest.Config(t)
	fake := voicetest.NewFakeTwilio(t, account, token)
	cfg.PublicURL = public
	cfg.Voice = config.Voice{TwilioAuthToken: token, TwilioAccountSID: account, TwilioAPIBaseURL: fake.Server.URL, TwilioCallerID: ours,
		CallbackTargets: []string{"+62", "sip:pbx.example.id"}}
	change(&cfg)
	a := apptest.Start(t, cfg)
	c := apptest.NewClient(t, a.URL())
	c.Login(apptest.AdminEmail, apptest.AdminPassword)
	return &callCenter{t: t, base: a.URL(), agent: c, twilio: fake}
}

// call is a new inbound call from caller.
func (cc *callCenter) call(caller string) *voicetest.Phone {
	return &voicetest.Phone{T: cc.t, Server: cc.base, Public: public, Token: token, Account: account,
		CallSid: voicetest.NewCallSid(), From: caller, To: ours, Language: "id-ID"}
}

// voiceTicket waits for the caller's voice ticket to hold a message
// satisfying ok, and returns the ticket.
func (cc *callCenter) voiceTicket(phone string, ok func(ticket.Detail) error) ticket.Detail {
	cc.t.Helper()
	var found ticket.Detail
	testenv.CheckFor(cc.t, 20*time.Second, 50*time.Millisecond, func() error {
		var list struct {
			Tickets []ticket.Summary `json:"tickets"`
		}
		res := cc.agent.Do(http.MethodGet, "/api/v1/tickets?scope=all&status=all", nil)
		if res.Status != 200 {
			return fmt.Errorf("list: %d", res.Status)
		}
		res.JSON(cc.t, &list)
		var last error = errors.New("no voice ticket yet")
		for _, s := range list.Tickets {
			if s.Channel != "voice" {
				continue
			}
			var d ticket.Detail
			cc.agent.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", s.ID), nil).JSON(cc.t, &d)
			if d.Contact.Phone != phone {
				continue
			}
			if last = ok(d); last == nil {
				found = d
				return nil
			}
		}
		return last
	})
	return found
}

// message finds the message of kind on a ticket.
func message(d ticket.Detail, kind string) (ticket.Message, error) {
	for _, m := range d.Messages {
		if m.Fields["kind"] == kind {
			return m, nil
		}
	}
	return ticket.Message{}, fmt.Errorf("no %s message among %d", kind, len(d.Messages))
}

// recordedWithAudio waits for a ticket holding a message of kind with its
// audio fetched, and the call's record.
func recordedWithAudio(kind string) func(ticket.Detail) error {
	return func(d ticket.Detail) error {
		m, err := message(d, kind)
		if err != nil {
			return err
		}
		if len(m.Attachments) != 1 {
			return errors.New("no audio yet")
		}
		_, err = message(d, "call_record")
		return err
	}
}

func hears(t *testing.T, a voicetest.Answer, want string) {
	t.Helper()
	if a.Status != 200 {
		t.Fatalf("status %d: %s", a.Status, a.Body)
	}
	if !strings.Contains(a.Doc.AllText(), want) {
		t.Fatalf("caller does not hear %q; hears: %s", want, a.Doc.AllText())
	}
}

func stats(cc *callCenter) voice.Stats {
	var st voice.Stats
	res := cc.agent.Do(http.MethodGet, "/api/v1/voice/stats?since="+url.QueryEscape(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)), nil)
	if res.Status != 200 {
		cc.t.Fatalf("stats: %d %s", res.Status, res.Body)
	}
	res.JSON(cc.t, &st)
	return st
}

// complaint files a complaint on the form from phone and waits until the
// core has stored it.
func complaint(cc *callCenter, phone string) string {
	cc.t.Helper()
	tn := cc.agent.Complaint(map[string]string{"name": "Siti Rahma", "phone": phone, "category": "insentif",
		"description": "Insentif bulan kedua belum masuk ke rekening saya."})
	testenv.CheckFor(cc.t, 20*time.Second, 50*time.Millisecond, func() error {
		if res := cc.agent.Do(http.MethodGet, "/api/v1/complaints/"+tn+"?contact="+url.QueryEscape(phone), nil); res.Status != 200 {
			return fmt.Errorf("lookup: %d", res.Status)
		}
		return nil
	})
	return tn
}

func TestCallSelfServiceStatus(t *testing.T) {
	cc := start(t)
	tn := complaint(cc, "081311112222")
	p := cc.call("+6281311112222")
	menu := p.Incoming()
	hears(t, menu, "Selamat datang")
	ask := p.Press(menu.Doc, "1")
	hears(t, ask, "enam belas digit")
	if g := ask.Doc.Find("Gather"); g.Attrs["numDigits"] != "16" || g.Attrs["finishOnKey"] != "#" {
		t.Fatalf("gather: %v", g.Attrs)
	}
	status := p.Press(ask.Doc, strings.ReplaceAll(tn, "-", "")+"#")
	hears(t, status, "adalah: Diterima")
	hears(t, status, strings.Join(strings.Split(tn[:4], ""), " "))
	p.Hangup("completed", 48)
	d := cc.voiceTicket("+6281311112222", func(d ticket.Detail) error {
		_, err := message(d, "call_record")
		return err
	})
	m, _ := message(d, "call_record")
	if m.Fields["call_outcome"] != voice.OutcomeSelfService || m.Fields["call_duration"] != "48" || m.Fields["ivr_path"] != "main>status" {
		t.Fatalf("call record: %+v", m)
	}
	if st := stats(cc); st.ByOutcome[voice.OutcomeSelfService] != 1 || st.Abandoned != 0 {
		t.Fatalf("stats: %+v", st)
	}
}

func TestCallInvalidInputThenSuccess(t *testing.T) {
	cc := start(t)
	tn := complaint(cc, "+6281322223333")
	digits := strings.ReplaceAll(tn, "-", "")
	p := cc.call("+6281322223333")
	menu := p.Incoming()
	wrong := p.Press(menu.Doc, "7")
	hears(t, wrong, "pilihan tidak valid")
	silent := p.Silence(wrong.Doc)
	hears(t, silent, "tidak menerima pilihan")
	ask := p.Press(silent.Doc, "1")
	// One digit mistyped: the check digit catches it before any lookup.
	typo := []byte(digits)
	typo[5] = '0' + (typo[5]-'0'+1)%10
	bad := p.Press(ask.Doc, string(typo))
	hears(t, bad, "tidak valid")
	// Another caller's number does not open this ticket.
	other := cc.call("+6281399990000")
	otherAsk := other.Press(other.Incoming().Doc, "1")
	hears(t, other.Press(otherAsk.Doc, digits), "tidak ditemukan")
	ok := p.Press(bad.Doc, digits)
	hears(t, ok, "Diterima")
	// Back in the main menu: 9 repeats it.
	hears(t, p.Press(ok.Doc, "9"), "cek status")
}

func TestCallVoicemail(t *testing.T) {
	cc := start(t)
	cc.twilio.FailRecordings.Store(1) // the first download fails, the retry works
	p := cc.call("0813-4444-5555")
	rec := p.Press(p.Incoming().Doc, "3")
	hears(t, rec, "setelah nada")
	params := url.Values{"RecordingUrl": {cc.twilio.RecordingURL("RE0123456789abcdef0123456789abcdef")},
		"RecordingSid": {"RE0123456789abcdef0123456789abcdef"}, "RecordingDuration": {"23"}, "Digits": {"#"}}
	hears(t, p.Follow(rec.Doc, "Record", params), "sudah kami terima")
	p.Follow(rec.Doc, "Record", params) // the provider's retry
	p.Hangup("completed", 41)
	p.Hangup("completed", 41) // and of the status callback
	d := cc.voiceTicket("+6281344445555", recordedWithAudio("voicemail"))
	vm, _ := message(d, "voicemail")
	if vm.Fields["call_duration"] != "23" || vm.Fields["ivr_path"] != "main>voicemail" || vm.Attachments[0].MIME != "audio/wave" {
		t.Fatalf("voicemail: %+v", vm)
	}
	// The agent plays it.
	res := cc.agent.Do(http.MethodGet, fmt.Sprintf("/api/v1/attachments/%d", vm.Attachments[0].ID), nil)
	if res.Status != 200 || !bytes.Equal(res.Body, voicetest.WAV()) {
		t.Fatalf("recording: %d, %d bytes", res.Status, len(res.Body))
	}
	rec2, _ := message(d, "call_record")
	if rec2.Fields["call_outcome"] != voice.OutcomeVoicemail {
		t.Fatalf("call record: %+v", rec2)
	}
	count := 0
	for _, m := range d.Messages {
		if m.Direction == "in" {
			count++
		}
	}
	if count != 2 {
		t.Fatalf("retries recorded twice: %d messages", count)
	}
}

// TestCallersAreSentTheirTrackingNumber: callers hang up without a
// tracking number, which the status menu and the status page ask for.
// With SMS on, a caller whose voicemail or callback request lands on a
// ticket (one it opened, or the one their transfer to a busy line opened)
// is sent one text naming its number, listed among the ticket's
// notifications; the provider's retries send no second one.
func TestCallersAreSentTheirTrackingNumber(t *testing.T) {
	cc := startWith(t, func(c *config.Config) { c.Notify.TwilioSMSFrom = "+62215550100" })
	vm := cc.call("0813-4444-6666")
	rec := vm.Press(vm.Incoming().Doc, "3")
	params := url.Values{"RecordingUrl": {cc.twilio.RecordingURL("RE1123456789abcdef0123456789abcdef")},
		"RecordingSid": {"RE1123456789abcdef0123456789abcdef"}, "RecordingDuration": {"12"}, "Digits": {"#"}}
	vm.Follow(rec.Doc, "Record", params)
	vm.Follow(rec.Doc, "Record", params) // the provider's retry
	vm.Hangup("completed", 30)
	cb := cc.call("+6281355557777")
	hears(t, cb.Press(cb.Incoming().Doc, "4"), "urutan ke 1")
	cb.Hangup("completed", 15)
	// No agent took this caller: the transfer opened the ticket, the
	// voicemail left after it lands on it.
	busy := cc.call("+6281366668888")
	tr := busy.Press(busy.Incoming().Doc, "0")
	offer := busy.Follow(tr.Doc, "Enqueue", url.Values{"QueueResult": {"leave"}, "QueueTime": {"60"}})
	hears(t, offer, "belum dapat menjawab")
	brec := busy.Press(offer.Doc, "1")
	busy.Follow(brec.Doc, "Record", url.Values{"RecordingUrl": {cc.twilio.RecordingURL("RE2123456789abcdef0123456789abcdef")},
		"RecordingSid": {"RE2123456789abcdef0123456789abcdef"}, "RecordingDuration": {"8"}, "Digits": {"#"}})
	busy.Hangup("completed", 90)

	for phone, kind := range map[string]string{"+6281344446666": "voicemail", "+6281355557777": "callback_request", "+6281366668888": "voicemail"} {
		d := cc.voiceTicket(phone, func(d ticket.Detail) error { _, err := message(d, kind); return err })
		testenv.CheckFor(t, 20*time.Second, 50*time.Millisecond, func() error {
			var got struct {
				Notifications []struct {
					Route, Kind, Status string
				} `json:"notifications"`
			}
			cc.agent.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/notifications", d.ID), nil).JSON(t, &got)
			if n := got.Notifications; len(n) != 1 || n[0].Route != "sms" || n[0].Kind != "received" || n[0].Status != "sent" {
				return fmt.Errorf("%s: notifications %+v", phone, n)
			}
			return nil
		})
		var texts []string
		for _, m := range cc.twilio.SMS() {
			if m.Get("To") == phone && m.Get("From") == "+62215550100" {
				texts = append(texts, m.Get("Body"))
			}
		}
		if len(texts) != 1 || d.TrackingNumber == "" || !strings.Contains(texts[0], "Nomor pelacakan tiket Anda: "+d.TrackingNumber+".") ||
			!strings.Contains(texts[0], public+"/pengaduan/status/link/") {
			t.Fatalf("SMS to %s: %q, want one with %s and a status link", phone, texts, d.TrackingNumber)
		}
	}
}

func TestCallCallback(t *testing.T) {
	cc := start(t)
	// Someone else asked first: the caller is second in line.
	first := cc.call("+6281200000001")
	hears(t, first.Press(first.Incoming().Doc, "4"), "urutan ke 1")
	p := cc.call("+6281355556666")
	confirm := p.Press(p.Incoming().Doc, "4")
	hears(t, confirm, "urutan ke 2")
	// Asking again keeps the place.
	again := cc.call("+6281355556666")
	hears(t, again.Press(again.Incoming().Doc, "4"), "urutan ke 2")
	p.Hangup("completed", 20)
	d := cc.voiceTicket("+6281355556666", func(d ticket.Detail) error {
		_, err := message(d, "callback_request")
		return err
	})
	if d.Queue != "Callback" {
		t.Fatalf("ticket waits in queue %q", d.Queue)
	}

	// The agent calls back: the provider is asked for a call.
	res := cc.agent.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/callback", d.ID), map[string]string{"to": "+6221555000111"})
	if res.Status != http.StatusAccepted {
		t.Fatalf("call back: %d %s", res.Status, res.Body)
	}
	// A second press while the call is ringing is refused.
	if res := cc.agent.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/callback", d.ID), nil); res.Status != http.StatusConflict {
		t.Fatalf("second call back: %d %s", res.Status, res.Body)
	}
	calls, sids := cc.twilio.Calls()
	if len(calls) != 1 || calls[0].Get("To") != "+6281355556666" || calls[0].Get("From") != ours ||
		!strings.HasPrefix(calls[0].Get("Url"), public+"/webhooks/voice/callback-answer") ||
		!strings.HasPrefix(calls[0].Get("StatusCallback"), public+"/webhooks/voice/status") {
		t.Fatalf("REST calls: %v", calls)
	}
	out := &voicetest.Phone{T: t, Server: cc.base, Public: public, Token: token, Account: account,
		CallSid: sids[0], From: ours, To: "+6281355556666", Direction: "outbound-api"}
	// Nobody answers: the request goes back in line at its place.
	out.Post(calls[0].Get("StatusCallback"), url.Values{"CallStatus": {"no-answer"}, "CallDuration": {"0"}})
	var line struct {
		Callbacks []voice.Callback `json:"callbacks"`
	}
	cc.agent.Do(http.MethodGet, "/api/v1/voice/callbacks", nil).JSON(t, &line)
	if len(line.Callbacks) != 2 || line.Callbacks[1].Phone != "+6281355556666" || line.Callbacks[1].Status != "waiting" ||
		line.Callbacks[1].Attempts != 1 || line.Callbacks[1].LastOutcome != "no-answer" {
		t.Fatalf("line after no answer: %+v", line.Callbacks)
	}
	// Second try: answered and put through to the agent.
	if res := cc.agent.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/callback", d.ID), map[string]string{"to": "sip:agen1@pbx.example.id"}); res.Status != http.StatusAccepted {
		t.Fatalf("call back again: %d %s", res.Status, res.Body)
	}
	calls, sids = cc.twilio.Calls()
	out.CallSid = sids[1]
	greet := out.Post(calls[1].Get("Url"), url.Values{"CallStatus": {"in-progress"}})
	hears(t, greet, "panggilan balik")
	if dial := greet.Doc.Find("Dial"); dial == nil || dial.Children[0].Name != "Sip" || dial.Children[0].Text != "sip:agen1@pbx.example.id" {
		t.Fatalf("answered callback: %s", greet.Body)
	}
	out.Post(calls[1].Get("StatusCallback"), url.Values{"CallStatus": {"completed"}, "CallDuration": {"184"}})
	d = cc.voiceTicket("+6281355556666", func(d ticket.Detail) error {
		n := 0
		for _, m := range d.Messages {
			if m.Fields["kind"] == "callback_call" {
				n++
			}
		}
		if n != 2 {
			return fmt.Errorf("%d callback outcomes", n)
		}
		return nil
	})
	cc.agent.Do(http.MethodGet, "/api/v1/voice/callbacks", nil).JSON(t, &line)
	if len(line.Callbacks) != 1 || line.Callbacks[0].Phone != "+6281200000001" {
		t.Fatalf("line after the callback: %+v", line.Callbacks)
	}
	// A provider refusal leaves the request in line and tells the agent.
	cc.twilio.RejectCalls.Store(true)
	var firstTicket ticket.Detail
	p.Hangup("completed", 1)
	firstTicket = cc.voiceTicket("+6281200000001", func(d ticket.Detail) error { _, err := message(d, "callback_request"); return err })
	if res := cc.agent.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/callback", firstTicket.ID), nil); res.Status != http.StatusBadGateway {
		t.Fatalf("refused call: %d %s", res.Status, res.Body)
	}
	cc.agent.Do(http.MethodGet, "/api/v1/voice/callbacks", nil).JSON(t, &line)
	if len(line.Callbacks) != 1 || line.Callbacks[0].Status != "waiting" {
		t.Fatalf("line after a refused call: %+v", line.Callbacks)
	}
	if st := stats(cc); st.ByOutcome[voice.OutcomeCallback] < 2 || st.Outbound != 2 || st.CallbacksWaiting != 1 {
		t.Fatalf("stats: %+v", st)
	}
}

func TestCallTransferInHours(t *testing.T) {
	cc := start(t)
	p := cc.call("+6281366667777")
	tr := p.Press(p.Incoming().Doc, "0")
	hears(t, tr, "dihubungkan dengan petugas")
	enq := tr.Doc.Find("Enqueue")
	if enq == nil || strings.TrimSpace(enq.Text) != "antrean-umum" || enq.Attrs["waitUrl"] == "" {
		t.Fatalf("transfer: %s", tr.Body)
	}
	hold := p.Post(enq.Attrs["waitUrl"], url.Values{"QueuePosition": {"3"}, "QueueSid": {"QU0123456789abcdef0123456789abcdef"},
		"QueueTime": {"12"}, "AvgQueueTime": {"40"}, "CurrentQueueSize": {"3"}})
	hears(t, hold, "antrean ke 3")
	// An agent takes the caller: the agents' dequeue runs our URL on the
	// caller's call before the bridge.
	if a := p.Post("/webhooks/voice/bridged", nil); a.Status != 200 || len(a.Doc.Children) != 0 {
		t.Fatalf("bridge: %d %s", a.Status, a.Body)
	}
	// The status callback may come before the Enqueue action.
	p.Hangup("completed", 300)
	// The caller's ticket is stored before the agent's leg ends (the
	// transfer record came with the key press): the caller is then asked
	// the keypad survey (csat_test.go), which this caller does not answer.
	cc.voiceTicket("+6281366667777", func(d ticket.Detail) error { _, err := message(d, "transfer"); return err })
	done := p.Follow(tr.Doc, "Enqueue", url.Values{"QueueResult": {"bridged"}, "QueueTime": {"95"}})
	if done.Doc.Find("Gather") == nil {
		t.Fatalf("after the agent: %s", done.Body)
	}
	if bye := p.Silence(p.Silence(p.Silence(done.Doc).Doc).Doc); bye.Doc.Find("Hangup") == nil {
		t.Fatalf("unanswered survey: %s", bye.Body)
	}
	d := cc.voiceTicket("+6281366667777", func(d ticket.Detail) error {
		_, err := message(d, "call_record")
		return err
	})
	if d.Queue != "Umum" {
		t.Fatalf("queue %q", d.Queue)
	}
	m, _ := message(d, "call_record")
	if m.Fields["call_outcome"] != voice.OutcomeAnswered || m.Fields["ivr_path"] != "main>agent" {
		t.Fatalf("call record: %+v", m)
	}
}

func TestCallHangUpMidway(t *testing.T) {
	cc := start(t)
	p := cc.call("+6281377778888")
	info := p.Press(p.Incoming().Doc, "2")
	hears(t, info, "Informasi pendaftaran")
	hears(t, p.Press(info.Doc, "1"), "situs resmi program")
	// The caller hangs up while listening.
	p.Hangup("completed", 12)
	d := cc.voiceTicket("+6281377778888", func(d ticket.Detail) error {
		_, err := message(d, "call_record")
		return err
	})
	m, _ := message(d, "call_record")
	if m.Fields["call_outcome"] != voice.OutcomeAbandoned || m.Fields["ivr_path"] != "main>info" || m.Fields["call_duration"] != "12" {
		t.Fatalf("call record: %+v", m)
	}
	// A caller hanging up in the queue is abandoned too.
	q := cc.call("+6281377778888")
	tr := q.Press(q.Incoming().Doc, "0")
	if a := q.Follow(tr.Doc, "Enqueue", url.Values{"QueueResult": {"hangup"}}); a.Doc.Find("Hangup") == nil {
		t.Fatalf("queue hangup: %s", a.Body)
	}
	q.Hangup("completed", 70)
	testenv.CheckFor(t, 10*time.Second, 50*time.Millisecond, func() error {
		if st := stats(cc); st.Abandoned != 2 || st.Inbound != 2 {
			return fmt.Errorf("stats: %+v", st)
		}
		return nil
	})
	// Agents cannot read the counts; supervisors can.
	anon := apptest.NewClient(t, cc.base)
	if res := anon.Do(http.MethodGet, "/api/v1/voice/stats", nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("anonymous stats: %d", res.Status)
	}
}

func TestATransferredCallIsRecordedOnTheCallersTicket(t *testing.T) {
	menu := filepath.Join(t.TempDir(), "menu.yaml")
	if err := os.WriteFile(menu, bytes.Replace(voice.DefaultMenu, []byte("enqueue: antrean-umum"), []byte(`dial: "+6221555000111"`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	cc := startWith(t, func(c *config.Config) { c.Voice.IVRMenuFile = menu })
	p := cc.call("+6281388889999")
	tr := p.Press(p.Incoming().Doc, "0")
	hears(t, tr, "dihubungkan dengan petugas")
	dial := tr.Doc.Find("Dial")
	if dial == nil || dial.Attrs["record"] != "record-from-answer-dual" || dial.Attrs["recordingStatusCallback"] != public+"/webhooks/voice/call-recording" {
		t.Fatalf("transfer: %s", tr.Body)
	}
	// The provider's recording status callback: the recording's
	// parameters only, no caller.
	cb := dial.Attrs["recordingStatusCallback"]
	sid := voicetest.NewSid("RE")
	params := url.Values{"AccountSid": {account}, "CallSid": {p.CallSid}, "RecordingSid": {sid}, "RecordingUrl": {cc.twilio.RecordingURL(sid)},
		"RecordingStatus": {"completed"}, "RecordingDuration": {"95"}, "RecordingChannels": {"2"}, "RecordingSource": {"DialVerb"}}
	if a := p.Send(cb, params, "x"+voicetest.Sign(token, cb, params)); a.Status != http.StatusForbidden {
		t.Fatalf("bad signature: %d", a.Status)
	}
	for range 2 { // the provider's retry records nothing twice
		if a := p.Send(cb, params, voicetest.Sign(token, cb, params)); a.Status != http.StatusNoContent {
			t.Fatalf("recording callback: %d %s", a.Status, a.Body)
		}
	}
	p.Follow(tr.Doc, "Dial", url.Values{"DialCallStatus": {"completed"}, "DialCallDuration": {"95"}})
	p.Hangup("completed", 110)
	d := cc.voiceTicket("+6281388889999", recordedWithAudio("call_recording"))
	n := 0
	for _, m := range d.Messages {
		if m.Fields["kind"] == "call_recording" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d call recordings on the ticket", n)
	}
	rec, _ := message(d, "call_recording")
	if rec.Fields["call_duration"] != "95" || !strings.Contains(rec.Body, "95 detik") {
		t.Fatalf("call recording: %+v", rec)
	}
	// The agent plays it.
	res := cc.agent.Do(http.MethodGet, fmt.Sprintf("/api/v1/attachments/%d", rec.Attachments[0].ID), nil)
	if res.Status != 200 || !bytes.Equal(res.Body, voicetest.WAV()) {
		t.Fatalf("recording: %d, %d bytes", res.Status, len(res.Body))
	}
}
