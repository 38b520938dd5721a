package voice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"tanggap/channels"
	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/identity"
	"tanggap/internal/mask"
)

// Errors of the callback API.
var (
	// ErrNoCallback: the number has no open callback request.
	ErrNoCallback = errors.New("voice: no callback request")
	// ErrNoPhone: the citizen has no phone number to call.
	ErrNoPhone = errors.New("voice: no phone number to call")
	// ErrCallbackInProgress: another agent is calling this citizen now.
	ErrCallbackInProgress = errors.New("voice: callback already in progress")
	// ErrInvalidTarget: the agent's number is neither E.164 nor sip:.
	ErrInvalidTarget = errors.New("voice: agent number invalid")
	// ErrProvider: the telephony provider refused or could not be reached.
	ErrProvider = errors.New("voice: provider call failed")
)

// CallBack calls a citizen back for agentID: the citizen's open request
// (or a new one, when an agent calls back unasked) is marked as being
// called, and the provider places a call that, once answered, greets the
// citizen and connects them to target (the agent's number or SIP address;
// empty: the menu's transfer). The outcome arrives on the status callback.
func (a *Adapter) CallBack(ctx context.Context, phone string, agentID int64, target string) (Callback, error) {
	phone, err := identity.NormalizePhone(phone)
	if err != nil || phone == "" {
		return Callback{}, ErrNoPhone
	}
	target = strings.TrimSpace(target)
	if target != "" {
		if target, err = a.targets.check(target); err != nil {
			return Callback{}, err
		}
	}
	if target == "" {
		target = a.menu().Transfer.Dial
	}
	now := a.o.Now().UTC()
	cb, err := a.store.requestCallback(ctx, phone, "agent", now)
	if err != nil {
		return Callback{}, err
	}
	ok, err := a.store.claimCallback(ctx, cb.ID, agentID, now)
	if err != nil {
		return Callback{}, err
	}
	if !ok {
		return Callback{}, ErrCallbackInProgress
	}
	id := strconv.FormatInt(cb.ID, 10)
	answer := url.Values{"cb": {id}}
	if target != "" {
		answer.Set("to", target)
	}
	sid, err := a.createCall(ctx, phone, a.url(pathAnswer, answer), a.url(pathStatus, url.Values{"cb": {id}}))
	if err != nil {
		// Back in line at the same place, so nobody is forgotten.
		if serr := a.store.settleCallback(context.WithoutCancel(ctx), cb.ID, "failed", false, a.o.Now().UTC()); serr != nil {
			a.o.Log.Error("voice: callback not released", "callback_id", cb.ID, "err", serr)
		}
		return Callback{}, err
	}
	if err := a.store.callbackCall(ctx, cb.ID, sid, now); err != nil {
		return Callback{}, err
	}
	if err := a.startCall(ctx, sid, "outbound", phone, "", &cb.ID, now); err != nil {
		return Callback{}, err
	}
	a.o.Log.Info("callback started", "callback_id", cb.ID, "call_sid", sid, "phone", mask.Phone(phone), "agent_id", agentID)
	cb.Status, cb.Attempts = callbackCalling, cb.Attempts+1
	return cb, nil
}

// startCall records a call once and, the first time, tells the boards
// (the wallboard's calls line counts it).
func (a *Adapter) startCall(ctx context.Context, sid, direction, caller, path string, callbackID *int64, now time.Time) error {
	first, err := a.store.startCall(ctx, sid, direction, caller, path, callbackID, now)
	if err != nil {
		return err
	}
	if first {
		a.o.Bus.EmitCtx(ctx, bus.CallStarted{Direction: direction, At: now})
	}
	return nil
}

// createCall asks the provider's REST API for an outbound call and
// returns its CallSid.
func (a *Adapter) createCall(ctx context.Context, to, answerURL, statusURL string) (string, error) {
	p := a.o.Provider
	form := url.Values{
		"To": {to}, "From": {p.CallerID},
		"Url": {answerURL}, "Method": {"POST"},
		"StatusCallback": {statusURL}, "StatusCallbackMethod": {"POST"},
		"StatusCallbackEvent": {"completed"},
		"Timeout":             {"30"},
	}
	endpoint := strings.TrimRight(p.APIBaseURL, "/") + "/2010-04-01/Accounts/" + url.PathEscape(p.AccountSID) + "/Calls.json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrProvider, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(p.AccountSID, p.AuthToken)
	res, err := a.o.HTTP.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrProvider, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("%w: read answer: %v", ErrProvider, err)
	}
	var out struct {
		Sid     string `json:"sid"`
		Status  string `json:"status"`
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body, &out) // an unreadable answer fails below
	if res.StatusCode != http.StatusCreated && res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%w: status %d, code %d: %s", ErrProvider, res.StatusCode, out.Code, out.Message)
	}
	if !validSid(out.Sid) {
		return "", fmt.Errorf("%w: answer without a call sid", ErrProvider)
	}
	return out.Sid, nil
}

// callbackAnswer is the TwiML of an answered callback: a greeting, then
// the agent.
func (a *Adapter) callbackAnswer(s *step) (*Response, error) {
	target := s.query.Get("to")
	if target != "" && !validDialTarget(target) {
		target = ""
	}
	if target == "" {
		target = a.menu().Transfer.Dial
	}
	r := &Response{}
	r.add(a.prompt("callback_greeting", nil))
	if target == "" && a.menu().Transfer.Enqueue == "" {
		return r.add(a.prompt("agents_busy", nil), Hangup{}), nil
	}
	// The conversation is recorded from the agent's answer, after the
	// greeting has told the citizen so; a callback that reaches no agent
	// records nothing.
	return r.add(a.connect(a.url(pathTransferred, nil), target, true)), nil
}

// final reports whether a CallStatus ends the call.
func final(status string) bool {
	switch status {
	case callCompleted, callBusy, callFailed, callNoAnswer, callCanceled:
		return true
	}
	return false
}

// statusCallback records a finished call: duration, outcome and menu path
// on the call row and, as a message, on the caller's ticket. An outbound
// callback's outcome settles the callback request.
func (a *Adapter) statusCallback(s *step) (*Response, error) {
	if !final(s.call.Status) {
		return &Response{}, nil
	}
	var cbID *int64
	if v := s.query.Get("cb"); v != "" {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			cbID = &id
		}
	}
	direction := "inbound"
	if cbID != nil || strings.HasPrefix(s.call.Direction, "outbound") {
		direction = "outbound"
	}
	// A call we never saw (the number's status callback fired before or
	// without the incoming webhook) is recorded all the same.
	if err := a.startCall(s.ctx, s.call.CallSid, direction, s.caller, "", cbID, s.now); err != nil {
		return nil, err
	}
	if direction == "outbound" && s.call.Status != callCompleted {
		// Nobody answered: not an abandonment by the citizen.
		if err := a.store.setOutcome(s.ctx, s.call.CallSid, OutcomeUnanswered, s.now); err != nil {
			return nil, err
		}
	}
	if direction == "outbound" && s.call.Status == callCompleted {
		if err := a.store.setOutcome(s.ctx, s.call.CallSid, OutcomeAnswered, s.now); err != nil {
			return nil, err
		}
	}
	call, err := a.store.finish(s.ctx, s.call.CallSid, s.call.Status, s.call.CallDuration, s.now)
	if err != nil {
		return nil, err
	}
	a.o.Bus.EmitCtx(s.ctx, bus.CallEnded{Direction: call.Direction, Outcome: call.Outcome, DurationSeconds: call.DurationSeconds, At: s.now})
	if call.CallbackID != nil {
		cbID = call.CallbackID
	}
	fields := map[string]string{
		envelope.FieldCallOutcome:  call.Outcome,
		envelope.FieldCallDuration: strconv.Itoa(call.DurationSeconds),
		envelope.FieldIVRPath:      call.Path,
	}
	var text string
	if cbID != nil {
		answered := s.call.Status == callCompleted
		if err := a.store.settleCallback(s.ctx, *cbID, s.call.Status, answered, s.now); err != nil {
			return nil, err
		}
		fields[envelope.FieldKind] = string(domain.KindCallbackCall)
		text = a.text("voice.callback_result", "result", a.text("voice.call_status."+strings.ReplaceAll(s.call.Status, "-", "_")), "seconds", call.DurationSeconds)
	} else {
		fields[envelope.FieldKind] = string(domain.KindCallRecord)
		text = a.text("voice.call_record", "outcome", a.text("voice.outcome."+call.Outcome), "seconds", call.DurationSeconds, "path", call.Path)
	}
	if s.caller == "" && call.Caller != "" {
		s.caller = call.Caller
	}
	if err := a.publish(s, "record", text, fields, nil); err != nil {
		return nil, err
	}
	return &Response{}, nil
}

// Callbacks lists the open callback line, first in line first.
func (a *Adapter) Callbacks(ctx context.Context) ([]Callback, error) {
	return a.store.callbacks(ctx, 500)
}

// CallbacksFor is the callback line as viewer may see it. Supervisors
// and admins see it whole, numbers included. The line is the callback
// queue's work (the menu's callback queue): its agents see it whole with
// the numbers masked, as agents see identities elsewhere; they call back
// from the ticket. Any other agent sees only the requests they are
// calling now, masked.
func (a *Adapter) CallbacksFor(ctx context.Context, viewer channels.Viewer) ([]Callback, error) {
	if viewer.SeesAll {
		return a.store.callbacks(ctx, 500)
	}
	member := false
	if code := a.menu().Queues.Callback; code != "" && len(viewer.QueueIDs) > 0 {
		id, ok, err := a.store.queueID(ctx, code)
		if err != nil {
			return nil, err
		}
		member = ok && slices.Contains(viewer.QueueIDs, id)
	}
	var list []Callback
	var err error
	if member {
		list, err = a.store.callbacks(ctx, 500)
	} else {
		list, err = a.store.callbacksOf(ctx, viewer.ID, 500)
	}
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].Phone = mask.Phone(list[i].Phone)
	}
	return list, nil
}

// Stats counts calls since a moment, abandoned ones included.
func (a *Adapter) Stats(ctx context.Context, since time.Time) (Stats, error) {
	return a.store.stats(ctx, since.UTC())
}
