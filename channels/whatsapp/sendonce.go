package whatsapp

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// sendOnce sends msg from business number from, recorded under key in
// whatsapp_sends before it goes (an outbox: only the attempt whose record
// is new sends, so a redelivered job or a crash after the record never
// sends twice). A send Meta refused went nowhere: its record is released
// and the job tried again, up to maxAttempts, unless Meta says retrying
// is useless. It is the survey's question, its thanks and the first
// message's acknowledgement; sent reports that msg went (what names it in
// the log).
func (a *Adapter) sendOnce(ctx context.Context, key, from string, msg any, attempt, maxAttempts int, log *slog.Logger, what string) (out outcome, sent bool) {
	if err := a.limiter(from).Wait(ctx); err != nil {
		return retry, false
	}
	claimed, err := a.store.claimSend(ctx, key, from, time.Now().UTC())
	if err != nil {
		return retry, false
	}
	if !claimed {
		return done, false
	}
	wamid, err := a.graph.send(ctx, from, msg)
	if err != nil {
		var pe interface{ Retryable() bool }
		if errors.As(err, &pe) && !pe.Retryable() || attempt >= maxAttempts {
			log.Warn(what+" not sent", "err", err)
			return drop, false
		}
		if err := a.store.releaseSend(context.WithoutCancel(ctx), key); err != nil {
			log.Warn(what+" record not released; not sent again", "err", err)
			return drop, false
		}
		return retry, false
	}
	if err := a.store.finishSend(context.WithoutCancel(ctx), key, wamid); err != nil {
		// It went and its record stands; only the wamid is missing (a
		// status webhook about it finds nothing).
		log.Warn(what+" wamid not recorded", "err", err)
	}
	return done, true
}
