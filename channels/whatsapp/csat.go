package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/csat"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
)

// The satisfaction survey on WhatsApp.
//
// Asking (csat's job "whatsapp"/"csat", one per survey): within the 24-hour
// service window the citizen gets an interactive list message with the
// five ratings as rows (reply buttons hold at most three, so a list it is:
// one tap, all five choices, each row titled with its number and words);
// outside the window, the survey template active on the templates screen
// at send time (templates.go; seeded from CSAT_WHATSAPP_TEMPLATE) with a
// body variable {{1}} (the tracking number) and five quick-reply buttons,
// in the order 1, 2, 3, 4, 5, whose payloads we set. Every choice's id or
// payload is csat.ButtonID(token, rating). A send is recorded under
// "csat:<survey id>" before it goes (outbox): only the attempt that made
// the record sends, a refused send takes its record back for the next
// attempt, and a crash between the record and Meta's answer leaves it,
// so a redelivered job never asks twice (at most once; the citizen still
// has the status page and the link).
//
// Answering: a list or button reply whose id is a survey choice is a
// rating, recorded through Surveys and never published as a message (it
// would reopen the solved ticket). A refused one (expired, forged,
// already rated) is logged and dropped; a database failure answers 503
// so Meta retries. A tap carries no reason: the thanks adds the survey's
// link, where the citizen may write one comment (csat.AddComment), when
// the site has a public address to link to.

// Surveys is the satisfaction service as WhatsApp needs it: Rate records
// a tap; Link is the survey's page for the thanks ("" when the site has
// no public address), where the citizen may add why.
type Surveys interface {
	Rate(ctx context.Context, token string, a csat.Answer, by string) error
	Link(token string) string
}

// Texts renders translated text.
type Texts interface {
	T(lang, key string, args ...any) string
}

// SurveyTemplate is the approved template that asks outside the window.
type SurveyTemplate struct {
	Name, Language string
}

// Message bodies of the survey, as the Cloud API documents them.
type (
	csatList struct {
		Type string `json:"type"`
		Body struct {
			Text string `json:"text"`
		} `json:"body"`
		Action struct {
			Button   string        `json:"button"`
			Sections []csatSection `json:"sections"`
		} `json:"action"`
	}
	csatSection struct {
		Title string    `json:"title"`
		Rows  []csatRow `json:"rows"`
	}
	csatRow struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	csatMessage struct {
		MessagingProduct string        `json:"messaging_product"`
		RecipientType    string        `json:"recipient_type"`
		To               string        `json:"to"`
		Type             string        `json:"type"`
		Interactive      *csatList     `json:"interactive,omitempty"`
		Template         *csatTemplate `json:"template,omitempty"`
	}
	csatTemplate struct {
		Name     string `json:"name"`
		Language struct {
			Code string `json:"code"`
		} `json:"language"`
		Components []csatComponent `json:"components"`
	}
	csatComponent struct {
		Type       string      `json:"type"`
		SubType    string      `json:"sub_type,omitempty"`
		Index      string      `json:"index,omitempty"`
		Parameters []csatParam `json:"parameters"`
	}
	csatParam struct {
		Type    string `json:"type"`
		Text    string `json:"text,omitempty"`
		Payload string `json:"payload,omitempty"`
	}
)

// RunSurveys asks the citizens of solved WhatsApp tickets until ctx ends.
func (a *Adapter) RunSurveys(ctx context.Context) error {
	return a.o.Bus.RunJobs(ctx, bus.JobOpts{Channel: domain.ChannelWhatsApp, Kind: csat.JobAsk, Log: a.log},
		func(ctx context.Context, data []byte, attempt int) (bus.JobOutcome, time.Duration) {
			return a.askJob(ctx, data, attempt), a.o.MediaBackoff(attempt)
		})
}

func (a *Adapter) askJob(ctx context.Context, data []byte, attempt int) outcome {
	var ask csat.Ask
	if err := json.Unmarshal(data, &ask); err != nil || ask.SurveyID == 0 || ask.Token == "" {
		a.log.Warn("csat ask job not readable; dropped", "err", err)
		return drop
	}
	key := "csat:" + strconv.FormatInt(ask.SurveyID, 10)
	if _, ok, err := a.store.sent(ctx, key); err != nil {
		return retry
	} else if ok {
		// Asked, or an attempt cut off between its record and the
		// provider's answer: the question may have gone, never twice.
		return done
	}
	to := recipient(envelope.Sender{Phone: ask.Phone})
	from := a.o.PhoneNumberID
	if to == "" || from == "" {
		a.log.Info("csat: no WhatsApp number to ask", "ticket_id", ask.TicketID)
		return drop
	}
	msg := csatMessage{MessagingProduct: "whatsapp", RecipientType: "individual", To: to}
	inWindow := ask.LastInboundAt != nil && time.Since(*ask.LastInboundAt) < ServiceWindow
	tpl, err := a.chosenSurveyTemplate(ctx, inWindow)
	if err != nil {
		return retry
	}
	switch {
	case inWindow:
		msg.Type, msg.Interactive = "interactive", a.surveyList(ask)
	case tpl.Name != "":
		msg.Type, msg.Template = "template", surveyTemplate(tpl, ask)
	default:
		a.log.Info("csat: outside the service window and no active survey template; not asked on WhatsApp", "ticket_id", ask.TicketID)
		return drop
	}
	log := a.log.With("ticket_id", ask.TicketID)
	out, sent := a.sendOnce(ctx, key, from, msg, attempt, maxSurveyAttempts, log, "csat: WhatsApp survey")
	if !sent {
		return out
	}
	a.log.Info("csat: asked on WhatsApp", "ticket_id", ask.TicketID, "type", msg.Type)
	return done
}

// maxSurveyAttempts bounds the tries of a survey question or thanks Meta
// refused for now.
const maxSurveyAttempts = 8

// jobSurveyThanks is the job of thanking a citizen for a rating given on
// WhatsApp: one text, in the window the tap opened.
const jobSurveyThanks = "csat-thanks"

// surveyThanks is that job: Key is the tap's wamid, which names the send
// so it never goes twice. Link is the survey's page inviting a comment
// ("" : none to offer).
type surveyThanks struct {
	Key    string `json:"key"`
	Phone  string `json:"phone"`
	Rating int    `json:"rating"`
	Link   string `json:"link,omitempty"`
}

// RunSurveyThanks thanks the citizens who rated on WhatsApp until ctx
// ends.
func (a *Adapter) RunSurveyThanks(ctx context.Context) error {
	return a.o.Bus.RunJobs(ctx, bus.JobOpts{Channel: domain.ChannelWhatsApp, Kind: jobSurveyThanks, Log: a.log},
		func(ctx context.Context, data []byte, attempt int) (bus.JobOutcome, time.Duration) {
			return a.thanksJob(ctx, data, attempt), a.o.MediaBackoff(attempt)
		})
}

func (a *Adapter) thanksJob(ctx context.Context, data []byte, attempt int) outcome {
	var j surveyThanks
	if err := json.Unmarshal(data, &j); err != nil || j.Key == "" || j.Rating < 1 || j.Rating > 5 {
		a.log.Warn("csat thanks job not readable; dropped", "err", err)
		return drop
	}
	to, from := recipient(envelope.Sender{Phone: j.Phone}), a.o.PhoneNumberID
	if to == "" || from == "" {
		a.log.Info("csat: no WhatsApp number to thank", "provider_message_id", j.Key)
		return drop
	}
	key := "csat-thanks:" + j.Key
	msg := newMessage(to, "text")
	body := a.text("csat.wa_thanks", "rating", j.Rating, "words", a.text(ratingKeys[j.Rating-1]))
	if j.Link != "" {
		body += "\n" + a.text("csat.wa_thanks_comment", "link", j.Link)
	}
	msg.Text = &outText{Body: body}
	out, _ := a.sendOnce(ctx, key, from, msg, attempt, maxSurveyAttempts, a.log, "csat: WhatsApp thanks")
	return out
}

var ratingKeys = [5]string{"csat.rating_1", "csat.rating_2", "csat.rating_3", "csat.rating_4", "csat.rating_5"}

func (a *Adapter) text(key string, args ...any) string {
	if a.o.Texts == nil {
		return key
	}
	return a.o.Texts.T("", key, args...)
}

// surveyList is the list message of the five ratings (row titles ≤ 24
// characters, button ≤ 20, body ≤ 1024).
func (a *Adapter) surveyList(ask csat.Ask) *csatList {
	l := &csatList{Type: "list"}
	l.Body.Text = a.text("csat.wa_body", "tracking", ask.TrackingNumber)
	l.Action.Button = a.text("csat.wa_button")
	sec := csatSection{Title: a.text("csat.wa_section")}
	for r := 5; r >= 1; r-- {
		title := strconv.Itoa(r) + " · " + a.text(ratingKeys[r-1])
		if len([]rune(title)) > 24 {
			title = string([]rune(title)[:24])
		}
		sec.Rows = append(sec.Rows, csatRow{ID: csat.ButtonID(ask.Token, r), Title: title})
	}
	l.Action.Sections = []csatSection{sec}
	return l
}

// chosenSurveyTemplate is the survey template in force: the one active on
// the admin screen (the program's language first), or the configured one
// when the adapter keeps no templates. Within the window none is needed.
func (a *Adapter) chosenSurveyTemplate(ctx context.Context, inWindow bool) (SurveyTemplate, error) {
	if inWindow || a.o.Templates == nil {
		return a.o.SurveyTemplate, nil
	}
	t, ok, err := a.o.Templates.Choose(ctx, PurposeSurvey, "id")
	if err != nil || !ok {
		return SurveyTemplate{}, err
	}
	return SurveyTemplate{Name: t.Name, Language: t.Language}, nil
}

// surveyTemplate is the template with the tracking number and the five
// quick-reply payloads.
func surveyTemplate(st SurveyTemplate, ask csat.Ask) *csatTemplate {
	t := &csatTemplate{Name: st.Name}
	t.Language.Code = st.Language
	t.Components = append(t.Components, csatComponent{Type: "body", Parameters: []csatParam{{Type: "text", Text: ask.TrackingNumber}}})
	for r := 1; r <= 5; r++ {
		t.Components = append(t.Components, csatComponent{Type: "button", SubType: "quick_reply", Index: strconv.Itoa(r - 1),
			Parameters: []csatParam{{Type: "payload", Payload: csat.ButtonID(ask.Token, r)}}})
	}
	return t
}

// takeSurveyAnswers records the survey choices among msgs and returns the
// other messages. A failure to record is returned: the webhook answers
// 503 and Meta delivers the batch again (ratings already recorded are
// then ErrAlreadyRated, dropped).
func (a *Adapter) takeSurveyAnswers(ctx context.Context, msgs []envelope.Inbound) ([]envelope.Inbound, error) {
	if a.o.Surveys == nil {
		return msgs, nil
	}
	out := msgs[:0:0]
	for _, in := range msgs {
		id := in.Fields[envelope.FieldButtonPayload]
		if !csat.IsButton(id) {
			out = append(out, in)
			continue
		}
		tok, rating, err := csat.ParseButton(id)
		if err == nil {
			err = a.o.Surveys.Rate(ctx, tok, csat.Answer{Rating: rating}, csat.ByWhatsApp)
		}
		switch {
		case err == nil:
			// The citizen hears back that the rating counted. Best
			// effort: a rating recorded whose thanks could not be queued
			// is not asked again.
			thanks := surveyThanks{Key: in.ProviderMessageID, Phone: in.Sender.Phone, Rating: rating, Link: a.o.Surveys.Link(tok)}
			if err := a.o.Bus.PublishJob(ctx, domain.ChannelWhatsApp, jobSurveyThanks, thanks.Key, thanks); err != nil {
				a.log.Warn("csat: WhatsApp thanks not queued", "provider_message_id", in.ProviderMessageID, "err", err)
			}
		case errors.Is(err, csat.ErrAlreadyRated), errors.Is(err, csat.ErrBadToken), errors.Is(err, csat.ErrExpired),
			errors.Is(err, csat.ErrNotFound), errors.Is(err, csat.ErrBadRating):
			a.log.Info("csat: WhatsApp answer not recorded", "provider_message_id", in.ProviderMessageID, "err", err)
		default:
			return nil, errors.Join(bus.ErrUnavailable, err)
		}
	}
	return out, nil
}
