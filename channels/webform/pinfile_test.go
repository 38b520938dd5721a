package webform_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"tanggap/internal/apptest"
	"tanggap/internal/testenv"
)

// TestPINSessionFiles: the files of an anonymous complaint opened with its
// tracking number and PIN download byte for byte, with the PIN in the
// body (the status page's form post, or JSON), never with a wrong PIN nor
// by the contact lookup (an anonymous complaint has no contact).
func TestPINSessionFiles(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	citizen := apptest.NewClient(t, a.URL())
	agent := apptest.NewClient(t, a.URL())
	agent.Login(apptest.AdminEmail, apptest.AdminPassword)
	res := citizen.Multipart("/api/v1/complaints", map[string]string{"anonymous": "on", "category": "pendaftaran",
		"description": "Petugas meminta uang."}, []apptest.File{{Name: "bukti.png", Data: pngBytes(t)}})
	if res.Status != http.StatusCreated {
		t.Fatalf("complaint: %d %s", res.Status, res.Body)
	}
	var out struct {
		TN  string `json:"tracking_number"`
		PIN string `json:"pin"`
	}
	res.JSON(t, &out)
	if out.PIN == "" {
		t.Fatalf("no PIN: %s", res.Body)
	}
	var fileID int64
	testenv.CheckFor(t, statusWait, 100*time.Millisecond, func() error {
		var p struct {
			Ticket struct {
				Messages []struct {
					Files []struct {
						ID       int64  `json:"id"`
						Filename string `json:"filename"`
					} `json:"files"`
				} `json:"messages"`
			} `json:"ticket"`
		}
		r := citizen.Do(http.MethodPost, "/api/v1/complaints/"+out.TN+"/pin", map[string]string{"pin": out.PIN})
		if r.Status != http.StatusOK {
			return fmt.Errorf("PIN status: %d", r.Status)
		}
		r.JSON(t, &p)
		for _, m := range p.Ticket.Messages {
			for _, f := range m.Files {
				if f.Filename == "bukti.png" {
					fileID = f.ID
					return nil
				}
			}
		}
		return fmt.Errorf("file not listed yet")
	})
	path := fmt.Sprintf("/api/v1/complaints/%s/pin/files/%d", out.TN, fileID)
	form := url.Values{"pin": {out.PIN}}.Encode()
	if r := citizen.Raw(http.MethodPost, path, "application/x-www-form-urlencoded", form, nil); r.Status != http.StatusOK || !bytes.Equal(r.Body, pngBytes(t)) {
		t.Fatalf("form post: %d, %d bytes (want %d)", r.Status, len(r.Body), len(pngBytes(t)))
	}
	if r := citizen.Do(http.MethodPost, path, map[string]string{"pin": out.PIN}); r.Status != http.StatusOK || !bytes.Equal(r.Body, pngBytes(t)) {
		t.Fatalf("JSON post: %d, %d bytes", r.Status, len(r.Body))
	}
	wrong := "0000-0000"
	if out.PIN == wrong {
		wrong = "1111-1111"
	}
	for name, r := range map[string]apptest.Response{
		"wrong PIN":      citizen.Raw(http.MethodPost, path, "application/x-www-form-urlencoded", url.Values{"pin": {wrong}}.Encode(), nil),
		"no PIN":         citizen.Raw(http.MethodPost, path, "application/x-www-form-urlencoded", "", nil),
		"contact lookup": citizen.Do(http.MethodGet, fmt.Sprintf("/api/v1/complaints/%s/files/%d?contact=", out.TN, fileID), nil),
		"other file":     citizen.Raw(http.MethodPost, fmt.Sprintf("/api/v1/complaints/%s/pin/files/%d", out.TN, fileID+1000), "application/x-www-form-urlencoded", form, nil),
	} {
		if r.Status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", name, r.Status)
		}
	}
}
