package main

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"tanggap/internal/apptest"
)

// seeded is what seed stored through the API, for check to read back from
// a restored copy.
type seeded struct {
	TN       string
	TicketID int64
	Bodies   []string          // the ticket's messages, in order
	Files    map[string][]byte // attachment file name → bytes
}

const (
	seedAgentEmail    = "pulih@tanggap.test"
	seedAgentPassword = "rahasia-pulih-2027"
)

// seed stores, through the API of a running app, a complaint with two
// files and an agent's reply, an agent, and a setting (the 2027 holidays).
func seed(t *testing.T, base string) seeded {
	t.Helper()
	admin := apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	if r := admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": seedAgentEmail, "name": "Agen Pulih",
		"password": seedAgentPassword, "role": "agent"}); r.Status >= 300 {
		t.Fatalf("create agent: %d %s", r.Status, r.Body)
	}
	if r := admin.Do(http.MethodPut, "/api/v1/admin/holidays/2027", map[string]any{"holidays": []map[string]string{
		{"day": "2027-12-25", "kind": "national", "name": "Hari Raya Natal"}}}); r.Status != http.StatusOK {
		t.Fatalf("set holidays: %d %s", r.Status, r.Body)
	}
	files := map[string][]byte{
		"bukti.pdf": append([]byte("%PDF-1.7\n% bukti pungutan\n"), bytes.Repeat([]byte("0123456789"), 40<<10)...), // several object chunks
		"surat.pdf": []byte("%PDF-1.7\n% surat keterangan\n%%EOF\n"),
	}
	var up []apptest.File
	for _, name := range []string{"bukti.pdf", "surat.pdf"} {
		up = append(up, apptest.File{Name: name, Data: files[name]})
	}
	res := apptest.NewClient(t, base).Multipart("/api/v1/complaints", map[string]string{"name": "Warga Pulih", "phone": "081234500091",
		"category": "pendaftaran", "description": "Petugas meminta uang untuk mendaftarkan saya."}, up)
	if res.Status != http.StatusCreated {
		t.Fatalf("complaint: %d %s", res.Status, res.Body)
	}
	var out struct {
		TN string `json:"tracking_number"`
	}
	res.JSON(t, &out)
	id := admin.TicketID(out.TN, "scope=all&status=all")
	const reply = "Terima kasih, laporan Bapak kami tindak lanjuti."
	if r := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]string{"body": reply}); r.Status >= 300 {
		t.Fatalf("reply: %d %s", r.Status, r.Body)
	}
	s := seeded{TN: out.TN, TicketID: id, Files: files}
	d := ticket(t, admin, id)
	for _, m := range d.Messages {
		s.Bodies = append(s.Bodies, m.Body)
	}
	if len(s.Bodies) != 2 || s.Bodies[1] != reply {
		t.Fatalf("seeded messages %q", s.Bodies)
	}
	return s
}

type ticketDetail struct {
	TrackingNumber string `json:"tracking_number"`
	Messages       []struct {
		Body        string `json:"body"`
		Attachments []struct {
			ID       int64  `json:"id"`
			Filename string `json:"filename"`
		} `json:"attachments"`
	} `json:"messages"`
}

func ticket(t *testing.T, c *apptest.Client, id int64) ticketDetail {
	t.Helper()
	r := c.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("ticket %d: %d %s", id, r.Status, r.Body)
	}
	var d ticketDetail
	r.JSON(t, &d)
	return d
}

// checkRecords reads the ticket, its messages, the agent (who signs in
// with the password set before) and the setting back through the API.
func checkRecords(t *testing.T, base string, s seeded) {
	t.Helper()
	admin := apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	d := ticket(t, admin, s.TicketID)
	var bodies []string
	for _, m := range d.Messages {
		bodies = append(bodies, m.Body)
	}
	if d.TrackingNumber != s.TN || !slices.Equal(bodies, s.Bodies) {
		t.Fatalf("restored ticket %s with messages %q, want %s with %q", d.TrackingNumber, bodies, s.TN, s.Bodies)
	}
	apptest.NewClient(t, base).Login(seedAgentEmail, seedAgentPassword)
	var hs struct {
		Holidays []struct{ Day, Kind, Name string } `json:"holidays"`
	}
	admin.Do(http.MethodGet, "/api/v1/admin/holidays/2027", nil).JSON(t, &hs)
	if fmt.Sprint(hs.Holidays) != "[{2027-12-25 national Hari Raya Natal}]" {
		t.Fatalf("restored holidays %v", hs.Holidays)
	}
}

// checkFiles downloads every attachment of the seeded ticket through the
// API and compares the bytes; ok=false expects every download to fail.
func checkFiles(t *testing.T, base string, s seeded, ok bool) {
	t.Helper()
	admin := apptest.NewClient(t, base)
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	seen := 0
	for _, m := range ticket(t, admin, s.TicketID).Messages {
		for _, a := range m.Attachments {
			seen++
			r := admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/attachments/%d", a.ID), nil)
			switch {
			case ok && (r.Status != http.StatusOK || !bytes.Equal(r.Body, s.Files[a.Filename])):
				t.Fatalf("download %s: %d, %d bytes, want %d", a.Filename, r.Status, len(r.Body), len(s.Files[a.Filename]))
			case !ok && r.Status == http.StatusOK:
				t.Fatalf("download %s succeeded without its object", a.Filename)
			}
		}
	}
	if seen != len(s.Files) {
		t.Fatalf("ticket lists %d attachments, want %d", seen, len(s.Files))
	}
}
