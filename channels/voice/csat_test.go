package voice_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tanggap/internal/csat"
	"tanggap/internal/ticket"
)

// TestCallKeypadSurvey: a caller talks with an agent; when the agent's leg
// ends the caller is asked to rate the call on the keypad, a wrong key is
// asked again, and the rating lands in the satisfaction report under the
// phone channel, the ticket's queue, agent and province. A provider retry
// of the answer records nothing twice.
func TestCallKeypadSurvey(t *testing.T) {
	cc := start(t)
	// The admin takes calls: online in the agents' queue.
	if res := cc.agent.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "online"}); res.Status != 200 {
		t.Fatalf("presence: %d %s", res.Status, res.Body)
	}
	const caller = "+6281399990000"
	p := cc.call(caller)
	tr := p.Press(p.Incoming().Doc, "0")
	d := cc.voiceTicket(caller, func(d ticket.Detail) error {
		if _, err := message(d, "transfer"); err != nil {
			return err
		}
		if d.AssigneeID == nil {
			return fmt.Errorf("not assigned yet")
		}
		return nil
	})
	if a := p.Post("/webhooks/voice/bridged", nil); a.Status != 200 {
		t.Fatalf("bridge: %d %s", a.Status, a.Body)
	}
	ask := p.Follow(tr.Doc, "Enqueue", url.Values{"QueueResult": {"bridged"}, "QueueTime": {"40"}})
	hears(t, ask, "Tekan 1 sampai 5")
	g := ask.Doc.Find("Gather")
	if g == nil || g.Attrs["numDigits"] != "1" || !strings.Contains(g.Attrs["action"], "/webhooks/voice/csat?") {
		t.Fatalf("survey: %s", ask.Body)
	}
	again := p.Press(ask.Doc, "9")
	hears(t, again, "tekan angka 1 sampai 5")
	thanks := p.Press(again.Doc, "4")
	hears(t, thanks, "Terima kasih atas penilaian Anda")
	if thanks.Doc.Find("Hangup") == nil {
		t.Fatalf("after the rating: %s", thanks.Body)
	}
	// The provider retries the answer: still one rating.
	if retry := p.Press(again.Doc, "2"); retry.Doc.Find("Hangup") == nil {
		t.Fatalf("retried answer: %s", retry.Body)
	}
	p.Hangup("completed", 200)

	var ratings struct {
		Ratings []csat.TicketRating `json:"ratings"`
	}
	cc.agent.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/csat", d.ID), nil).JSON(t, &ratings)
	if len(ratings.Ratings) != 1 || ratings.Ratings[0].Rating != 4 || ratings.Ratings[0].AnsweredBy != csat.ByPhone {
		t.Fatalf("ticket ratings: %+v", ratings.Ratings)
	}
	want := map[string]string{"channel": "voice", "queue": "umum", "agent": fmt.Sprint(*d.AssigneeID), "province": d.Contact.Province}
	for group, key := range want {
		var rep csat.Report
		res := cc.agent.Do(http.MethodGet, "/api/v1/reports/csat?group_by="+group, nil)
		if res.Status != 200 {
			t.Fatalf("report: %d %s", res.Status, res.Body)
		}
		res.JSON(t, &rep)
		if len(rep.Lines) != 1 || rep.Lines[0].Responses != 1 || rep.Lines[0].Average != 4 || rep.Lines[0].SatisfiedPct != 100 {
			t.Fatalf("by %s: %+v", group, rep.Lines)
		}
		got := rep.Lines[0].Key
		if group == "queue" {
			got = rep.Lines[0].Label
		}
		if got != key {
			t.Fatalf("by %s: key %q, want %q", group, got, key)
		}
	}
}
