package voice

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/reopen"
	"tanggap/internal/ticket"
	"tanggap/internal/tracking"
)

// Menu steps as they appear in a call's path, beside menu ids.
const (
	nodeStatus     = "status"
	nodeVoicemail  = "voicemail"
	nodeCallback   = "callback"
	nodeAgent      = "agent"
	nodeAfterHours = "after_hours"
	nodeBusy       = "agents_busy"
)

// lookupTimeout is the seconds a caller has to type a tracking number.
const lookupTimeout = 15

// incoming answers a new call: the welcome and the first menu.
func (a *Adapter) incoming(s *step) (*Response, error) {
	if err := a.refreshMenu(s.ctx); err != nil {
		// The menu in force still serves: a caller is never turned away
		// for an admin screen's table.
		a.o.Log.Warn("voice: newest menu unknown", "err", err)
	}
	if err := a.startCall(s.ctx, s.call.CallSid, "inbound", s.caller, a.menu().Start, nil, s.now); err != nil {
		return nil, err
	}
	r := &Response{}
	r.add(a.prompt("welcome", nil))
	return a.gatherMenu(r, a.menu().Start, 0), nil
}

// tries reads the retry counter carried in an action URL.
func tries(q url.Values) int {
	n, err := strconv.Atoi(q.Get("try"))
	if err != nil || n < 0 || n > 10 {
		return 0
	}
	return n
}

// gatherMenu appends a menu: its prompt inside a one-key Gather, then a
// Redirect to the same step without digits for when the caller says
// nothing (the provider runs the next verb when Gather times out).
func (a *Adapter) gatherMenu(r *Response, node string, try int) *Response {
	n := a.menu().Menus[node]
	q := url.Values{"node": {node}, "try": {strconv.Itoa(try)}}
	action := a.url(pathMenu, q)
	return r.add(
		Gather{Input: "dtmf", NumDigits: "1", Timeout: itoa(a.menu().Gather.Timeout), Action: action, Method: "POST",
			Prompts: []any{a.say(n.Prompt, nil)}},
		Redirect{Method: "POST", URL: action},
	)
}

// again answers a missing or invalid choice: say why and ask again, or end
// the call politely once the retries are spent.
func (a *Adapter) again(why string, try int, ask func(r *Response, try int) *Response) *Response {
	r := &Response{}
	r.add(a.prompt(why, nil))
	if try >= a.menu().Gather.Retries {
		return r.add(a.prompt("goodbye", nil), Hangup{})
	}
	return ask(r, try+1)
}

// menuStep handles a key pressed in a menu (or none).
func (a *Adapter) menuStep(s *step) (*Response, error) {
	node := s.query.Get("node")
	n, ok := a.menu().Menus[node]
	if !ok {
		// A URL from an older menu file: start over rather than fail.
		node, n = a.menu().Start, a.menu().Menus[a.menu().Start]
	}
	try := tries(s.query)
	ask := func(r *Response, t int) *Response { return a.gatherMenu(r, node, t) }
	switch d := s.call.Digits; {
	case d == "":
		return a.again("no_input", try, ask), nil
	case d == keyRepeat:
		return a.gatherMenu(&Response{}, node, 0), nil
	case d == keyAgent:
		return a.toAgent(s)
	default:
		o, ok := n.Options[d]
		if !ok {
			return a.again("invalid", try, ask), nil
		}
		switch {
		case o.Menu != "":
			if err := a.store.step(s.ctx, s.call.CallSid, o.Menu, s.now); err != nil {
				return nil, err
			}
			return a.gatherMenu(&Response{}, o.Menu, 0), nil
		case !o.Info.empty():
			r := &Response{}
			r.add(a.say(o.Info, nil))
			return a.gatherMenu(r, node, 0), nil
		}
		return a.action(s, o.Action)
	}
}

// action runs a menu action.
func (a *Adapter) action(s *step, name string) (*Response, error) {
	switch name {
	case actionStatus:
		if err := a.store.step(s.ctx, s.call.CallSid, nodeStatus, s.now); err != nil {
			return nil, err
		}
		return a.askTracking(&Response{}, 0), nil
	case actionVoicemail:
		return a.voicemail(s)
	case actionCallback:
		return a.requestCallback(s)
	case actionAgent:
		return a.toAgent(s)
	default: // hangup
		r := &Response{}
		return r.add(a.prompt("goodbye", nil), Hangup{}), nil
	}
}

// askTracking asks for a 16-digit tracking number, ended by #.
func (a *Adapter) askTracking(r *Response, try int) *Response {
	action := a.url(pathLookup, url.Values{"try": {strconv.Itoa(try)}})
	return r.add(
		Gather{Input: "dtmf", NumDigits: strconv.Itoa(tracking.Digits), FinishOnKey: "#", Timeout: itoa(lookupTimeout),
			Action: action, Method: "POST", Prompts: []any{a.prompt("status_enter", nil)}},
		Redirect{Method: "POST", URL: action},
	)
}

// lookup answers the typed tracking number with the ticket's status, when
// the call comes from the number the ticket was opened with. A mistyped
// digit is caught by the check digit before any lookup.
func (a *Adapter) lookup(s *step) (*Response, error) {
	try := tries(s.query)
	toMenu := func(r *Response, _ int) *Response { return a.gatherMenu(r, a.menu().Start, 0) }
	retry := func(why string) *Response {
		if try >= a.menu().Gather.Retries {
			r := &Response{}
			r.add(a.prompt(why, nil))
			return toMenu(r, 0)
		}
		return a.again(why, try, a.askTracking)
	}
	digits := strings.TrimSuffix(s.call.Digits, "#")
	if digits == "" {
		return retry("no_input"), nil
	}
	tn, err := tracking.Normalize(digits)
	if err != nil {
		return retry("status_invalid"), nil
	}
	p, err := a.o.Tickets.PublicTicket(s.ctx, tn, s.caller)
	if errors.Is(err, ticket.ErrNotFound) {
		return retry("status_not_found"), nil
	}
	if err != nil {
		return nil, err
	}
	if err := a.store.setOutcome(s.ctx, s.call.CallSid, OutcomeSelfService, s.now); err != nil {
		return nil, err
	}
	r := &Response{}
	r.add(a.prompt("status_result", map[string]string{
		"tracking": spokenDigits(p.TrackingNumber),
		"status":   a.o.Texts.T(a.menu().Language, "status."+string(p.Status)),
	}))
	return toMenu(r, 0), nil
}

// spokenDigits reads a tracking number digit by digit, in its groups.
func spokenDigits(tn string) string {
	var b strings.Builder
	for i := 0; i < len(tn); i++ {
		switch c := tn[i]; {
		case c == '-':
			b.WriteString(", ")
		case c >= '0' && c <= '9':
			if b.Len() > 0 && tn[i-1] != '-' {
				b.WriteByte(' ')
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// voicemail records a message.
func (a *Adapter) voicemail(s *step) (*Response, error) {
	if err := a.store.step(s.ctx, s.call.CallSid, nodeVoicemail, s.now); err != nil {
		return nil, err
	}
	rec := Record{
		Action: a.url(pathRecorded, nil), Method: "POST",
		MaxLength: itoa(a.menu().Voicemail.MaxLength), Timeout: "5", FinishOnKey: "#", PlayBeep: "true",
	}
	if a.menu().Voicemail.Transcribe {
		rec.Transcribe, rec.TranscribeCallback = "true", a.url(pathTranscribed, nil)
	}
	r := &Response{}
	if s.caller == "" {
		// No number to reply to or call back: the message itself must
		// say how to reach them.
		r.add(a.say(Prompt{Say: a.o.Texts.T(a.menu().Language, "voice.voicemail_withheld")}, nil))
	}
	// Without audio the provider skips the action and runs what follows.
	r.add(a.prompt("voicemail_intro", nil), rec, a.prompt("no_input", nil))
	return a.gatherMenu(r, a.menu().Start, 0), nil
}

// recorded takes a finished voicemail: the recording goes to the fetch
// queue (durably, before the provider hears 2xx) and the caller is thanked.
func (a *Adapter) recorded(s *step) (*Response, error) {
	if s.call.RecordingURL == "" {
		return a.fail(), nil
	}
	call, err := a.store.call(s.ctx, s.call.CallSid)
	if err != nil && !errors.Is(err, errCallNotFound) {
		return nil, err
	}
	job := recordingJob{
		CallSid: s.call.CallSid, Sender: sender(s), RecordingURL: s.call.RecordingURL, RecordingSid: s.call.RecordingSid,
		Duration: s.call.RecordingDuration, Path: call.Path, ReceivedAt: s.now,
	}
	if err := a.enqueueRecording(s.ctx, job); err != nil {
		return nil, errors.Join(errUnavailable, err)
	}
	if err := a.store.setOutcome(s.ctx, s.call.CallSid, OutcomeVoicemail, s.now); err != nil {
		return nil, err
	}
	r := &Response{}
	return r.add(a.prompt("voicemail_thanks", nil), a.prompt("goodbye", nil), Hangup{}), nil
}

// transcribed adds the provider's transcription of a voicemail.
func (a *Adapter) transcribed(s *step) (*Response, error) {
	if s.call.TranscriptionOK && s.call.TranscriptionText != "" {
		fields := map[string]string{envelope.FieldKind: string(domain.KindVoicemailTranscription)}
		if err := a.publish(s, "transcription", a.text("voice.transcription", "text", s.call.TranscriptionText), fields, nil); err != nil {
			return nil, err
		}
	}
	return &Response{}, nil
}

// requestCallback puts the caller in the callback line.
func (a *Adapter) requestCallback(s *step) (*Response, error) {
	if err := a.store.step(s.ctx, s.call.CallSid, nodeCallback, s.now); err != nil {
		return nil, err
	}
	if s.caller == "" {
		r := &Response{}
		r.add(a.prompt("callback_unavailable", nil))
		return a.gatherMenu(r, a.menu().Start, 0), nil
	}
	cb, err := a.store.requestCallback(s.ctx, s.caller, s.call.CallSid, s.now)
	if err != nil {
		return nil, err
	}
	call, err := a.store.call(s.ctx, s.call.CallSid)
	if err != nil && !errors.Is(err, errCallNotFound) {
		return nil, err
	}
	// Strict: a caller with an open ticket elsewhere (an earlier call
	// waiting in the agents' queue) still waits in the callback queue, in
	// the order of the request.
	fields := map[string]string{
		envelope.FieldKind: string(domain.KindCallbackRequest), envelope.FieldQueue: a.menu().Queues.Callback, envelope.FieldQueueStrict: "true",
		envelope.FieldIVRPath: call.Path,
	}
	if err := a.publish(s, "callback", a.text("voice.callback_request", "phone", s.caller, "position", cb.Position), fields, nil); err != nil {
		return nil, err
	}
	if err := a.store.setOutcome(s.ctx, s.call.CallSid, OutcomeCallback, s.now); err != nil {
		return nil, err
	}
	r := &Response{}
	return r.add(a.prompt("callback_confirm", map[string]string{"position": strconv.Itoa(cb.Position)}),
		a.prompt("goodbye", nil), Hangup{}), nil
}

// toAgent puts the caller through to an agent when the agents' queue is
// within business hours, else offers voicemail or a callback.
func (a *Adapter) toAgent(s *step) (*Response, error) {
	open, err := a.o.Hours.IsOpen(s.ctx, a.menu().Queues.Agent, s.now)
	if err != nil {
		// Not knowing the hours must not strand the caller: offer what
		// works at any hour.
		a.o.Log.Warn("voice: business hours unknown; offering voicemail or callback", "queue", a.menu().Queues.Agent, "err", err)
	}
	if err != nil || !open {
		if err := a.store.step(s.ctx, s.call.CallSid, nodeAfterHours, s.now); err != nil {
			return nil, err
		}
		return a.offer(s, &Response{}, "after_hours", 0), nil
	}
	if err := a.store.step(s.ctx, s.call.CallSid, nodeAgent, s.now); err != nil {
		return nil, err
	}
	call, err := a.store.call(s.ctx, s.call.CallSid)
	if err != nil && !errors.Is(err, errCallNotFound) {
		return nil, err
	}
	fields := map[string]string{
		envelope.FieldKind: string(domain.KindTransfer), envelope.FieldQueue: a.menu().Queues.Agent, envelope.FieldIVRPath: call.Path,
	}
	if err := a.publish(s, "agent", a.text("voice.transfer"), fields, nil); err != nil {
		return nil, err
	}
	r := &Response{}
	r.add(a.prompt("transfer", nil))
	return r.add(a.connect(a.url(pathTransferred, nil), a.menu().Transfer.Dial, true)), nil
}

// connect is the verb that puts a caller through: Dial to target (a
// number or SIP address), else Enqueue in the menu's provider queue. With
// record, a Dial records the conversation from the agent's answer, caller
// and agent on separate channels, and the provider posts the finished
// recording to the call-recording webhook (recordings.go). An Enqueued
// caller is recorded, if at all, by the agents' own <Dial><Queue>, which
// is configured at the provider.
func (a *Adapter) connect(action, target string, record bool) any {
	if target == "" && a.menu().Transfer.Enqueue != "" {
		return Enqueue{Action: action, Method: "POST", WaitURL: a.url(pathHold, nil), WaitURLMethod: "POST", Name: a.menu().Transfer.Enqueue}
	}
	d := Dial{Action: action, Method: "POST", Timeout: itoa(a.menu().Transfer.Timeout)}
	if record {
		d.Record = "record-from-answer-dual"
		d.RecordingStatusCallback = a.url(pathCallRecording, nil)
		d.RecordingStatusCallbackMethod = "POST"
		d.RecordingStatusCallbackEvent = "completed"
	}
	// The agent's leg reports when it is answered, so the call counts as
	// answered whichever of the provider's later requests comes first.
	answered := a.url(pathAnswered, nil)
	if strings.HasPrefix(target, "sip:") {
		d.Sip = &Sip{Value: target, StatusCallbackEvent: "answered", StatusCallback: answered, StatusCallbackMethod: "POST"}
	} else {
		d.Number = &Number{Value: target, StatusCallbackEvent: "answered", StatusCallback: answered, StatusCallbackMethod: "POST"}
	}
	return d
}

// agentAnswered is the status callback of a dialed agent's leg: its
// ParentCallSid is the caller's call, which an agent has now answered.
func (a *Adapter) agentAnswered(s *step) (*Response, error) {
	if s.call.ParentCall != "" && (s.call.Status == callInProgress || s.call.Status == "answered") {
		if err := a.store.setOutcome(s.ctx, s.call.ParentCall, OutcomeAnswered, s.now); err != nil {
			return nil, err
		}
	}
	return &Response{}, nil
}

// bridged runs on a queued caller's call as an agent takes it from the
// queue (the agents' <Dial><Queue url="…/webhooks/voice/bridged">): the
// caller is answered, and the agent's call (DequeingCallSid) is kept with
// the caller's, for the recording that Dial may make. The empty answer
// connects them at once.
func (a *Adapter) bridged(s *step) (*Response, error) {
	if err := a.store.setOutcome(s.ctx, s.call.CallSid, OutcomeAnswered, s.now); err != nil {
		return nil, err
	}
	if s.call.DequeingCall != "" {
		if err := a.store.bridge(s.ctx, s.call.CallSid, s.call.DequeingCall, s.now); err != nil {
			return nil, err
		}
	}
	return &Response{}, nil
}

// offer asks whether to leave a voicemail (1) or be called back (2);
// after hours its prompt may say when agents are back ({opens}).
func (a *Adapter) offer(s *step, r *Response, why string, try int) *Response {
	action := a.url(pathFallback, url.Values{"why": {why}, "try": {strconv.Itoa(try)}})
	return r.add(
		Gather{Input: "dtmf", NumDigits: "1", Timeout: itoa(a.menu().Gather.Timeout), Action: action, Method: "POST",
			Prompts: []any{a.prompt(why, a.offerVars(s, why))}},
		Redirect{Method: "POST", URL: action},
	)
}

// offerVars fills the after-hours prompt's {opens}: when the agents'
// queue opens again, as the launcher says it ("besok pukul 08.00 WIB";
// beyond a week "5 Januari pukul …", to be heard), or, when that cannot
// be told, "at the next service hours".
func (a *Adapter) offerVars(s *step, why string) map[string]string {
	if why != "after_hours" {
		return nil
	}
	lang := a.menu().Language
	at, err := a.o.Hours.NextOpen(s.ctx, a.menu().Queues.Agent, s.now)
	if err != nil {
		a.o.Log.Warn("voice: when the agents' queue opens is unknown", "queue", a.menu().Queues.Agent, "err", err)
	}
	if err != nil || at.IsZero() {
		return map[string]string{"opens": a.o.Texts.T(lang, "voice.opens_later")}
	}
	return map[string]string{"opens": reopen.Spoken(a.o.Texts, lang, s.now, at)}
}

// fallback handles the choice offered when no agent can answer.
func (a *Adapter) fallback(s *step) (*Response, error) {
	why := s.query.Get("why")
	if why != "after_hours" && why != "agents_busy" {
		why = "after_hours"
	}
	try := tries(s.query)
	ask := func(r *Response, t int) *Response { return a.offer(s, r, why, t) }
	switch s.call.Digits {
	case "1":
		return a.voicemail(s)
	case "2":
		return a.requestCallback(s)
	case "":
		return a.again("no_input", try, ask), nil
	case keyRepeat:
		return a.offer(s, &Response{}, why, try), nil
	default:
		return a.again("invalid", try, ask), nil
	}
}

// transferred learns how the transfer ended (Dial's or Enqueue's action).
func (a *Adapter) transferred(s *step) (*Response, error) {
	switch {
	case s.call.DialCallStatus == callCompleted || s.call.DialCallStatus == "answered" || s.call.QueueResult == "bridged":
		if err := a.store.setOutcome(s.ctx, s.call.CallSid, OutcomeAnswered, s.now); err != nil {
			return nil, err
		}
		return a.afterAgent(s), nil
	case s.call.QueueResult == "hangup":
		// The caller hung up while waiting: the status callback records
		// the call as abandoned.
		r := &Response{}
		return r.add(Hangup{}), nil
	}
	if err := a.store.step(s.ctx, s.call.CallSid, nodeBusy, s.now); err != nil {
		return nil, err
	}
	return a.offer(s, &Response{}, "agents_busy", 0), nil
}

// hold is what a queued caller hears, repeated by the provider until an
// agent takes the call.
func (a *Adapter) hold(s *step) (*Response, error) {
	r := &Response{}
	pos := s.call.QueuePosition
	if pos < 1 {
		pos = 1
	}
	r.add(a.prompt("hold", map[string]string{"position": strconv.Itoa(pos)}))
	if a.menu().Transfer.HoldMusic != "" {
		return r.add(Play{URL: a.menu().Transfer.HoldMusic}), nil
	}
	return r.add(Pause{Length: "20"}), nil
}
