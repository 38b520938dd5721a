package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"tanggap/internal/app"
	"tanggap/internal/apptest"
	"tanggap/internal/locale"
	"tanggap/internal/testenv"
)

// An installation that ran WhatsApp and runs without it now: an agent
// answering an older WhatsApp ticket is refused (409 channel_off, in the
// caller's language, naming WhatsApp and what to do instead) whichever
// way the reply would go out: text, files, a template, a macro's reply
// (and then none of the macro's steps). Nothing is stored as sent and the
// ticket shows no reply window; an internal note is still taken. The
// reply queued while WhatsApp ran, which nothing delivers now, is
// recorded as failed because the channel is off instead of staying
// queued.
func TestReplyRefusedOnAChannelOff(t *testing.T) {
	// While WhatsApp runs: a citizen writes, an agent answers (and the
	// reply stays queued).
	var path string
	var queued struct {
		ID int64 `json:"id"`
	}
	a, _ := apptest.WithoutWhatsApp(t, apptest.Config(t), func(before *app.App) {
		apptest.NewClient(t, before.URL()).WhatsApp(apptest.WhatsAppText("6281234567890", "Siti", "wamid.off-1", time.Now(), "Insentif saya belum cair"))
		adm := apptest.NewClient(t, before.URL())
		adm.Login(apptest.AdminEmail, apptest.AdminPassword)
		path = fmt.Sprintf("/api/v1/tickets/%d", adm.TicketOn("whatsapp", "scope=all"))
		res := adm.Do(http.MethodPost, path+"/messages", map[string]string{"body": "Kami periksa, Bu Siti."})
		if res.Status != http.StatusCreated {
			t.Fatalf("a reply while WhatsApp runs: %d %s", res.Status, res.Body)
		}
		res.JSON(t, &queued)
	})

	// The same installation without the WhatsApp settings.
	adm := apptest.NewClient(t, a.URL())
	adm.Login(apptest.AdminEmail, apptest.AdminPassword)
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	type message struct {
		ID             int64  `json:"id"`
		Direction      string `json:"direction"`
		DeliveryStatus string `json:"delivery_status"`
		DeliveryError  string `json:"delivery_error"`
	}
	type detail struct {
		Status      string          `json:"status"`
		Priority    string          `json:"priority"`
		ReplyWindow json.RawMessage `json:"reply_window"`
		Messages    []message       `json:"messages"`
	}
	read := func() detail {
		t.Helper()
		var d detail
		res := adm.Do(http.MethodGet, path, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("the ticket: %d %s", res.Status, res.Body)
		}
		res.JSON(t, &d)
		return d
	}
	count := func(d detail, dir string) int {
		n := 0
		for _, m := range d.Messages {
			if m.Direction == dir {
				n++
			}
		}
		return n
	}

	// The reply queued while WhatsApp ran says it was not sent, and why.
	testenv.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		for _, m := range read().Messages {
			if m.ID == queued.ID && m.DeliveryStatus == "failed" && m.DeliveryError == "channel_off" {
				return nil
			}
		}
		return fmt.Errorf("the reply queued before is not failed for the channel being off: %+v", read().Messages)
	})
	start := read()
	if len(start.ReplyWindow) > 0 && string(start.ReplyWindow) != "null" {
		t.Errorf("a reply window is shown on a channel that is off: %s", start.ReplyWindow)
	}

	canned := adm.Do(http.MethodPost, "/api/v1/canned-responses", map[string]string{"title": "Salam", "body": "Halo {{citizen_name}}"})
	if canned.Status != http.StatusCreated && canned.Status != http.StatusOK {
		t.Fatalf("canned reply: %d %s", canned.Status, canned.Body)
	}
	var cr struct {
		ID int64 `json:"id"`
	}
	canned.JSON(t, &cr)
	macro := adm.Do(http.MethodPost, "/api/v1/macros", map[string]any{"name": "Salam dan tunggu", "canned_id": cr.ID,
		"status": "pending", "priority": "high"})
	if macro.Status != http.StatusCreated && macro.Status != http.StatusOK {
		t.Fatalf("macro: %d %s", macro.Status, macro.Body)
	}
	var mc struct {
		ID int64 `json:"id"`
	}
	macro.JSON(t, &mc)

	for _, c := range []struct {
		name string
		send func() apptest.Response
	}{
		{"free text", func() apptest.Response {
			return adm.Do(http.MethodPost, path+"/messages", map[string]string{"body": "Sudah kami teruskan."})
		}},
		{"a template", func() apptest.Response {
			return adm.Do(http.MethodPost, path+"/messages", map[string]any{"template": map[string]any{"name": "tindak_lanjut", "language": "id", "params": []string{"Siti"}}})
		}},
		{"text with a file", func() apptest.Response {
			return adm.Multipart(path+"/messages", map[string]string{"body": "Lampiran"},
				[]apptest.File{{Name: "surat.pdf", Data: []byte("%PDF-1.4\n%%EOF\n")}})
		}},
		{"a macro with a reply", func() apptest.Response {
			return adm.Do(http.MethodPost, fmt.Sprintf("%s/macros/%d", path, mc.ID), nil)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, lang := range locale.Languages() {
				adm.Lang = lang
				res := c.send()
				var e struct {
					Error struct{ Code, Message string } `json:"error"`
				}
				res.JSON(t, &e)
				if res.Status != http.StatusConflict || e.Error.Code != "channel_off" {
					t.Fatalf("%s: %d %s, want 409 channel_off", lang, res.Status, res.Body)
				}
				if want := cat.T(lang, "channel_off.whatsapp"); e.Error.Message != want || !strings.Contains(want, "WhatsApp") {
					t.Errorf("%s: message %q, want %q", lang, e.Error.Message, want)
				}
			}
			adm.Lang = ""
			after := read()
			if count(after, "out") != count(start, "out") || after.Status != start.Status || after.Priority != start.Priority {
				t.Errorf("the refused reply changed the ticket: %d replies, %s, %q (before %d, %s, %q)",
					count(after, "out"), after.Status, after.Priority, count(start, "out"), start.Status, start.Priority)
			}
		})
	}

	// A note is no reply: it is taken.
	if res := adm.Do(http.MethodPost, path+"/notes", map[string]string{"body": "Warga tidak bisa dihubungi lewat WhatsApp, telepon besok."}); res.Status != http.StatusCreated {
		t.Fatalf("a note on a ticket of a channel that is off: %d %s", res.Status, res.Body)
	}
	if n := count(read(), "note"); n < 1 {
		t.Errorf("the note is not in the thread")
	}
}
