package reports

import (
	"strings"

	"tanggap/internal/db"
)

// The rules a ticket is counted by, shared by the reports (the rollup and
// the per-ticket export read them as columns) and the live wallboard (it
// sums them per queue and channel): one definition, so today's board and
// today's report agree. Each takes the tickets table's alias with its dot
// ("t.") or "".

// AbandonedSQL is 1 for a live chat that ended without any agent reply
// (the visitor left before an agent joined), else 0. Calls abandoned in
// the IVR or the queue are counted from voice_calls (OutcomeAbandoned).
func AbandonedSQL(t string) string {
	return expand(`CASE WHEN $channel = 'livechat' AND $status IN ('solved', 'closed') AND $first_response_at IS NULL THEN 1 ELSE 0 END`, t)
}

// FirstResponseDueSQL is 1 when the ticket's first-response target is
// decided: answered, or noted breached by the SLA clock; else 0.
func FirstResponseDueSQL(t string) string {
	return expand(`CASE WHEN $first_response_due_at IS NOT NULL AND ($first_response_at IS NOT NULL OR $sla_breached LIKE '%first_response%') THEN 1 ELSE 0 END`, t)
}

// FirstResponseMetSQL is 1 when the first reply came on or before its due
// time, else 0.
func FirstResponseMetSQL(t string) string {
	return expand(`CASE WHEN $first_response_due_at IS NOT NULL AND $first_response_at IS NOT NULL AND $first_response_at <= $first_response_due_at THEN 1 ELSE 0 END`, t)
}

// FirstResponseSecondsSQL is the whole seconds from arrival to the first
// agent reply (0 before it, never negative): the wait the first-response
// report averages and the wallboard's speed of answer.
func FirstResponseSecondsSQL(dialect db.Dialect, t string) string {
	diff := `FLOOR(EXTRACT(EPOCH FROM ($first_response_at - $created_at)))`
	if dialect != db.Postgres {
		// julianday keeps about 0.05 ms; rounding to the millisecond first
		// keeps a whole number of seconds whole.
		diff = `(CAST(ROUND((julianday($first_response_at) - julianday($created_at)) * 86400000) AS INTEGER) / 1000)`
	}
	return expand(`CASE WHEN $first_response_at IS NOT NULL AND $first_response_at > $created_at THEN `+diff+` ELSE 0 END`, t)
}

// OutcomeAbandoned is the outcome of an inbound call that hung up in the
// IVR or the queue.
const OutcomeAbandoned = "abandoned"

func expand(s, t string) string {
	return strings.NewReplacer("$first_response_due_at", t+"first_response_due_at", "$first_response_at", t+"first_response_at",
		"$created_at", t+"created_at", "$channel", t+"channel", "$status", t+"status", "$sla_breached", t+"sla_breached").Replace(s)
}
