package voice

import (
	"context"
	"errors"
	"net/url"

	"tanggap/internal/csat"
	"tanggap/internal/domain"
)

// The keypad survey: when the caller's call with an agent ends (the
// <Dial>'s or <Enqueue>'s action reports it answered), the caller is asked
// to rate it 1–5 on the keypad. The survey belongs to the ticket the call's
// transfer record landed in; the answer is one digit (csat.ParseDigit).
// Call-backs and voicemails are asked by the SMS link of the solve
// notification instead (csat.SurveyURL).

// Surveys is the satisfaction service as the phone needs it.
type Surveys interface {
	CallSurvey(ctx context.Context, channel, providerMessageID, callID string) (string, error)
	Rate(ctx context.Context, token string, a csat.Answer, by string) error
}

const pathSurvey = "/webhooks/voice/csat"

// surveyPrompts are optional prompts of the menu file; without them the
// caller hears the translated text.
var surveyPrompts = map[string]string{
	"csat_ask":     "voice.csat_ask",
	"csat_thanks":  "voice.csat_thanks",
	"csat_invalid": "voice.csat_invalid",
}

// surveyPrompt is a survey prompt of the menu, or its translated text.
func (a *Adapter) surveyPrompt(name string) any {
	if p, ok := a.menu().Prompts[name]; ok && !p.empty() {
		return a.say(p, nil)
	}
	return Say{Language: a.menu().Language, Voice: a.menu().Voice, Text: a.text(surveyPrompts[name])}
}

// afterAgent is what an answered call hears once the agent's leg ends:
// the keypad survey, or a hang-up when there is none to give.
func (a *Adapter) afterAgent(s *step) *Response {
	r := &Response{}
	if a.o.Surveys == nil {
		return r.add(Hangup{})
	}
	tok, err := a.o.Surveys.CallSurvey(s.ctx, string(domain.ChannelVoice), s.call.CallSid+":agent", s.call.CallSid)
	if err != nil {
		// No ticket yet for the call (the core has not stored it) or a
		// database problem: the call ends as it did before surveys.
		a.o.Log.Warn("voice: no keypad survey", "call_sid", s.call.CallSid, "err", err)
		return r.add(Hangup{})
	}
	return a.askSurvey(r, tok, 0)
}

func (a *Adapter) askSurvey(r *Response, tok string, try int) *Response {
	action := a.url(pathSurvey, url.Values{"t": {tok}, "try": {itoa(try)}})
	return r.add(
		Gather{Input: "dtmf", NumDigits: "1", Timeout: itoa(a.menu().Gather.Timeout), Action: action, Method: "POST",
			Prompts: []any{a.surveyPrompt("csat_ask")}},
		Redirect{Method: "POST", URL: action},
	)
}

// surveyStep records the keypad rating.
func (a *Adapter) surveyStep(s *step) (*Response, error) {
	tok, try := s.query.Get("t"), tries(s.query)
	if s.call.Digits == "" {
		if try >= a.menu().Gather.Retries {
			r := &Response{}
			return r.add(a.prompt("goodbye", nil), Hangup{}), nil
		}
		return a.askSurvey(&Response{}, tok, try+1), nil
	}
	rating, err := csat.ParseDigit(s.call.Digits)
	if err != nil {
		r := &Response{}
		r.add(a.surveyPrompt("csat_invalid"))
		if try >= a.menu().Gather.Retries {
			return r.add(a.prompt("goodbye", nil), Hangup{}), nil
		}
		return a.askSurvey(r, tok, try+1), nil
	}
	err = a.o.Surveys.Rate(s.ctx, tok, csat.Answer{Rating: rating}, csat.ByPhone)
	switch {
	case err == nil, errors.Is(err, csat.ErrAlreadyRated):
		// Already rated: the provider retried this step.
	case errors.Is(err, csat.ErrBadToken), errors.Is(err, csat.ErrExpired), errors.Is(err, csat.ErrNotFound):
		a.o.Log.Warn("voice: keypad survey refused", "call_sid", s.call.CallSid, "err", err)
	default:
		return nil, errors.Join(errUnavailable, err)
	}
	r := &Response{}
	return r.add(a.surveyPrompt("csat_thanks"), Hangup{}), nil
}
