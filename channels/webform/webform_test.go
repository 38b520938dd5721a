package webform_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/nats-io/nats.go/jetstream"

	"tanggap/channels"
	"tanggap/channels/webform"
	"tanggap/internal/api"
	"tanggap/internal/attachment"
	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/locale"
	"tanggap/internal/pages"
	"tanggap/internal/testenv"
	"tanggap/internal/ticket"
)

type harness struct {
	app   *fiber.App
	bus   *bus.Bus
	db    *db.DB
	files string
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessLog(t, testenv.Logger(t))
}

func newHarnessLog(t testing.TB, log *slog.Logger) *harness {
	t.Helper()
	d := testenv.DB(t)
	b := testenv.Bus(t)
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	store, err := attachment.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	tickets := ticket.New(ticket.Opts{DB: d, Bus: b, Log: log})
	form := webform.New(webform.Opts{
		Bus: b, Tickets: tickets, Attachments: store, Locale: cat, Lang: pages.Lang,
		Categories: []webform.Category{{Code: "insentif"}, {Code: "bansos", Label: "Bantuan sosial"}},
		MaxFiles:   3, MaxBytes: 1 << 20, Log: log,
	})
	app := api.New(api.Opts{Log: log, Locale: cat, Lang: pages.Lang, Adapters: []channels.Adapter{form}, BodyLimit: 8 << 20})
	return &harness{app: app, bus: b, db: d, files: dir}
}

func (h *harness) do(t testing.TB, req *http.Request) (int, map[string]any) {
	t.Helper()
	res, err := h.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var body map[string]any
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatalf("decode %s: %v", raw, err)
		}
	}
	return res.StatusCode, body
}

func multipartReq(t *testing.T, fields map[string]string, files map[string][]byte) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for name, data := range files {
		part, err := w.CreateFormFile("attachments", name)
		if err != nil {
			t.Fatal(err)
		}
		part.Write(data)
	}
	w.Close()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/complaints", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return req
}

var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

var goodFields = map[string]string{"name": "Budi", "email": "Budi@Example.go.id", "category": "bansos", "description": "Bantuan belum diterima."}

// filesIn counts stored attachment files (temporary uploads included).
func filesIn(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func TestSubmissionIsOnTheBusBeforeTheAnswer(t *testing.T) {
	h := newHarness(t)
	status, body := h.do(t, multipartReq(t, goodFields, map[string][]byte{"surat.pdf": pdf}))
	if status != http.StatusCreated {
		t.Fatalf("status %d %v", status, body)
	}
	tn, _ := body["tracking_number"].(string)

	ctx := context.Background()
	stream, err := h.bus.JS.Stream(ctx, h.bus.Names.StreamInbound())
	if err != nil {
		t.Fatal(err)
	}
	msg, err := stream.GetLastMsgForSubject(ctx, h.bus.Names.Inbound(domain.ChannelWebform))
	if err != nil {
		t.Fatalf("nothing on the bus: %v", err)
	}
	in, err := envelope.DecodeInbound(msg.Data)
	if err != nil {
		t.Fatal(err)
	}
	if in.ThreadRef != tn || in.Sender.Email != "budi@example.go.id" || in.Fields["category"] != "bansos" ||
		in.Fields["kind"] != "complaint" || len(in.Attachments) != 1 || in.Attachments[0].MIME != "application/pdf" {
		t.Fatalf("envelope = %+v", in)
	}
	if msg.Header.Get(jetstream.MsgIDHeader) != bus.InboundMsgID(domain.ChannelWebform, in.ProviderMessageID) {
		t.Fatalf("Nats-Msg-Id = %q", msg.Header.Get(jetstream.MsgIDHeader))
	}
	if filesIn(t, h.files) != 1 {
		t.Fatalf("want the one attachment stored, found %d files", filesIn(t, h.files))
	}
}

// TestDatabaseDownStillTakesComplaints: the form needs only the bus; the
// core stores what the bus holds once the database is back.
func TestDatabaseDownStillTakesComplaints(t *testing.T) {
	h := newHarness(t)
	if err := h.db.Close(); err != nil {
		t.Fatal(err)
	}
	status, body := h.do(t, multipartReq(t, goodFields, map[string][]byte{"surat.pdf": pdf}))
	if status != http.StatusCreated {
		t.Fatalf("status %d %v", status, body)
	}
}

func TestBusDownAnswers503AndKeepsNothing(t *testing.T) {
	h := newHarness(t)
	h.bus.Close()
	status, body := h.do(t, multipartReq(t, goodFields, map[string][]byte{"surat.pdf": pdf}))
	errBody, _ := body["error"].(map[string]any)
	if status != http.StatusServiceUnavailable || errBody["code"] != "unavailable" {
		t.Fatalf("status %d %v", status, body)
	}
	if n := filesIn(t, h.files); n != 0 {
		t.Fatalf("%d attachment files left behind", n)
	}
}

func TestBadRequestsGetClearErrors(t *testing.T) {
	h := newHarness(t)
	jsonReq := func(body string, ct string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/complaints", strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
		return r
	}
	big := bytes.Repeat([]byte{0xff, 0xd8, 0xff, 0xe0}, (1<<20)/4+10) // JPEG magic, over 1 MiB
	cases := []struct {
		name   string
		req    *http.Request
		status int
		code   string
		field  string
		names  string // what the field's message names (a refused file: which one)
	}{
		{"malformed JSON", jsonReq(`{"name":`, "application/json"), 400, "bad_request", "", ""},
		{"wrong content type", jsonReq(`name=x`, "text/plain"), 415, "unsupported_media_type", "", ""},
		{"HTML posing as a PDF", multipartReq(t, goodFields, map[string][]byte{"x.pdf": []byte("<html><script>alert(1)</script></html>")}), 422, "validation", "attachments", "x.pdf"},
		{"file over the size limit", multipartReq(t, goodFields, map[string][]byte{"big.jpg": big}), 422, "validation", "attachments", "big.jpg"},
		{"unknown category", jsonReq(`{"name":"A","phone":"081234567890","category":"x","description":"d"}`, "application/json"), 422, "validation", "category", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := h.do(t, tc.req)
			errBody, _ := body["error"].(map[string]any)
			if status != tc.status || errBody["code"] != tc.code {
				t.Fatalf("got %d %v, want %d %s", status, body, tc.status, tc.code)
			}
			if tc.field != "" {
				fields, _ := errBody["fields"].(map[string]any)
				if fields[tc.field] == nil {
					t.Fatalf("no message for field %s: %v", tc.field, body)
				}
				if msg, _ := fields[tc.field].(string); !strings.Contains(msg, tc.names) {
					t.Errorf("%s's message %q does not name %q", tc.field, msg, tc.names)
				}
			}
		})
	}
	if n := filesIn(t, h.files); n != 0 {
		t.Fatalf("%d files kept from refused submissions", n)
	}
}

func TestDeliverPostsRepliesOnTheStatusPage(t *testing.T) {
	a := webform.New(webform.Opts{})
	r, err := a.Deliver(context.Background(), envelope.Outbound{V: 1, Channel: domain.ChannelWebform, MessageID: 7})
	if err != nil || r.Status != domain.DeliveryPosted || r.At.IsZero() || time.Since(r.At) > time.Minute {
		t.Fatalf("receipt %+v err %v", r, err)
	}
}

func TestGuessingTrackingNumbersIsSlowedDown(t *testing.T) {
	d := testenv.DB(t)
	b := testenv.Bus(t)
	log := testenv.Logger(t)
	cat, _ := locale.Load()
	store, _ := attachment.NewLocal(t.TempDir())
	form := webform.New(webform.Opts{Bus: b, Tickets: ticket.New(ticket.Opts{DB: d, Bus: b, Log: log}), Attachments: store,
		Locale: cat, Lang: pages.Lang, Categories: []webform.Category{{Code: "x"}}, MaxFiles: 1, MaxBytes: 1 << 20, Log: log,
		FailedLookupsPerMinute: 3})
	app := api.New(api.Opts{Log: log, Locale: cat, Lang: pages.Lang, Adapters: []channels.Adapter{form}})
	var codes []int
	for i := 0; i < 5; i++ {
		res, err := app.Test(httptest.NewRequest(http.MethodGet, "/api/v1/complaints/1234-5678-9012-3456?contact=081234567890", nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, res.StatusCode)
	}
	want := []int{404, 404, 404, 429, 429}
	for i := range want {
		if codes[i] != want[i] {
			t.Fatalf("answers %v, want %v", codes, want)
		}
	}
}

// FuzzMultipartSubmission sends arbitrary multipart complaints through the
// real HTTP handler: whatever the fields, file name and file bytes, the
// answer is a clear 201/400/413/415/422, never a 500, and a 201 carries a
// well-formed tracking number.
func FuzzMultipartSubmission(f *testing.F) {
	f.Add("Siti", "081234567890", "", "", "bansos", "Bantuan belum masuk", "surat.pdf", pdf)
	f.Add("", "12", "x@", "123", "??", "", "../../etc/passwd", []byte("<html>"))
	f.Add("Budi", "", "budi@example.go.id", "3171011508900001", "insentif", "d", "a\x00.png", []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
	// The fuzz target may not log through f; problems show on stderr.
	h := newHarnessLog(f, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	// A real listener: fiber's in-memory Test reports some malformed bodies
	// as transport errors where a real server answers 400.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	go h.app.Listener(ln)
	f.Cleanup(func() { h.app.Shutdown() })
	url := "http://" + ln.Addr().String() + "/api/v1/complaints"
	client := &http.Client{Timeout: 30 * time.Second}
	f.Fuzz(func(t *testing.T, name, phone, email, nik, category, description, filename string, file []byte) {
		fields := map[string]string{"name": name, "phone": phone, "email": email, "nik": nik, "category": category, "description": description}
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for k, v := range fields {
			w.WriteField(k, v)
		}
		if part, err := w.CreateFormFile("attachments", filename); err == nil {
			part.Write(file)
		}
		w.Close()
		res, err := client.Post(url, w.FormDataContentType(), &buf)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		status := res.StatusCode
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatalf("%d with a body that is not JSON: %q", status, raw)
		}
		switch status {
		case http.StatusCreated:
			tn, _ := body["tracking_number"].(string)
			if len(tn) != 19 || strings.Count(tn, "-") != 3 {
				t.Fatalf("201 with tracking number %q", tn)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
			errBody, _ := body["error"].(map[string]any)
			code, _ := errBody["code"].(string)
			msg, _ := errBody["message"].(string)
			if code == "" || msg == "" {
				t.Fatalf("%d without a clear error: %v", status, body)
			}
		default:
			t.Fatalf("unexpected status %d: %v", status, body)
		}
	})
}

// FuzzFollowUp sends arbitrary multipart follow-ups (body, file name, file
// bytes, number of files) through the real handler: the answer is always
// a clear 202/400/404/413/415/422, never a 500.
func FuzzFollowUp(f *testing.F) {
	f.Add("Ini lampirannya", "surat.pdf", pdf, uint8(1))
	f.Add("", "../../x.png", []byte("<html>"), uint8(2))
	f.Add("\x00", "", []byte{}, uint8(0))
	h := newHarnessLog(f, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	go h.app.Listener(ln)
	f.Cleanup(func() { h.app.Shutdown() })
	url := "http://" + ln.Addr().String() + "/api/v1/complaints/1234-5678-9012-3456/messages?contact=081234567890"
	client := &http.Client{Timeout: 30 * time.Second}
	f.Fuzz(func(t *testing.T, body, filename string, file []byte, n uint8) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		w.WriteField("body", body)
		for range n % 4 {
			if part, err := w.CreateFormFile("attachments", filename); err == nil {
				part.Write(file)
			}
		}
		w.Close()
		res, err := client.Post(url, w.FormDataContentType(), &buf)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var out map[string]any
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%d with a body that is not JSON: %q", res.StatusCode, raw)
		}
		switch res.StatusCode {
		case http.StatusAccepted:
		case http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
			errBody, _ := out["error"].(map[string]any)
			if code, _ := errBody["code"].(string); code == "" {
				t.Fatalf("%d without a clear error: %v", res.StatusCode, out)
			}
		default:
			t.Fatalf("unexpected status %d: %v", res.StatusCode, out)
		}
	})
}
