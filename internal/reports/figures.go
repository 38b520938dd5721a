package reports

import (
	"strconv"
	"strings"
	"time"

	"tanggap/internal/domain"
	"tanggap/internal/hours"
)

// Figures are the summable figures of a set of tickets (one rollup row).
// Durations are whole seconds; *_biz_s count business time on the
// ticket's queue calendar.
type Figures struct {
	Tickets     int64 `json:"tickets"`
	Responded   int64 `json:"responded"`
	FRTSec      int64 `json:"frt_s"`
	FRTBizSec   int64 `json:"frt_biz_s"`
	Replies     int64 `json:"replies"`
	ReplySec    int64 `json:"reply_s"`
	Resolved    int64 `json:"resolved"`
	ResSec      int64 `json:"res_s"`
	ResBizSec   int64 `json:"res_biz_s"`
	Handled     int64 `json:"handled"`
	HandleSec   int64 `json:"handle_s"`
	Reopened    int64 `json:"reopened"`
	Transferred int64 `json:"transferred"`
	Transfers   int64 `json:"transfers"`
	FRTDue      int64 `json:"frt_due"`
	FRTMet      int64 `json:"frt_met"`
	ResDue      int64 `json:"res_due"`
	ResMet      int64 `json:"res_met"`
	Abandoned   int64 `json:"abandoned"`
}

// add sums o into f.
func (f *Figures) add(o Figures) {
	f.Tickets += o.Tickets
	f.Responded += o.Responded
	f.FRTSec += o.FRTSec
	f.FRTBizSec += o.FRTBizSec
	f.Replies += o.Replies
	f.ReplySec += o.ReplySec
	f.Resolved += o.Resolved
	f.ResSec += o.ResSec
	f.ResBizSec += o.ResBizSec
	f.Handled += o.Handled
	f.HandleSec += o.HandleSec
	f.Reopened += o.Reopened
	f.Transferred += o.Transferred
	f.Transfers += o.Transfers
	f.FRTDue += o.FRTDue
	f.FRTMet += o.FRTMet
	f.ResDue += o.ResDue
	f.ResMet += o.ResMet
	f.Abandoned += o.Abandoned
}

// columns are the rollup's figure columns, in Figures' order.
const columns = `tickets, responded, frt_s, frt_biz_s, replies, reply_s, resolved, res_s, res_biz_s, handled, handle_s,
	reopened, transferred, transfers, frt_due, frt_met, res_due, res_met, abandoned`

const nColumns = 19

func (f *Figures) ptrs() []any {
	return []any{&f.Tickets, &f.Responded, &f.FRTSec, &f.FRTBizSec, &f.Replies, &f.ReplySec, &f.Resolved, &f.ResSec, &f.ResBizSec,
		&f.Handled, &f.HandleSec, &f.Reopened, &f.Transferred, &f.Transfers, &f.FRTDue, &f.FRTMet, &f.ResDue, &f.ResMet, &f.Abandoned}
}

func (f Figures) values() []any {
	return []any{f.Tickets, f.Responded, f.FRTSec, f.FRTBizSec, f.Replies, f.ReplySec, f.Resolved, f.ResSec, f.ResBizSec,
		f.Handled, f.HandleSec, f.Reopened, f.Transferred, f.Transfers, f.FRTDue, f.FRTMet, f.ResDue, f.ResMet, f.Abandoned}
}

// ticketRow is what the rollup reads of one ticket.
type ticketRow struct {
	ID            int64
	Channel       string
	Category      string
	Province      string
	QueueID       int64
	AssigneeID    int64
	Status        domain.TicketStatus
	SLABreached   string
	CreatedAt     time.Time
	FirstResponse *time.Time
	SolvedAt      *time.Time
	ClosedAt      *time.Time
	FRTDue        *time.Time
	ResDue        *time.Time
	// Filled from other tables.
	Messages  []msg // in time order
	Transfers int64
	// TransfersBy counts the transfers by who made them (agent id).
	TransfersBy map[int64]int64
	Reopened    bool
	Wrapup      string
	// The shared rules (rules.go), 0 or 1, computed by the query.
	ruleAbandoned, ruleFRTDue, ruleFRTMet int64
}

type msg struct {
	Out bool
	At  time.Time
	// Agent wrote an outbound message (0: unknown, or a citizen's).
	Agent int64
}

// resolvedAt is when the ticket was solved (or closed without a solve).
func (t *ticketRow) resolvedAt() *time.Time {
	if t.SolvedAt != nil {
		return t.SolvedAt
	}
	return t.ClosedAt
}

func secs(d time.Duration) int64 {
	if d < 0 {
		return 0
	}
	return int64(d / time.Second)
}

// figures are one ticket's figures on its queue's calendar.
//
// First response: created → first agent reply. Response: each agent reply
// answering the oldest unanswered citizen message. Handle: first agent
// reply → resolution. Resolution: created → solved (or closed). SLA: a
// target counts once it is decided (met, or noted breached by the SLA
// clock); met when the event came on or before its due time. The
// first-response target and abandonment follow the shared rules
// (rules.go), read with the row.
func (t *ticketRow) figures(cal *hours.Calendar) Figures {
	f := Figures{Tickets: 1}
	if t.FirstResponse != nil {
		f.Responded = 1
		f.FRTSec = secs(t.FirstResponse.Sub(t.CreatedAt))
		f.FRTBizSec = secs(cal.Between(t.CreatedAt, *t.FirstResponse))
	}
	t.eachReply(func(_ msg, waited int64) {
		f.Replies++
		f.ReplySec += waited
	})
	if end := t.resolvedAt(); end != nil {
		f.Resolved = 1
		f.ResSec = secs(end.Sub(t.CreatedAt))
		f.ResBizSec = secs(cal.Between(t.CreatedAt, *end))
		if t.FirstResponse != nil {
			f.Handled = 1
			f.HandleSec = secs(end.Sub(*t.FirstResponse))
		}
	}
	if t.Reopened {
		f.Reopened = 1
	}
	if t.Transfers > 0 {
		f.Transferred = 1
		f.Transfers = t.Transfers
	}
	f.FRTDue, f.FRTMet = t.ruleFRTDue, t.ruleFRTMet
	if end := t.resolvedAt(); t.ResDue != nil && (end != nil || strings.Contains(t.SLABreached, "resolution")) {
		f.ResDue = 1
		if end != nil && !end.After(*t.ResDue) {
			f.ResMet = 1
		}
	}
	f.Abandoned = t.ruleAbandoned
	return f
}

// eachReply calls f for each agent reply that answers the oldest citizen
// message not yet answered, with the seconds that message waited.
func (t *ticketRow) eachReply(f func(m msg, waited int64)) {
	var waiting *time.Time
	for i := range t.Messages {
		m := t.Messages[i]
		switch {
		case !m.Out && waiting == nil:
			waiting = &t.Messages[i].At
		case m.Out && waiting != nil:
			f(m, secs(m.At.Sub(*waiting)))
			waiting = nil
		}
	}
}

// agentShares splits a ticket's figures f among the agents who did the
// work, for the agents report: the first response (and its SLA target
// once answered) goes to whoever wrote it, each reply to its author, each
// transfer to whoever made it; the ticket itself (whether it was ever
// transferred included), its resolution, reopen and abandonment to its
// assignee (the agent holding it when solved). A
// ticket transferred after its first answer so credits the answer to the
// agent who gave it, not the one who received the ticket.
func (t *ticketRow) agentShares(f Figures) map[int64]Figures {
	owner := f
	owner.Replies, owner.ReplySec, owner.Transfers = 0, 0, 0
	out := map[int64]Figures{}
	share := func(id int64) Figures { return out[id] }
	author := func(m msg) int64 {
		if m.Agent != 0 {
			return m.Agent
		}
		return t.AssigneeID
	}
	// The first response's author: the first agent message.
	if f.Responded == 1 {
		for _, m := range t.Messages {
			if m.Out {
				if by := author(m); by != t.AssigneeID {
					s := share(by)
					s.Responded, s.FRTSec, s.FRTBizSec, s.FRTDue, s.FRTMet = f.Responded, f.FRTSec, f.FRTBizSec, f.FRTDue, f.FRTMet
					out[by] = s
					owner.Responded, owner.FRTSec, owner.FRTBizSec, owner.FRTDue, owner.FRTMet = 0, 0, 0, 0, 0
				}
				break
			}
		}
	}
	// Each reply to its author, as figures counts them.
	t.eachReply(func(m msg, waited int64) {
		if by := author(m); by != t.AssigneeID {
			s := share(by)
			s.Replies++
			s.ReplySec += waited
			out[by] = s
			return
		}
		owner.Replies++
		owner.ReplySec += waited
	})
	for by, n := range t.TransfersBy {
		if by == t.AssigneeID {
			owner.Transfers = n
			continue
		}
		s := share(by)
		s.Transfers = n
		out[by] = s
	}
	out[t.AssigneeID] = owner
	return out
}

// Dimensions of the rollup.
const (
	DimAll      = "all"
	DimChannel  = "channel"
	DimCategory = "category"
	DimProvince = "province"
	DimQueue    = "queue"
	DimHour     = "hour"
	DimAgent    = "agent"
	DimWrapup   = "wrapup"
	DimCalls    = "calls"
)

// keys are the (dim, value) pairs a ticket counts under.
func (t *ticketRow) keys(zone *time.Location) [8][2]string {
	return [8][2]string{
		{DimAll, ""},
		{DimChannel, t.Channel},
		{DimCategory, t.Category},
		{DimProvince, t.Province},
		{DimQueue, strconv.FormatInt(t.QueueID, 10)},
		{DimHour, t.CreatedAt.In(zone).Format("15")},
		{DimAgent, strconv.FormatInt(t.AssigneeID, 10)},
		{DimWrapup, t.Wrapup},
	}
}

// isReopen reads an audit detail "solved -> open" of action ticket.status:
// a solved or closed ticket moved back to an active status.
func isReopen(detail string) bool {
	from, to, ok := strings.Cut(detail, " -> ")
	if !ok {
		return false
	}
	return !domain.TicketStatus(from).Active() && domain.TicketStatus(to).Active()
}
