package livechat

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/csat"
	"tanggap/internal/domain"
)

// The rating card. When an agent solves a chat, csat's job
// "livechat"/"csat" (one per survey, so one per solve) appends a "csat"
// entry carrying the survey's token to the log of the visitor who wrote in
// the conversation: an open widget gets it live, a widget opened later in
// its replay. The widget shows the card once per survey; its "rate" frame
// is recorded as the same rating as on every other channel
// (csat.Service.Rate, by "livechat"), and a "rated" entry closes the card
// in every tab. A second answer (another tab, the status page's link) is
// refused with already_rated and closes the card too.

// Surveys is the satisfaction service as the chat needs it.
type Surveys interface {
	Rate(ctx context.Context, token string, a csat.Answer, by string) error
}

// RunSurveys puts the rating card of solved chats to their visitors until
// ctx ends.
func (a *Adapter) RunSurveys(ctx context.Context) error {
	return a.o.Bus.RunJobs(ctx, bus.JobOpts{Channel: domain.ChannelLiveChat, Kind: csat.JobAsk, Log: a.log}, a.askJob)
}

func (a *Adapter) askJob(ctx context.Context, data []byte, attempt int) (bus.JobOutcome, time.Duration) {
	var ask csat.Ask
	if err := json.Unmarshal(data, &ask); err != nil || ask.SurveyID == 0 || ask.Token == "" || ask.TrackingNumber == "" {
		a.log.Warn("csat ask job not readable; dropped", "err", err)
		return bus.JobDrop, 0
	}
	retry := func(err error) (bus.JobOutcome, time.Duration) {
		if attempt >= 8 {
			a.log.Error("csat: rating card not put", "ticket_id", ask.TicketID, "err", err)
			return bus.JobDrop, 0
		}
		return bus.JobRetry, min(time.Duration(attempt)*time.Second, 30*time.Second)
	}
	// The card follows the solve in the log. The "solved" entry is the
	// ticket event's to append (watch.go), through another subscriber that
	// may not have had it yet; without it a widget opened later replays
	// the card after a conversation still open, and offers no new one. So
	// the ticket is brought up to date first: the appends are conditional
	// on the visitor row, and the event's own turn adds nothing twice.
	a.ticketChanged(ctx, ask.TicketID)
	vid, ok, err := a.store.writerOf(ctx, ask.TrackingNumber)
	if err != nil {
		return retry(err)
	}
	if !ok {
		a.log.Info("csat: no chat visitor for the rating card", "ticket_id", ask.TicketID)
		return bus.JobDrop, 0
	}
	e := newEntry{kind: KindSurvey, dedupe: "s:" + strconv.FormatInt(ask.SurveyID, 10), tn: ask.TrackingNumber,
		body: entryBody{Survey: ask.Token}}
	row, fresh, ok, err := a.appendEntry(ctx, vid, e, change{}, time.Now().UTC())
	if err != nil {
		return retry(err)
	}
	if ok && fresh {
		a.publish(vid, row)
	}
	return bus.JobDone, 0
}

// rate records the rating card's answer.
func (a *Adapter) rate(ctx context.Context, s *session, f ClientFrame) error {
	if a.o.Surveys == nil {
		return errSurveyClosed
	}
	err := a.o.Surveys.Rate(ctx, f.Survey, csat.Answer{Rating: f.Rating, Comment: f.Comment}, csat.ByLiveChat)
	rating := f.Rating
	switch {
	case err == nil:
	case errors.Is(err, csat.ErrAlreadyRated):
		rating = 0
	case errors.Is(err, csat.ErrBadRating):
		return &fieldError{field: "rating"}
	case errors.Is(err, csat.ErrBadToken), errors.Is(err, csat.ErrExpired), errors.Is(err, csat.ErrNotFound):
		return errSurveyClosed
	default:
		return err
	}
	// The card closes in every tab (dedupe: once per survey).
	row, fresh, ok, aerr := a.appendEntry(ctx, s.visitorID, newEntry{kind: KindRated, dedupe: "r:" + f.Survey, body: entryBody{Survey: f.Survey, Rating: rating}},
		change{}, time.Now().UTC())
	if aerr != nil {
		a.log.Warn("csat: rated entry", "err", aerr)
	} else if ok && fresh {
		a.publish(s.visitorID, row)
	}
	if err != nil {
		return errAlreadyRated
	}
	return nil
}

var (
	errAlreadyRated = errors.New("livechat: survey already rated")
	errSurveyClosed = errors.New("livechat: survey closed")
)
