package livechat_test

import (
	"fmt"
	"testing"
)

// TestRatingCard: when the agent solves the chat, the open widget gets
// the rating card (a "csat" entry with the survey); its answer is the
// ticket's CSAT rating by live chat, a "rated" entry closes the card in
// every tab, a second answer is refused (already_rated), a forged survey
// is closed, a bad rating is a bad frame, and a widget that comes back
// replays the solve, then the card with its answer (so it never shows it
// again and offers a new conversation).
func TestRatingCard(t *testing.T) {
	base := startApp(t)
	ag := newAgent(t, base)
	tab1 := mustDial(t, base)
	tab1.hello("", 0)
	tab1.entriesUntilReplayed()
	tab2 := mustDial(t, base)
	tab2.hello(tab1.token(t), 0)
	tab2.entriesUntilReplayed()
	tab1.say("m1", "Kartu saya belum aktif")
	msg := tab2.nextEntry()
	tn := msg.str("tn")
	tk := ag.ticket(t, tn)
	if r := ag.Do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", tk.ID), map[string]any{"status": "solved"}); r.Status != 200 {
		t.Fatalf("solve: %d %s", r.Status, r.Body)
	}
	solved := false
	card := tab1.next("entry")
	for card.str("kind") != "csat" {
		solved = solved || card.str("kind") == "solved"
		card = tab1.next("entry")
	}
	if !solved {
		t.Fatal("the rating card came before the solve")
	}
	survey := card.str("survey")
	if survey == "" || card.str("tn") != tn {
		t.Fatalf("card entry %v", card)
	}

	tab1.send(map[string]any{"type": "rate", "survey": survey, "rating": 9})
	if f := tab1.next("error"); f.str("code") != "bad_frame" {
		t.Fatalf("rating 9: %v", f)
	}
	// A forged survey: one character of its signature changed to another.
	// (Writing "AA" over its end left one token in 256 as it was: the
	// last of its 22 characters holds two bits, so it is "A" one time in
	// four, and the one before it one time in 64.)
	forged := []byte(survey)
	if i := len(forged) - 2; forged[i] == 'A' {
		forged[i] = 'B'
	} else {
		forged[i] = 'A'
	}
	tab1.send(map[string]any{"type": "rate", "survey": string(forged), "rating": 3})
	if f := tab1.next("error"); f.str("code") != "survey_closed" {
		t.Fatalf("forged survey: %v", f)
	}
	tab1.send(map[string]any{"type": "rate", "survey": survey, "rating": 5, "comment": "Cepat"})
	for _, tab := range []*widget{tab1, tab2} {
		e := tab.next("entry")
		for e.str("kind") != "rated" {
			e = tab.next("entry")
		}
		if e.str("survey") != survey || e.num("rating") != 5 {
			t.Fatalf("rated entry %v", e)
		}
	}
	tab2.send(map[string]any{"type": "rate", "survey": survey, "rating": 1})
	if f := tab2.next("error"); f.str("code") != "already_rated" {
		t.Fatalf("second answer: %v", f)
	}

	var ratings struct {
		Ratings []struct {
			Rating     int    `json:"rating"`
			Comment    string `json:"comment"`
			AnsweredBy string `json:"answered_by"`
			Channel    string `json:"channel"`
		} `json:"ratings"`
	}
	ag.Do("GET", fmt.Sprintf("/api/v1/tickets/%d/csat", tk.ID), nil).JSON(t, &ratings)
	if len(ratings.Ratings) != 1 || ratings.Ratings[0].Rating != 5 || ratings.Ratings[0].Comment != "Cepat" ||
		ratings.Ratings[0].AnsweredBy != "livechat" || ratings.Ratings[0].Channel != "livechat" {
		t.Fatalf("ratings %+v", ratings.Ratings)
	}

	// A widget opened later replays the card and its answer, once each.
	tab3 := mustDial(t, base)
	tab3.hello(tab1.token(t), 0)
	var kinds []string
	for _, e := range tab3.entriesUntilReplayed() {
		if k := e.str("kind"); k == "solved" || k == "csat" || k == "rated" {
			kinds = append(kinds, k)
		}
	}
	if fmt.Sprint(kinds) != "[solved csat rated]" {
		t.Fatalf("replayed card entries %v", kinds)
	}
}
