package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tanggap/internal/config"
)

// graphStandIn stands in for Meta's Graph API, the one part of the
// WhatsApp channel outside the contact center: every send is accepted and
// answered with the wamid wamid.e2e-<n>; a media upload (POST
// /{phone-number-id}/media, multipart with messaging_product, type and
// file, as documented) is kept and answered with the media id media.e2e-<n>.
type graphStandIn struct {
	srv      *httptest.Server
	sent     atomic.Int64
	lastBody atomic.Value

	mu      sync.Mutex
	uploads []graphUpload
}

// graphUpload is one media upload as the stand-in received it.
type graphUpload struct {
	ID, Type, Filename, PartType string
	Data                         []byte
}

func (g *graphStandIn) media(w http.ResponseWriter, r *http.Request) {
	file, fh, err := r.FormFile("file")
	if err != nil || r.FormValue("messaging_product") != "whatsapp" || r.FormValue("type") == "" {
		http.Error(w, `{"error":{"message":"(#100) Invalid parameter","code":100}}`, http.StatusBadRequest)
		return
	}
	data, _ := io.ReadAll(file)
	g.mu.Lock()
	defer g.mu.Unlock()
	id := fmt.Sprintf("media.e2e-%d", len(g.uploads)+1)
	g.uploads = append(g.uploads, graphUpload{ID: id, Type: r.FormValue("type"), Filename: fh.Filename,
		PartType: fh.Header.Get("Content-Type"), Data: data})
	json.NewEncoder(w).Encode(map[string]any{"id": id})
}

func (g *graphStandIn) uploaded() []graphUpload {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]graphUpload(nil), g.uploads...)
}

func newGraphStandIn(t *testing.T) *graphStandIn {
	t.Helper()
	g := &graphStandIn{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer token" && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/media") {
			g.media(w, r)
			return
		}
		if r.Header.Get("Authorization") != "Bearer token" || !strings.HasSuffix(r.URL.Path, "/messages") {
			http.Error(w, `{"error":{"message":"bad request","code":100}}`, http.StatusBadRequest)
			return
		}
		b, _ := io.ReadAll(r.Body)
		g.lastBody.Store(string(b))
		n := g.sent.Add(1)
		json.NewEncoder(w).Encode(map[string]any{"messaging_product": "whatsapp", "messages": []any{map[string]any{"id": fmt.Sprintf("wamid.e2e-%d", n)}}})
	}))
	t.Cleanup(g.srv.Close)
	return g
}

// config is the app's WhatsApp channel, sending through the stand-in.
func (g *graphStandIn) config() config.WhatsApp {
	return config.WhatsApp{AppSecret: "secret", VerifyToken: "verify", AccessToken: "token",
		APIBaseURL: g.srv.URL, APIVersion: "v23.0", PhoneNumberID: "1065", NumberQueues: map[string]string{},
		Templates: []config.WhatsAppTemplate{{Name: "tindak_lanjut", Language: "id", Params: []string{"nama"}}},
		RateLimit: 80, MediaMaxBytes: 1 << 20}
}

// waStatus is Meta's status of a reply sent to waID (sent, delivered,
// read, failed).
func waStatus(waID, wamid, status string, at time.Time) map[string]any {
	return map[string]any{"statuses": []any{map[string]any{"id": wamid, "status": status,
		"timestamp": fmt.Sprint(at.Unix()), "recipient_id": waID}}}
}
