package voice

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/nats-io/nats.go"

	"tanggap/channels"
	"tanggap/channels/voice/voicetest"
	"tanggap/internal/attachment"
	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/locale"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
)

const (
	testPublic  = "https://tanggap.example"
	testToken   = "rahasia-token-twilio"
	testAccount = "AC0123456789abcdef0123456789abcdef"
	testCaller  = "+6281234567890"
	testNumber  = "+628001500123"
)

// calendar is a business-hours answer fixed by the test.
type calendar struct {
	open  bool
	opens time.Time // when it opens again; zero: never
	err   error
}

func (c calendar) IsOpen(context.Context, string, time.Time) (bool, error) { return c.open, c.err }
func (c calendar) NextOpen(context.Context, string, time.Time) (time.Time, error) {
	return c.opens, c.err
}

// noTickets finds nothing; the app-level tests cover real lookups.
type noTickets struct{}

func (noTickets) PublicTicket(context.Context, string, string) (ticket.Public, error) {
	return ticket.Public{}, ticket.ErrNotFound
}

// rig is the adapter on its own HTTP server with a real database and bus,
// and a tap on what it publishes.
type rig struct {
	t      testing.TB
	a      *Adapter
	db     *store
	bus    *bus.Bus
	twilio *voicetest.FakeTwilio
	server string

	mu  sync.Mutex
	got []envelope.Inbound
}

func newRig(t testing.TB, hours Hours, menu *Menu) *rig {
	t.Helper()
	d := testenv.DB(t)
	b := testenv.Bus(t)
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	files, err := attachment.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if menu == nil {
		if menu, err = LoadMenu(""); err != nil {
			t.Fatal(err)
		}
	}
	r := &rig{t: t, bus: b}
	log := testenv.Logger(t)
	if _, fuzzing := t.(*testing.F); fuzzing {
		// The fuzz target may not log through f.
		log = slog.New(slog.DiscardHandler)
	}
	r.twilio = voicetest.NewFakeTwilio(t, testAccount, testToken)
	r.a = New(Opts{
		DB: d, Bus: b, Tickets: noTickets{}, Hours: hours, Attachments: files, Texts: cat, Menu: menu,
		Provider:  Provider{AccountSID: testAccount, AuthToken: testToken, APIBaseURL: r.twilio.Server.URL, CallerID: testNumber},
		PublicURL: testPublic, Log: log,
		RecordingBackoff: func(int) time.Duration { return 10 * time.Millisecond },
	})
	r.db = r.a.store
	sub, err := b.NC.Subscribe(b.Names.Inbound(domain.ChannelVoice), func(m *nats.Msg) {
		in, err := envelope.DecodeInbound(m.Data)
		if err != nil {
			t.Errorf("published envelope invalid: %v", err)
			return
		}
		r.mu.Lock()
		r.got = append(r.got, in)
		r.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Unsubscribe() })
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	r.a.Mount(app)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })
	r.server = "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.a.RunRecordings(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("recordings: %v", err)
		}
	})
	return r
}

func (r *rig) phone() *voicetest.Phone {
	return &voicetest.Phone{T: r.t, Server: r.server, Public: testPublic, Token: testToken, Account: testAccount,
		CallSid: voicetest.NewCallSid(), From: "081234567890", To: testNumber, Language: "id-ID"}
}

// published waits for the record of step of a call.
func (r *rig) published(callSid, step string) envelope.Inbound {
	r.t.Helper()
	var in envelope.Inbound
	testenv.CheckFor(r.t, 10*time.Second, 10*time.Millisecond, func() error {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, m := range r.got {
			if m.ProviderMessageID == callSid+":"+step {
				in = m
				return nil
			}
		}
		return errors.New("not published yet")
	})
	return in
}

func (r *rig) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func says(t *testing.T, a voicetest.Answer, want string) {
	t.Helper()
	if a.Status != 200 {
		t.Fatalf("status %d: %s", a.Status, a.Body)
	}
	if !strings.Contains(a.Doc.AllText(), want) {
		t.Fatalf("caller does not hear %q; hears: %s", want, a.Doc.AllText())
	}
}

func TestWebhooksRefuseRequestsNotSignedByTheProvider(t *testing.T) {
	r := newRig(t, calendar{open: true}, nil)
	p := r.phone()
	params := url.Values{"CallSid": {p.CallSid}, "From": {testCaller}, "To": {testNumber}, "CallStatus": {"ringing"}}
	incoming := testPublic + "/webhooks/voice/incoming"
	cases := map[string]string{
		"missing signature":          "",
		"signed with another token":  voicetest.Sign("other", incoming, params),
		"signed for another URL":     voicetest.Sign(testToken, testPublic+"/webhooks/voice/status", params),
		"signature of other digits":  voicetest.Sign(testToken, incoming, url.Values{"CallSid": {p.CallSid}}),
		"not base64 at all":          "%%%",
		"documented example's value": docSignature,
	}
	for name, sig := range cases {
		t.Run(name, func(t *testing.T) {
			a := p.Send(incoming, params, sig)
			if a.Status != 403 {
				t.Fatalf("status %d", a.Status)
			}
		})
	}
	// A status callback with a bad signature records nothing either.
	st := url.Values{"CallSid": {p.CallSid}, "From": {testCaller}, "CallStatus": {"completed"}, "CallDuration": {"9"}}
	if a := p.Send(testPublic+"/webhooks/voice/status", st, "x"+voicetest.Sign(testToken, testPublic+"/webhooks/voice/status", st)); a.Status != 403 {
		t.Fatalf("status callback: %d", a.Status)
	}
	if _, err := r.db.call(context.Background(), p.CallSid); !errors.Is(err, errCallNotFound) {
		t.Fatalf("a refused call was recorded: %v", err)
	}
	if n := r.count(); n != 0 {
		t.Fatalf("%d messages published for refused requests", n)
	}
}

func TestBadInputGetsTheSafeAnswer(t *testing.T) {
	r := newRig(t, calendar{open: true}, nil)
	p := r.phone()
	for name, extra := range map[string]url.Values{
		"no call id":       {"CallSid": {""}},
		"call id with ':'": {"CallSid": {"CA1:x"}},
		"letters as keys":  {"Digits": {"abc"}},
		"bad duration":     {"RecordingDuration": {"lama"}},
	} {
		t.Run(name, func(t *testing.T) {
			a := p.Post("/webhooks/voice/menu?node=main&try=0", extra)
			says(t, a, "terjadi gangguan")
			if last := a.Doc.Children[len(a.Doc.Children)-1]; last.Name != "Hangup" {
				t.Fatalf("safe answer does not hang up: %s", a.Body)
			}
		})
	}
	// A recording step without a recording, an unknown menu node, a
	// nonsense retry counter: still TwiML, never an error status.
	says(t, p.Post("/webhooks/voice/recorded", nil), "terjadi gangguan")
	says(t, p.Post("/webhooks/voice/menu?node=nowhere&try=x", url.Values{"Digits": {"9"}}), "cek status")
}

func TestAfterHoursOffersVoicemailOrCallback(t *testing.T) {
	// Three days on whatever the hour: a weekday, at a whole hour.
	jkt, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	opens := time.Now().In(jkt).Add(72 * time.Hour).Truncate(time.Hour)
	days := [7]string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}
	for name, tc := range map[string]struct {
		hours calendar
		back  string // the offer says agents are back ...
	}{
		"closed calendar":  {calendar{opens: opens}, fmt.Sprintf("%s pukul %02d.00 WIB", days[opens.Weekday()], opens.Hour())},
		"closed for good":  {calendar{}, "pada jam layanan berikutnya"},
		"calendar unknown": {calendar{err: errors.New("calendar down")}, "pada jam layanan berikutnya"},
	} {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, tc.hours, nil)
			p := r.phone()
			menu := p.Incoming()
			says(t, menu, "Selamat datang")
			p.Incoming() // the provider's retry starts nothing twice
			offer := p.Press(menu.Doc, "0")
			says(t, offer, "di luar jam layanan petugas. Petugas kembali melayani "+tc.back+". Tekan 1")
			if offer.Doc.Find("Dial") != nil || offer.Doc.Find("Enqueue") != nil {
				t.Fatal("transferred outside business hours")
			}
			// 7 is not on offer, then 2 asks for a callback.
			again := p.Press(offer.Doc, "7")
			says(t, again, "pilihan tidak valid")
			done := p.Press(again.Doc, "2")
			says(t, done, "urutan ke 1")
			in := r.published(p.CallSid, "callback")
			if in.Fields[envelope.FieldQueue] != "callback" || in.Fields[envelope.FieldKind] != string(domain.KindCallbackRequest) ||
				in.Sender.Phone != testCaller || in.Fields[envelope.FieldIVRPath] != "main>after_hours>callback" {
				t.Fatalf("callback record: %+v", in)
			}
			if c, _ := r.db.call(context.Background(), p.CallSid); c.Outcome != OutcomeCallback {
				t.Fatalf("outcome %q", c.Outcome)
			}
			// The other choice of the offer records a voicemail.
			p2 := r.phone()
			rec := p2.Press(p2.Press(p2.Incoming().Doc, "0").Doc, "1")
			if rec.Doc.Find("Record") == nil {
				t.Fatalf("no <Record>: %s", rec.Body)
			}
		})
	}
}

func TestAgentsBusyFallsBackToVoicemailOrCallback(t *testing.T) {
	m, err := ParseMenu([]byte(strings.Replace(string(DefaultMenu), "enqueue: antrean-umum", `dial: "sip:antrean@pbx.example.id"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, calendar{open: true}, m)
	p := r.phone()
	tr := p.Press(p.Incoming().Doc, "0")
	says(t, tr, "dihubungkan dengan petugas")
	d := tr.Doc.Find("Dial")
	if d == nil || d.Children[0].Name != "Sip" || d.Attrs["timeout"] != "30" {
		t.Fatalf("dial: %s", tr.Body)
	}
	if in := r.published(p.CallSid, "agent"); in.Fields[envelope.FieldQueue] != "umum" || in.Fields[envelope.FieldKind] != string(domain.KindTransfer) {
		t.Fatalf("transfer record: %+v", in)
	}
	busy := p.Follow(tr.Doc, "Dial", url.Values{"DialCallStatus": {"no-answer"}})
	says(t, busy, "belum dapat menjawab")
	rec := p.Press(busy.Doc, "1")
	if rec.Doc.Find("Record") == nil {
		t.Fatalf("no voicemail offered: %s", rec.Body)
	}
}

func TestVoicemailIsKeptWhenItsAudioCannotBeFetched(t *testing.T) {
	r := newRig(t, calendar{open: true}, nil)
	r.twilio.FailRecordings.Store(-1)
	p := r.phone()
	rec := p.Press(p.Incoming().Doc, "3")
	url1 := r.twilio.RecordingURL(voicetest.NewSid("RE"))
	done := p.Follow(rec.Doc, "Record", url.Values{"RecordingUrl": {url1}, "RecordingDuration": {"17"}, "RecordingSid": {voicetest.NewSid("RE")}})
	says(t, done, "sudah kami terima")
	in := r.published(p.CallSid, "voicemail")
	if len(in.Attachments) != 0 || !strings.Contains(in.Text, url1) || in.Fields[envelope.FieldRecordingURL] != url1 ||
		in.Fields[envelope.FieldCallDuration] != "17" || in.Fields[envelope.FieldIVRPath] != "main>voicemail" {
		t.Fatalf("voicemail without audio: %+v", in)
	}
}

func TestVoicemailAudioIsFetchedAfterARetry(t *testing.T) {
	r := newRig(t, calendar{open: true}, nil)
	r.twilio.FailRecordings.Store(2)
	p := r.phone()
	rec := p.Press(p.Incoming().Doc, "3")
	if g := rec.Doc.Find("Record"); g.Attrs["maxLength"] != "120" || g.Attrs["finishOnKey"] != "#" || g.Attrs["playBeep"] != "true" {
		t.Fatalf("record: %s", rec.Body)
	}
	params := url.Values{"RecordingUrl": {r.twilio.RecordingURL("RE1")}, "RecordingDuration": {"5"}, "RecordingSid": {"RE1"}}
	p.Follow(rec.Doc, "Record", params)
	// The provider retries the action: one voicemail all the same.
	p.Follow(rec.Doc, "Record", params)
	in := r.published(p.CallSid, "voicemail")
	if len(in.Attachments) != 1 || in.Attachments[0].MIME != "audio/wave" || in.Attachments[0].Size != int64(len(voicetest.WAV())) {
		t.Fatalf("voicemail: %+v", in)
	}
	f, err := r.a.o.Attachments.Open(context.Background(), in.Attachments[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	info, err := r.bus.JS.Stream(context.Background(), r.bus.Names.StreamJobs())
	if err != nil {
		t.Fatal(err)
	}
	testenv.CheckFor(t, 5*time.Second, 10*time.Millisecond, func() error {
		st, err := info.Info(context.Background())
		if err != nil {
			return err
		}
		if st.State.Msgs != 0 {
			return errors.New("job not acknowledged yet")
		}
		return nil
	})
	if n := r.count(); n != 1 {
		b, _ := json.Marshal(r.got)
		t.Fatalf("%d messages: %s", n, b)
	}
}

// FuzzWebhook: whatever body the provider (or anyone) posts, the answer is
// 403 when it cannot be verified and documented TwiML otherwise, never an
// error status.
func FuzzWebhook(f *testing.F) {
	r := newRig(f, calendar{open: true}, nil)
	f.Add([]byte("CallSid=CA1&From=%2B6281234567890&Digits=1"), true)
	f.Add([]byte("CallSid=CA1&Digits=9&Digits=0"), true)
	f.Add([]byte("CallSid=&Digits=%23"), true)
	f.Add([]byte("CallSid=CA1;Digits=1"), true)
	f.Add([]byte("\x00\xff=%"), false)
	client := &http.Client{Timeout: 30 * time.Second}
	f.Fuzz(func(t *testing.T, body []byte, sign bool) {
		status, out := postFuzzed(t, client, r, "/webhooks/voice/menu?node=main&try=0", body, sign)
		switch status {
		case http.StatusForbidden:
		case http.StatusOK:
			if _, err := voicetest.ParseTwiML(out); err != nil {
				t.Fatalf("answer is not documented TwiML: %v\n%s", err, out)
			}
		default:
			t.Fatalf("status %d for %q: %s", status, body, out)
		}
	})
}

// postFuzzed posts a fuzzed body to target as the provider would, signed
// when sign is set and the body reads as a form, and returns the status
// and the answer.
func postFuzzed(t *testing.T, client *http.Client, r *rig, target string, body []byte, sign bool) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, r.server+target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if form, ferr := url.ParseQuery(string(body)); sign && ferr == nil {
		req.Header.Set("X-Twilio-Signature", voicetest.Sign(testToken, testPublic+target, form))
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

func TestHiddenCallersCannotAskForACallbackButAreRecorded(t *testing.T) {
	r := newRig(t, calendar{open: true}, nil)
	// A caller with a number is not asked for it.
	p0 := r.phone()
	if said := p0.Press(p0.Incoming().Doc, "3").Doc.AllText(); strings.Contains(said, "tidak terdeteksi") {
		t.Fatalf("a caller with a number hears %q", said)
	}
	for _, from := range []string{"+266696687", "anonymous", ""} {
		p := r.phone()
		p.From = from
		says(t, p.Press(p.Incoming().Doc, "4"), "tidak terdeteksi")
		// Voicemail is open to them, asking for a number to reach them.
		says(t, p.Press(p.Incoming().Doc, "3"), "sebutkan nomor telepon Anda dalam pesan")
		p.Hangup("completed", 5)
		in := r.published(p.CallSid, "record")
		if in.Sender.Phone != "" || in.Sender.VisitorID != "call-"+p.CallSid {
			t.Fatalf("hidden caller %q recorded as %+v", from, in.Sender)
		}
	}
}

func TestTranscriptionIsAddedToTheTicket(t *testing.T) {
	m, err := ParseMenu([]byte(strings.Replace(string(DefaultMenu), "transcribe: false", "transcribe: true", 1)))
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, calendar{open: true}, m)
	p := r.phone()
	rec := p.Press(p.Incoming().Doc, "3").Doc.Find("Record")
	if rec.Attrs["transcribe"] != "true" || !strings.HasPrefix(rec.Attrs["transcribeCallback"], testPublic+"/webhooks/voice/transcribed") {
		t.Fatalf("record: %v", rec.Attrs)
	}
	p.Post(rec.Attrs["transcribeCallback"], url.Values{"TranscriptionStatus": {"failed"}})
	p.Post(rec.Attrs["transcribeCallback"], url.Values{"TranscriptionStatus": {"completed"}, "TranscriptionText": {"Insentif saya belum masuk"},
		"TranscriptionSid": {"TR0123456789abcdef0123456789abcdef"}, "RecordingSid": {"RE0123456789abcdef0123456789abcdef"}})
	in := r.published(p.CallSid, "transcription")
	if !strings.Contains(in.Text, "Insentif saya belum masuk") || in.Fields[envelope.FieldKind] != string(domain.KindVoicemailTranscription) {
		t.Fatalf("transcription: %+v", in)
	}
	if n := r.count(); n != 1 {
		t.Fatalf("%d messages", n)
	}
}

func TestTextRepliesFailForGoodWithAReason(t *testing.T) {
	r := newRig(t, calendar{open: true}, nil)
	_, err := r.a.Deliver(context.Background(), envelope.Outbound{})
	if !channels.IsPermanent(err) || !strings.Contains(err.Error(), "Telepon balik") {
		t.Fatalf("err = %v", err)
	}
}

func TestBusOutageTellsTheProviderToRetry(t *testing.T) {
	r := newRig(t, calendar{open: true}, nil)
	p := r.phone()
	menu := p.Incoming()
	r.bus.NC.Close()
	// The callback request and the voicemail cannot be made durable: the
	// provider gets a 5xx (and its fallback), never a 2xx for a lost record.
	if a := p.Press(menu.Doc, "4"); a.Status != 503 {
		t.Fatalf("callback while the bus is down: %d %s", a.Status, a.Body)
	}
	rec := p.Press(menu.Doc, "3")
	if a := p.Follow(rec.Doc, "Record", url.Values{"RecordingUrl": {r.twilio.RecordingURL("RE1")}, "RecordingDuration": {"3"}}); a.Status != 503 {
		t.Fatalf("voicemail while the bus is down: %d", a.Status)
	}
	if a := p.Hangup("completed", 30); a.Status != 503 {
		t.Fatalf("status callback while the bus is down: %d", a.Status)
	}
	if c, _ := r.db.call(context.Background(), p.CallSid); c.Outcome == OutcomeCallback || c.Outcome == OutcomeVoicemail {
		t.Fatalf("outcome %q recorded for a step that was refused", c.Outcome)
	}
}

func TestAStaleCallbackCanBeCalledAgain(t *testing.T) {
	r := newRig(t, calendar{open: true}, nil)
	ctx := context.Background()
	now := time.Now().UTC()
	if _, err := r.a.CallBack(ctx, testCaller, 0, "+6221555000111"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.a.CallBack(ctx, testCaller, 0, ""); !errors.Is(err, ErrCallbackInProgress) {
		t.Fatalf("second call while ringing: %v", err)
	}
	if _, err := r.a.CallBack(ctx, testCaller, 0, "0812"); !errors.Is(err, ErrInvalidTarget) {
		t.Fatalf("bad agent number: %v", err)
	}
	if _, err := r.a.CallBack(ctx, "", 0, ""); !errors.Is(err, ErrNoPhone) {
		t.Fatalf("no phone: %v", err)
	}
	// The provider's status callback never came: after a while another
	// attempt is allowed.
	r.a.o.Now = func() time.Time { return now.Add(staleCalling + time.Minute) }
	cb, err := r.a.CallBack(ctx, testCaller, 0, "")
	if err != nil || cb.Attempts != 2 {
		t.Fatalf("stale callback: %+v, %v", cb, err)
	}
	if calls, _ := r.twilio.Calls(); len(calls) != 2 || calls[1].Get("Timeout") == "" || calls[1].Get("StatusCallbackMethod") != "POST" {
		t.Fatalf("REST calls: %v", calls)
	}
}

func TestCredentialsGoOnlyToTheProvidersHost(t *testing.T) {
	r := newRig(t, calendar{open: true}, nil)
	var sawAuth atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Authorization") != "" {
			sawAuth.Store(true)
		}
		w.Write(voicetest.WAV())
	}))
	t.Cleanup(other.Close)
	p := r.phone()
	rec := p.Press(p.Incoming().Doc, "3")
	p.Follow(rec.Doc, "Record", url.Values{"RecordingUrl": {other.URL + "/media/RE1"}, "RecordingDuration": {"4"}})
	if in := r.published(p.CallSid, "voicemail"); len(in.Attachments) != 1 {
		t.Fatalf("voicemail: %+v", in)
	}
	if sawAuth.Load() {
		t.Fatal("the account's credentials were sent to another host")
	}
}

func TestADialedAgentAnsweringCountsWhateverComesFirst(t *testing.T) {
	m, err := ParseMenu([]byte(strings.Replace(string(DefaultMenu), "enqueue: antrean-umum", `dial: "+6221555000111"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, calendar{open: true}, m)
	p := r.phone()
	tr := p.Press(p.Incoming().Doc, "0")
	num := tr.Doc.Find("Number")
	if num == nil || num.Text != "+6221555000111" || num.Attrs["statusCallbackEvent"] != "answered" {
		t.Fatalf("dial: %s", tr.Body)
	}
	// The agent's leg is answered; the provider reports it for the child
	// call, naming the caller's call as its parent.
	agentLeg := &voicetest.Phone{T: t, Server: r.server, Public: testPublic, Token: testToken, Account: testAccount,
		CallSid: voicetest.NewCallSid(), From: testNumber, To: "+6221555000111", Direction: "outbound-dial"}
	agentLeg.Post(num.Attrs["statusCallback"], url.Values{"ParentCallSid": {p.CallSid}, "CallStatus": {"in-progress"}})
	// The caller's status callback may come before the Dial action.
	p.Hangup("completed", 95)
	if in := r.published(p.CallSid, "record"); in.Fields[envelope.FieldCallOutcome] != OutcomeAnswered {
		t.Fatalf("record: %+v", in)
	}
	if a := p.Follow(tr.Doc, "Dial", url.Values{"DialCallStatus": {"completed"}, "DialCallDuration": {"80"}}); a.Doc.Find("Hangup") == nil {
		t.Fatalf("after the agent: %s", a.Body)
	}
}
