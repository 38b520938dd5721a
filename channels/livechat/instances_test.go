package livechat_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"tanggap/internal/app"
	"tanggap/internal/apptest"
	"tanggap/internal/bus"
	"tanggap/internal/testenv"
)

// TestTwoInstances runs two instances of the service on one NATS and one
// database: a visitor on instance A, a second tab on instance B, and an
// agent working through B. Messages cross instances both ways.
func TestTwoInstances(t *testing.T) {
	cfgA := apptest.Config(t)
	if !testenv.UsingExternalNATS() {
		// The embedded server listens on no port; run one that does, so
		// both instances reach the same JetStream.
		ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: true})
		if err != nil {
			t.Fatal(err)
		}
		go ns.Start()
		if !ns.ReadyForConnections(10 * time.Second) {
			t.Fatal("nats server did not start")
		}
		t.Cleanup(ns.Shutdown)
		cfgA.NATSURL = ns.ClientURL()
	}
	cfgB := cfgA
	a := apptest.Start(t, cfgA).URL()
	b := apptest.Start(t, cfgB).URL()

	tabA := mustDial(t, a)
	welcome := tabA.hello("", 0)
	tabA.entriesUntilReplayed()
	token := welcome.str("token")
	tn := welcome["conversation"].(map[string]any)["tn"].(string)

	// The same visitor on instance B (a token signed by A works on B).
	tabB := mustDial(t, b)
	if w := tabB.hello(token, 0); w.str("token") != token {
		t.Fatalf("instance B did not accept the token: %v", w)
	}
	tabB.entriesUntilReplayed()

	tabA.say("a1", "Pesan dari instance A")
	if e := tabB.next("entry"); e.str("cid") != "a1" {
		t.Fatalf("tab on B got %v", e)
	}

	// The visitor typing is an event agents' screens can follow.
	nc, err := nats.Connect(cfgA.NATSURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	typing, err := nc.SubscribeSync(bus.NewNames(cfgA.NATSSubjectPrefix).EventSubject(bus.TicketTyping{}))
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	// Typing is about a ticket: it is told once the core stored it.
	ag := newAgent(t, b)
	tk := ag.ticket(t, tn)
	tabA.send(map[string]any{"type": "typing", "on": true})
	m, err := typing.NextMsg(asyncWait)
	if err != nil {
		t.Fatalf("no typing event: %v", err)
	}
	var ev bus.TicketTyping
	if err := json.Unmarshal(m.Data, &ev); err != nil || !ev.On || ev.TicketID != tk.ID || ev.QueueID == 0 || ev.V != bus.Version {
		t.Fatalf("typing event %s (%v): want on, ticket %d, its queue, v1", m.Data, err, tk.ID)
	}
	ag.reply(t, tk.ID, "Jawaban lewat instance B")
	for _, tab := range []*widget{tabA, tabB} {
		for {
			e := tab.next("entry")
			if e.str("kind") == "reply" {
				if e.str("text") != "Jawaban lewat instance B" {
					t.Fatalf("reply = %v", e)
				}
				break
			}
		}
	}
}

// TestServerRestart: a stopping instance closes its chats with 1013 (try
// again later); after the restart the widget resumes with its token and
// a reply sent while the server was down is delivered.
func TestServerRestart(t *testing.T) {
	cfg := apptest.Config(t)
	ctx := context.Background()
	first, err := app.Start(ctx, cfg, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	w := mustDial(t, first.URL())
	welcome := w.hello("", 0)
	w.entriesUntilReplayed()
	tn := welcome["conversation"].(map[string]any)["tn"].(string)
	ack := w.say("r1", "Sebelum restart")
	stopCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := first.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	for range w.in {
	}
	if err := <-w.done; !websocket.IsCloseError(err, websocket.CloseTryAgainLater) {
		t.Fatalf("connection ended with %v, want 1013", err)
	}

	second := apptest.Start(t, cfg)
	ag := newAgent(t, second.URL())
	tk := ag.ticket(t, tn)
	ag.reply(t, tk.ID, "Setelah restart")
	// The reply is in the log before the widget is back.
	testenv.CheckFor(t, asyncWait, 50*time.Millisecond, func() error {
		for _, m := range ag.detail(t, tk.ID).Messages {
			if m.Direction == "out" && m.DeliveryStatus == "sent" {
				return nil
			}
		}
		return fmt.Errorf("reply not delivered to the log yet")
	})
	back := mustDial(t, second.URL())
	back.hello(w.token(t), ack.num("seq"))
	var texts []string
	for _, e := range back.entriesUntilReplayed() {
		texts = append(texts, e.str("kind")+":"+e.str("text"))
	}
	// The reply, once (an "agent joined" may come with it: the agent went
	// online after the restart).
	if n := slices.Index(texts, "reply:Setelah restart"); n < 0 || slices.Contains(texts[n+1:], "reply:Setelah restart") {
		t.Fatalf("replay after restart = %q", texts)
	}
}
