package webform_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"testing"
	"time"

	"tanggap/internal/apptest"
	"tanggap/internal/testenv"
)

const statusWait = 30 * time.Second

// formTicket files a complaint with one file through the running app and
// returns its tracking number and ticket id once the core has it.
func formTicket(t *testing.T, citizen, agent *apptest.Client) (string, int64) {
	t.Helper()
	res := citizen.Multipart("/api/v1/complaints", map[string]string{"name": "Siti", "phone": "081234567890",
		"category": "pendaftaran", "description": "Akun saya terkunci."}, []apptest.File{{Name: "ktp.png", Data: pngBytes(t)}})
	if res.Status != http.StatusCreated {
		t.Fatalf("complaint: %d %s", res.Status, res.Body)
	}
	var out struct {
		TrackingNumber string `json:"tracking_number"`
	}
	res.JSON(t, &out)
	var id int64
	testenv.CheckFor(t, statusWait, 100*time.Millisecond, func() error {
		var body struct {
			Tickets []struct {
				ID             int64  `json:"id"`
				TrackingNumber string `json:"tracking_number"`
			} `json:"tickets"`
		}
		agent.Do("GET", "/api/v1/tickets?scope=all", nil).JSON(t, &body)
		for _, tk := range body.Tickets {
			if tk.TrackingNumber == out.TrackingNumber {
				id = tk.ID
				return nil
			}
		}
		return fmt.Errorf("ticket %s not stored yet", out.TrackingNumber)
	})
	return out.TrackingNumber, id
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// replyStatus is the delivery status the agent sees on the ticket's reply.
func replyStatus(t *testing.T, agent *apptest.Client, id int64, body string) string {
	t.Helper()
	var d struct {
		Messages []struct {
			Body           string `json:"body"`
			DeliveryStatus string `json:"delivery_status"`
		} `json:"messages"`
	}
	agent.Do("GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(t, &d)
	for _, m := range d.Messages {
		if m.Body == body {
			return m.DeliveryStatus
		}
	}
	return ""
}

// TestFormReplyIsPostedUntilTheCitizenLooks: a reply on a complaint-form
// ticket tells the agent "posted" (on the status page, nobody notified),
// never "delivered"; once the citizen opens the status page it turns
// "read", through the receipts stream.
func TestFormReplyIsPostedUntilTheCitizenLooks(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	citizen := apptest.NewClient(t, a.URL())
	agent := apptest.NewClient(t, a.URL())
	agent.Login(apptest.AdminEmail, apptest.AdminPassword)
	tn, id := formTicket(t, citizen, agent)

	const reply = "Akun Anda sudah kami buka kembali."
	if r := agent.Do("POST", fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]any{"body": reply}); r.Status >= 300 {
		t.Fatalf("reply: %d %s", r.Status, r.Body)
	}
	testenv.CheckFor(t, statusWait, 100*time.Millisecond, func() error {
		if s := replyStatus(t, agent, id, reply); s != "posted" {
			return fmt.Errorf("reply status %q, want posted", s)
		}
		return nil
	})
	// Still only posted while the citizen has not looked.
	if s := replyStatus(t, agent, id, reply); s != "posted" {
		t.Fatalf("reply status %q before the citizen looked, want posted", s)
	}

	status := "/api/v1/complaints/" + tn + "?contact=" + url.QueryEscape("0812-3456-7890")
	var p struct {
		Messages []struct {
			Direction string `json:"direction"`
			Body      string `json:"body"`
		} `json:"messages"`
	}
	res := citizen.Do("GET", status, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("status page: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &p)
	if len(p.Messages) != 2 || p.Messages[1].Body != reply {
		t.Fatalf("the citizen sees %+v, want the complaint and the posted reply", p.Messages)
	}
	testenv.CheckFor(t, statusWait, 100*time.Millisecond, func() error {
		if s := replyStatus(t, agent, id, reply); s != "read" {
			return fmt.Errorf("reply status %q after the citizen looked, want read", s)
		}
		return nil
	})
}

// TestStatusPageFiles: the status page lists the citizen's own files and
// serves them only with the tracking number and contact; a follow-up may
// carry one file under the form's checks, and a refused one says why.
func TestStatusPageFiles(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	citizen := apptest.NewClient(t, a.URL())
	agent := apptest.NewClient(t, a.URL())
	agent.Login(apptest.AdminEmail, apptest.AdminPassword)
	tn, _ := formTicket(t, citizen, agent)
	contact := "?contact=" + url.QueryEscape("+62 812 3456 7890")

	type file struct {
		ID       int64  `json:"id"`
		Filename string `json:"filename"`
		MIME     string `json:"mime"`
	}
	files := func() []file {
		t.Helper()
		var p struct {
			Messages []struct {
				Files []file `json:"files"`
			} `json:"messages"`
		}
		res := citizen.Do("GET", "/api/v1/complaints/"+tn+contact, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("status page: %d %s", res.Status, res.Body)
		}
		res.JSON(t, &p)
		var out []file
		for _, m := range p.Messages {
			out = append(out, m.Files...)
		}
		return out
	}
	got := files()
	if len(got) != 1 || got[0].Filename != "ktp.png" || got[0].MIME != "image/png" {
		t.Fatalf("files listed: %+v, want ktp.png", got)
	}
	fileURL := fmt.Sprintf("/api/v1/complaints/%s/files/%d", tn, got[0].ID)
	if r := citizen.Do("GET", fileURL+contact, nil); r.Status != http.StatusOK || !bytes.Equal(r.Body, pngBytes(t)) {
		t.Fatalf("own file: %d, %d bytes", r.Status, len(r.Body))
	}
	for name, q := range map[string]string{
		"wrong contact": "?contact=" + url.QueryEscape("orang@example.com"),
		"no contact":    "",
	} {
		if r := citizen.Do("GET", fileURL+q, nil); r.Status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", name, r.Status)
		}
	}

	follow := "/api/v1/complaints/" + tn + "/messages" + contact
	refused := []struct {
		name  string
		files []apptest.File
	}{
		{"two files", []apptest.File{{Name: "a.png", Data: pngBytes(t)}, {Name: "b.png", Data: pngBytes(t)}}},
		{"HTML posing as a PDF", []apptest.File{{Name: "x.pdf", Data: []byte("<html><script>alert(1)</script></html>")}}},
	}
	for _, tc := range refused {
		r := citizen.Multipart(follow, map[string]string{"body": "Ini lampirannya."}, tc.files)
		var e struct {
			Error struct {
				Code   string         `json:"code"`
				Fields map[string]any `json:"fields"`
			} `json:"error"`
		}
		r.JSON(t, &e)
		if r.Status != http.StatusUnprocessableEntity || e.Error.Fields["attachments"] == nil {
			t.Errorf("%s: %d %s, want 422 on attachments", tc.name, r.Status, r.Body)
		}
	}
	r := citizen.Multipart(follow, map[string]string{"body": "Ini surat keterangannya."}, []apptest.File{{Name: "surat.png", Data: pngBytes(t)}})
	if r.Status != http.StatusAccepted {
		t.Fatalf("follow-up with a file: %d %s", r.Status, r.Body)
	}
	testenv.CheckFor(t, statusWait, 100*time.Millisecond, func() error {
		if got := files(); len(got) != 2 || got[1].Filename != "surat.png" {
			return fmt.Errorf("files listed: %+v", got)
		}
		return nil
	})
}
