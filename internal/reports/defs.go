package reports

import "slices"

// Kinds of a column's values.
const (
	KindCount   = "count"   // a number of tickets, replies, calls
	KindSeconds = "seconds" // a duration in seconds
	KindPercent = "percent" // 0..100
)

// column is one figure of a report, derived from summed Figures; ok is
// false when the figure is undefined (an average over nothing).
type column struct {
	Key  string
	Kind string
	fn   func(f Figures) (float64, bool)
	// raw columns (median, p90) are quantiles of the rollup's resolution-time
	// counts (resolution.go), not sums.
	raw float64
}

func count(get func(Figures) int64) func(Figures) (float64, bool) {
	return func(f Figures) (float64, bool) { return float64(get(f)), true }
}

func avg(sum, n func(Figures) int64) func(Figures) (float64, bool) {
	return func(f Figures) (float64, bool) {
		if n(f) == 0 {
			return 0, false
		}
		return float64(sum(f)) / float64(n(f)), true
	}
}

func pct(part, whole func(Figures) int64) func(Figures) (float64, bool) {
	return func(f Figures) (float64, bool) {
		if whole(f) == 0 {
			return 0, false
		}
		return 100 * float64(part(f)) / float64(whole(f)), true
	}
}

var (
	cTickets     = column{Key: "tickets", Kind: KindCount, fn: count(func(f Figures) int64 { return f.Tickets })}
	cResponded   = column{Key: "responded", Kind: KindCount, fn: count(func(f Figures) int64 { return f.Responded })}
	cFRTAvg      = column{Key: "frt_avg_s", Kind: KindSeconds, fn: avg(func(f Figures) int64 { return f.FRTSec }, func(f Figures) int64 { return f.Responded })}
	cFRTBizAvg   = column{Key: "frt_business_avg_s", Kind: KindSeconds, fn: avg(func(f Figures) int64 { return f.FRTBizSec }, func(f Figures) int64 { return f.Responded })}
	cReplies     = column{Key: "replies", Kind: KindCount, fn: count(func(f Figures) int64 { return f.Replies })}
	cReplyAvg    = column{Key: "response_avg_s", Kind: KindSeconds, fn: avg(func(f Figures) int64 { return f.ReplySec }, func(f Figures) int64 { return f.Replies })}
	cHandled     = column{Key: "handled", Kind: KindCount, fn: count(func(f Figures) int64 { return f.Handled })}
	cHandleAvg   = column{Key: "handle_avg_s", Kind: KindSeconds, fn: avg(func(f Figures) int64 { return f.HandleSec }, func(f Figures) int64 { return f.Handled })}
	cResolved    = column{Key: "resolved", Kind: KindCount, fn: count(func(f Figures) int64 { return f.Resolved })}
	cResAvg      = column{Key: "resolution_avg_s", Kind: KindSeconds, fn: avg(func(f Figures) int64 { return f.ResSec }, func(f Figures) int64 { return f.Resolved })}
	cResBizAvg   = column{Key: "resolution_business_avg_s", Kind: KindSeconds, fn: avg(func(f Figures) int64 { return f.ResBizSec }, func(f Figures) int64 { return f.Resolved })}
	cResMedian   = column{Key: "resolution_median_s", Kind: KindSeconds, raw: 0.5}
	cResP90      = column{Key: "resolution_p90_s", Kind: KindSeconds, raw: 0.9}
	cReopened    = column{Key: "reopened", Kind: KindCount, fn: count(func(f Figures) int64 { return f.Reopened })}
	cReopenPct   = column{Key: "reopen_pct", Kind: KindPercent, fn: pct(func(f Figures) int64 { return f.Reopened }, func(f Figures) int64 { return f.Resolved })}
	cTransferred = column{Key: "transferred", Kind: KindCount, fn: count(func(f Figures) int64 { return f.Transferred })}
	cTransfers   = column{Key: "transfers", Kind: KindCount, fn: count(func(f Figures) int64 { return f.Transfers })}
	cTransferPct = column{Key: "transfer_pct", Kind: KindPercent, fn: pct(func(f Figures) int64 { return f.Transferred }, func(f Figures) int64 { return f.Tickets })}
	cFRTDue      = column{Key: "frt_sla_due", Kind: KindCount, fn: count(func(f Figures) int64 { return f.FRTDue })}
	cFRTMetPct   = column{Key: "frt_sla_met_pct", Kind: KindPercent, fn: pct(func(f Figures) int64 { return f.FRTMet }, func(f Figures) int64 { return f.FRTDue })}
	cResDue      = column{Key: "resolution_sla_due", Kind: KindCount, fn: count(func(f Figures) int64 { return f.ResDue })}
	cResMetPct   = column{Key: "resolution_sla_met_pct", Kind: KindPercent, fn: pct(func(f Figures) int64 { return f.ResMet }, func(f Figures) int64 { return f.ResDue })}
	cAbandoned   = column{Key: "abandoned", Kind: KindCount, fn: count(func(f Figures) int64 { return f.Abandoned })}
	cAbandonPct  = column{Key: "abandoned_pct", Kind: KindPercent, fn: pct(func(f Figures) int64 { return f.Abandoned }, func(f Figures) int64 { return f.Tickets })}
)

// Group names a report may be grouped by.
const (
	GroupDay      = "day"
	GroupHour     = "hour"
	GroupChannel  = "channel"
	GroupCategory = "category"
	GroupProvince = "province"
	GroupQueue    = "queue"
	GroupAgent    = "agent"
	GroupWrapup   = "wrapup"
)

var ticketGroups = []string{GroupDay, GroupHour, GroupChannel, GroupCategory, GroupProvince, GroupQueue, GroupAgent}

// reportDef is a named report: its columns and the groupings it offers.
type reportDef struct {
	cols         []column
	groups       []string
	defaultGroup string
	// abandonment reads two parts: live chats (channel livechat) and calls.
	abandonment bool
	// export is the per-ticket CSV (Export), not a grouped report.
	export bool
}

// Export is the name of the per-ticket export.
const Export = "tickets"

var reportDefs = map[string]reportDef{
	"volume":         {cols: []column{cTickets}, groups: append(slices.Clone(ticketGroups), GroupWrapup), defaultGroup: GroupDay},
	"first_response": {cols: []column{cResponded, cFRTAvg, cFRTBizAvg, cFRTMetPct}, groups: ticketGroups, defaultGroup: GroupDay},
	"response":       {cols: []column{cReplies, cReplyAvg}, groups: ticketGroups, defaultGroup: GroupDay},
	"handle_time":    {cols: []column{cHandled, cHandleAvg}, groups: ticketGroups, defaultGroup: GroupDay},
	"resolution":     {cols: []column{cResolved, cResAvg, cResBizAvg, cResMedian, cResP90}, groups: ticketGroups, defaultGroup: GroupDay},
	"reopen":         {cols: []column{cResolved, cReopened, cReopenPct}, groups: ticketGroups, defaultGroup: GroupDay},
	"transfers":      {cols: []column{cTickets, cTransferred, cTransfers, cTransferPct}, groups: ticketGroups, defaultGroup: GroupDay},
	"sla":            {cols: []column{cFRTDue, cFRTMetPct, cResDue, cResMetPct}, groups: ticketGroups, defaultGroup: GroupDay},
	Export:           {export: true},
	"abandonment":    {groups: []string{GroupDay}, defaultGroup: GroupDay, abandonment: true},
	"wrapup":         {cols: []column{cTickets, cResolved}, groups: []string{GroupWrapup}, defaultGroup: GroupWrapup},
	"agents": {cols: []column{cTickets, cResponded, cFRTAvg, cResolved, cResAvg, cHandleAvg, cReopened, cTransfers, cFRTMetPct},
		groups: []string{GroupAgent}, defaultGroup: GroupAgent},
	"queues": {cols: []column{cTickets, cResponded, cFRTAvg, cFRTBizAvg, cResolved, cResAvg, cResBizAvg, cTransfers, cFRTMetPct, cResMetPct, cAbandoned},
		groups: []string{GroupQueue}, defaultGroup: GroupQueue},
}

// abandonment's columns: live chats and inbound calls.
var abandonCols = []column{
	{Key: "chats", Kind: KindCount}, {Key: "chats_abandoned", Kind: KindCount}, {Key: "chats_abandoned_pct", Kind: KindPercent},
	{Key: "calls", Kind: KindCount}, {Key: "calls_abandoned", Kind: KindCount}, {Key: "calls_abandoned_pct", Kind: KindPercent},
}

// Names lists the reports, in the console's order.
func Names() []string {
	return []string{"volume", "first_response", "response", "handle_time", "resolution", "reopen", "transfers", "sla",
		"abandonment", "wrapup", "agents", "queues"}
}

// Groups lists the groupings a report offers.
func Groups(name string) []string { return slices.Clone(reportDefs[name].groups) }

// dimOf is the rollup dimension read for a grouping ("day" and none read
// the totals).
func dimOf(group string) string {
	switch group {
	case GroupDay, "":
		return DimAll
	}
	return group
}
