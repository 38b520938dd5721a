package whatsapp_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeGraph stands in for Meta's Graph API: it checks the bearer token and
// request bodies as the Cloud API documents them, answers with documented
// success and error bodies, serves media, and can be told to fail or
// throttle. Anything a real API would refuse as malformed is recorded as a
// protocol violation and fails the test.
type fakeGraph struct {
	t       testing.TB
	srv     *httptest.Server
	token   string
	version string

	mu         sync.Mutex
	sent       []sentMessage
	uploads    int
	uploaded   []uploadedMedia
	media      map[string]fakeMedia
	mediaCalls map[string]int
	next       int
	// fail answers the next len(fail) sends with these errors, in order.
	fail []graphFailure
	// failMedia answers the next n media lookups with a 500.
	failMedia  int
	violations []string
	// onSend, when set, sees each valid send before it is answered.
	onSend func(body map[string]any)
}

type sentMessage struct {
	From string
	Body map[string]any
	Raw  string
	ID   string
}

// uploadedMedia is one file received on POST /{phone-number-id}/media.
type uploadedMedia struct {
	ID, Type, Filename string
	Data               []byte
}

// mediaLimits are the Cloud API's supported media types for sending and
// their largest sizes, as Meta documents them.
var mediaLimits = map[string]int{
	"image/jpeg": 5 << 20, "image/png": 5 << 20,
	"audio/aac": 16 << 20, "audio/amr": 16 << 20, "audio/mpeg": 16 << 20, "audio/mp4": 16 << 20, "audio/ogg": 16 << 20,
	"video/mp4": 16 << 20, "video/3gp": 16 << 20,
	"text/plain": 100 << 20, "application/pdf": 100 << 20, "application/msword": 100 << 20,
	"application/vnd.ms-excel": 100 << 20, "application/vnd.ms-powerpoint": 100 << 20,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   100 << 20,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         100 << 20,
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": 100 << 20,
	"image/webp": 500 << 10,
}

type fakeMedia struct {
	Data []byte
	MIME string
}

type graphFailure struct {
	HTTP  int
	Code  int
	Title string
}

var (
	throttled     = graphFailure{HTTP: 400, Code: 130429, Title: "Rate limit hit"}
	serverError   = graphFailure{HTTP: 500, Code: 131000, Title: "Something went wrong"}
	undeliverable = graphFailure{HTTP: 400, Code: 131026, Title: "Message undeliverable"}
	windowClosed  = graphFailure{HTTP: 400, Code: 131047, Title: "Re-engagement message"}
	// passes lets one send through, to fail a later one.
	passes = graphFailure{}
)

func newFakeGraph(t testing.TB) *fakeGraph {
	f := &fakeGraph{t: t, token: "test-access-token", version: "v23.0", media: map[string]fakeMedia{}, mediaCalls: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		f.srv.Close()
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, v := range f.violations {
			t.Errorf("graph API protocol violation: %s", v)
		}
	})
	return f
}

func (f *fakeGraph) violate(format string, args ...any) {
	f.violations = append(f.violations, fmt.Sprintf(format, args...))
}

// graphError writes Meta's error envelope.
func graphError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": fmt.Sprintf("(#%d) %s", code, msg), "type": "OAuthException", "code": code,
		"error_data": map[string]any{"messaging_product": "whatsapp", "details": msg},
		"fbtrace_id": "AazVzs1aE3nYLuYtTnXWGmQ",
	}})
}

func (f *fakeGraph) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		graphError(w, http.StatusUnauthorized, 190, "Invalid OAuth access token - Cannot parse access token")
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 2 && parts[0] == "media-download" && r.Method == http.MethodGet:
		m, ok := f.media[parts[1]]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", m.MIME)
		w.Write(m.Data)
	case len(parts) == 3 && parts[0] == f.version && parts[2] == "messages" && r.Method == http.MethodPost:
		f.send(w, r, parts[1])
	case len(parts) == 3 && parts[0] == f.version && parts[2] == "media" && r.Method == http.MethodPost:
		f.upload(w, r)
	case len(parts) == 2 && parts[0] == f.version && r.Method == http.MethodGet:
		f.mediaCalls[parts[1]]++
		if f.failMedia > 0 {
			f.failMedia--
			graphError(w, http.StatusInternalServerError, 2, "Service temporarily unavailable")
			return
		}
		m, ok := f.media[parts[1]]
		if !ok {
			graphError(w, http.StatusBadRequest, 100, "Unsupported get request. Object with ID does not exist")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"messaging_product": "whatsapp", "url": f.srv.URL + "/media-download/" + parts[1],
			"mime_type": m.MIME, "sha256": "c2hh", "file_size": len(m.Data), "id": parts[1],
		})
	default:
		f.violate("unexpected request %s %s", r.Method, r.URL.Path)
		graphError(w, http.StatusBadRequest, 100, "Unknown path")
	}
}

func (f *fakeGraph) send(w http.ResponseWriter, r *http.Request, from string) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		f.violate("send with content type %q", ct)
	}
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		f.violate("send body is not JSON: %v", err)
		graphError(w, 400, 100, "Invalid parameter")
		return
	}
	if problem := checkSend(body); problem != "" {
		f.violate("send body %s: %s", raw, problem)
		graphError(w, 400, 100, "Invalid parameter")
		return
	}
	if f.onSend != nil {
		f.onSend(body)
	}
	if len(f.fail) > 0 {
		fl := f.fail[0]
		f.fail = f.fail[1:]
		if fl != passes {
			graphError(w, fl.HTTP, fl.Code, fl.Title)
			return
		}
	}
	f.next++
	id := fmt.Sprintf("wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEk%04d", f.next)
	f.sent = append(f.sent, sentMessage{From: from, Body: body, Raw: string(raw), ID: id})
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"messaging_product": "whatsapp",
		"contacts":          []any{map[string]any{"input": body["to"], "wa_id": body["to"]}},
		"messages":          []any{map[string]any{"id": id, "message_status": "accepted"}},
	})
}

// checkSend validates a message body the way the Cloud API does for the
// types this service sends.
func checkSend(b map[string]any) string {
	if b["messaging_product"] != "whatsapp" {
		return "messaging_product must be whatsapp"
	}
	to, _ := b["to"].(string)
	if to == "" || strings.Trim(to, "0123456789") != "" {
		return "to must be digits with country code"
	}
	typ, _ := b["type"].(string)
	obj, ok := b[typ].(map[string]any)
	if !ok {
		return fmt.Sprintf("type %q without its object", typ)
	}
	switch typ {
	case "text":
		body, _ := obj["body"].(string)
		if body == "" || len([]rune(body)) > 4096 {
			return "text.body empty or over 4096 characters"
		}
	case "image", "document", "audio", "video":
		if obj["id"] == nil && obj["link"] == nil {
			return typ + " without id or link"
		}
		if typ == "audio" && obj["caption"] != nil {
			return "audio takes no caption"
		}
		if c, _ := obj["caption"].(string); len([]rune(c)) > 1024 {
			return "caption over 1024 characters"
		}
		if _, ok := obj["filename"]; ok && typ != "document" {
			return "filename is for documents only"
		}
	case "template":
		lang, _ := obj["language"].(map[string]any)
		if obj["name"] == "" || lang == nil || lang["code"] == "" {
			return "template without name or language.code"
		}
	case "interactive":
		if obj["type"] == "list" {
			return checkList(obj)
		}
		if obj["type"] != "button" {
			return "interactive type must be button or list"
		}
		action, _ := obj["action"].(map[string]any)
		buttons, _ := action["buttons"].([]any)
		if len(buttons) == 0 || len(buttons) > 3 {
			return "1 to 3 buttons"
		}
		for _, b := range buttons {
			bm, _ := b.(map[string]any)
			reply, _ := bm["reply"].(map[string]any)
			title, _ := reply["title"].(string)
			if bm["type"] != "reply" || reply["id"] == "" || title == "" || len([]rune(title)) > 20 {
				return "button must be reply with id and title ≤ 20"
			}
		}
	default:
		return "unexpected type " + typ
	}
	return ""
}

// checkList checks a list message as the Cloud API documents it: a body
// of at most 1024 characters, a button label of at most 20, 1 to 10
// sections, at most 10 rows in all, each with an id (≤ 200) and a title
// (≤ 24).
func checkList(obj map[string]any) string {
	body, _ := obj["body"].(map[string]any)
	if text, _ := body["text"].(string); text == "" || len([]rune(text)) > 1024 {
		return "list body text 1 to 1024 characters"
	}
	action, _ := obj["action"].(map[string]any)
	if label, _ := action["button"].(string); label == "" || len([]rune(label)) > 20 {
		return "list button 1 to 20 characters"
	}
	sections, _ := action["sections"].([]any)
	if len(sections) == 0 || len(sections) > 10 {
		return "1 to 10 sections"
	}
	rows := 0
	for _, sec := range sections {
		sm, _ := sec.(map[string]any)
		list, _ := sm["rows"].([]any)
		for _, r := range list {
			rm, _ := r.(map[string]any)
			id, _ := rm["id"].(string)
			title, _ := rm["title"].(string)
			if id == "" || len(id) > 200 || title == "" || len([]rune(title)) > 24 {
				return "row must have an id ≤ 200 and a title ≤ 24"
			}
			rows++
		}
	}
	if rows == 0 || rows > 10 {
		return "1 to 10 rows"
	}
	return ""
}

// upload takes a media upload as the Cloud API documents it: multipart
// with messaging_product=whatsapp, type (a supported MIME type) and the
// file (of that type, within that type's size).
func (f *fakeGraph) upload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		f.violate("upload is not multipart: %v", err)
		graphError(w, 400, 100, "Invalid parameter")
		return
	}
	typ := r.FormValue("type")
	if r.FormValue("messaging_product") != "whatsapp" || typ == "" {
		f.violate("upload without messaging_product or type")
	}
	file, fh, err := r.FormFile("file")
	if err != nil {
		f.violate("upload without file: %v", err)
		graphError(w, 400, 100, "Invalid parameter")
		return
	}
	data, _ := io.ReadAll(file)
	limit, ok := mediaLimits[typ]
	switch {
	case !ok:
		f.violate("upload of unsupported type %q", typ)
		graphError(w, 400, 131053, "Media upload error: unsupported type")
		return
	case len(data) > limit:
		f.violate("upload of %d bytes of %s (limit %d)", len(data), typ, limit)
		graphError(w, 400, 131053, "Media upload error: file too large")
		return
	case fh.Header.Get("Content-Type") != typ:
		f.violate("file part typed %q, type field %q", fh.Header.Get("Content-Type"), typ)
	}
	f.uploads++
	id := fmt.Sprintf("uploaded-%d", f.uploads)
	f.uploaded = append(f.uploaded, uploadedMedia{ID: id, Type: typ, Filename: fh.Filename, Data: data})
	f.media[id] = fakeMedia{Data: data, MIME: typ}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":%q}`, id)
}

func (f *fakeGraph) uploadedMedia() []uploadedMedia {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]uploadedMedia(nil), f.uploaded...)
}

func (f *fakeGraph) addMedia(id, mime string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.media[id] = fakeMedia{Data: data, MIME: mime}
}

func (f *fakeGraph) failNext(fs ...graphFailure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = append(f.fail, fs...)
}

func (f *fakeGraph) sentMessages() []sentMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sentMessage(nil), f.sent...)
}

func bytesReader(b []byte) io.Reader { return strings.NewReader(string(b)) }

func sign(body []byte) string { return whatsappSign(body) }
