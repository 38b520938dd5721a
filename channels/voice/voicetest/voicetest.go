package voicetest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Phone is one call, as the provider makes requests for it.
type Phone struct {
	T       testing.TB
	Server  string // where requests really go (the app's listener)
	Public  string // PUBLIC_URL the provider believes it calls
	Token   string
	Account string
	CallSid string
	From    string
	To      string
	// Direction is "inbound" or "outbound-api".
	Direction string
	HTTP      *http.Client
	// Language, when set, is the language every <Say> must carry.
	Language string
}

// NewCallSid returns a fresh Twilio-shaped call id.
func NewCallSid() string { return NewSid("CA") }

// NewSid returns a fresh Twilio-shaped id with a two-letter prefix (CA a
// call, RE a recording, QU a queue).
func NewSid(prefix string) string { return prefix + randomHex(16) }

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Answer is one webhook response.
type Answer struct {
	Status int
	Body   string
	Doc    *Elem // parsed and checked TwiML when Status is 200
}

// Post sends a signed request to target (a public URL from TwiML, or a
// path) with the call's standard parameters plus extra.
func (p *Phone) Post(target string, extra url.Values) Answer {
	p.T.Helper()
	params := url.Values{
		"CallSid": {p.CallSid}, "AccountSid": {p.Account}, "From": {p.From}, "To": {p.To},
		"Direction": {p.Direction}, "ApiVersion": {"2010-04-01"}, "CallStatus": {"in-progress"},
	}
	if p.Direction == "" {
		params.Set("Direction", "inbound")
	}
	for k, v := range extra {
		params[k] = v
	}
	public := target
	if strings.HasPrefix(target, "/") {
		public = p.Public + target
	}
	return p.Send(public, params, Sign(p.Token, public, params))
}

// Send posts params to a public URL with the given signature header
// ("" leaves the header out).
func (p *Phone) Send(public string, params url.Values, signature string) Answer {
	p.T.Helper()
	if !strings.HasPrefix(public, p.Public) {
		p.T.Fatalf("TwiML sends the provider to %q, outside PUBLIC_URL %q", public, p.Public)
	}
	req, err := http.NewRequest(http.MethodPost, p.Server+strings.TrimPrefix(public, p.Public), strings.NewReader(params.Encode()))
	if err != nil {
		p.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if signature != "" {
		req.Header.Set("X-Twilio-Signature", signature)
	}
	client := p.HTTP
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	res, err := client.Do(req)
	if err != nil {
		p.T.Fatalf("post %s: %v", public, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	a := Answer{Status: res.StatusCode, Body: string(body)}
	if res.StatusCode == http.StatusOK {
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") {
			p.T.Fatalf("content type %q", ct)
		}
		doc, err := ParseTwiML(body)
		if err != nil {
			p.T.Fatalf("answer of %s is not documented TwiML: %v\n%s", public, err, body)
		}
		a.Doc = doc
		if p.Language != "" {
			if bad := doc.saysWithout(p.Language); bad != "" {
				p.T.Fatalf("answer of %s speaks without language=%q: %q", public, p.Language, bad)
			}
		}
	}
	return a
}

// Incoming starts the call.
func (p *Phone) Incoming() Answer {
	p.T.Helper()
	return p.Post("/webhooks/voice/incoming", url.Values{"CallStatus": {"ringing"}})
}

// Press answers the Gather of doc with digits.
func (p *Phone) Press(doc *Elem, digits string) Answer {
	p.T.Helper()
	g := doc.Find("Gather")
	if g == nil {
		p.T.Fatalf("no <Gather> to press %q into:\n%s", digits, doc.AllText())
	}
	return p.Post(g.Attrs["action"], url.Values{"Digits": {digits}})
}

// Silence lets a Gather time out: the provider runs the Redirect after it.
func (p *Phone) Silence(doc *Elem) Answer {
	p.T.Helper()
	r := doc.Find("Redirect")
	if r == nil {
		p.T.Fatalf("no <Redirect> after the <Gather>")
	}
	return p.Post(strings.TrimSpace(r.Text), nil)
}

// Follow posts to the action of the first element named verb with extra.
func (p *Phone) Follow(doc *Elem, verb string, extra url.Values) Answer {
	p.T.Helper()
	v := doc.Find(verb)
	if v == nil || v.Attrs["action"] == "" {
		p.T.Fatalf("no <%s action> in the answer", verb)
	}
	return p.Post(v.Attrs["action"], extra)
}

// Hangup sends the final status callback.
func (p *Phone) Hangup(status string, seconds int) Answer {
	p.T.Helper()
	return p.Post("/webhooks/voice/status", url.Values{"CallStatus": {status}, "CallDuration": {fmt.Sprint(seconds)}})
}

// FakeTwilio stands in for the provider's REST API: call creation, SMS
// and recording downloads, with HTTP basic auth as documented.
type FakeTwilio struct {
	Server  *httptest.Server
	Account string
	Token   string
	// FailRecordings makes that many recording downloads answer 500
	// (negative: all of them).
	FailRecordings atomic.Int64
	// RejectCalls makes call creation answer Twilio's 400 error.
	RejectCalls atomic.Bool

	mu    sync.Mutex
	calls []url.Values
	sids  []string
	sms   []url.Values
	// Audio is what every recording download returns.
	Audio []byte
}

// WAV is a short silent 8 kHz mono WAV file, the provider's recording format.
func WAV() []byte {
	b, _ := base64.StdEncoding.DecodeString("UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQgAAAAAAAAAAAAAAA==")
	return b
}

// NewFakeTwilio starts the stand-in.
func NewFakeTwilio(t testing.TB, account, token string) *FakeTwilio {
	f := &FakeTwilio{Account: account, Token: token, Audio: WAV()}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{account}/Calls.json", func(w http.ResponseWriter, r *http.Request) {
		if !f.authorized(w, r) {
			return
		}
		if err := r.ParseForm(); err != nil || r.PostForm.Get("To") == "" || r.PostForm.Get("From") == "" || r.PostForm.Get("Url") == "" {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]any{"code": 21205, "message": "Url parameter is required.", "status": 400})
			return
		}
		if f.RejectCalls.Load() {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]any{"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400})
			return
		}
		sid := NewCallSid()
		f.mu.Lock()
		f.calls = append(f.calls, r.PostForm)
		f.sids = append(f.sids, sid)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{
			"sid": sid, "account_sid": account, "to": r.PostForm.Get("To"), "from": r.PostForm.Get("From"),
			"status": "queued", "direction": "outbound-api", "api_version": "2010-04-01",
			"uri": "/2010-04-01/Accounts/" + account + "/Calls/" + sid + ".json",
		})
	})
	// Messages: the SMS the app sends on the same account (notify).
	mux.HandleFunc("POST /2010-04-01/Accounts/{account}/Messages.json", func(w http.ResponseWriter, r *http.Request) {
		if !f.authorized(w, r) {
			return
		}
		if err := r.ParseForm(); err != nil || r.PostForm.Get("To") == "" || r.PostForm.Get("From") == "" || r.PostForm.Get("Body") == "" {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]any{"code": 21604, "message": "A 'To' phone number is required.", "status": 400})
			return
		}
		sid := NewSid("SM")
		f.mu.Lock()
		f.sms = append(f.sms, r.PostForm)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"sid": sid, "account_sid": account, "to": r.PostForm.Get("To"),
			"from": r.PostForm.Get("From"), "body": r.PostForm.Get("Body"), "status": "queued", "api_version": "2010-04-01"})
	})
	mux.HandleFunc("GET /2010-04-01/Accounts/{account}/Recordings/{sid}", func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != account || pass != token {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if n := f.FailRecordings.Load(); n != 0 {
			f.FailRecordings.Add(-1)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "audio/x-wav")
		w.Write(f.Audio)
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Server.Close)
	return f
}

// authorized checks a REST request's basic auth and account as the
// provider does, answering its 401 when they are wrong.
func (f *FakeTwilio) authorized(w http.ResponseWriter, r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if ok && user == f.Account && pass == f.Token && r.PathValue("account") == f.Account {
		return true
	}
	w.WriteHeader(http.StatusUnauthorized)
	json.NewEncoder(w).Encode(map[string]any{"code": 20003, "message": "Authenticate", "status": 401})
	return false
}

// RecordingURL is where the provider says a recording is.
func (f *FakeTwilio) RecordingURL(sid string) string {
	return f.Server.URL + "/2010-04-01/Accounts/" + f.Account + "/Recordings/" + sid
}

// Calls returns the calls created so far and their sids.
func (f *FakeTwilio) Calls() ([]url.Values, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.calls...), append([]string(nil), f.sids...)
}

// SMS returns the text messages sent so far.
func (f *FakeTwilio) SMS() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.sms...)
}

// Sign computes X-Twilio-Signature the way the provider documents it, as
// an implementation independent of the adapter's (voice.Signature):
// "name=value" pairs sorted as whole strings by name, then each pair's
// name and value appended to the URL.
func Sign(token, fullURL string, params url.Values) string {
	type pair struct{ k, v string }
	var pairs []pair
	for k, vs := range params {
		for _, v := range vs {
			pairs = append(pairs, pair{k, v})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	data := fullURL
	for _, p := range pairs {
		data += p.k + p.v
	}
	m := hmac.New(sha1.New, []byte(token))
	m.Write([]byte(data))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
