package cluster

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Print writes the report as two tables: the load phases, then the
// check of every accepted complaint.
func (r ChaosReport) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tinstances\taccepted\tWhatsApp\tchat\tretries\tfailed\taccepted/s\tstored/s\tp50 accept\tp99 accept\t")
	for _, p := range r.Phases {
		res := p.Result
		stored := "—"
		if p.StoredIn > 0 {
			stored = fmt.Sprintf("%.0f", p.StoredPerSecond())
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.0f\t%s\t%v\t%v\t\n", p.Name, p.Backends, res.Accepted, res.WhatsApp, res.Chat, res.Retries, res.Failed,
			res.PerSecond(), stored, res.P50.Round(100*time.Microsecond), res.P99.Round(100*time.Microsecond))
	}
	_ = tw.Flush()
	if acc, st := r.Ratio(); acc > 0 {
		fmt.Fprintf(w, "throughput, 2 instances / 1: accepted %.2f×, stored %.2f×\n", acc, st)
	}
	if len(r.Streams) > 0 {
		var names []string
		for name, n := range r.Streams {
			names = append(names, fmt.Sprintf("%s on %d", name, n))
		}
		sort.Strings(names)
		fmt.Fprintf(w, "NATS: %d nodes; streams (nodes holding each): %s\n", r.Nodes, strings.Join(names, ", "))
	}
	if len(r.Events) > 0 {
		fmt.Fprintln(w, "faults: "+strings.Join(r.Events, "; "))
	}
	if r.ReadyzPolls > 0 {
		fmt.Fprintf(w, "readiness of the instance never killed (%d polls): /readyz/core (database) 503 %d times, %d while the database was down; /readyz (gateway, JetStream) 503 %d times, %d while the database was down\n",
			r.ReadyzPolls, r.CoreDown, r.CoreDownDuringOutage, r.GatewayDown, r.GatewayDownDuringOutage)
	}
	if rv := r.Resume; rv.Visitors > 0 {
		fmt.Fprintf(w, "live-chat visitors of the killed instance: %d; reconnected and sent again %d (%d to the other instance); all messages once in one ticket %d\n",
			rv.Visitors, rv.Resumed, rv.OnOther, rv.SameTicket)
	}
	if len(r.Faults) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "fault\tsent\tacknowledged\tof them WhatsApp\tstored\tduplicated\tlost\twrong ticket\t")
		for _, f := range r.Faults {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", f.Name, f.Sent, f.Verify.Accepted, f.WhatsApp,
				f.Verify.Stored, f.Verify.Duplicates, f.Verify.Lost, f.Verify.WrongTicket)
		}
		_ = tw.Flush()
	}
	v := r.Verify
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "accepted\tstored\tduplicates\tlost\twrong ticket\tstored, no 2xx seen\tdrained in\t")
	fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%d\t%v\t\n", v.Accepted, v.Stored, v.Duplicates, v.Lost, v.WrongTicket, v.Unanswered,
		r.Drained.Round(time.Millisecond))
	_ = tw.Flush()
	if r.OK() {
		fmt.Fprintln(w, "OK: every accepted message stored exactly once, in its citizen's ticket; the backlog drained")
	} else {
		fmt.Fprintln(w, "FAIL: accepted messages lost, duplicated or misfiled, a visitor not resumed in its ticket, or the database outage not seen by /readyz/core or refusing webhooks")
	}
}
