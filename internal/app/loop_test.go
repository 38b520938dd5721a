package app_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"tanggap/internal/apptest"
	"tanggap/internal/testenv"
)

type ticketList struct {
	Tickets []struct {
		ID             int64  `json:"id"`
		TrackingNumber string `json:"tracking_number"`
		Status         string `json:"status"`
		AssigneeID     *int64 `json:"assignee_id"`
		Queue          string `json:"queue"`
	} `json:"tickets"`
}

type ticketDetail struct {
	ID             int64  `json:"id"`
	TrackingNumber string `json:"tracking_number"`
	Status         string `json:"status"`
	Category       string `json:"category"`
	AssigneeID     *int64 `json:"assignee_id"`
	Contact        struct {
		Name      string `json:"name"`
		Phone     string `json:"phone"`
		Email     string `json:"email"`
		NIKMasked string `json:"nik_masked"`
	} `json:"contact"`
	Messages []struct {
		ID             int64  `json:"id"`
		Direction      string `json:"direction"`
		Body           string `json:"body"`
		DeliveryStatus string `json:"delivery_status"`
		Attachments    []struct {
			ID   int64  `json:"id"`
			MIME string `json:"mime"`
			Size int64  `json:"size"`
		} `json:"attachments"`
	} `json:"messages"`
}

type publicStatus struct {
	TrackingNumber string `json:"tracking_number"`
	Status         string `json:"status"`
	StatusLabel    string `json:"status_label"`
	Messages       []struct {
		Direction string `json:"direction"`
		Body      string `json:"body"`
		Author    string `json:"author"`
	} `json:"messages"`
}

type apiError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWholeLoop walks the walking skeleton through the public API: a
// citizen files a complaint with an attachment, the core stores and routes
// it, an agent replies, the citizen reads the reply on the status page and
// writes again on the same ticket.
func TestWholeLoop(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.CategoryQueues = map[string]string{"insentif": "keuangan"}
	a := apptest.Start(t, cfg)
	citizen := apptest.NewClient(t, a.URL())
	admin := apptest.NewClient(t, a.URL())
	rina := apptest.NewClient(t, a.URL())

	for _, p := range []string{"/healthz", "/readyz"} {
		if res := citizen.Do(http.MethodGet, p, nil); res.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", p, res.Status, res.Body)
		}
	}

	// Categories are labelled in the caller's language.
	var cats []struct{ Code, Label string }
	citizen.Lang = "en-US"
	citizen.Do(http.MethodGet, "/api/v1/complaints/categories", nil).JSON(t, &cats)
	if len(cats) != 5 || cats[0].Code != "pendaftaran" || cats[0].Label == "" || cats[0].Label == "category.pendaftaran" {
		t.Fatalf("categories = %+v", cats)
	}

	// Invalid input: 422, one message per field, in the asked language.
	res := citizen.Do(http.MethodPost, "/api/v1/complaints", map[string]string{"phone": "123", "category": "nope"})
	var e apiError
	res.JSON(t, &e)
	if res.Status != http.StatusUnprocessableEntity || e.Error.Code != "validation" {
		t.Fatalf("invalid complaint: %d %s", res.Status, res.Body)
	}
	for _, f := range []string{"name", "phone", "category", "description"} {
		if e.Error.Fields[f] == "" || strings.HasPrefix(e.Error.Fields[f], "validation.") {
			t.Errorf("field %s: %q", f, e.Error.Fields[f])
		}
	}
	citizen.Lang = "id-ID"
	res = citizen.Do(http.MethodPost, "/api/v1/complaints", map[string]string{"phone": "123"})
	var eID apiError
	res.JSON(t, &eID)
	if eID.Error.Fields["phone"] == e.Error.Fields["phone"] {
		t.Errorf("error text not translated: %q in both languages", eID.Error.Fields["phone"])
	}

	// A text file posing as an image is refused by its bytes.
	fields := map[string]string{"name": "Siti Aminah", "phone": "0812 3456 7890", "nik": "3171011508900001",
		"category": "insentif", "description": "Insentif bulan Oktober belum masuk ke rekening saya."}
	res = citizen.Multipart("/api/v1/complaints", fields, []apptest.File{{Name: "ktp.png", Data: []byte("just text, not a picture")}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "attachments") {
		t.Fatalf("fake image: %d %s", res.Status, res.Body)
	}
	// Four files: over the limit.
	var four []apptest.File
	for _, n := range []string{"a.png", "b.png", "c.png", "d.png"} {
		four = append(four, apptest.File{Name: n, Data: pngBytes(t)})
	}
	if res = citizen.Multipart("/api/v1/complaints", fields, four); res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("four files: %d %s", res.Status, res.Body)
	}

	res = citizen.Multipart("/api/v1/complaints", fields, []apptest.File{{Name: "bukti.png", Data: pngBytes(t)}})
	if res.Status != http.StatusCreated {
		t.Fatalf("complaint: %d %s", res.Status, res.Body)
	}
	var created struct {
		TrackingNumber string `json:"tracking_number"`
	}
	res.JSON(t, &created)
	tn := created.TrackingNumber
	if len(tn) != 19 {
		t.Fatalf("tracking number %q", tn)
	}

	// The status page answers only to the right pair, and the same way
	// whichever half is wrong.
	statusPath := func(contact string) string {
		return "/api/v1/complaints/" + tn + "?contact=" + contact
	}
	var st publicStatus
	testenv.CheckFor(t, 20*time.Second, 50*time.Millisecond, func() error {
		res := citizen.Do(http.MethodGet, statusPath("%2B6281234567890"), nil)
		if res.Status != http.StatusOK {
			return fmt.Errorf("status page: %d %s", res.Status, res.Body)
		}
		res.JSON(t, &st)
		return nil
	})
	if st.Status != "new" || len(st.Messages) != 1 || st.StatusLabel == "" {
		t.Fatalf("status = %+v", st)
	}
	wrongContact := citizen.Do(http.MethodGet, statusPath("081299999999"), nil)
	wrongNumber := citizen.Do(http.MethodGet, "/api/v1/complaints/1234-5678-9012-3456?contact=081234567890", nil)
	if wrongContact.Status != http.StatusNotFound || wrongNumber.Status != http.StatusNotFound ||
		!bytes.Equal(wrongContact.Body, wrongNumber.Body) {
		t.Fatalf("lookups with a wrong half differ: %d %s / %d %s", wrongContact.Status, wrongContact.Body, wrongNumber.Status, wrongNumber.Body)
	}

	// Someone who knows the citizen's phone files a complaint with it and
	// their own e-mail. The e-mail joins the citizen's contact (nobody
	// verifies form addresses), but it must not open the citizen's ticket.
	otherTN := citizen.Complaint(map[string]string{"name": "Orang Lain", "phone": "081234567890", "email": "penyusup@example.id",
		"category": "lainnya", "description": "Mencoba melihat pengaduan orang lain."})
	testenv.CheckFor(t, 20*time.Second, 100*time.Millisecond, func() error {
		if res := citizen.Do(http.MethodGet, "/api/v1/complaints/"+otherTN+"?contact=penyusup%40example.id", nil); res.Status != http.StatusOK {
			return fmt.Errorf("second complaint not stored yet: %d", res.Status)
		}
		return nil
	})
	if res := citizen.Do(http.MethodGet, "/api/v1/complaints/"+tn+"?contact=penyusup%40example.id", nil); res.Status != http.StatusNotFound {
		t.Fatalf("an address given on another complaint opened the ticket: %d %s", res.Status, res.Body)
	}

	// The admin adds an agent to the queue of the category; she comes
	// online and the waiting ticket is hers at once.
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	res = admin.Do(http.MethodPost, "/api/v1/agents", map[string]any{"email": "rina@tanggap.test", "name": "Rina",
		"password": "rahasia-rina-1", "queues": []string{"keuangan"}, "capacity": 5})
	if res.Status != http.StatusCreated {
		t.Fatalf("create agent: %d %s", res.Status, res.Body)
	}
	rina.Login("rina@tanggap.test", "rahasia-rina-1")
	if res = rina.Do(http.MethodPost, "/api/v1/agents", map[string]any{}); res.Status != http.StatusForbidden {
		t.Fatalf("agent creating agents: %d", res.Status)
	}
	if res = rina.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "online"}); res.Status != http.StatusOK {
		t.Fatalf("presence: %d %s", res.Status, res.Body)
	}
	var list ticketList
	rina.Do(http.MethodGet, "/api/v1/tickets?scope=mine", nil).JSON(t, &list)
	if len(list.Tickets) != 1 || list.Tickets[0].TrackingNumber != tn || list.Tickets[0].Queue != "Keuangan" {
		t.Fatalf("rina's tickets = %+v", list.Tickets)
	}
	id := list.Tickets[0].ID

	var d ticketDetail
	rina.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(t, &d)
	if d.Contact.Phone != "+6281234567890" || d.Contact.NIKMasked != "317101**********" || len(d.Messages) != 1 ||
		len(d.Messages[0].Attachments) != 1 || d.Messages[0].Attachments[0].MIME != "image/png" {
		t.Fatalf("ticket = %+v", d)
	}
	att := rina.Do(http.MethodGet, fmt.Sprintf("/api/v1/attachments/%d", d.Messages[0].Attachments[0].ID), nil)
	if att.Status != http.StatusOK || !bytes.Equal(att.Body, pngBytes(t)) {
		t.Fatalf("attachment download: %d, %d bytes", att.Status, len(att.Body))
	}
	if res = citizen.Do(http.MethodGet, fmt.Sprintf("/api/v1/attachments/%d", d.Messages[0].Attachments[0].ID), nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("anonymous attachment download: %d", res.Status)
	}

	// The agent replies; the citizen sees it once delivered.
	res = rina.Do(http.MethodPost, fmt.Sprintf("/api/v1/tickets/%d/messages", id), map[string]string{"body": "Baik Bu Siti, kami cek ke bank penyalur."})
	if res.Status != http.StatusCreated {
		t.Fatalf("reply: %d %s", res.Status, res.Body)
	}
	testenv.CheckFor(t, 20*time.Second, 50*time.Millisecond, func() error {
		citizen.Do(http.MethodGet, statusPath("081234567890"), nil).JSON(t, &st)
		if len(st.Messages) != 2 {
			return fmt.Errorf("status page shows %d messages", len(st.Messages))
		}
		return nil
	})
	if st.Messages[1].Direction != "out" || st.Messages[1].Author != "Rina" || st.Status != "open" {
		t.Fatalf("after reply: %+v", st)
	}
	testenv.CheckFor(t, 10*time.Second, 50*time.Millisecond, func() error {
		rina.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(t, &d)
		// Posted on the status page, and the citizen has looked at it.
		if got := d.Messages[len(d.Messages)-1].DeliveryStatus; got != "read" {
			return fmt.Errorf("reply delivery status %q", got)
		}
		return nil
	})

	// The citizen answers on the same ticket; after "solved" an answer
	// reopens it; after "closed" the form refuses.
	res = citizen.Do(http.MethodPost, "/api/v1/complaints/"+tn+"/messages?contact=081234567890", map[string]string{"body": "Terima kasih, saya tunggu."})
	if res.Status != http.StatusAccepted {
		t.Fatalf("follow-up: %d %s", res.Status, res.Body)
	}
	testenv.CheckFor(t, 20*time.Second, 50*time.Millisecond, func() error {
		rina.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(t, &d)
		if len(d.Messages) != 3 {
			return fmt.Errorf("%d messages", len(d.Messages))
		}
		return nil
	})
	// The complaint's lifecycle ended (its ticket is solved and closed by
	// hand below, as any ticket's).
	apptest.Ended(t, cfg, admin, id)
	if res = rina.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", id), map[string]string{"status": "solved"}); res.Status != http.StatusOK {
		t.Fatalf("solve: %d %s", res.Status, res.Body)
	}
	citizen.Do(http.MethodPost, "/api/v1/complaints/"+tn+"/messages?contact=081234567890", map[string]string{"body": "Maaf, ternyata belum masuk."})
	testenv.CheckFor(t, 20*time.Second, 50*time.Millisecond, func() error {
		rina.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d", id), nil).JSON(t, &d)
		if d.Status != "open" || len(d.Messages) != 4 {
			return fmt.Errorf("status %s with %d messages", d.Status, len(d.Messages))
		}
		return nil
	})
	if res = rina.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", id), map[string]string{"status": "closed"}); res.Status != http.StatusOK {
		t.Fatalf("close: %d %s", res.Status, res.Body)
	}
	res = citizen.Do(http.MethodPost, "/api/v1/complaints/"+tn+"/messages?contact=081234567890", map[string]string{"body": "Halo?"})
	res.JSON(t, &e)
	if res.Status != http.StatusConflict || e.Error.Code != "ticket_closed" {
		t.Fatalf("follow-up on closed ticket: %d %s", res.Status, res.Body)
	}
	if res = rina.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", id), map[string]string{"status": "open"}); res.Status != http.StatusConflict {
		t.Fatalf("reopen closed: %d %s", res.Status, res.Body)
	}
}

func TestAuthRules(t *testing.T) {
	a := apptest.Start(t, apptest.Config(t))
	c := apptest.NewClient(t, a.URL())
	cases := []struct {
		name   string
		method string
		path   string
		body   any
		token  string
		want   int
	}{
		{"tickets need a session", http.MethodGet, "/api/v1/tickets", nil, "", http.StatusUnauthorized},
		{"a made-up token is refused", http.MethodGet, "/api/v1/tickets", nil, "bm90LWEtdG9rZW4", http.StatusUnauthorized},
		{"wrong password", http.MethodPost, "/api/v1/auth/login", map[string]string{"email": apptest.AdminEmail, "password": "salah-sekali"}, "", http.StatusUnauthorized},
		{"unknown email answers the same", http.MethodPost, "/api/v1/auth/login", map[string]string{"email": "x@y.id", "password": "salah-sekali"}, "", http.StatusUnauthorized},
		{"login without a JSON body", http.MethodPost, "/api/v1/auth/login", nil, "", http.StatusUnsupportedMediaType},
		{"unknown API route", http.MethodGet, "/api/v1/nope", nil, "", http.StatusNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.Token = tc.token
			res := c.Do(tc.method, tc.path, tc.body)
			if res.Status != tc.want {
				t.Fatalf("%d %s, want %d", res.Status, res.Body, tc.want)
			}
			var e apiError
			res.JSON(t, &e)
			if e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("error body %s", res.Body)
			}
		})
	}
	c.Token = ""
	if res := c.Raw(http.MethodPost, "/api/v1/auth/login", "application/json", `{"email": "a@b.id", "password": `, nil); res.Status != http.StatusBadRequest {
		t.Fatalf("malformed JSON: %d %s", res.Status, res.Body)
	}

	// The console authenticates by cookie; a write carried by the cookie
	// alone (what a forged cross-site form sends) is refused without the
	// X-Requested-With header that only same-origin scripts can add.
	c.Login(apptest.AdminEmail, apptest.AdminPassword)
	cookie := map[string]string{"Cookie": "tanggap_session=" + c.Token}
	token := c.Token
	c.Token = ""
	presence := `{"presence":"online"}`
	if res := c.Raw(http.MethodGet, "/api/v1/auth/me", "", "", cookie); res.Status != http.StatusOK {
		t.Fatalf("cookie read: %d %s", res.Status, res.Body)
	}
	if res := c.Raw(http.MethodPut, "/api/v1/agents/me/presence", "application/json", presence, cookie); res.Status != http.StatusForbidden {
		t.Fatalf("cookie write without X-Requested-With: %d %s", res.Status, res.Body)
	}
	cookie["X-Requested-With"] = "tanggap"
	if res := c.Raw(http.MethodPut, "/api/v1/agents/me/presence", "application/json", presence, cookie); res.Status != http.StatusOK {
		t.Fatalf("cookie write with X-Requested-With: %d %s", res.Status, res.Body)
	}
	c.Token = token
	if res := c.Do(http.MethodGet, "/api/v1/auth/me", nil); res.Status != http.StatusOK {
		t.Fatalf("me: %d", res.Status)
	}
	if res := c.Do(http.MethodPost, "/api/v1/auth/logout", nil); res.Status != http.StatusNoContent {
		t.Fatalf("logout: %d", res.Status)
	}
	if res := c.Do(http.MethodGet, "/api/v1/auth/me", nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("token still valid after logout: %d", res.Status)
	}
}
