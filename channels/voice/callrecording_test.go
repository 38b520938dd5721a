package voice

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tanggap/channels/voice/voicetest"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/testenv"
)

// dialMenu is the sample menu transferring by Dial to an agents' number.
func dialMenu(t testing.TB) *Menu {
	t.Helper()
	m, err := ParseMenu([]byte(strings.Replace(string(DefaultMenu), "enqueue: antrean-umum", `dial: "+6221555000111"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// recordingStatus is the recording status callback as the provider posts
// it: no caller, no call status, only the recording's parameters.
func recordingStatus(callSid, recordingSid, recordingURL, status, source string) url.Values {
	v := url.Values{
		"AccountSid": {testAccount}, "CallSid": {callSid}, "RecordingSid": {recordingSid},
		"RecordingStatus": {status}, "RecordingSource": {source}, "RecordingChannels": {"2"}, "ErrorCode": {"0"},
	}
	if status == "completed" {
		v.Set("RecordingUrl", recordingURL)
		v.Set("RecordingDuration", "95")
	}
	return v
}

// postRecording posts a recording status callback, signed when sign is.
func postRecording(p *voicetest.Phone, target string, params url.Values, sign bool) int {
	p.T.Helper()
	sig := "x" + voicetest.Sign(testToken, target, params)
	if sign {
		sig = voicetest.Sign(testToken, target, params)
	}
	return p.Send(target, params, sig).Status
}

// jobsDrained waits until every job on the JOBS stream is acknowledged.
func (r *rig) jobsDrained() {
	r.t.Helper()
	stream, err := r.bus.JS.Stream(context.Background(), r.bus.Names.StreamJobs())
	if err != nil {
		r.t.Fatal(err)
	}
	testenv.CheckFor(r.t, 10*time.Second, 10*time.Millisecond, func() error {
		st, err := stream.Info(context.Background())
		if err != nil {
			return err
		}
		if st.State.Msgs != 0 {
			return errors.New("jobs not acknowledged yet")
		}
		return nil
	})
}

func (r *rig) kinds(k domain.Kind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.got {
		if m.Fields[envelope.FieldKind] == string(k) {
			n++
		}
	}
	return n
}

func TestADialTransferIsRecordedOnceOnTheCallersTicket(t *testing.T) {
	r := newRig(t, calendar{open: true}, dialMenu(t))
	p := r.phone()
	tr := p.Press(p.Incoming().Doc, "0")
	d := tr.Doc.Find("Dial")
	cb := testPublic + "/webhooks/voice/call-recording"
	if d == nil || d.Attrs["record"] != "record-from-answer-dual" || d.Attrs["recordingStatusCallback"] != cb ||
		d.Attrs["recordingStatusCallbackMethod"] != "POST" || d.Attrs["recordingStatusCallbackEvent"] != "completed" {
		t.Fatalf("transfer not recorded: %s", tr.Body)
	}
	sid := voicetest.NewSid("RE")
	params := recordingStatus(p.CallSid, sid, r.twilio.RecordingURL(sid), "completed", "DialVerb")
	if st := postRecording(p, cb, params, true); st != http.StatusNoContent {
		t.Fatalf("recording callback: %d", st)
	}
	// The provider's retry records nothing twice.
	if st := postRecording(p, cb, params, true); st != http.StatusNoContent {
		t.Fatalf("retried recording callback: %d", st)
	}
	in := r.published(p.CallSid, "recording:"+sid)
	if in.Sender.Phone != testCaller || in.Fields[envelope.FieldKind] != string(domain.KindCallRecording) ||
		in.Fields[envelope.FieldCallDuration] != "95" || in.Fields[envelope.FieldIVRPath] != "main>agent" ||
		len(in.Attachments) != 1 || in.Attachments[0].MIME != "audio/wave" || !strings.Contains(in.Text, "95 detik") {
		t.Fatalf("call recording: %+v", in)
	}
	f, err := r.a.o.Attachments.Open(context.Background(), in.Attachments[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	audio, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(audio, voicetest.WAV()) {
		t.Fatalf("stored audio: %d bytes", len(audio))
	}
	r.jobsDrained()
	if n := r.kinds(domain.KindCallRecording); n != 1 {
		t.Fatalf("%d call recordings", n)
	}
	// A second recording of the same call is a message of its own.
	sid2 := voicetest.NewSid("RE")
	postRecording(p, cb, recordingStatus(p.CallSid, sid2, r.twilio.RecordingURL(sid2), "completed", "DialVerb"), true)
	r.published(p.CallSid, "recording:"+sid2)
}

func TestACallRecordingCallbackNotSignedByTheProviderRecordsNothing(t *testing.T) {
	r := newRig(t, calendar{open: true}, dialMenu(t))
	p := r.phone()
	p.Press(p.Incoming().Doc, "0")
	// The transfer's record is published as the caller is put through;
	// counted from once it has arrived.
	r.published(p.CallSid, "agent")
	before := r.count()
	cb := testPublic + "/webhooks/voice/call-recording"
	sid := voicetest.NewSid("RE")
	params := recordingStatus(p.CallSid, sid, r.twilio.RecordingURL(sid), "completed", "DialVerb")
	if st := postRecording(p, cb, params, false); st != http.StatusForbidden {
		t.Fatalf("bad signature: %d", st)
	}
	if st := p.Send(cb, params, "").Status; st != http.StatusForbidden {
		t.Fatalf("no signature: %d", st)
	}
	r.jobsDrained()
	if n := r.count(); n != before {
		t.Fatalf("%d messages published for refused callbacks", n-before)
	}
}

func TestACallRecordingThatWasNotMadeIsOnlyLogged(t *testing.T) {
	r := newRig(t, calendar{open: true}, dialMenu(t))
	p := r.phone()
	p.Press(p.Incoming().Doc, "0")
	// The transfer's record is published as the caller is put through;
	// counted from once it has arrived.
	r.published(p.CallSid, "agent")
	before := r.count()
	cb := testPublic + "/webhooks/voice/call-recording"
	for _, status := range []string{"absent", "failed"} {
		if st := postRecording(p, cb, recordingStatus(p.CallSid, voicetest.NewSid("RE"), "", status, "DialVerb"), true); st != http.StatusNoContent {
			t.Fatalf("%s: %d", status, st)
		}
	}
	// Completed without a recording to fetch is not the provider's shape.
	bad := recordingStatus(p.CallSid, voicetest.NewSid("RE"), "", "completed", "DialVerb")
	bad.Del("RecordingUrl")
	if st := postRecording(p, cb, bad, true); st != http.StatusBadRequest {
		t.Fatalf("completed without a URL: %d", st)
	}
	r.jobsDrained()
	if n := r.count(); n != before {
		t.Fatalf("%d messages published", n-before)
	}
}

func TestACallRecordingIsKeptWhenItsAudioCannotBeFetched(t *testing.T) {
	r := newRig(t, calendar{open: true}, dialMenu(t))
	r.twilio.FailRecordings.Store(-1)
	p := r.phone()
	p.Press(p.Incoming().Doc, "0")
	sid := voicetest.NewSid("RE")
	u := r.twilio.RecordingURL(sid)
	postRecording(p, testPublic+"/webhooks/voice/call-recording", recordingStatus(p.CallSid, sid, u, "completed", "DialVerb"), true)
	in := r.published(p.CallSid, "recording:"+sid)
	if len(in.Attachments) != 0 || !strings.Contains(in.Text, u) || in.Fields[envelope.FieldRecordingURL] != u ||
		in.Fields[envelope.FieldKind] != string(domain.KindCallRecording) {
		t.Fatalf("call recording without audio: %+v", in)
	}
}

func TestACallRecordingIsNotAcceptedWhileTheBusIsDown(t *testing.T) {
	r := newRig(t, calendar{open: true}, dialMenu(t))
	p := r.phone()
	p.Press(p.Incoming().Doc, "0")
	r.bus.NC.Close()
	sid := voicetest.NewSid("RE")
	if st := postRecording(p, testPublic+"/webhooks/voice/call-recording",
		recordingStatus(p.CallSid, sid, r.twilio.RecordingURL(sid), "completed", "DialVerb"), true); st != http.StatusServiceUnavailable {
		t.Fatalf("recording while the bus is down: %d", st)
	}
}

func TestACallbackCallIsRecordedOnTheCitizensTicket(t *testing.T) {
	r := newRig(t, calendar{open: true}, nil)
	if _, err := r.a.CallBack(context.Background(), testCaller, 0, "+6221555000111"); err != nil {
		t.Fatal(err)
	}
	calls, sids := r.twilio.Calls()
	cb := testPublic + "/webhooks/voice/call-recording"
	// Not from the citizen's answer: only once the greeting has told them
	// the call may be recorded, and an agent answers.
	if len(calls) != 1 || calls[0].Get("Record") != "" {
		t.Fatalf("REST call recorded from the answer: %v", calls)
	}
	out := &voicetest.Phone{T: t, Server: r.server, Public: testPublic, Token: testToken, Account: testAccount,
		CallSid: sids[0], From: testNumber, To: testCaller, Direction: "outbound-api", Language: "id-ID"}
	greet := out.Post(calls[0].Get("Url"), url.Values{"CallStatus": {"in-progress"}})
	says(t, greet, "dapat direkam")
	if d := greet.Doc.Find("Dial"); d == nil || d.Attrs["record"] != "record-from-answer-dual" || d.Attrs["recordingStatusCallback"] != cb {
		t.Fatalf("callback's dial to the agent not recorded: %s", greet.Body)
	}
	sid := voicetest.NewSid("RE")
	if st := postRecording(out, cb, recordingStatus(sids[0], sid, r.twilio.RecordingURL(sid), "completed", "OutboundAPI"), true); st != http.StatusNoContent {
		t.Fatalf("recording callback: %d", st)
	}
	in := r.published(sids[0], "recording:"+sid)
	if in.Sender.Phone != testCaller || in.Fields[envelope.FieldKind] != string(domain.KindCallRecording) || len(in.Attachments) != 1 {
		t.Fatalf("callback recording: %+v", in)
	}
}

// FuzzCallRecordingWebhook: whatever is posted to the recording status
// callback is answered 403 when it cannot be verified, else 204 or 400,
// never anything else.
func FuzzCallRecordingWebhook(f *testing.F) {
	r := newRig(f, calendar{open: true}, nil)
	// Recordings are fetched from the stand-in, never from the internet.
	f.Add([]byte("CallSid=CA1&RecordingSid=RE1&RecordingStatus=completed&RecordingDuration=5&RecordingUrl="+url.QueryEscape(r.twilio.RecordingURL("RE1"))), true)
	f.Add([]byte("CallSid=CA1&RecordingSid=RE1&RecordingStatus=absent&RecordingChannels=2&RecordingSource=DialVerb"), true)
	f.Add([]byte("CallSid=CA1&RecordingStatus=completed"), true)
	f.Add([]byte("CallSid=CA1&RecordingStatus=done&RecordingChannels=9"), true)
	f.Add([]byte("\x00\xff=%"), false)
	client := &http.Client{Timeout: 30 * time.Second}
	f.Fuzz(func(t *testing.T, body []byte, sign bool) {
		switch status, out := postFuzzed(t, client, r, "/webhooks/voice/call-recording", body, sign); status {
		case http.StatusForbidden, http.StatusNoContent, http.StatusBadRequest:
		default:
			t.Fatalf("status %d for %q: %s", status, body, out)
		}
	})
}

func TestARecordingOfTheAgentsQueueDialLandsOnTheCallersTicket(t *testing.T) {
	r := newRig(t, calendar{open: true}, nil) // the sample menu enqueues
	p := r.phone()
	tr := p.Press(p.Incoming().Doc, "0")
	if tr.Doc.Find("Enqueue") == nil {
		t.Fatalf("transfer: %s", tr.Body)
	}
	// An agent's <Dial record=… recordingStatusCallback=…><Queue url=…/bridged>
	// takes the caller: the Queue url runs on the caller's call and names
	// the agent's.
	agentCall := voicetest.NewCallSid()
	if a := p.Post("/webhooks/voice/bridged", url.Values{"DequeingCallSid": {agentCall}, "QueueSid": {"QU0123456789abcdef0123456789abcdef"},
		"QueueTime": {"12"}}); a.Status != http.StatusOK {
		t.Fatalf("bridge: %d %s", a.Status, a.Body)
	}
	// The provider reports the recording under the agent's call.
	agent := &voicetest.Phone{T: t, Server: r.server, Public: testPublic, Token: testToken, Account: testAccount, CallSid: agentCall}
	sid := voicetest.NewSid("RE")
	if st := postRecording(agent, testPublic+"/webhooks/voice/call-recording",
		recordingStatus(agentCall, sid, r.twilio.RecordingURL(sid), "completed", "DialVerb"), true); st != http.StatusNoContent {
		t.Fatalf("recording callback: %d", st)
	}
	in := r.published(agentCall, "recording:"+sid)
	if in.Sender.Phone != testCaller || in.Fields[envelope.FieldKind] != string(domain.KindCallRecording) ||
		in.Fields[envelope.FieldIVRPath] != "main>agent" || len(in.Attachments) != 1 {
		t.Fatalf("queue recording: %+v", in)
	}
}

func TestARecordingOfAnUnknownCallIsKeptOnItsOwnContact(t *testing.T) {
	r := newRig(t, calendar{open: true}, nil)
	p := r.phone()
	sid := voicetest.NewSid("RE")
	if st := postRecording(p, testPublic+"/webhooks/voice/call-recording",
		recordingStatus(p.CallSid, sid, r.twilio.RecordingURL(sid), "completed", "DialVerb"), true); st != http.StatusNoContent {
		t.Fatalf("recording callback: %d", st)
	}
	if in := r.published(p.CallSid, "recording:"+sid); in.Sender.Phone != "" || in.Sender.VisitorID != "call-"+p.CallSid {
		t.Fatalf("unknown call's recording filed as %+v", in.Sender)
	}
}
