package whatsapp_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"tanggap/internal/testenv"
)

func TestInboundMediaIsFetchedAfterTheWebhook(t *testing.T) {
	e := startWA(t)
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 600)...)
	e.graph.addMedia("media-ok", "image/png", png)
	e.graph.mu.Lock()
	e.graph.failMedia = 2 // the first attempts fail: retried with backoff
	e.graph.mu.Unlock()
	at := time.Now().UTC()
	img := func(wamid, media string) []byte {
		return webhookOf(numberA, citizenWaID, []map[string]any{{
			"from": citizenWaID, "id": wamid, "timestamp": fmt.Sprint(at.Unix()), "type": "image",
			"image": map[string]any{"caption": "Foto KTP", "mime_type": "image/png", "sha256": "x", "id": media},
		}}, nil)
	}
	if res := e.post(img("wamid.img-1", "media-ok")); res.Status != 200 {
		t.Fatalf("webhook: %d", res.Status)
	}
	// Media that no longer exists at Meta: the message stays, without it.
	e.post(img("wamid.img-2", "media-gone"))
	tid := e.ticketOf("wamid.img-1")
	e.ticketOf("wamid.img-2")

	var att int64
	testenv.CheckFor(t, 30*time.Second, 50*time.Millisecond, func() error {
		for _, m := range e.ticket(tid).Messages {
			if m.Body == "Foto KTP" && len(m.Attachments) == 1 && m.Attachments[0].Available {
				if m.Attachments[0].Size != int64(len(png)) || m.Attachments[0].MIME != "image/png" {
					return fmt.Errorf("attachment %+v", m.Attachments[0])
				}
				att = m.Attachments[0].ID
				return nil
			}
		}
		return fmt.Errorf("media not available yet")
	})
	res := e.api.Do(http.MethodGet, fmt.Sprintf("/api/v1/attachments/%d", att), nil)
	if res.Status != 200 || string(res.Body) != string(png) {
		t.Fatalf("attachment: %d, %d bytes", res.Status, len(res.Body))
	}
	var unavailable int64
	e.check.Raw(`SELECT COUNT(*) FROM attachments a JOIN messages m ON m.id = a.message_id
		WHERE m.provider_message_id = 'wamid.img-2' AND a.available = ?`, false).Scan(&unavailable)
	if unavailable != 1 {
		t.Fatal("message with missing media lost its (unavailable) attachment")
	}
}

// TestMediaOverTheLimitsIsRefusedOnce: a file over the size limit or of a
// type not allowed is not stored and not fetched again; the message stays
// with its attachment unavailable.
func TestMediaOverTheLimitsIsRefusedOnce(t *testing.T) {
	e := startWA(t)
	e.graph.addMedia("media-big", "image/jpeg", append([]byte("\xff\xd8\xff\xe0"), make([]byte, 2<<20)...)) // over 1 MiB
	e.graph.addMedia("media-html", "application/pdf", []byte("<html><script>alert(1)</script></html>"))
	at := time.Now().UTC()
	for _, m := range []struct{ wamid, media string }{{"wamid.big", "media-big"}, {"wamid.html", "media-html"}} {
		e.post(webhookOf(numberA, citizenWaID, []map[string]any{{
			"from": citizenWaID, "id": m.wamid, "timestamp": fmt.Sprint(at.Unix()), "type": "document",
			"document": map[string]any{"filename": "berkas.pdf", "mime_type": "application/pdf", "sha256": "x", "id": m.media},
		}}, nil))
		e.ticketOf(m.wamid)
	}
	testenv.CheckFor(t, 30*time.Second, 50*time.Millisecond, func() error {
		e.graph.mu.Lock()
		defer e.graph.mu.Unlock()
		if e.graph.mediaCalls["media-big"] == 0 || e.graph.mediaCalls["media-html"] == 0 {
			return fmt.Errorf("media not looked up yet")
		}
		return nil
	})
	// A later message whose media is fine proves the jobs ran past both.
	e.graph.addMedia("media-ok", "image/png", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...))
	e.post(webhookOf(numberA, citizenWaID, []map[string]any{{
		"from": citizenWaID, "id": "wamid.ok", "timestamp": fmt.Sprint(at.Unix() + 1), "type": "image",
		"image": map[string]any{"mime_type": "image/png", "sha256": "x", "id": "media-ok"},
	}}, nil))
	testenv.CheckFor(t, 30*time.Second, 50*time.Millisecond, func() error {
		var n int64
		if err := e.check.Raw(`SELECT COUNT(*) FROM attachments WHERE available = ?`, true).Scan(&n).Error; err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("good media not stored yet")
		}
		return nil
	})
	var unavailable int64
	e.check.Raw(`SELECT COUNT(*) FROM attachments WHERE available = ?`, false).Scan(&unavailable)
	e.graph.mu.Lock()
	calls := e.graph.mediaCalls["media-big"] + e.graph.mediaCalls["media-html"]
	e.graph.mu.Unlock()
	if unavailable != 2 || calls != 2 {
		t.Fatalf("%d attachments unavailable (want 2), %d lookups of refused media (want 2)", unavailable, calls)
	}
}
