package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"tanggap/internal/apptest"
	"tanggap/internal/config"
	"tanggap/internal/csat"
	"tanggap/internal/ticket"
)

// surveyGraph stands in for the Graph API's messages endpoint and keeps
// every message body it accepts, checking the documented limits of the
// two survey shapes: a list (≤ 10 rows, titles ≤ 24, ids ≤ 200, button
// ≤ 20) and a template with quick-reply payloads.
type surveyGraph struct {
	srv  *httptest.Server
	mu   sync.Mutex
	sent []map[string]any
}

func newSurveyGraph(t *testing.T) *surveyGraph {
	g := &surveyGraph{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("Authorization") != "Bearer token" || !strings.HasSuffix(r.URL.Path, "/1065/messages") || json.Unmarshal(b, &m) != nil {
			http.Error(w, `{"error":{"message":"bad request","code":100}}`, http.StatusBadRequest)
			return
		}
		if problem := surveyShapeProblem(m); problem != "" {
			http.Error(w, `{"error":{"message":"(#131009) `+problem+`","code":131009}}`, http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		g.sent = append(g.sent, m)
		n := len(g.sent)
		g.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"messaging_product": "whatsapp", "messages": []any{map[string]any{"id": fmt.Sprintf("wamid.s-%d", n)}}})
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func surveyShapeProblem(m map[string]any) string {
	switch m["type"] {
	case "interactive":
		it, _ := m["interactive"].(map[string]any)
		action, _ := it["action"].(map[string]any)
		sections, _ := action["sections"].([]any)
		if it["type"] != "list" || len(sections) != 1 || len([]rune(fmt.Sprint(action["button"]))) > 20 {
			return "list must have a button of at most 20 characters and sections"
		}
		rows, _ := sections[0].(map[string]any)["rows"].([]any)
		if len(rows) == 0 || len(rows) > 10 {
			return "1 to 10 rows"
		}
		for _, r := range rows {
			row := r.(map[string]any)
			if len([]rune(fmt.Sprint(row["title"]))) > 24 || len(fmt.Sprint(row["id"])) > 200 {
				return "row title at most 24, id at most 200"
			}
		}
	case "template":
		tpl, _ := m["template"].(map[string]any)
		if tpl["name"] == "" {
			return "template name"
		}
	}
	return ""
}

// surveys returns the messages of type typ sent to waID.
func (g *surveyGraph) surveys(waID, typ string) []map[string]any {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []map[string]any
	for _, m := range g.sent {
		if m["to"] == waID && m["type"] == typ {
			out = append(out, m)
		}
	}
	return out
}

// TestWhatsAppSurvey: an agent solves two WhatsApp tickets; the citizen
// who wrote within 24 hours gets the list message of five ratings, the one
// who wrote longer ago the approved template with five quick replies. Each
// taps a rating; the taps are ratings (the solved tickets stay solved) and
// land in the report under WhatsApp, the queue, agent and province.
func TestWhatsAppSurvey(t *testing.T) {
	graph := newSurveyGraph(t)
	cfg := apptest.Config(t)
	cfg.WhatsApp = config.WhatsApp{AppSecret: "secret", VerifyToken: "verify", AccessToken: "token",
		APIBaseURL: graph.srv.URL, APIVersion: "v23.0", PhoneNumberID: "1065", NumberQueues: map[string]string{},
		RateLimit: 80, MediaMaxBytes: 1 << 20}
	cfg.CSAT.WhatsAppTemplate = config.WhatsAppTemplate{Name: "penilaian_layanan", Language: "id"}
	base, api := onlineAdmin(t, cfg)
	hook := apptest.NewClient(t, base)
	now := time.Now()
	hook.WhatsApp(apptest.WhatsAppText("6281311112222", "Rina", "wamid.in-1", now, "Saldo kartu saya belum masuk"))
	hook.WhatsApp(apptest.WhatsAppText("6285799998888", "Budi", "wamid.in-2", now.Add(-30*time.Hour), "Sertifikat belum terbit"))

	solve := func(phone string) ticket.Detail {
		t.Helper()
		var d ticket.Detail
		checkFor(t, 20*time.Second, func() error {
			var list struct {
				Tickets []ticket.Summary `json:"tickets"`
			}
			api.Do(http.MethodGet, "/api/v1/tickets?scope=all&status=all", nil).JSON(t, &list)
			for _, s := range list.Tickets {
				if s.Channel != "whatsapp" || s.AssigneeID == nil {
					continue
				}
				api.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", s.ID), nil).JSON(t, &d)
				if d.Contact.Phone == phone {
					return nil
				}
			}
			return fmt.Errorf("no assigned ticket of %s", phone)
		})
		if res := api.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", d.ID), map[string]string{"status": "solved"}); res.Status != 200 {
			t.Fatalf("solve: %d %s", res.Status, res.Body)
		}
		return d
	}
	rina, budi := solve("+6281311112222"), solve("+6285799998888")

	// Within the window: the list; the citizen picks "4".
	var list map[string]any
	checkFor(t, 20*time.Second, func() error {
		if l := graph.surveys("6281311112222", "interactive"); len(l) == 1 {
			list = l[0]
			return nil
		}
		return fmt.Errorf("no survey list sent to Rina")
	})
	rows := list["interactive"].(map[string]any)["action"].(map[string]any)["sections"].([]any)[0].(map[string]any)["rows"].([]any)
	if len(rows) != 5 {
		t.Fatalf("rows %v", rows)
	}
	var four string
	for _, r := range rows {
		row := r.(map[string]any)
		if strings.HasPrefix(row["title"].(string), "4 ") {
			four = row["id"].(string)
		}
	}
	if !strings.HasPrefix(four, "csat:") || !strings.HasSuffix(four, ":4") {
		t.Fatalf("row ids %v", rows)
	}
	hook.WhatsApp(map[string]any{
		"contacts": []any{map[string]any{"profile": map[string]any{"name": "Rina"}, "wa_id": "6281311112222"}},
		"messages": []any{map[string]any{"from": "6281311112222", "id": "wamid.in-3", "timestamp": fmt.Sprint(time.Now().Unix()),
			"type": "interactive", "interactive": map[string]any{"type": "list_reply", "list_reply": map[string]any{"id": four, "title": "4 · Puas"}}}},
	})

	// Outside it: the template; the citizen taps the fifth quick reply.
	var tpl map[string]any
	checkFor(t, 20*time.Second, func() error {
		if l := graph.surveys("6285799998888", "template"); len(l) == 1 {
			tpl = l[0]
			return nil
		}
		return fmt.Errorf("no survey template sent to Budi")
	})
	if len(graph.surveys("6285799998888", "interactive")) != 0 {
		t.Fatal("a list went outside the service window")
	}
	comps := tpl["template"].(map[string]any)["components"].([]any)
	if len(comps) != 6 || tpl["template"].(map[string]any)["name"] != "penilaian_layanan" {
		t.Fatalf("template %v", tpl)
	}
	body := comps[0].(map[string]any)["parameters"].([]any)[0].(map[string]any)["text"]
	five := comps[5].(map[string]any)["parameters"].([]any)[0].(map[string]any)["payload"].(string)
	if body != budi.TrackingNumber || !strings.HasSuffix(five, ":5") {
		t.Fatalf("template body %v, fifth payload %q", body, five)
	}
	hook.WhatsApp(map[string]any{
		"contacts": []any{map[string]any{"profile": map[string]any{"name": "Budi"}, "wa_id": "6285799998888"}},
		"messages": []any{map[string]any{"from": "6285799998888", "id": "wamid.in-4", "timestamp": fmt.Sprint(time.Now().Unix()),
			"type": "button", "button": map[string]any{"payload": five, "text": "Sangat puas"}}},
	})

	for _, c := range []struct {
		d      ticket.Detail
		rating int
	}{{rina, 4}, {budi, 5}} {
		var r struct {
			Ratings []csat.TicketRating `json:"ratings"`
		}
		api.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/csat", c.d.ID), nil).JSON(t, &r)
		if len(r.Ratings) != 1 || r.Ratings[0].Rating != c.rating || r.Ratings[0].AnsweredBy != csat.ByWhatsApp {
			t.Fatalf("ticket %d ratings %+v", c.d.ID, r.Ratings)
		}
		var d ticket.Detail
		api.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", c.d.ID), nil).JSON(t, &d)
		if d.Status != "solved" {
			t.Fatalf("ticket %d is %s after the rating: a tap must not reopen it", d.ID, d.Status)
		}
	}
	// Each hears back once that the rating counted, in the program's
	// language, even when Meta delivers the tap again.
	hook.WhatsApp(map[string]any{
		"contacts": []any{map[string]any{"profile": map[string]any{"name": "Budi"}, "wa_id": "6285799998888"}},
		"messages": []any{map[string]any{"from": "6285799998888", "id": "wamid.in-4", "timestamp": fmt.Sprint(time.Now().Unix()),
			"type": "button", "button": map[string]any{"payload": five, "text": "Sangat puas"}}},
	})
	tx := texts(t)
	for _, c := range []struct {
		waID   string
		rating int
	}{{"6281311112222", 4}, {"6285799998888", 5}} {
		// The thanks invites a reason at the survey's link.
		want := tx("csat.wa_thanks", "rating", c.rating, "words", tx(fmt.Sprintf("csat.rating_%d", c.rating))) + "\n" +
			strings.SplitN(tx("csat.wa_thanks_comment", "link", "{link}"), "{link}", 2)[0]
		checkFor(t, 20*time.Second, func() error {
			if l := graph.surveys(c.waID, "text"); len(l) != 1 || !strings.HasPrefix(fmt.Sprint(l[0]["text"].(map[string]any)["body"]), want) ||
				surveyLinkRE.FindString(fmt.Sprint(l[0]["text"].(map[string]any)["body"])) == "" {
				return fmt.Errorf("thanks to %s: %v, want one %q with the survey link", c.waID, l, want)
			}
			return nil
		})
	}

	var rep csat.Report
	api.Do(http.MethodGet, "/api/v1/reports/csat?group_by=channel", nil).JSON(t, &rep)
	if len(rep.Lines) != 1 || rep.Lines[0].Key != "whatsapp" || rep.Lines[0].Responses != 2 || rep.Lines[0].Average != 4.5 || rep.Lines[0].SatisfiedPct != 100 {
		t.Fatalf("by channel %+v", rep.Lines)
	}
	api.Do(http.MethodGet, "/api/v1/reports/csat?group_by=agent", nil).JSON(t, &rep)
	if len(rep.Lines) != 1 || rep.Lines[0].Key != fmt.Sprint(*rina.AssigneeID) {
		t.Fatalf("by agent %+v", rep.Lines)
	}
	api.Do(http.MethodGet, "/api/v1/reports/csat?group_by=queue", nil).JSON(t, &rep)
	if len(rep.Lines) != 1 || !strings.EqualFold(rep.Lines[0].Label, rina.Queue) {
		t.Fatalf("by queue %+v (queue %q)", rep.Lines, rina.Queue)
	}
	api.Do(http.MethodGet, "/api/v1/reports/csat?group_by=province", nil).JSON(t, &rep)
	if len(rep.Lines) != 1 || rep.Lines[0].Key != rina.Contact.Province {
		t.Fatalf("by province %+v", rep.Lines)
	}
}
