package notify

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"tanggap/internal/bus"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/locale"
	"tanggap/internal/statuslink"
	"tanggap/internal/testenv"
)

// mailServer is a real SMTP submission server (go-smtp) with STARTTLS and
// PLAIN auth, keeping every message it accepts.
type mailServer struct {
	URL    string
	TLS    *tls.Config // the client's: trusts the server's certificate
	mu     sync.Mutex
	got    []receivedMail
	refuse map[string]bool // recipients answered 550
	// refuseData: recipients whose message is refused after DATA (554).
	refuseData map[string]bool
}

type receivedMail struct {
	From string
	To   []string
	Data []byte
}

func startMailServer(t *testing.T) *mailServer {
	t.Helper()
	cert, pool := selfSigned(t)
	ms := &mailServer{refuse: map[string]bool{}, refuseData: map[string]bool{}, TLS: &tls.Config{RootCAs: pool}}
	srv := smtp.NewServer(ms)
	srv.Domain = "127.0.0.1"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.AllowInsecureAuth = false
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	ms.URL = "smtp://notif:rahasia@" + ln.Addr().String()
	return ms
}

func (ms *mailServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{ms: ms}, nil }

func (ms *mailServer) mails() []receivedMail {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]receivedMail(nil), ms.got...)
}

type mailSession struct {
	ms     *mailServer
	authed bool
	from   string
	to     []string
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "notif" || pass != "rahasia" {
			return errors.New("bad credentials")
		}
		s.authed = true
		return nil
	}), nil
}
func (s *mailSession) Reset()        { s.from, s.to = "", nil }
func (s *mailSession) Logout() error { return nil }
func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.ms.mu.Lock()
	defer s.ms.mu.Unlock()
	if s.ms.refuse[to] {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}
	}
	s.to = append(s.to, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.ms.mu.Lock()
	defer s.ms.mu.Unlock()
	for _, to := range s.to {
		if s.ms.refuseData[to] {
			return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "message refused as spam"}
		}
	}
	s.ms.got = append(s.ms.got, receivedMail{From: s.from, To: s.to, Data: b})
	return nil
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mail.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// twilioStandIn speaks Twilio's Messages API: form-encoded POST to
// /2010-04-01/Accounts/{sid}/Messages.json with basic auth, 201 and the
// message resource, or a 400 error resource for a refused number.
type twilioStandIn struct {
	*httptest.Server
	mu     sync.Mutex
	posts  []url.Values
	refuse map[string]int // To -> Twilio error code
	// beforeAnswer, when set, runs with the SID and the To of a send
	// after it is accepted and before it is answered.
	beforeAnswer func(sid, to string)
}

func startTwilio(t *testing.T, sid, token string) *twilioStandIn {
	tw := &twilioStandIn{refuse: map[string]int{}}
	tw.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if r.Method != http.MethodPost || r.URL.Path != "/2010-04-01/Accounts/"+sid+"/Messages.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if !ok || u != sid || p != token {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"code":20003,"message":"Authenticate","status":401}`)
			return
		}
		if err := r.ParseForm(); err != nil || r.PostForm.Get("To") == "" || r.PostForm.Get("Body") == "" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"code":21604,"message":"A 'To' phone number is required.","status":400}`)
			return
		}
		tw.mu.Lock()
		defer tw.mu.Unlock()
		if code := tw.refuse[r.PostForm.Get("To")]; code != 0 {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "message": "The 'To' number is not a valid phone number.", "status": 400})
			return
		}
		tw.posts = append(tw.posts, r.PostForm)
		sid := "SM" + strings.Repeat("0", 30) + itoa(len(tw.posts))
		if tw.beforeAnswer != nil {
			tw.beforeAnswer(sid, r.PostForm.Get("To"))
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"sid": sid, "status": "queued",
			"to": r.PostForm.Get("To"), "from": r.PostForm.Get("From"), "body": r.PostForm.Get("Body"), "account_sid": sid})
	}))
	t.Cleanup(tw.Close)
	return tw
}

func itoa(n int) string {
	s := ""
	for {
		s = string(rune('0'+n%10)) + s
		n /= 10
		if n == 0 {
			return s
		}
	}
}

func (tw *twilioStandIn) sent() []url.Values {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	return append([]url.Values(nil), tw.posts...)
}

// graphStandIn speaks the WhatsApp Cloud API's send endpoint.
type graphStandIn struct {
	*httptest.Server
	mu    sync.Mutex
	sends []map[string]any
}

func startGraph(t *testing.T, phoneID, token string) *graphStandIn {
	g := &graphStandIn{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method != http.MethodPost || r.URL.Path != "/v23.0/"+phoneID+"/messages" || r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":{"message":"Invalid OAuth access token","type":"OAuthException","code":190}}`)
			return
		}
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		g.sends = append(g.sends, body)
		n := len(g.sends)
		g.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"messaging_product": "whatsapp",
			"contacts": []any{map[string]any{"input": body["to"], "wa_id": body["to"]}},
			"messages": []any{map[string]any{"id": "wamid.N" + itoa(n)}}})
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *graphStandIn) sent() []map[string]any {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]map[string]any(nil), g.sends...)
}

// fixture is a service on a real database and bus with real or stand-in
// providers.
type fixture struct {
	d     *db.DB
	b     *bus.Bus
	svc   *Service
	links *statuslink.Signer
	mail  *mailServer
	tw    *twilioStandIn
	graph *graphStandIn
	queue int64
}

const (
	testSID   = "AC0123456789abcdef0123456789abcdef"
	testToken = "twilio-auth-token"
	testPhone = "1234567890"
	testWA    = "wa-token"
)

func newFixture(t *testing.T, mutate func(*Opts)) *fixture {
	t.Helper()
	f := &fixture{d: testenv.DB(t), b: testenv.Bus(t)}
	f.mail = startMailServer(t)
	f.tw = startTwilio(t, testSID, testToken)
	f.graph = startGraph(t, testPhone, testWA)
	var err error
	f.links, err = statuslink.New([]byte("0123456789abcdef0123456789abcdef"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	email, err := NewSMTP(f.mail.URL, "Layanan Pengaduan <noreply@layanan.test>")
	if err != nil {
		t.Fatal(err)
	}
	email.TLS = f.mail.TLS
	o := Opts{DB: f.d, Bus: f.b, Log: testenv.Logger(t), Text: cat, Links: f.links, PublicURL: "https://layanan.test",
		Providers: map[Route]Provider{
			RouteEmail:    email,
			RouteSMS:      &Twilio{BaseURL: f.tw.URL, AccountSID: testSID, AuthToken: testToken, From: "+62215550100"},
			RouteWhatsApp: &WhatsApp{BaseURL: f.graph.URL, Version: "v23.0", PhoneNumberID: testPhone, AccessToken: testWA},
		},
		Rates:            map[Route]float64{RouteEmail: 1000, RouteSMS: 1000, RouteWhatsApp: 1000},
		WhatsAppTemplate: "status_pengaduan", WhatsAppTemplateLang: "id", Backoff: 20 * time.Millisecond,
		// The catch-up sweep runs where a test asks for it (sweep_test.go).
		SweepEvery: -1,
	}
	if mutate != nil {
		mutate(&o)
	}
	if f.svc, err = New(o); err != nil {
		t.Fatal(err)
	}
	must(t, f.d.Raw(`INSERT INTO queues (code, name, created_at) VALUES ('umum', 'Umum', ?) RETURNING id`, time.Now().UTC()).Scan(&f.queue).Error)
	return f
}

func (f *fixture) run(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.svc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	// Run subscribes before working jobs; wait until the subscription is
	// live so the first event is heard.
	testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if err := f.b.NC.Flush(); err != nil {
			return err
		}
		return consumersReady(ctx, f.b)
	})
}

// consumersReady: the notifier's events and jobs consumers exist, so an
// event emitted now is kept for it.
func consumersReady(ctx context.Context, b *bus.Bus) error {
	if n, _ := b.JS.Consumer(ctx, b.Names.StreamJobs(), b.Names.DurableJob(jobChannel, jobKind)); n == nil {
		return errors.New("jobs consumer not there yet")
	}
	if n, _ := b.JS.Consumer(ctx, b.Names.StreamNotifyEvents(), b.Names.DurableNotifyEvents()); n == nil {
		return errors.New("events consumer not there yet")
	}
	return nil
}

// setStatus changes the ticket's status as the ticket service does (the
// database's trigger counts the change) and emits ticket.updated.
func (f *fixture) setStatus(t testing.TB, ticketID int64, st domain.TicketStatus) {
	t.Helper()
	must(t, f.d.Exec(`UPDATE tickets SET status = ?, updated_at = ? WHERE id = ?`, st, time.Now().UTC(), ticketID).Error)
	f.b.Emit(bus.TicketUpdated{Scope: bus.Scope{TicketID: ticketID, QueueID: f.queue}, Status: st, At: time.Now()})
}

// ticketSpec describes a citizen's ticket.
type ticketSpec struct {
	tn, channel, email, phone, lang string
	lastInbound                     time.Time
}

var tnSeq struct {
	sync.Mutex
	n int
}

func nextTN() string {
	tnSeq.Lock()
	defer tnSeq.Unlock()
	tnSeq.n++
	s := itoa(1000 + tnSeq.n)
	return "2612-0000-0000-" + s[len(s)-4:]
}

// addTicket stores a ticket with the citizen's first message and returns
// the ticket's id and the id of an agent reply on it.
func (f *fixture) addTicket(t testing.TB, sp ticketSpec) (ticketID, replyID int64) {
	t.Helper()
	now := time.Now().UTC()
	if sp.lastInbound.IsZero() {
		sp.lastInbound = now
	}
	if sp.tn == "" {
		sp.tn = nextTN()
	}
	var contactID int64
	must(t, f.d.Raw(`INSERT INTO contacts (name, created_at, updated_at) VALUES ('Siti', ?, ?) RETURNING id`, now, now).Scan(&contactID).Error)
	must(t, f.d.Raw(`INSERT INTO tickets (tracking_number, contact_id, channel, category, status, queue_id, reporter_email, reporter_phone,
		created_at, updated_at, last_message_at) VALUES (?, ?, ?, 'insentif', 'open', ?, ?, ?, ?, ?, ?) RETURNING id`,
		sp.tn, contactID, sp.channel, f.queue, sp.email, sp.phone, now, now, now).Scan(&ticketID).Error)
	fields := "{}"
	if sp.lang != "" {
		fields = `{"lang":"` + sp.lang + `"}`
	}
	must(t, f.d.Exec(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, fields, created_at, updated_at)
		VALUES (?, 'in', ?, ?, 'Insentif saya belum cair', ?, ?, ?)`, ticketID, sp.channel, "in-"+sp.tn, fields, sp.lastInbound, sp.lastInbound).Error)
	must(t, f.d.Raw(`INSERT INTO messages (ticket_id, direction, channel, provider_message_id, body, created_at, updated_at)
		VALUES (?, 'out', ?, ?, 'Sudah kami proses', ?, ?) RETURNING id`, ticketID, sp.channel, "out-"+sp.tn, now, now).Scan(&replyID).Error)
	return ticketID, replyID
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// deliveries are the ticket's rows, oldest first.
func (f *fixture) deliveries(t *testing.T, ticketID int64) []Delivery {
	t.Helper()
	list, err := f.svc.Deliveries(context.Background(), ticketID)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list
}
