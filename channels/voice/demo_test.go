package voice_test

import (
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"tanggap/channels/voice"
	"tanggap/channels/voice/voicetest"
	"tanggap/internal/apptest"
	"tanggap/internal/config"
	"tanggap/internal/routing"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
)

var demoSeed = filepath.Join("..", "..", "internal", "routing", "seed", "demo.yaml")

// The sample menu and the demo seed name the same queues, and the seed
// staffs them, so the demo's phone line routes its calls somewhere.
func TestSampleMenuAgreesWithDemoSeed(t *testing.T) {
	menu, err := voice.LoadMenu("menu.yaml")
	if err != nil {
		t.Fatal(err)
	}
	builtIn, err := voice.LoadMenu("")
	if err != nil {
		t.Fatal(err)
	}
	if builtIn.Queues != menu.Queues {
		t.Fatalf("built-in menu queues %+v, sample file %+v", builtIn.Queues, menu.Queues)
	}
	seed, err := routing.LoadSeed(demoSeed)
	if err != nil {
		t.Fatal(err)
	}
	for role, code := range map[string]string{"agent": menu.Queues.Agent, "callback": menu.Queues.Callback} {
		i := slices.IndexFunc(seed.Queues, func(q routing.QueueSettings) bool { return q.Code == code })
		if i < 0 {
			t.Errorf("menu's %s queue %q is not in the demo seed", role, code)
			continue
		}
		q := seed.Queues[i]
		if len(q.Channels) > 0 && !slices.Contains(q.Channels, "voice") {
			t.Errorf("%s queue %q does not take voice: %v", role, code, q.Channels)
		}
		if len(q.Provinces) > 0 || len(q.Categories) > 0 || len(q.Skills) > 0 {
			t.Errorf("%s queue %q is narrowed (provinces %v, categories %v, skills %v): callers have none of these", role, code, q.Provinces, q.Categories, q.Skills)
		}
		staff := 0
		for _, a := range seed.Agents {
			if slices.Contains(a.Queues, code) && (a.Role == "agent" || a.Role == "") {
				if c := a.ChannelCapacity["voice"]; c != nil && *c < 1 {
					t.Errorf("agent %s of %s queue %q takes no calls", a.Email, role, code)
					continue
				}
				staff++
			}
		}
		if staff == 0 {
			t.Errorf("no agent of the demo seed works the %s queue %q", role, code)
		}
	}
}

// `make run` with the demo seed: a caller's callback request waits in the
// seed's callback queue and is handed to an agent of that queue who comes
// online, one call at a time (voice capacity 1).
func TestDemoSeedPhoneLine(t *testing.T) {
	cfg := apptest.Config(t)
	fake := voicetest.NewFakeTwilio(t, account, token)
	cfg.PublicURL = public
	cfg.Voice = config.Voice{TwilioAuthToken: token, TwilioAccountSID: account, TwilioAPIBaseURL: fake.Server.URL, TwilioCallerID: ours}
	cfg.Routing.SeedFile = demoSeed
	// An agent coming online takes the waiting tickets at once, but skips
	// one that another transaction holds at that moment (a write on the
	// same ticket); the router's sweep hands it out next (every 15 s by
	// default). A short sweep keeps that case within the waits below.
	cfg.Routing.SweepInterval = time.Second
	a := apptest.Start(t, cfg)
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	cc := &callCenter{t: t, base: a.URL(), agent: admin, twilio: fake}
	budi := apptest.NewClient(t, a.URL())
	budi.Login("budi@tanggap.example", "demo-budi-2026")
	var me struct {
		Agent struct {
			ID int64 `json:"id"`
		} `json:"agent"`
	}
	budi.Do(http.MethodGet, "/api/v1/auth/me", nil).JSON(t, &me)

	p := cc.call("+6281311110001")
	hears(t, p.Press(p.Incoming().Doc, "4"), "urutan ke 1")
	p.Hangup("completed", 20)
	first := cc.voiceTicket("+6281311110001", func(d ticket.Detail) error { _, err := message(d, "callback_request"); return err })
	if first.Queue != "Telepon balik" {
		t.Fatalf("callback ticket in queue %q, want the seed's callback queue", first.Queue)
	}
	if r := cc.routingOf(first.ID); r.QueueID != cc.queueID("callback") || r.AgentID != 0 || r.Position != 1 {
		t.Fatalf("waiting callback: %+v", r)
	}

	// Budi, an agent of the callback queue, comes online and gets it.
	if res := budi.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "online"}); res.Status != http.StatusOK {
		t.Fatalf("presence: %d %s", res.Status, res.Body)
	}
	testenv.CheckFor(t, 10*time.Second, 50*time.Millisecond, func() error {
		if r := cc.routingOf(first.ID); r.AgentID != me.Agent.ID {
			return fmt.Errorf("first callback: %+v", r)
		}
		return nil
	})

	// A second callback waits: Budi is on one call already.
	q := cc.call("+6281311110002")
	hears(t, q.Press(q.Incoming().Doc, "4"), "urutan ke 2")
	second := cc.voiceTicket("+6281311110002", func(d ticket.Detail) error { _, err := message(d, "callback_request"); return err })
	if r := cc.routingOf(second.ID); r.QueueID != cc.queueID("callback") || r.AgentID != 0 || r.Position != 1 {
		t.Fatalf("second callback while Budi is busy: %+v", r)
	}

	// Budi calls the first citizen back and solves the ticket: the next
	// callback is his at once.
	if res := budi.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/callback", first.ID), map[string]string{"to": "+6221555000111"}); res.Status != http.StatusAccepted {
		t.Fatalf("call back: %d %s", res.Status, res.Body)
	}
	calls, sids := fake.Calls()
	out := &voicetest.Phone{T: t, Server: a.URL(), Public: public, Token: token, Account: account,
		CallSid: sids[0], From: ours, To: "+6281311110001", Direction: "outbound-api"}
	out.Post(calls[0].Get("StatusCallback"), url.Values{"CallStatus": {"completed"}, "CallDuration": {"95"}})
	// The call's outcome is on the ticket before Budi solves it.
	cc.voiceTicket("+6281311110001", func(d ticket.Detail) error { _, err := message(d, "callback_call"); return err })
	if res := budi.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", first.ID), map[string]string{"status": "solved"}); res.Status != http.StatusOK {
		t.Fatalf("solve: %d %s", res.Status, res.Body)
	}
	testenv.CheckFor(t, 10*time.Second, 50*time.Millisecond, func() error {
		if r := cc.routingOf(second.ID); r.AgentID != me.Agent.ID {
			return fmt.Errorf("second callback: %+v", r)
		}
		return nil
	})

	// Budi marks himself busy and finishes the second: nothing is handed
	// to him, so the third request waits. Calling it back takes it.
	if res := budi.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "busy"}); res.Status != http.StatusOK {
		t.Fatalf("presence: %d %s", res.Status, res.Body)
	}
	if res := budi.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", second.ID), map[string]string{"status": "solved"}); res.Status != http.StatusOK {
		t.Fatalf("solve: %d %s", res.Status, res.Body)
	}
	third := cc.call("+6281311110003")
	hears(t, third.Press(third.Incoming().Doc, "4"), "urutan ke 2")
	thirdTicket := cc.voiceTicket("+6281311110003", func(d ticket.Detail) error { _, err := message(d, "callback_request"); return err })
	if r := cc.routingOf(thirdTicket.ID); r.AgentID != 0 || r.Position != 1 {
		t.Fatalf("third callback while Budi is busy: %+v", r)
	}
	if res := budi.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/callback", thirdTicket.ID), nil); res.Status != http.StatusAccepted {
		t.Fatalf("call back the third: %d %s", res.Status, res.Body)
	}
	if r := cc.routingOf(thirdTicket.ID); r.AgentID != me.Agent.ID {
		t.Fatalf("the agent calling back does not hold the ticket: %+v", r)
	}
	// At his one call, Budi may still call the next citizen back (the
	// callback line guards against two calls); the ticket stays in line
	// for whoever has room.
	fourth := cc.call("+6281311110004")
	hears(t, fourth.Press(fourth.Incoming().Doc, "4"), "urutan ke 3")
	fourthTicket := cc.voiceTicket("+6281311110004", func(d ticket.Detail) error { _, err := message(d, "callback_request"); return err })
	if res := budi.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/callback", fourthTicket.ID), nil); res.Status != http.StatusAccepted {
		t.Fatalf("call back the fourth: %d %s", res.Status, res.Body)
	}
	if r := cc.routingOf(fourthTicket.ID); r.AgentID != 0 || r.Position != 1 {
		t.Fatalf("fourth callback beyond Budi's capacity: %+v", r)
	}
	if calls, _ := fake.Calls(); len(calls) != 3 {
		t.Fatalf("%d calls placed, want 3", len(calls))
	}
}
