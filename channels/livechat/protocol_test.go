package livechat_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"tanggap/internal/apptest"
	"tanggap/internal/testenv"
)

func startApp(t *testing.T) string {
	t.Helper()
	cfg := apptest.Config(t)
	cfg.LivechatAllowedOrigins = []string{"https://situs.go.id"}
	return apptest.Start(t, cfg).URL()
}

// TestConversation walks one chat through the gateway with real
// websocket clients: send and ack, an idempotent resend, two tabs in
// step, the agent joining, typing, a reply, delivered/read marks, a
// resume after a dropped connection with messages sent meanwhile in both
// directions, and solving.
func TestConversation(t *testing.T) {
	base := startApp(t)
	ag := newAgent(t, base)

	tab1 := mustDial(t, base)
	welcome := tab1.hello("", 0)
	token := welcome.str("token")
	conv := welcome["conversation"].(map[string]any)
	tn := conv["tn"].(string)
	if token == "" || tn == "" || conv["state"] != "none" {
		t.Fatalf("welcome = %v", welcome)
	}
	if got := tab1.entriesUntilReplayed(); len(got) != 0 {
		t.Fatalf("a new visitor has history: %v", got)
	}

	// Send: acked after the bus has it, with the sequence number of its entry.
	ack := tab1.say("c1", "Halo, saya <b>tidak</b> bisa login")
	if ack.str("cid") != "c1" || ack.num("seq") != 1 {
		t.Fatalf("ack = %v", ack)
	}
	// The ack and the fan-out of the entry both reach the sender.
	if e := tab1.next("entry"); e.num("seq") != 1 || e.str("kind") != "msg" || e.str("text") != "Halo, saya <b>tidak</b> bisa login" {
		t.Fatalf("entry = %v", e)
	}

	// The online admin is assigned when the core stores the ticket: the
	// widget hears an agent joined.
	tk := ag.ticket(t, tn)
	if tk.Channel != "livechat" {
		t.Fatalf("ticket channel = %q", tk.Channel)
	}
	if e := tab1.next("entry"); e.str("kind") != "agent" || e.str("agent") == "" || e.num("seq") != 2 {
		t.Fatalf("agent joined entry = %v", e)
	}

	// A second tab of the same visitor resumes the same conversation.
	tab2 := mustDial(t, base)
	w2 := tab2.hello(token, 0)
	if w2.str("token") != token || w2["conversation"].(map[string]any)["tn"] != tn || w2["conversation"].(map[string]any)["agent"] == "" {
		t.Fatalf("second tab welcome = %v", w2)
	}
	if got := tab2.entriesUntilReplayed(); len(got) != 2 || got[0].str("cid") != "c1" || got[1].str("kind") != "agent" {
		t.Fatalf("second tab replay = %v", got)
	}

	// A resend of c1 (the ack was lost) is acked with the same seq and
	// stored once.
	if again := tab2.say("c1", "Halo, saya <b>tidak</b> bisa login"); again.num("seq") != 1 {
		t.Fatalf("resend ack = %v", again)
	}

	// Typing, agent to visitor.
	if r := ag.Do("POST", fmt.Sprintf("/api/v1/tickets/%d/typing", tk.ID), map[string]any{"on": true}); r.Status != 204 {
		t.Fatalf("typing: %d %s", r.Status, r.Body)
	}
	if f := tab1.next("typing"); f["on"] != true || f.str("agent") == "" {
		t.Fatalf("typing frame = %v", f)
	}

	// The agent replies; both tabs get it.
	ag.reply(t, tk.ID, "Baik, kami bantu.")
	var replySeq int64
	for _, tab := range []*widget{tab1, tab2} {
		e := tab.next("entry")
		if e.str("kind") != "reply" || e.str("text") != "Baik, kami bantu." {
			t.Fatalf("reply entry = %v", e)
		}
		replySeq = e.num("seq")
	}
	// Delivered and read marks reach the console.
	tab1.send(map[string]any{"type": "mark", "seq": replySeq, "status": "read"})
	testenv.CheckFor(t, asyncWait, 50*time.Millisecond, func() error {
		for _, m := range ag.detail(t, tk.ID).Messages {
			if m.Direction == "out" && m.DeliveryStatus != "read" {
				return fmt.Errorf("reply status %q", m.DeliveryStatus)
			}
		}
		return nil
	})
	// The agent read the visitor's messages.
	if r := ag.Do("POST", fmt.Sprintf("/api/v1/tickets/%d/read", tk.ID), map[string]any{}); r.Status != 204 {
		t.Fatalf("read: %d %s", r.Status, r.Body)
	}
	if e := tab2.next("entry"); e.str("kind") != "read" {
		t.Fatalf("read entry = %v", e)
	}
	lastSeen := tab1.next("entry").num("seq") // the read mark, on tab 1 too

	// Tab 1 drops. Meanwhile tab 2 writes and the agent replies twice.
	tab1.ws.Close()
	tab2.say("c2", "Nomor saya sudah ganti")
	ag.reply(t, tk.ID, "Satu")
	ag.reply(t, tk.ID, "Dua")
	testenv.CheckFor(t, asyncWait, 20*time.Millisecond, func() error {
		var texts []string
		for _, m := range ag.detail(t, tk.ID).Messages {
			texts = append(texts, m.Body)
		}
		if n := len(ag.detail(t, tk.ID).Messages); n != 5 {
			return fmt.Errorf("%d messages stored: %q", n, texts)
		}
		return nil
	})
	// Tab 2 saw both replies live; wait until it did so the replay below
	// has them for sure.
	tab2.next("entry")
	for got := 0; got < 2; {
		if e := tab2.next("entry"); e.str("kind") == "reply" {
			got++
		}
	}

	// Tab 1 comes back and resumes after the last seq it saw: everything
	// that happened meanwhile arrives once, in order.
	tab1 = mustDial(t, base)
	tab1.hello(token, lastSeen)
	var kinds []string
	prev := lastSeen
	for _, e := range tab1.entriesUntilReplayed() {
		if e.num("seq") != prev+1 {
			t.Fatalf("replay out of order: seq %d after %d", e.num("seq"), prev)
		}
		prev = e.num("seq")
		kinds = append(kinds, e.str("kind")+":"+e.str("text"))
	}
	want := []string{"msg:Nomor saya sudah ganti", "reply:Satu", "reply:Dua"}
	if strings.Join(kinds, "|") != strings.Join(want, "|") {
		t.Fatalf("replay = %q, want %q", kinds, want)
	}

	// Exactly one copy of c1 in the ticket.
	count := 0
	for _, m := range ag.detail(t, tk.ID).Messages {
		if strings.HasPrefix(m.Body, "Halo") {
			count++
		}
	}
	if count != 1 {
		t.Fatalf("c1 stored %d times", count)
	}

	// Solved: the widget hears it and can start a new conversation,
	// which becomes a new ticket.
	if r := ag.Do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", tk.ID), map[string]any{"status": "solved"}); r.Status != 200 {
		t.Fatalf("solve: %d %s", r.Status, r.Body)
	}
	if e := tab1.nextEntry(); e.str("kind") != "solved" || e.str("tn") != tn {
		t.Fatalf("solved entry = %v", e)
	}
	tab1.send(map[string]any{"type": "new"})
	e := tab1.nextEntry()
	newTN := e.str("tn")
	if e.str("kind") != "new" || newTN == "" || newTN == tn {
		t.Fatalf("new conversation entry = %v", e)
	}
	tab1.say("c3", "Pertanyaan lain")
	if tk2 := ag.ticket(t, newTN); tk2.ID == tk.ID {
		t.Fatal("a new conversation reused the old ticket")
	}
}

func TestOriginAllowList(t *testing.T) {
	base := startApp(t)
	if _, resp, err := dial(t, base, "https://penipu.example"); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("foreign origin: err=%v resp=%v", err, resp)
	}
	for _, origin := range []string{"https://situs.go.id", "https://SITUS.go.id:443", base} {
		w, _, err := dial(t, base, origin)
		if err != nil {
			t.Fatalf("origin %s refused: %v", origin, err)
		}
		w.hello("", 0)
	}
}

func TestOversizeFrameClosesConnection(t *testing.T) {
	base := startApp(t)
	w := mustDial(t, base)
	w.hello("", 0)
	big := strings.Repeat("x", 64<<10)
	_ = w.ws.WriteMessage(websocket.TextMessage, []byte(`{"v":1,"type":"msg","cid":"big","text":"`+big+`"}`))
	for range w.in {
	}
	err := <-w.done
	if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
		t.Fatalf("oversize frame: %v, want close 1009", err)
	}
}

func TestRateLimit(t *testing.T) {
	base := startApp(t)
	w := mustDial(t, base)
	w.hello("", 0)
	for i := range 60 {
		w.send(map[string]any{"type": "typing", "on": i%2 == 0})
	}
	if f := w.next("error"); f.str("code") != "rate_limited" {
		t.Fatalf("error = %v", f)
	}
}

func TestBadFramesAndTokens(t *testing.T) {
	base := startApp(t)
	w := mustDial(t, base)
	w.send(map[string]any{"type": "msg", "cid": "x", "text": "before hello"})
	if f := w.next("error"); f.str("code") != "hello_required" {
		t.Fatalf("error = %v", f)
	}
	_ = w.ws.WriteMessage(websocket.TextMessage, []byte(`{"v":1,"type":"nope"}`))
	if f := w.next("error"); f.str("code") != "bad_frame" {
		t.Fatalf("error = %v", f)
	}
	// A forged token gets a fresh identity, never someone else's log.
	welcome := w.hello(strings.Repeat("a", 32)+".forged", 0)
	if strings.HasPrefix(welcome.str("token"), strings.Repeat("a", 32)) {
		t.Fatalf("forged token accepted: %v", welcome)
	}
	// A file the server did not issue is refused.
	w.send(map[string]any{"type": "msg", "cid": "f1", "files": []map[string]any{{"key": "2026/01/x.pdf", "mime": "application/pdf", "size": 10, "sig": "bad"}}})
	if f := w.next("error"); f.str("code") != "bad_file" || f.str("cid") != "f1" {
		t.Fatalf("error = %v", f)
	}
}

// TestLeaveAMessage: with no agent online the widget is told so (queue
// frame), and the message still became a ticket.
func TestLeaveAMessage(t *testing.T) {
	base := startApp(t)
	w := mustDial(t, base)
	tn := w.hello("", 0)["conversation"].(map[string]any)["tn"].(string)
	w.entriesUntilReplayed()
	w.say("m1", "Ada orang?")
	q := w.next("queue")
	if q.str("tn") != tn || q["agents_online"].(float64) != 0 || q["open"] != true || q["assigned"] == true || q.num("position") != 1 {
		t.Fatalf("queue frame = %v", q)
	}
	c := apptest.NewClient(t, base)
	c.Login(apptest.AdminEmail, apptest.AdminPassword)
	agent{c}.ticket(t, tn)
}

// TestReplyGoesToTheWritingBrowser: one citizen (one phone number, so one
// contact) chats from two browsers; a reply goes to the browser of the
// conversation, not to the contact's first one. The pre-chat form refuses
// a bad phone number.
func TestReplyGoesToTheWritingBrowser(t *testing.T) {
	base := startApp(t)
	ag := newAgent(t, base)
	first := mustDial(t, base)
	first.hello("", 0)
	first.entriesUntilReplayed()
	first.send(map[string]any{"type": "profile", "name": "Siti", "phone": "12"})
	if e := first.next("error"); e.str("code") != "invalid" || e.str("field") != "phone" {
		t.Fatalf("bad phone: %v", e)
	}
	first.send(map[string]any{"type": "profile", "name": "Siti", "phone": "0812-3456-7890"})
	if p := first.next("profile"); p["visitor"].(map[string]any)["phone"] != "+6281234567890" {
		t.Fatalf("profile = %v", p)
	}
	first.say("p1", "Dari peramban pertama")

	second := mustDial(t, base)
	w := second.hello("", 0)
	second.entriesUntilReplayed()
	tn2 := w["conversation"].(map[string]any)["tn"].(string)
	second.send(map[string]any{"type": "profile", "name": "Siti", "phone": "+62 812 3456 7890"})
	second.next("profile")
	second.say("p2", "Dari peramban kedua")

	tk := ag.ticket(t, tn2)
	ag.reply(t, tk.ID, "Untuk peramban kedua")
	for {
		if e := second.next("entry"); e.str("kind") == "reply" {
			if e.str("text") != "Untuk peramban kedua" {
				t.Fatalf("reply = %v", e)
			}
			break
		}
	}
	// The first browser's log has no reply.
	again := mustDial(t, base)
	again.hello(first.token(t), 0)
	for _, e := range again.entriesUntilReplayed() {
		if e.str("kind") == "reply" {
			t.Fatalf("the other browser got the reply: %v", e)
		}
	}
}
