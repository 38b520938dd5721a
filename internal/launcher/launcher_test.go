package launcher

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/brand"
	"tanggap/internal/locale"
	"tanggap/internal/routing"
)

// calendars serves queue settings and holidays as the router would,
// except that every year asked for gets all the holidays: the launcher
// asks for the years of the wall clock (this one and the next), while the
// cases are days of 2026, whose holidays must count in any year the
// tests run.
type calendars struct {
	queues   []routing.QueueSettings
	holidays []routing.Holiday
	err      error
	reads    int
}

func (c *calendars) Queues(context.Context) ([]routing.QueueSettings, error) {
	c.reads++
	return c.queues, c.err
}

func (c *calendars) Holidays(context.Context, int) ([]routing.Holiday, error) {
	return c.holidays, c.err
}

func weekdays(spans ...string) map[string][]string {
	return map[string][]string{"mon": spans, "tue": spans, "wed": spans, "thu": spans, "fri": spans}
}

func newService(t *testing.T, cals Calendars, b *brand.Brand) *Service {
	t.Helper()
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	return New(Opts{Brand: b, Locale: cat, Calendars: cals, PhoneQueue: "umum", WhatsAppQueue: "wa", ChatQueue: "umum",
		AllowedOrigins: []string{"https://situs.example.go.id"}, PublicURL: "https://layanan.example.go.id"})
}

func fullBrand(t *testing.T) *brand.Brand {
	t.Helper()
	b, err := brand.Load(brand.Opts{ProgramName: "Program Kartu Kerja", Greeting: "Halo, sobat Kartu Kerja. Pilih menu berikut",
		Phone: "1500-123", WhatsApp: "+6281100001234"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func kinds(m Menu) []string {
	var out []string
	for _, e := range m.Entries {
		out = append(out, e.Kind+":"+e.State)
	}
	return out
}

var jakarta = time.FixedZone("WIB", 7*3600)

func TestMenuStatesFromCalendars(t *testing.T) {
	cals := &calendars{queues: []routing.QueueSettings{
		{Code: "umum", TimeZone: "WIB", Hours: weekdays("08:00-17:00")},
		{Code: "wa", TimeZone: "WIB", Hours: map[string][]string{"mon": {"00:00-24:00"}, "sat": {"09:00-12:00"}}},
	}, holidays: []routing.Holiday{{Day: "2026-08-17", Name: "Hari Kemerdekaan"}}}
	s := newService(t, cals, fullBrand(t))
	tests := []struct {
		name  string
		now   time.Time
		want  []string
		opens map[string]string
	}{
		{"Monday 10:00: everything open, in the fixed order", time.Date(2026, 8, 10, 10, 0, 0, 0, jakarta),
			[]string{"phone:open", "whatsapp:open", "livechat:open", "complaint:always", "status:always"}, nil},
		{"Tuesday 10:00: WhatsApp's queue is closed all day and comes after the open ones", time.Date(2026, 8, 11, 10, 0, 0, 0, jakarta),
			[]string{"phone:open", "livechat:open", "complaint:always", "status:always", "whatsapp:closed"},
			map[string]string{"whatsapp": "Buka lagi Sabtu pukul 09.00 WIB."}},
		{"Monday 17 August, a holiday: the calendar queues are closed", time.Date(2026, 8, 17, 10, 0, 0, 0, jakarta),
			[]string{"complaint:always", "status:always", "phone:closed", "whatsapp:closed", "livechat:closed"},
			map[string]string{"phone": "Buka lagi besok pukul 08.00 WIB.", "livechat": "Buka lagi besok pukul 08.00 WIB.", "whatsapp": "Buka lagi Sabtu pukul 09.00 WIB."}},
		{"Monday 06:00 UTC is 13:00 WIB: the zone is the calendar's", time.Date(2026, 8, 10, 6, 0, 0, 0, time.UTC),
			[]string{"phone:open", "whatsapp:open", "livechat:open", "complaint:always", "status:always"}, nil},
		{"Friday evening before the holiday Monday: the phone opens on Tuesday", time.Date(2026, 8, 14, 18, 0, 0, 0, jakarta),
			[]string{"complaint:always", "status:always", "phone:closed", "whatsapp:closed", "livechat:closed"},
			map[string]string{"phone": "Buka lagi Selasa pukul 08.00 WIB.", "livechat": "Buka lagi Selasa pukul 08.00 WIB.", "whatsapp": "Buka lagi besok pukul 09.00 WIB."}},
		{"Monday 07:00: opens today", time.Date(2026, 8, 10, 7, 0, 0, 0, jakarta),
			[]string{"whatsapp:open", "complaint:always", "status:always", "phone:closed", "livechat:closed"},
			map[string]string{"phone": "Buka lagi hari ini pukul 08.00 WIB.", "livechat": "Buka lagi hari ini pukul 08.00 WIB."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := s.Menu(context.Background(), locale.Default, tc.now, true)
			if got := kinds(m); !slices.Equal(got, tc.want) {
				t.Errorf("entries = %v, want %v", got, tc.want)
			}
			for _, e := range m.Entries {
				if want := tc.opens[e.Kind]; e.OpensText != want {
					t.Errorf("%s opens %q, want %q", e.Kind, e.OpensText, want)
				}
				// Closed, the notice says all three, in order; open, none.
				want := ""
				if e.State == StateClosed {
					want = e.StateText + ". " + e.OpensText + " " + e.Expect
				}
				if e.Notice != want {
					t.Errorf("%s notice %q, want %q", e.Kind, e.Notice, want)
				}
			}
		})
	}
	if cals.reads != 1 {
		t.Errorf("calendars read %d times within CacheFor, want once", cals.reads)
	}
}

func TestMenuEntries(t *testing.T) {
	s := newService(t, &calendars{}, fullBrand(t))
	m := s.Menu(context.Background(), locale.Default, time.Date(2026, 8, 10, 10, 0, 0, 0, jakarta), false)
	if m.Greeting != "Halo, sobat Kartu Kerja. Pilih menu berikut" || m.Name != "Program Kartu Kerja" {
		t.Errorf("greeting %q, name %q", m.Greeting, m.Name)
	}
	byKind := map[string]Entry{}
	for _, e := range m.Entries {
		byKind[e.Kind] = e
	}
	phone := byKind[KindPhone]
	if phone.Href != "tel:1500123" || !phone.Free || phone.FreeText != "Bebas pulsa" || phone.Label != "Telepon Kami (Gratis)" || phone.Detail != "1500-123" {
		t.Errorf("phone entry = %+v", phone)
	}
	wa := byKind[KindWhatsApp]
	if wa.Href != "https://wa.me/6281100001234?text=Halo+Program+Kartu+Kerja%2C+saya+ingin+bertanya." || !wa.NewPage || wa.Detail != "+62 811-0000-1234" {
		t.Errorf("WhatsApp entry = %+v", wa)
	}
	if c := byKind[KindChat]; c.Href != "/chat?lang=id-ID" || c.NewPage {
		t.Errorf("chat entry = %+v", c)
	}
	if c := byKind[KindComplaint]; c.Href != "/pengaduan?lang=id-ID" || !c.NewPage {
		t.Errorf("complaint entry from another site = %+v", c)
	}
	en := s.Menu(context.Background(), locale.English, time.Now(), true)
	if en.Greeting != "Hello! Choose how to reach Program Kartu Kerja:" {
		t.Errorf("English greeting without one in the brand = %q", en.Greeting)
	}
	if en.Entries[0].FreeText != "Free of charge" {
		t.Errorf("English free text = %q", en.Entries[0].FreeText)
	}
}

func TestUnconfiguredChannelsAreNotOffered(t *testing.T) {
	s := newService(t, nil, brand.NeutralBrand())
	m := s.Menu(context.Background(), locale.Default, time.Now(), true)
	if got := kinds(m); !slices.Equal(got, []string{"livechat:unknown", "complaint:always", "status:always"}) {
		t.Errorf("entries without phone and WhatsApp = %v", got)
	}
	if m.Name != "Tanggap" || m.Greeting != "Halo! Pilih cara menghubungi Tanggap:" {
		t.Errorf("neutral name %q, greeting %q", m.Name, m.Greeting)
	}
}

func TestCalendarsDownStillShowsTheMenu(t *testing.T) {
	s := newService(t, &calendars{err: errors.New("database down")}, fullBrand(t))
	m := s.Menu(context.Background(), locale.Default, time.Now(), true)
	if got := kinds(m); !slices.Equal(got, []string{"phone:unknown", "whatsapp:unknown", "livechat:unknown", "complaint:always", "status:always"}) {
		t.Errorf("entries = %v", got)
	}
	if m.Entries[0].StateText != "Jam layanan tidak dapat dimuat" {
		t.Errorf("state text = %q", m.Entries[0].StateText)
	}
}

func TestMenuJSONAndCORS(t *testing.T) {
	s := newService(t, &calendars{}, fullBrand(t))
	app := fiber.New()
	s.Mount(app)
	get := func(origin string) (*fiberResponse, menuJSON) {
		req := httptest.NewRequest("GET", "/launcher/menu.json?lang=en-US", nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		var m menuJSON
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		return &fiberResponse{status: resp.StatusCode, allow: resp.Header.Get("Access-Control-Allow-Origin")}, m
	}
	r, m := get("https://situs.example.go.id")
	if r.status != 200 || r.allow != "https://situs.example.go.id" {
		t.Errorf("allowed site: %d, Allow-Origin %q", r.status, r.allow)
	}
	if m.Lang != "en-US" || m.Texts["launcher.button"] != "Contact us" || len(m.Entries) != 5 || m.ChatScript == "" || !strings.HasPrefix(m.BrandCSS, "/brand.css?v=") {
		t.Errorf("menu = %+v", m)
	}
	if r, _ := get("https://layanan.example.go.id"); r.allow != "https://layanan.example.go.id" {
		t.Errorf("PUBLIC_URL's own origin: Allow-Origin %q", r.allow)
	}
	if r, _ := get("https://lain.example.com"); r.allow != "" {
		t.Errorf("another site may read the menu: Allow-Origin %q", r.allow)
	}
}

type fiberResponse struct {
	status int
	allow  string
}

func TestDisplayE164(t *testing.T) {
	for in, want := range map[string]string{"+6281100001234": "+62 811-0000-1234", "+62215551234": "+62 215-5512-34", "+442079460958": "+442079460958"} {
		if got := displayE164(in); got != want {
			t.Errorf("displayE164(%s) = %s, want %s", in, got, want)
		}
	}
}

// online counts officers online by queue code, as routing.Metrics would.
type online struct {
	n     map[string]int
	err   error
	asked []string
}

func (o *online) AgentsOnline(_ context.Context, queue string) (int, error) {
	o.asked = append(o.asked, queue)
	return o.n[queue], o.err
}

// TestOfficersOnlineAfterHours: after hours, live chat and WhatsApp are
// open while officers of their queue are online, as their gateways answer
// a citizen who writes then (routing.QueueClosed); within hours with
// nobody online they are open without an officer, saying the message is
// answered when one is; the phone still goes by its calendar, as the IVR
// does. A count that fails leaves the calendar's answer and is not asked
// again for CacheFor.
func TestOfficersOnlineAfterHours(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	cals := &calendars{queues: []routing.QueueSettings{
		{Code: "umum", TimeZone: "WIB", Hours: weekdays("08:00-17:00")},
		{Code: "wa", TimeZone: "WIB", Hours: weekdays("08:00-17:00")},
	}}
	evening := time.Date(2026, 8, 10, 19, 0, 0, 0, jakarta)
	byKind := func(m Menu) map[string]Entry {
		out := map[string]Entry{}
		for _, e := range m.Entries {
			out[e.Kind] = e
		}
		return out
	}
	tests := []struct {
		name                  string
		online                map[string]int
		now                   time.Time
		phone, whatsapp, chat string
		chatText, chatExpect  string
		asked                 int
	}{
		{"19:00, two officers online in the chat's queue: chat open, phone closed", map[string]int{"umum": 2}, evening,
			"closed", "closed", "open", "Petugas sedang daring", cat.T(locale.Default, "launcher.chat_open"), 2},
		{"19:00, an officer online in WhatsApp's queue only", map[string]int{"wa": 1}, evening,
			"closed", "open", "closed", "Sedang tutup", cat.T(locale.Default, "launcher.chat_closed"), 2},
		{"19:00, nobody online: closed, opening tomorrow", nil, evening,
			"closed", "closed", "closed", "Sedang tutup", cat.T(locale.Default, "launcher.chat_closed"), 2},
		{"10:00, nobody online: open, but no officer yet on chat and WhatsApp", nil, time.Date(2026, 8, 10, 10, 0, 0, 0, jakarta),
			"open", "no_officer", "no_officer", "Buka, tetapi belum ada petugas yang siap melayani", cat.T(locale.Default, "launcher.chat_no_officer"), 2},
		{"10:00, an officer online in the chat's queue only", map[string]int{"umum": 1}, time.Date(2026, 8, 10, 10, 0, 0, 0, jakarta),
			"open", "no_officer", "open", "Buka sekarang", cat.T(locale.Default, "launcher.chat_open"), 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := &online{n: tc.online}
			s := New(Opts{Brand: fullBrand(t), Locale: cat, Calendars: cals, Presence: o, PhoneQueue: "umum", WhatsAppQueue: "wa", ChatQueue: "umum"})
			es := byKind(s.Menu(context.Background(), locale.Default, tc.now, true))
			if got := []string{es[KindPhone].State, es[KindWhatsApp].State, es[KindChat].State}; !slices.Equal(got, []string{tc.phone, tc.whatsapp, tc.chat}) {
				t.Errorf("phone, WhatsApp, chat = %v, want %s %s %s", got, tc.phone, tc.whatsapp, tc.chat)
			}
			chat := es[KindChat]
			if chat.StateText != tc.chatText || chat.Expect != tc.chatExpect {
				t.Errorf("chat says %q, %q; want %q, %q", chat.StateText, chat.Expect, tc.chatText, tc.chatExpect)
			}
			if chat.State != StateClosed && (chat.Notice != "" || chat.OpensText != "") {
				t.Errorf("%s chat with a closed notice %q / %q", chat.State, chat.Notice, chat.OpensText)
			}
			if wa := es[KindWhatsApp]; wa.State == StateNoOfficer && (wa.StateText != cat.T(locale.Default, "launcher.state_no_officer") || wa.Expect != cat.T(locale.Default, "launcher.whatsapp_no_officer")) {
				t.Errorf("WhatsApp without an officer says %q, %q", wa.StateText, wa.Expect)
			}
			if len(o.asked) != tc.asked {
				t.Errorf("officers counted for %v, want %d queues asked", o.asked, tc.asked)
			}
			en := byKind(s.Menu(context.Background(), locale.English, tc.now, true))[KindChat]
			if tc.chatText == "Petugas sedang daring" && en.StateText != "Officers online now" {
				t.Errorf("English chat state = %q", en.StateText)
			}
			if tc.chat == StateNoOfficer && (en.StateText != "Open, but no officer is ready yet" || en.Expect != cat.T(locale.English, "launcher.chat_no_officer") || en.Expect == "launcher.chat_no_officer") {
				t.Errorf("English chat without an officer says %q, %q", en.StateText, en.Expect)
			}
		})
	}

	o := &online{err: errors.New("database down")}
	s := New(Opts{Brand: fullBrand(t), Locale: cat, Calendars: cals, Presence: o, PhoneQueue: "umum", WhatsAppQueue: "wa", ChatQueue: "umum"})
	for range 3 {
		if got := kinds(s.Menu(context.Background(), locale.Default, evening, true)); !slices.Equal(got,
			[]string{"complaint:always", "status:always", "phone:closed", "whatsapp:closed", "livechat:closed"}) {
			t.Errorf("count failing: entries %v, want the calendar's", got)
		}
	}
	if len(o.asked) != 1 {
		t.Errorf("a failing count was asked %d times within CacheFor, want once", len(o.asked))
	}
	// Within hours, an unknown count is not "nobody online": the calendar
	// says open.
	o = &online{err: errors.New("database down")}
	s = New(Opts{Brand: fullBrand(t), Locale: cat, Calendars: cals, Presence: o, PhoneQueue: "umum", WhatsAppQueue: "wa", ChatQueue: "umum"})
	if got := kinds(s.Menu(context.Background(), locale.Default, time.Date(2026, 8, 10, 10, 0, 0, 0, jakarta), true)); !slices.Equal(got,
		[]string{"phone:open", "whatsapp:open", "livechat:open", "complaint:always", "status:always"}) {
		t.Errorf("count failing within hours: entries %v, want open", got)
	}
	// A queue the configuration names that does not exist (WhatsApp's
	// here) is not "nobody online" either, and does not put the other
	// queues' counts in doubt.
	o = &online{n: map[string]int{}}
	unknown := &unknownQueue{online: o, code: "wa"}
	s = New(Opts{Brand: fullBrand(t), Locale: cat, Calendars: cals, Presence: unknown, PhoneQueue: "umum", WhatsAppQueue: "wa", ChatQueue: "umum"})
	for range 2 {
		if got := kinds(s.Menu(context.Background(), locale.Default, time.Date(2026, 8, 10, 10, 0, 0, 0, jakarta), true)); !slices.Equal(got,
			[]string{"phone:open", "whatsapp:open", "livechat:no_officer", "complaint:always", "status:always"}) {
			t.Errorf("an unknown queue within hours: entries %v, want WhatsApp open, the chat without an officer", got)
		}
	}
}

// unknownQueue is online, except that code names no queue (as
// routing.Metrics answers for a code it does not know).
type unknownQueue struct {
	*online
	code string
}

func (u *unknownQueue) AgentsOnline(ctx context.Context, queue string) (int, error) {
	if queue == u.code {
		return 0, routing.ErrUnknownQueue
	}
	return u.online.AgentsOnline(ctx, queue)
}
