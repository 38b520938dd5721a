package voice_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tanggap/channels/voice/voicetest"
	"tanggap/internal/locale"
	"tanggap/internal/reopen"
	"tanggap/internal/routing"
	"tanggap/internal/ticket"
)

// Whole calls against the agents' queue's real business-hours calendar,
// configured through the routing admin API of the running app.

var weekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// jakarta is the agents' queue's time zone in these tests.
func jakarta(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// saveQueue sets a queue's settings through the admin API.
func (cc *callCenter) saveQueue(q routing.QueueSettings) {
	cc.t.Helper()
	res := cc.agent.Do(http.MethodPut, "/api/v1/admin/queues/"+q.Code, q)
	if res.Status != http.StatusOK {
		cc.t.Fatalf("save queue %s: %d %s", q.Code, res.Status, res.Body)
	}
}

// allWeek is business hours around the clock, every day.
func allWeek() map[string][]string {
	h := map[string][]string{}
	for _, d := range weekdays {
		h[d] = []string{"00:00-24:00"}
	}
	return h
}

// queueID finds a queue's id through the admin API.
func (cc *callCenter) queueID(code string) int64 {
	cc.t.Helper()
	var list struct {
		Queues []routing.QueueSettings `json:"queues"`
	}
	cc.agent.Do(http.MethodGet, "/api/v1/admin/queues", nil).JSON(cc.t, &list)
	for _, q := range list.Queues {
		if q.Code == code {
			return q.ID
		}
	}
	cc.t.Fatalf("no queue %q among %+v", code, list.Queues)
	return 0
}

// ticketRouting is GET /api/v1/tickets/{id}/routing.
type ticketRouting struct {
	QueueID  int64 `json:"queue_id"`
	AgentID  int64 `json:"agent_id"`
	Position int   `json:"position"`
	Open     bool  `json:"open"`
}

func (cc *callCenter) routingOf(id int64) ticketRouting {
	cc.t.Helper()
	var out struct {
		Routing ticketRouting `json:"routing"`
	}
	res := cc.agent.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/routing", id), nil)
	if res.Status != http.StatusOK {
		cc.t.Fatalf("routing of %d: %d %s", id, res.Status, res.Body)
	}
	res.JSON(cc.t, &out)
	return out.Routing
}

// afterHours presses 0 and expects the after-hours offer, saying that
// agents are back at midnight of day (as said when the call began or
// ended, should the test run across midnight).
func afterHours(t *testing.T, p *voicetest.Phone, day time.Time) voicetest.Answer {
	t.Helper()
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	opens := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, day.Location())
	began := time.Now()
	offer := p.Press(p.Incoming().Doc, "0")
	said := offer.Doc.AllText()
	first, last := reopen.Spoken(cat, "id-ID", began, opens), reopen.Spoken(cat, "id-ID", time.Now(), opens)
	if !strings.Contains(said, "di luar jam layanan petugas. Petugas kembali melayani "+first+".") && !strings.Contains(said, "melayani "+last+".") {
		t.Fatalf("the offer does not say agents are back %s: %s", first, said)
	}
	if offer.Doc.Find("Enqueue") != nil || offer.Doc.Find("Dial") != nil {
		t.Fatalf("after hours the caller is put through: %s", offer.Body)
	}
	if g := offer.Doc.Find("Gather"); g == nil || !strings.Contains(g.Attrs["action"], "/webhooks/voice/fallback") {
		t.Fatalf("after hours offer: %s", offer.Body)
	}
	return offer
}

func TestCallAfterHoursOnTheQueueCalendar(t *testing.T) {
	cc := start(t)
	now := time.Now().In(jakarta(t))

	// Closed by the week: the agents work only on a day that is not today
	// (nor tomorrow, should the test run across midnight).
	otherDay := now.AddDate(0, 0, 3)
	other := weekdays[otherDay.Weekday()]
	cc.saveQueue(routing.QueueSettings{Code: "umum", Name: "Umum", TimeZone: "Asia/Jakarta",
		Hours: map[string][]string{other: {"00:00-24:00"}}})

	// Voicemail after hours.
	vm := cc.call("+6281388881111")
	rec := vm.Press(afterHours(t, vm, otherDay).Doc, "1")
	hears(t, rec, "setelah nada")
	hears(t, vm.Follow(rec.Doc, "Record", url.Values{"RecordingUrl": {cc.twilio.RecordingURL("RE11112222333344445555666677778888")},
		"RecordingSid": {"RE11112222333344445555666677778888"}, "RecordingDuration": {"9"}}), "sudah kami terima")
	vm.Hangup("completed", 30)
	d := cc.voiceTicket("+6281388881111", func(d ticket.Detail) error {
		if _, err := message(d, "voicemail"); err != nil {
			return err
		}
		_, err := message(d, "call_record")
		return err
	})
	m, _ := message(d, "call_record")
	if m.Fields["call_outcome"] != "voicemail" || m.Fields["ivr_path"] != "main>after_hours>voicemail" {
		t.Fatalf("voicemail call record: %+v", m.Fields)
	}
	if _, err := message(d, "transfer"); err == nil {
		t.Fatal("a transfer was recorded after hours")
	}

	// Closed for a holiday: the agents work every day, but today is a
	// national holiday (tomorrow too, should the test run across midnight).
	cc.saveQueue(routing.QueueSettings{Code: "umum", Name: "Umum", TimeZone: "Asia/Jakarta", Hours: allWeek()})
	days := map[int][]routing.Holiday{}
	for _, day := range []time.Time{now, now.AddDate(0, 0, 1)} {
		days[day.Year()] = append(days[day.Year()], routing.Holiday{Day: day.Format("2006-01-02"), Name: "Hari libur uji", Kind: "national"})
	}
	for year, list := range days {
		if res := cc.agent.Do(http.MethodPut, fmt.Sprintf("/api/v1/admin/holidays/%d", year), map[string]any{"holidays": list}); res.Status != http.StatusOK {
			t.Fatalf("holidays: %d %s", res.Status, res.Body)
		}
	}
	first := cc.call("+6281388882222")
	hears(t, first.Press(afterHours(t, first, now.AddDate(0, 0, 2)).Doc, "2"), "urutan ke 1")
	cb := cc.call("+6281388883333")
	confirm := cb.Press(afterHours(t, cb, now.AddDate(0, 0, 2)).Doc, "2")
	hears(t, confirm, "urutan ke 2")
	if confirm.Doc.Find("Hangup") == nil {
		t.Fatalf("after a callback request: %s", confirm.Body)
	}
	cb.Hangup("completed", 25)
	callbackQueue := cc.queueID("callback")
	d = cc.voiceTicket("+6281388883333", func(d ticket.Detail) error {
		_, err := message(d, "call_record")
		return err
	})
	req, err := message(d, "callback_request")
	if err != nil || req.Fields["ivr_path"] != "main>after_hours>callback" {
		t.Fatalf("callback request: %v %+v", err, req.Fields)
	}
	// The ticket waits in the callback queue, second in line, and keeps
	// that place when the caller asks again.
	r := cc.routingOf(d.ID)
	if r.QueueID != callbackQueue || r.AgentID != 0 || r.Position != 2 {
		t.Fatalf("callback ticket routing: %+v (callback queue %d)", r, callbackQueue)
	}
	again := cc.call("+6281388883333")
	hears(t, again.Press(afterHours(t, again, now.AddDate(0, 0, 2)).Doc, "2"), "urutan ke 2")
	again.Hangup("completed", 12)
	cc.voiceTicket("+6281388883333", func(d ticket.Detail) error {
		n := 0
		for _, m := range d.Messages {
			if m.Fields["kind"] == "call_record" {
				n++
			}
		}
		if n != 2 {
			return fmt.Errorf("%d call records", n)
		}
		return nil
	})
	if r := cc.routingOf(d.ID); r.QueueID != callbackQueue || r.Position != 2 {
		t.Fatalf("after asking again: %+v", r)
	}
	var line struct {
		Callbacks []struct {
			Phone    string `json:"phone"`
			Position int    `json:"position"`
		} `json:"callbacks"`
	}
	cc.agent.Do(http.MethodGet, "/api/v1/voice/callbacks", nil).JSON(t, &line)
	if len(line.Callbacks) != 2 || line.Callbacks[1].Phone != "+6281388883333" || line.Callbacks[1].Position != 2 {
		t.Fatalf("callback line: %+v", line.Callbacks)
	}

	// Open: the holiday is removed and the caller is put through.
	for year := range days {
		if res := cc.agent.Do(http.MethodPut, fmt.Sprintf("/api/v1/admin/holidays/%d", year), map[string]any{"holidays": []routing.Holiday{}}); res.Status != http.StatusOK {
			t.Fatalf("holidays: %d %s", res.Status, res.Body)
		}
	}
	in := cc.call("+6281388884444")
	tr := in.Press(in.Incoming().Doc, "0")
	hears(t, tr, "dihubungkan dengan petugas")
	if tr.Doc.Find("Enqueue") == nil {
		t.Fatalf("in hours: %s", tr.Body)
	}
	in.Hangup("completed", 90)
	d = cc.voiceTicket("+6281388884444", func(d ticket.Detail) error {
		_, err := message(d, "transfer")
		return err
	})
	if r := cc.routingOf(d.ID); r.QueueID != cc.queueID("umum") || !r.Open {
		t.Fatalf("transferred caller's ticket: %+v", r)
	}
}

// A caller whose earlier call still has an open ticket in the agents'
// queue asks to be called back: the request waits in the callback queue
// (a ticket of its own, in the order of the request), the earlier ticket
// stays where it is, and asking again joins the waiting request.
func TestCallbackWithAnOpenTicketElsewhere(t *testing.T) {
	cc := start(t)
	const caller = "+6281399991111"
	// Earlier today: put through to an agent, a ticket in the agents' queue.
	earlier := cc.call(caller)
	hears(t, earlier.Press(earlier.Incoming().Doc, "0"), "dihubungkan dengan petugas")
	earlier.Hangup("completed", 40)
	old := cc.voiceTicket(caller, func(d ticket.Detail) error {
		_, err := message(d, "call_record")
		return err
	})
	umum, callbackQueue := cc.queueID("umum"), cc.queueID("callback")
	if r := cc.routingOf(old.ID); r.QueueID != umum {
		t.Fatalf("earlier ticket: %+v", r)
	}

	// Someone else is already waiting for a callback.
	first := cc.call("+6281399992222")
	hears(t, first.Press(first.Incoming().Doc, "4"), "urutan ke 1")

	p := cc.call(caller)
	hears(t, p.Press(p.Incoming().Doc, "4"), "urutan ke 2")
	p.Hangup("completed", 15)
	cb := cc.voiceTicket(caller, func(d ticket.Detail) error {
		if _, err := message(d, "callback_request"); err != nil {
			return err
		}
		_, err := message(d, "call_record")
		return err
	})
	if cb.ID == old.ID {
		t.Fatalf("the callback request joined the ticket in the agents' queue (%d)", old.ID)
	}
	if r := cc.routingOf(cb.ID); r.QueueID != callbackQueue || r.AgentID != 0 || r.Position != 2 {
		t.Fatalf("callback ticket: %+v (callback queue %d)", r, callbackQueue)
	}
	if r := cc.routingOf(old.ID); r.QueueID != umum {
		t.Fatalf("earlier ticket moved: %+v", r)
	}
	var oldNow ticket.Detail
	cc.agent.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", old.ID), nil).JSON(t, &oldNow)
	if _, err := message(oldNow, "callback_request"); err == nil {
		t.Fatal("the callback request is on the earlier ticket too")
	}

	// Asking again joins the waiting request: no second callback ticket,
	// same place.
	again := cc.call(caller)
	hears(t, again.Press(again.Incoming().Doc, "4"), "urutan ke 2")
	again.Hangup("completed", 9)
	cc.voiceTicket(caller, func(d ticket.Detail) error {
		if d.ID != cb.ID {
			return fmt.Errorf("ticket %d", d.ID)
		}
		n := 0
		for _, m := range d.Messages {
			if m.Fields["kind"] == "callback_request" {
				n++
			}
		}
		if n != 2 {
			return fmt.Errorf("%d callback requests on the callback ticket", n)
		}
		return nil
	})
	var list struct {
		Tickets []ticket.Summary `json:"tickets"`
	}
	cc.agent.Do(http.MethodGet, "/api/v1/tickets?scope=all&status=all", nil).JSON(t, &list)
	mine := 0
	for _, s := range list.Tickets {
		var d ticket.Detail
		cc.agent.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", s.ID), nil).JSON(t, &d)
		if d.Contact.Phone == caller {
			mine++
		}
	}
	if mine != 2 {
		t.Fatalf("caller has %d tickets, want the earlier one and the callback", mine)
	}
	if r := cc.routingOf(cb.ID); r.QueueID != callbackQueue || r.Position != 2 {
		t.Fatalf("after asking again: %+v", r)
	}
}
