package whatsapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"tanggap/channels/whatsapp"
	"tanggap/internal/app"
	"tanggap/internal/apptest"
	"tanggap/internal/bus"
	"tanggap/internal/config"
	"tanggap/internal/db"
	"tanggap/internal/testenv"
)

const (
	appSecret   = "test-app-secret"
	verifyToken = "test-verify-token"
	numberA     = "106540352242922" // mapped to the "whatsapp" queue
	numberB     = "106540352242933" // not mapped: default queue
	citizenWaID = "6281234567890"
)

// waEnv is a whole contact center with WhatsApp pointed at a stand-in
// Graph API.
type waEnv struct {
	t     testing.TB
	graph *fakeGraph
	api   *apptest.Client
	check *db.DB
	cfg   config.Config
	bus   *bus.Bus
	app   *app.App
}

// storedWhatsApp counts the WhatsApp messages the core stored.
func (e *waEnv) storedWhatsApp() (int64, error) {
	var n int64
	err := e.check.Raw(`SELECT COUNT(*) FROM messages WHERE channel = 'whatsapp'`).Scan(&n).Error
	return n, err
}

// waitStored waits (up to within, polling every) until the core stored at
// least want WhatsApp messages.
func (e *waEnv) waitStored(t testing.TB, want int64, within, every time.Duration) {
	t.Helper()
	testenv.CheckFor(t, within, every, func() error {
		n, err := e.storedWhatsApp()
		if err != nil {
			return err
		}
		if n < want {
			return fmt.Errorf("%d of %d stored", n, want)
		}
		return nil
	})
}

func startWA(t testing.TB) *waEnv {
	t.Helper()
	return startWAWith(t, nil)
}

// startWAWith is startWA with the configuration changed by mutate first.
func startWAWith(t testing.TB, mutate func(*config.Config)) *waEnv {
	t.Helper()
	g := newFakeGraph(t)
	cfg := apptest.Config(t)
	cfg.WhatsApp = config.WhatsApp{
		AppSecret: appSecret, VerifyToken: verifyToken, AccessToken: g.token,
		APIBaseURL: g.srv.URL, APIVersion: g.version, PhoneNumberID: numberA,
		NumberQueues: map[string]string{numberA: "whatsapp"},
		Templates: []config.WhatsAppTemplate{{Name: "tindak_lanjut", Language: "id", Params: []string{"nama", "nomor_tiket"}},
			{Name: "pengingat", Language: "id"}},
		RateLimit: 80, MediaMaxBytes: 1 << 20,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	a := apptest.Start(t, cfg)
	check, err := db.Open(context.Background(), db.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, MaxOpenConns: 2}, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { check.Close() })
	api := apptest.NewClient(t, a.URL())
	api.Login(apptest.AdminEmail, apptest.AdminPassword)
	return &waEnv{t: t, graph: g, api: api, check: check, cfg: cfg, bus: a.Bus(), app: a}
}

func whatsappSign(body []byte) string { return whatsapp.Sign(appSecret, body) }

// post sends a webhook body signed as Meta signs it.
func (e *waEnv) post(body []byte) apptest.Response {
	e.t.Helper()
	return e.api.Raw(http.MethodPost, "/webhooks/whatsapp", "application/json", string(body),
		map[string]string{"X-Hub-Signature-256": whatsapp.Sign(appSecret, body)})
}

// textWebhook is one text message from a citizen to a business number.
func textWebhook(number, from, wamid string, at time.Time, text string) []byte {
	return webhookOf(number, from, []map[string]any{{
		"from": from, "id": wamid, "timestamp": fmt.Sprint(at.Unix()), "type": "text", "text": map[string]any{"body": text},
	}}, nil)
}

func webhookOf(number, from string, messages []map[string]any, statuses []map[string]any) []byte {
	value := map[string]any{
		"messaging_product": "whatsapp",
		"metadata":          map[string]any{"display_phone_number": "6281100001111", "phone_number_id": number},
	}
	if len(messages) > 0 {
		value["contacts"] = []any{map[string]any{"profile": map[string]any{"name": "Warga " + from[len(from)-4:]}, "wa_id": from}}
		value["messages"] = messages
	}
	if len(statuses) > 0 {
		value["statuses"] = statuses
	}
	b, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
		"id": "102290129340398", "changes": []any{map[string]any{"field": "messages", "value": value}}}}})
	return b
}

func statusWebhook(wamid, status string, at time.Time, errs ...map[string]any) []byte {
	s := map[string]any{"id": wamid, "status": status, "timestamp": fmt.Sprint(at.Unix()), "recipient_id": citizenWaID}
	if len(errs) > 0 {
		s["errors"] = errs
	}
	return webhookOf(numberA, citizenWaID, nil, []map[string]any{s})
}

// ticketOf waits for the message with this wamid and returns its ticket id.
func (e *waEnv) ticketOf(wamid string) int64 {
	e.t.Helper()
	var id int64
	testenv.CheckFor(e.t, 20*time.Second, 20*time.Millisecond, func() error {
		var ids []int64
		if err := e.check.Raw(`SELECT ticket_id FROM messages WHERE channel = 'whatsapp' AND provider_message_id = ?`, wamid).Scan(&ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return fmt.Errorf("message %s not stored yet", wamid)
		}
		id = ids[0]
		return nil
	})
	return id
}

type apiMessage struct {
	ID             int64  `json:"id"`
	Direction      string `json:"direction"`
	Body           string `json:"body"`
	DeliveryStatus string `json:"delivery_status"`
	DeliveryError  string `json:"delivery_error"`
	Attachments    []struct {
		ID        int64  `json:"id"`
		MIME      string `json:"mime"`
		Available bool   `json:"available"`
		Size      int64  `json:"size"`
	} `json:"attachments"`
}

type apiTicket struct {
	ID        int64        `json:"id"`
	Queue     string       `json:"queue"`
	Status    string       `json:"status"`
	ContactID int64        `json:"contact_id"`
	Messages  []apiMessage `json:"messages"`
	Contact   struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
	} `json:"contact"`
	ReplyWindow *struct {
		Open      bool       `json:"open"`
		Until     *time.Time `json:"until"`
		Templates []struct {
			Name string `json:"name"`
		} `json:"templates"`
	} `json:"reply_window"`
}

func (e *waEnv) ticket(id int64) apiTicket {
	e.t.Helper()
	res := e.api.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil)
	if res.Status != http.StatusOK {
		e.t.Fatalf("get ticket: %d %s", res.Status, res.Body)
	}
	var tk apiTicket
	res.JSON(e.t, &tk)
	return tk
}

func (e *waEnv) reply(ticketID int64, body any) apptest.Response {
	e.t.Helper()
	return e.api.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", ticketID), body)
}

// waitStatus waits until the agent sees the reply with this status.
func (e *waEnv) waitStatus(ticketID, messageID int64, status string) apiMessage {
	e.t.Helper()
	var got apiMessage
	testenv.CheckFor(e.t, 30*time.Second, 25*time.Millisecond, func() error {
		for _, m := range e.ticket(ticketID).Messages {
			if m.ID == messageID {
				got = m
				if m.DeliveryStatus == status {
					return nil
				}
				return fmt.Errorf("reply is %q, want %q", m.DeliveryStatus, status)
			}
		}
		return fmt.Errorf("reply %d not in the thread", messageID)
	})
	return got
}

func TestWebhookVerification(t *testing.T) {
	e := startWA(t)
	cases := []struct {
		name   string
		query  string
		status int
		body   string
	}{
		{"the right token gets the challenge back", "hub.mode=subscribe&hub.verify_token=" + verifyToken + "&hub.challenge=1158201444", 200, "1158201444"},
		{"a wrong token is refused", "hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444", 403, ""},
		{"another mode is refused", "hub.mode=unsubscribe&hub.verify_token=" + verifyToken + "&hub.challenge=1", 403, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := e.api.Raw(http.MethodGet, "/webhooks/whatsapp?"+tc.query, "", "", nil)
			if res.Status != tc.status || (tc.body != "" && string(res.Body) != tc.body) {
				t.Fatalf("got %d %q", res.Status, res.Body)
			}
		})
	}
}

// TestWhatsAppLoop: signed webhook in → ticket → agent reply → the Graph
// API gets the right JSON → status webhooks → the agent sees delivered,
// then read, and a late delivered does not undo read.
func TestWhatsAppLoop(t *testing.T) {
	e := startWA(t)
	now := time.Now().UTC().Truncate(time.Second)
	if res := e.post(textWebhook(numberA, citizenWaID, "wamid.loop-1", now, "Kartu prakerja saya belum aktif")); res.Status != 200 {
		t.Fatalf("webhook: %d %s", res.Status, res.Body)
	}
	tid := e.ticketOf("wamid.loop-1")
	tk := e.ticket(tid)
	if tk.Queue != "Whatsapp" || tk.Contact.Phone != "+"+citizenWaID || tk.Contact.Name != "Warga 7890" {
		t.Fatalf("ticket queue %q contact %+v", tk.Queue, tk.Contact)
	}
	if w := tk.ReplyWindow; w == nil || !w.Open || w.Until == nil || !w.Until.Equal(now.Add(24*time.Hour)) || len(w.Templates) != 2 {
		t.Fatalf("reply window %+v, want open until %v", w, now.Add(24*time.Hour))
	}

	res := e.reply(tid, map[string]any{"body": "Baik, kami cek dulu ya."})
	if res.Status != http.StatusCreated {
		t.Fatalf("reply: %d %s", res.Status, res.Body)
	}
	var sent apiMessage
	res.JSON(t, &sent)
	e.waitStatus(tid, sent.ID, "sent")
	msgs := e.graph.sentMessages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages sent, want 1", len(msgs))
	}
	m := msgs[0]
	text, _ := m.Body["text"].(map[string]any)
	if m.From != numberA || m.Body["to"] != citizenWaID || m.Body["type"] != "text" || text["body"] != "Baik, kami cek dulu ya." ||
		m.Body["recipient_type"] != "individual" {
		t.Fatalf("sent %s from %s", m.Raw, m.From)
	}

	// Meta does not promise order: read arrives before delivered, and the
	// late delivered must not undo it.
	for _, st := range []string{"read", "delivered"} {
		if res := e.post(statusWebhook(m.ID, st, now.Add(time.Minute))); res.Status != 200 {
			t.Fatalf("status webhook: %d %s", res.Status, res.Body)
		}
	}
	e.waitStatus(tid, sent.ID, "read")

	// A failed status keeps Meta's code and title for the agent.
	res = e.reply(tid, map[string]any{"body": "Apakah masih ada kendala?"})
	var second apiMessage
	res.JSON(t, &second)
	e.waitStatus(tid, second.ID, "sent")
	msgs = e.graph.sentMessages()
	failed := statusWebhook(msgs[len(msgs)-1].ID, "failed", now.Add(2*time.Minute), map[string]any{
		"code": 131047, "title": "Re-engagement message", "message": "Re-engagement message",
		"error_data": map[string]any{"details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."},
	})
	e.post(failed)
	got := e.waitStatus(tid, second.ID, "failed")
	if !strings.Contains(got.DeliveryError, "131047") || !strings.Contains(got.DeliveryError, "Re-engagement message") {
		t.Fatalf("delivery error %q", got.DeliveryError)
	}
	// Failed is terminal: a late delivered does not revive it.
	e.post(statusWebhook(msgs[len(msgs)-1].ID, "delivered", now.Add(3*time.Minute)))
	e.post(textWebhook(numberA, citizenWaID, "wamid.loop-2", now.Add(4*time.Minute), "Masih"))
	e.ticketOf("wamid.loop-2")
	if got := e.waitStatus(tid, second.ID, "failed"); got.DeliveryError == "" {
		t.Fatal("failed reply lost its reason")
	}
	// Every status job published before has been worked by now.
	if got := e.waitStatus(tid, sent.ID, "read"); got.DeliveryError != "" {
		t.Fatalf("read reply changed: %+v", got)
	}
	var ext string
	e.check.Raw(`SELECT external_id FROM messages WHERE id = ?`, sent.ID).Scan(&ext)
	if ext != m.ID {
		t.Fatalf("reply's external id %q, want the wamid %q", ext, m.ID)
	}
}

func TestBadWebhooksStoreNothing(t *testing.T) {
	e := startWA(t)
	now := time.Now().UTC()
	good := textWebhook(numberA, citizenWaID, "wamid.bad-0", now, "Halo")
	cases := []struct {
		name   string
		body   string
		sig    string
		status int
	}{
		{"no signature", string(textWebhook(numberA, citizenWaID, "wamid.bad-1", now, "x")), "", 401},
		{"wrong signature", string(textWebhook(numberA, citizenWaID, "wamid.bad-2", now, "x")), whatsapp.Sign("other-secret", good), 401},
		{"signature of another body", string(textWebhook(numberA, citizenWaID, "wamid.bad-3", now, "x")), whatsapp.Sign(appSecret, good), 401},
		{"malformed signature", string(textWebhook(numberA, citizenWaID, "wamid.bad-4", now, "x")), "sha256=zz", 401},
		{"malformed JSON", `{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[{"id":"wamid.bad-5"`, "sign", 400},
		{"wrong object", `{"object":"page","entry":[]}`, "sign", 400},
		{"oversized body", `{"object":"whatsapp_business_account","pad":"` + strings.Repeat("a", 3<<20) + `"}`, "sign", 413},
		{"compressed body", "\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip", 415},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sig := tc.sig
			if sig == "sign" {
				sig = whatsapp.Sign(appSecret, []byte(tc.body))
			}
			h := map[string]string{}
			if sig == "gzip" {
				sig = whatsapp.Sign(appSecret, []byte(tc.body))
				h["Content-Encoding"] = "gzip"
			}
			if sig != "" {
				h["X-Hub-Signature-256"] = sig
			}
			res := e.api.Raw(http.MethodPost, "/webhooks/whatsapp", "application/json", tc.body, h)
			if res.Status != tc.status {
				t.Fatalf("got %d %s, want %d", res.Status, res.Body, tc.status)
			}
			var body struct {
				Error struct{ Code string } `json:"error"`
			}
			if json.Unmarshal(res.Body, &body) != nil || body.Error.Code == "" {
				t.Fatalf("no clear error: %s", res.Body)
			}
		})
	}
	// A good message afterwards is the only one stored: nothing of the bad
	// ones reached the bus.
	if res := e.post(good); res.Status != 200 {
		t.Fatalf("good webhook: %d", res.Status)
	}
	e.ticketOf("wamid.bad-0")
	var n int64
	if err := e.check.Raw(`SELECT COUNT(*) FROM messages WHERE channel = 'whatsapp'`).Scan(&n).Error; err != nil || n != 1 {
		t.Fatalf("%d whatsapp messages stored (%v), want only the good one", n, err)
	}
}

func TestRedeliveredWebhookStoresOnce(t *testing.T) {
	e := startWA(t)
	body := textWebhook(numberA, citizenWaID, "wamid.dup-1", time.Now(), "Halo")
	for range 3 {
		if res := e.post(body); res.Status != 200 {
			t.Fatalf("webhook: %d", res.Status)
		}
	}
	tid := e.ticketOf("wamid.dup-1")
	e.post(textWebhook(numberA, citizenWaID, "wamid.dup-2", time.Now(), "Halo lagi"))
	if e.ticketOf("wamid.dup-2") != tid {
		t.Fatal("second message did not join the open ticket")
	}
	var n int64
	e.check.Raw(`SELECT COUNT(*) FROM messages WHERE provider_message_id = 'wamid.dup-1'`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d copies stored", n)
	}
}

// TestOrderFollowsProviderTimestamps: POSTs that arrive out of order are
// shown in the order the citizen sent them.
func TestOrderFollowsProviderTimestamps(t *testing.T) {
	e := startWA(t)
	base := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	order := []int{2, 0, 3, 1}
	for _, i := range order {
		body := textWebhook(numberA, citizenWaID, fmt.Sprintf("wamid.order-%d", i), base.Add(time.Duration(i)*time.Second), fmt.Sprintf("pesan %d", i))
		if res := e.post(body); res.Status != 200 {
			t.Fatalf("webhook: %d", res.Status)
		}
		e.ticketOf(fmt.Sprintf("wamid.order-%d", i)) // each stored before the next arrives: the worst case
	}
	tk := e.ticket(e.ticketOf("wamid.order-0"))
	var got []string
	for _, m := range tk.Messages {
		got = append(got, m.Body)
	}
	if strings.Join(got, ",") != "pesan 0,pesan 1,pesan 2,pesan 3" {
		t.Fatalf("thread order %v", got)
	}
}

func TestReplyWindowAndTemplates(t *testing.T) {
	e := startWA(t)
	old := time.Now().UTC().Add(-25 * time.Hour).Truncate(time.Second)
	e.post(textWebhook(numberB, citizenWaID, "wamid.old-1", old, "Pesan lama"))
	tid := e.ticketOf("wamid.old-1")
	tk := e.ticket(tid)
	if tk.ReplyWindow == nil || tk.ReplyWindow.Open || tk.ReplyWindow.Until == nil || !tk.ReplyWindow.Until.Equal(old.Add(24*time.Hour)) {
		t.Fatalf("reply window %+v, want closed since %v", tk.ReplyWindow, old.Add(24*time.Hour))
	}
	if tk.Queue != "Umum" {
		t.Fatalf("a number without a queue goes to the default queue, got %q", tk.Queue)
	}

	e.api.Lang = "en-US"
	res := e.reply(tid, map[string]any{"body": "Halo?"})
	var errBody struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	res.JSON(t, &errBody)
	if res.Status != http.StatusConflict || errBody.Error.Code != "reply_window_closed" || !strings.Contains(errBody.Error.Message, "template") {
		t.Fatalf("free text outside the window: %d %s", res.Status, res.Body)
	}
	for _, bad := range []map[string]any{
		{"template": map[string]any{"name": "tidak_ada", "language": "id"}},
		{"template": map[string]any{"name": "tindak_lanjut", "language": "id", "params": []string{"Siti"}}},
	} {
		if res := e.reply(tid, bad); res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad template %v: %d %s", bad, res.Status, res.Body)
		}
	}
	res = e.reply(tid, map[string]any{"template": map[string]any{"name": "tindak_lanjut", "language": "id", "params": []string{"Siti", "TGP-1234"}}})
	if res.Status != http.StatusCreated {
		t.Fatalf("template reply: %d %s", res.Status, res.Body)
	}
	var sent apiMessage
	res.JSON(t, &sent)
	if !strings.Contains(sent.Body, "tindak_lanjut") || !strings.Contains(sent.Body, "TGP-1234") {
		t.Fatalf("thread shows %q for the template", sent.Body)
	}
	e.waitStatus(tid, sent.ID, "sent")
	m := e.graph.sentMessages()[0]
	tpl, _ := m.Body["template"].(map[string]any)
	lang, _ := tpl["language"].(map[string]any)
	comps, _ := tpl["components"].([]any)
	if m.From != numberB || m.Body["type"] != "template" || tpl["name"] != "tindak_lanjut" || lang["code"] != "id" || len(comps) != 1 ||
		!strings.Contains(m.Raw, `"parameters":[{"type":"text","text":"Siti"},{"type":"text","text":"TGP-1234"}]`) {
		t.Fatalf("template sent as %s from %s", m.Raw, m.From)
	}

	// A new message opens the window again: free text with buttons goes.
	e.post(textWebhook(numberB, citizenWaID, "wamid.new-1", time.Now(), "Terima kasih"))
	e.ticketOf("wamid.new-1")
	res = e.reply(tid, map[string]any{"body": "Ada lagi yang bisa dibantu?", "buttons": []map[string]string{{"id": "ya", "title": "Ya"}, {"id": "tidak", "title": "Tidak"}}})
	if res.Status != http.StatusCreated {
		t.Fatalf("reply with buttons: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &sent)
	e.waitStatus(tid, sent.ID, "sent")
	m = e.graph.sentMessages()[1]
	if m.Body["type"] != "interactive" || !strings.Contains(m.Raw, `{"type":"reply","reply":{"id":"ya","title":"Ya"}}`) {
		t.Fatalf("buttons sent as %s", m.Raw)
	}
}

func TestSameCitizenOnFormAndWhatsAppIsOneContact(t *testing.T) {
	e := startWA(t)
	tn := e.api.Complaint(map[string]string{"name": "Siti Rahayu", "phone": "081234567890", "category": "pendaftaran",
		"description": "Saya tidak bisa mendaftar di situs, selalu gagal di langkah verifikasi."})
	e.post(textWebhook(numberA, citizenWaID, "wamid.link-1", time.Now(), "Halo, soal pengaduan saya"))
	tid := e.ticketOf("wamid.link-1")
	var formContact int64
	testenv.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		if err := e.check.Raw(`SELECT contact_id FROM tickets WHERE tracking_number = ?`, tn).Scan(&formContact).Error; err != nil {
			return err
		}
		if formContact == 0 {
			return fmt.Errorf("complaint not stored yet")
		}
		return nil
	})
	if got := e.ticket(tid).ContactID; got != formContact || got == 0 {
		t.Fatalf("WhatsApp contact %d, form contact %d", got, formContact)
	}
}

// TestRepliesRetryThrottlingAndFailForGoodOnRefusal: a throttled send is
// retried and goes out once; a reply Meta refuses is marked failed with
// its reason for the agent.
func TestRepliesRetryThrottlingAndFailForGoodOnRefusal(t *testing.T) {
	e := startWA(t)
	e.post(textWebhook(numberA, citizenWaID, "wamid.retry-1", time.Now(), "Halo"))
	tid := e.ticketOf("wamid.retry-1")

	e.graph.failNext(throttled, serverError)
	res := e.reply(tid, map[string]any{"body": "Sebentar ya"})
	var first apiMessage
	res.JSON(t, &first)
	e.waitStatus(tid, first.ID, "sent")
	if n := len(e.graph.sentMessages()); n != 1 {
		t.Fatalf("sent %d times", n)
	}

	e.graph.failNext(undeliverable)
	res = e.reply(tid, map[string]any{"body": "Halo?"})
	var second apiMessage
	res.JSON(t, &second)
	got := e.waitStatus(tid, second.ID, "failed")
	if !strings.Contains(got.DeliveryError, "131026") || !strings.Contains(got.DeliveryError, "Message undeliverable") {
		t.Fatalf("delivery error %q", got.DeliveryError)
	}
	if n := len(e.graph.sentMessages()); n != 1 {
		t.Fatalf("a refused reply was retried into a send: %d sent", n)
	}
}

// TestWithoutSettingsTheChannelIsOff: no WHATSAPP_* settings, no webhook.
func TestWithoutSettingsTheChannelIsOff(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	api := apptest.NewClient(t, a.URL())
	body := textWebhook(numberA, citizenWaID, "wamid.off-1", time.Now(), "Halo")
	res := api.Raw(http.MethodPost, "/webhooks/whatsapp", "application/json", string(body),
		map[string]string{"X-Hub-Signature-256": whatsapp.Sign("", body)})
	if res.Status != http.StatusNotFound {
		t.Fatalf("webhook answered %d with the channel off", res.Status)
	}
}
