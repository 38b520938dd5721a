package app_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tanggap/channels"
	"tanggap/channels/livechat"
	"tanggap/channels/voice"
	"tanggap/channels/voice/voicetest"
	"tanggap/channels/webform"
	"tanggap/channels/whatsapp"
	"tanggap/internal/apptest"
	"tanggap/internal/config"
	"tanggap/internal/testenv"
)

// Every channel that carries files says what it takes; the phone does not.
func TestChannelsThatCarryFilesSaySo(t *testing.T) {
	var (
		_ channels.ReplyFiles = (*whatsapp.Adapter)(nil)
		_ channels.ReplyFiles = (*livechat.Adapter)(nil)
		_ channels.ReplyFiles = (*webform.Adapter)(nil)
	)
	var phone channels.Adapter = (*voice.Adapter)(nil)
	if _, ok := phone.(channels.ReplyFiles); ok {
		t.Fatal("the phone channel claims to carry files")
	}
}

// TestFileReplyOnTheStatusPage: an agent answers a complaint with a PDF
// (multipart); the citizen sees it on the status page and downloads the
// same bytes with the tracking pair, and nobody else can. Refused files
// say why in the agent's language; the JSON reply keeps working.
func TestFileReplyOnTheStatusPage(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.ReplyFiles.WebformMaxBytes = 1 << 20
	a := apptest.Start(t, cfg)
	citizen := apptest.NewClient(t, a.URL())
	agent := apptest.NewClient(t, a.URL())
	agent.Login(apptest.AdminEmail, apptest.AdminPassword)

	tn := citizen.Complaint(map[string]string{"name": "Siti Aminah", "phone": "0812 3456 7890",
		"category": "insentif", "description": "Mohon surat keterangan pencairan insentif."})
	id := agent.TicketID(tn, "scope=all")
	path := fmt.Sprintf("/api/v1/tickets/%d/messages", id)

	refused := func(lang string, files []apptest.File) string {
		t.Helper()
		agent.Lang = lang
		res := agent.Multipart(path, map[string]string{"body": "Terlampir"}, files)
		var e apiError
		res.JSON(t, &e)
		if res.Status != http.StatusUnprocessableEntity || e.Error.Fields["files"] == "" || strings.HasPrefix(e.Error.Fields["files"], "files.") {
			t.Fatalf("%d %s", res.Status, res.Body)
		}
		return e.Error.Fields["files"]
	}
	page := []apptest.File{{Name: "surat.pdf", Data: []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")}}
	if msg := refused("id-ID", page); !strings.Contains(msg, "surat.pdf") || !strings.Contains(msg, "HTML") || !strings.Contains(msg, "tidak dapat dikirim") {
		t.Fatalf("id-ID refusal %q", msg)
	}
	if msg := refused("en-US", page); !strings.Contains(msg, "cannot be sent") || !strings.Contains(msg, "PDF") {
		t.Fatalf("en-US refusal %q", msg)
	}
	big := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("0"), 1<<20)...)
	if msg := refused("id-ID", []apptest.File{{Name: "besar.pdf", Data: big}}); !strings.Contains(msg, "1 MB") {
		t.Fatalf("too large: %q", msg)
	}
	var four []apptest.File
	for i := range 4 {
		four = append(four, apptest.File{Name: fmt.Sprintf("%d.png", i), Data: pngBytes(t)})
	}
	if msg := refused("id-ID", four); !strings.Contains(msg, "3") {
		t.Fatalf("four files: %q", msg)
	}

	pdf := []byte("%PDF-1.7\n% surat keterangan\n1 0 obj << >> endobj\n%%EOF\n")
	agent.Lang = "id-ID"
	res := agent.Multipart(path, map[string]string{"body": "Berikut surat keterangannya."}, []apptest.File{{Name: "surat-keterangan.pdf", Data: pdf}})
	if res.Status != http.StatusCreated {
		t.Fatalf("file reply: %d %s", res.Status, res.Body)
	}
	var sent struct {
		ID          int64 `json:"id"`
		Attachments []struct {
			ID       int64  `json:"id"`
			Filename string `json:"filename"`
			MIME     string `json:"mime"`
		} `json:"attachments"`
	}
	res.JSON(t, &sent)
	if len(sent.Attachments) != 1 || sent.Attachments[0].MIME != "application/pdf" || sent.Attachments[0].Filename != "surat-keterangan.pdf" {
		t.Fatalf("reply = %s", res.Body)
	}
	// The agent opens the file from the thread.
	if got := agent.Do(http.MethodGet, fmt.Sprintf("/api/v1/attachments/%d", sent.Attachments[0].ID), nil); got.Status != http.StatusOK || !bytes.Equal(got.Body, pdf) {
		t.Fatalf("agent download: %d", got.Status)
	}

	status := "/api/v1/complaints/" + tn + "?contact=081234567890"
	var fileID int64
	testenv.CheckFor(t, 20*time.Second, 50*time.Millisecond, func() error {
		var st struct {
			Messages []struct {
				Direction string `json:"direction"`
				Files     []struct {
					ID       int64  `json:"id"`
					Filename string `json:"filename"`
				} `json:"files"`
			} `json:"messages"`
		}
		citizen.Do(http.MethodGet, status, nil).JSON(t, &st)
		for _, m := range st.Messages {
			if m.Direction == "out" && len(m.Files) == 1 && m.Files[0].Filename == "surat-keterangan.pdf" {
				fileID = m.Files[0].ID
				return nil
			}
		}
		return fmt.Errorf("reply file not on the status page yet: %+v", st)
	})
	file := func(contact string) apptest.Response {
		return citizen.Do(http.MethodGet, fmt.Sprintf("/api/v1/complaints/%s/files/%d?contact=%s", tn, fileID, contact), nil)
	}
	if got := file("081234567890"); got.Status != http.StatusOK || !bytes.Equal(got.Body, pdf) {
		t.Fatalf("citizen download: %d %q", got.Status, got.Body)
	}
	if got := file("081299999999"); got.Status != http.StatusNotFound {
		t.Fatalf("download with another phone: %d", got.Status)
	}

	// The JSON reply is unchanged.
	if res := agent.Do(http.MethodPost, path, map[string]string{"body": "Ada lagi yang bisa kami bantu?"}); res.Status != http.StatusCreated {
		t.Fatalf("JSON reply: %d %s", res.Status, res.Body)
	}
}

// TestFileReplyRefusedOnThePhone: a phone ticket (a voicemail) takes no
// file; the agent is told so, in their language, and nothing is sent.
func TestFileReplyRefusedOnThePhone(t *testing.T) {
	const (
		public  = "https://tanggap.example"
		token   = "token-uji-berkas"
		account = "AC0123456789abcdef0123456789abcdef"
	)
	fake := voicetest.NewFakeTwilio(t, account, token)
	cfg := apptest.Config(t)
	cfg.PublicURL = public
	cfg.Voice = config.Voice{TwilioAuthToken: token, TwilioAccountSID: account, TwilioAPIBaseURL: fake.Server.URL, TwilioCallerID: "+628001500123"}
	a := apptest.Start(t, cfg)
	p := &voicetest.Phone{T: t, Server: a.URL(), Public: public, Token: token, Account: account,
		CallSid: voicetest.NewCallSid(), From: "+6281255554444", To: "+628001500123"}
	rec := p.Press(p.Incoming().Doc, "3")
	p.Follow(rec.Doc, "Record", url.Values{"RecordingUrl": {fake.RecordingURL(voicetest.NewSid("RE"))}, "RecordingDuration": {"9"}})
	p.Hangup("completed", 31)

	agent := apptest.NewClient(t, a.URL())
	agent.Login(apptest.AdminEmail, apptest.AdminPassword)
	var id int64
	testenv.CheckFor(t, 20*time.Second, 50*time.Millisecond, func() error {
		var list struct {
			Tickets []struct {
				ID      int64  `json:"id"`
				Channel string `json:"channel"`
			} `json:"tickets"`
		}
		agent.Do(http.MethodGet, "/api/v1/tickets?scope=all", nil).JSON(t, &list)
		for _, tk := range list.Tickets {
			if tk.Channel == "voice" {
				id = tk.ID
				return nil
			}
		}
		return fmt.Errorf("no phone ticket yet")
	})
	for lang, want := range map[string]string{"id-ID": "tidak dapat membawa berkas", "en-US": "cannot carry files"} {
		agent.Lang = lang
		res := agent.Multipart(fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]string{"body": "Terlampir"},
			[]apptest.File{{Name: "surat.pdf", Data: []byte("%PDF-1.7\n")}})
		var e apiError
		res.JSON(t, &e)
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(e.Error.Fields["files"], want) {
			t.Fatalf("%s: %d %s", lang, res.Status, res.Body)
		}
	}
	var d struct {
		Messages []struct {
			Direction string `json:"direction"`
		} `json:"messages"`
	}
	agent.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(t, &d)
	for _, m := range d.Messages {
		if m.Direction == "out" {
			t.Fatal("a refused file reply was stored")
		}
	}
}
