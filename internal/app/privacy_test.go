package app_test

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"tanggap/internal/apptest"
	"tanggap/internal/testenv"
)

// TestPersonalDataProtection runs the privacy features through the real
// app: files in the JetStream object store, sealed at rest; every view of
// the ticket and its file lands in the view audit; a restricted citizen's
// ticket refuses replies; the export carries data and file; erasure blanks
// the thread.
func TestPersonalDataProtection(t *testing.T) {
	cfg := apptest.Config(t)
	key := make([]byte, 32)
	rand.Read(key)
	natsFiles(t, &cfg)
	cfg.FileStore.EncryptionKey = base64.StdEncoding.EncodeToString(key)
	a := apptest.Start(t, cfg)
	citizen, admin := apptest.NewClient(t, a.URL()), apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)

	png := pngBytes(t)
	fields := map[string]string{"name": "Siti Aminah", "phone": "0812 3456 7890", "category": "insentif",
		"description": "Insentif bulan Oktober belum masuk ke rekening saya."}
	res := citizen.Multipart("/api/v1/complaints", fields, []apptest.File{{Name: "bukti.png", Data: png}})
	if res.Status != http.StatusCreated {
		t.Fatalf("complaint: %d %s", res.Status, res.Body)
	}
	var created struct {
		TrackingNumber string `json:"tracking_number"`
	}
	res.JSON(t, &created)

	var ticketID, contactID, attID int64
	testenv.CheckFor(t, 20*time.Second, 100*time.Millisecond, func() error {
		var list struct {
			Tickets []struct {
				ID             int64  `json:"id"`
				TrackingNumber string `json:"tracking_number"`
			} `json:"tickets"`
		}
		admin.Do(http.MethodGet, "/api/v1/tickets", nil).JSON(t, &list)
		for _, tk := range list.Tickets {
			if tk.TrackingNumber == created.TrackingNumber {
				ticketID = tk.ID
				return nil
			}
		}
		return fmt.Errorf("ticket not listed yet")
	})
	var detail struct {
		Contact  struct{ ID int64 } `json:"contact"`
		Messages []struct {
			Body        string `json:"body"`
			Attachments []struct {
				ID int64 `json:"id"`
			} `json:"attachments"`
		} `json:"messages"`
	}
	res = admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", ticketID), nil)
	res.JSON(t, &detail)
	contactID = detail.Contact.ID
	if len(detail.Messages) == 0 || len(detail.Messages[0].Attachments) != 1 {
		t.Fatalf("ticket detail: %s", res.Body)
	}
	attID = detail.Messages[0].Attachments[0].ID
	res = admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/attachments/%d", attID), nil)
	if res.Status != http.StatusOK || !bytes.Equal(res.Body, png) {
		t.Fatalf("attachment through the sealed object store: %d, %d bytes", res.Status, len(res.Body))
	}

	// Both views are in the audit, with the citizen filled in.
	testenv.CheckFor(t, 10*time.Second, 100*time.Millisecond, func() error {
		var page struct {
			Views []struct {
				Kind         string `json:"kind"`
				TicketID     *int64 `json:"ticket_id"`
				AttachmentID *int64 `json:"attachment_id"`
			} `json:"views"`
		}
		res := admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/admin/view-audit?contact=%d", contactID), nil)
		if res.Status != http.StatusOK {
			return fmt.Errorf("view audit: %d %s", res.Status, res.Body)
		}
		res.JSON(t, &page)
		kinds := map[string]bool{}
		for _, v := range page.Views {
			kinds[v.Kind] = v.TicketID != nil && *v.TicketID == ticketID
		}
		if !kinds["ticket"] || !kinds["attachment"] {
			return fmt.Errorf("views so far: %s", res.Body)
		}
		return nil
	})
	if res := admin.Do(http.MethodGet, "/api/v1/admin/view-audit?from=yesterday", nil); res.Status != http.StatusBadRequest {
		t.Fatalf("malformed from: %d %s", res.Status, res.Body)
	}
	// An email or a tracking number naming nobody (a typo, with or without
	// its dashes) is said so under its field, never an empty log.
	for q, field := range map[string]string{
		"agent=nobody%40tanggap.test": "agent", "ticket=1234567890123456": "ticket", "ticket=1234-5678-9012-3456": "ticket",
	} {
		var body struct {
			Error struct {
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		res := admin.Do(http.MethodGet, "/api/v1/admin/view-audit?"+q, nil)
		res.JSON(t, &body)
		if res.Status != http.StatusUnprocessableEntity || body.Error.Fields[field] == "" {
			t.Errorf("view audit ?%s: %d %s, want 422 under %s", q, res.Status, res.Body, field)
		}
	}

	// Restriction freezes the ticket; lifting it thaws it.
	subj := fmt.Sprintf("/api/v1/admin/subjects/%d", contactID)
	if res := admin.Do(http.MethodPost, subj+"/restrict", map[string]string{"reason": "permintaan warga 2 Des"}); res.Status != http.StatusOK {
		t.Fatalf("restrict: %d %s", res.Status, res.Body)
	}
	reply := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", ticketID), map[string]string{"body": "Baik, kami cek."})
	if reply.Status != http.StatusLocked || !strings.Contains(string(reply.Body), "processing_restricted") {
		t.Fatalf("reply to a frozen ticket: %d %s", reply.Status, reply.Body)
	}
	// A bulk action reaches the ticket through the ticket service, not its
	// route: the service refuses it too.
	bulk := admin.Do(http.MethodPost, "/api/v1/tickets/bulk", map[string]any{"ids": []int64{ticketID}, "action": "status", "status": "pending"})
	if bulk.Status != http.StatusOK || !strings.Contains(string(bulk.Body), "processing_restricted") {
		t.Fatalf("bulk change of a frozen ticket: %d %s", bulk.Status, bulk.Body)
	}
	// Routing's own changes (priority, transfer) refuse it too.
	if res := admin.Do(http.MethodPut, fmt.Sprintf("/api/v1/tickets/%d/priority", ticketID), map[string]string{"priority": "high"}); res.Status != http.StatusLocked {
		t.Fatalf("priority of a frozen ticket: %d %s", res.Status, res.Body)
	}
	move := admin.Do(http.MethodPost, "/api/v1/tickets/bulk", map[string]any{"ids": []int64{ticketID}, "action": "priority", "priority": "high"})
	if move.Status != http.StatusOK || !strings.Contains(string(move.Body), "processing_restricted") {
		t.Fatalf("bulk priority of a frozen ticket: %d %s", move.Status, move.Body)
	}
	if res := admin.Do(http.MethodDelete, subj+"/restrict", nil); res.Status != http.StatusOK {
		t.Fatalf("lift: %d %s", res.Status, res.Body)
	}
	if reply := admin.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", ticketID), map[string]string{"body": "Baik, kami cek."}); reply.Status == http.StatusLocked {
		t.Fatalf("reply after the lift: %d %s", reply.Status, reply.Body)
	}

	// Export: a zip with the thread and the file.
	res = admin.Do(http.MethodGet, subj+"/export", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("export: %d %s", res.Status, res.Body)
	}
	zr, err := zip.NewReader(bytes.NewReader(res.Body), int64(len(res.Body)))
	if err != nil {
		t.Fatalf("export is not a zip: %v", err)
	}
	var sawData, sawFile bool
	for _, f := range zr.File {
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		sawData = sawData || (f.Name == "data.json" && bytes.Contains(b, []byte("Insentif bulan Oktober")))
		sawFile = sawFile || (strings.HasPrefix(f.Name, "files/") && bytes.Equal(b, png))
	}
	if !sawData || !sawFile {
		t.Fatalf("export: data %v, file %v", sawData, sawFile)
	}
	if res := admin.Do(http.MethodGet, "/api/v1/admin/subjects/999999/export", nil); res.Status != http.StatusNotFound {
		t.Fatalf("export of an unknown citizen: %d", res.Status)
	}

	// Erase: the thread is blank, the file gone, the ticket still there.
	if res := admin.Do(http.MethodPost, subj+"/erase", nil); res.Status != http.StatusOK {
		t.Fatalf("erase: %d %s", res.Status, res.Body)
	}
	res = admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", ticketID), nil)
	if res.Status != http.StatusOK || bytes.Contains(res.Body, []byte("Insentif bulan Oktober")) || bytes.Contains(res.Body, []byte("Siti")) {
		t.Fatalf("after erase: %d %s", res.Status, res.Body)
	}
	if res := admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/attachments/%d", attID), nil); res.Status != http.StatusNotFound {
		t.Fatalf("file after erase: %d", res.Status)
	}
	var state struct {
		Requests []struct{ Kind string } `json:"requests"`
	}
	admin.Do(http.MethodGet, subj, nil).JSON(t, &state)
	if len(state.Requests) != 4 || state.Requests[0].Kind != "erase" {
		t.Fatalf("requests recorded: %+v", state.Requests)
	}
	// An agent may not use these routes.
	if res := citizen.Do(http.MethodGet, "/api/v1/admin/view-audit", nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("view audit without a session: %d", res.Status)
	}
}
