// Package launcher is the citizens' front door: one menu that offers every
// configured channel — the toll-free number, WhatsApp, live chat, the
// complaint form and the status check — each with whether it is open now
// on its queue's business calendar and what to expect. The same menu is
// the landing page at / (server-rendered, plain links, no script needed)
// and the launcher that /launcher.js puts on any allowed site (it reads
// GET /launcher/menu.json).
//
// What keeps it true and cheap:
//   - Open or closed comes from the routing queues' calendars (weekly
//     hours in the queue's zone, minus holidays), read through the small
//     Calendars interface and kept for CacheFor (30 s by default, so every
//     page view of every site costs no database read); "now" is the
//     request's time, so only a calendar changed by an admin can be up to
//     CacheFor late.
//   - Outside its hours, the live chat and WhatsApp are open while any
//     officer of their queue is online, as their gateways tell a citizen
//     who writes (routing.QueueClosed: one rule for all of them); within
//     its hours with none online they are open without an officer
//     (StateNoOfficer: the message is kept and answered when one is, as
//     the chat's queue line says). The phone goes by its calendar, as
//     the IVR does. The count comes from Presence (routing.Metrics: the
//     queue's shared line, read at most once a second per queue however
//     many ask, and read anyway for the citizens waiting in it); a count
//     that fails leaves the calendar's answer.
//   - A channel that is not configured (no CONTACT_PHONE, no
//     CONTACT_WHATSAPP) is not offered. Outside hours the open entries
//     come first; the order is otherwise fixed.
//   - Calendars that cannot be read leave the entries without a state
//     (logged), never without the menu.
package launcher

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"tanggap/internal/brand"
	"tanggap/internal/hours"
	"tanggap/internal/locale"
	"tanggap/internal/reopen"
	"tanggap/internal/routing"
)

// Calendars is what the launcher reads of the routing settings: the
// queues (their weekly hours and zone) and a year's holidays. The router
// implements it.
type Calendars interface {
	Queues(ctx context.Context) ([]routing.QueueSettings, error)
	Holidays(ctx context.Context, year int) ([]routing.Holiday, error)
}

// Presence counts a queue's officers online now. routing.Metrics
// implements it with the count the live-chat gateway tells waiting
// visitors by.
type Presence interface {
	AgentsOnline(ctx context.Context, queueCode string) (int, error)
}

// Opts configures the launcher.
type Opts struct {
	Brand  *brand.Brand
	Locale *locale.Catalog
	// Calendars gives the queues' business hours; nil: no entry has a
	// state.
	Calendars Calendars
	// Presence tells whether officers are online outside business hours;
	// nil: the calendars alone decide.
	Presence Presence
	// The queues whose calendars say whether a channel is open: the IVR's
	// agent queue for the phone, the business number's queue for
	// WhatsApp, the default queue for live chat. An unknown queue or one
	// without hours is always open, as routing treats it.
	PhoneQueue, WhatsAppQueue, ChatQueue string
	// AllowedOrigins are the sites that may embed the launcher (the chat
	// widget's list: LIVECHAT_ALLOWED_ORIGINS, "*" for any); PublicURL's
	// origin always may.
	AllowedOrigins []string
	PublicURL      string
	// CacheFor is how long the calendars are kept (default 30 s).
	CacheFor time.Duration
	Log      *slog.Logger
}

// Kinds of entries, in the menu's order.
const (
	KindPhone     = "phone"
	KindWhatsApp  = "whatsapp"
	KindChat      = "livechat"
	KindComplaint = "complaint"
	KindStatus    = "status"
)

// States of an entry.
const (
	StateOpen   = "open"
	StateClosed = "closed"
	// StateNoOfficer: within its hours, but no officer of the queue is
	// online; a message is kept for the first one who is.
	StateNoOfficer = "no_officer"
	StateAlways    = "always"  // no business hours: a form, a lookup
	StateUnknown   = "unknown" // the calendars could not be read
)

// Entry is one way to reach the program, rendered in one language.
type Entry struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	// Detail is the number for phone and WhatsApp ("" otherwise).
	Detail string `json:"detail,omitempty"`
	Href   string `json:"href"`
	// NewPage: the link leaves the page (WhatsApp, the form and the status
	// page from another site).
	NewPage bool `json:"new_page,omitempty"`
	// Free marks the toll-free number, with FreeText saying so.
	Free     bool   `json:"free,omitempty"`
	FreeText string `json:"free_text,omitempty"`
	State    string `json:"state"`
	// StateText says the state in words ("Buka sekarang"); OpensText when
	// it opens again, if closed.
	StateText string `json:"state_text"`
	OpensText string `json:"opens_text,omitempty"`
	// Expect is what happens next on this channel, in its current state.
	Expect string `json:"expect"`
	// Notice is, while closed, the three said as one notice ("Tutup
	// sekarang. Buka lagi besok pukul 08.00 WIB. Tinggalkan pesan …"), as
	// the chat page and the chat widget show it before anyone writes.
	Notice string `json:"notice,omitempty"`
	// Icon is the entry's pictogram: the d of one SVG path on a 24×24
	// grid (decorative; the label says it all).
	Icon string `json:"icon"`
}

// icons by kind, drawn on a 24×24 grid, filled.
var icons = map[string]string{
	KindPhone:     "M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25c1.1.37 2.3.57 3.6.57a1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z",
	KindWhatsApp:  "M12 2.5a9.5 9.5 0 0 0-8.2 14.3L2.5 21.5l4.8-1.3A9.5 9.5 0 1 0 12 2.5zm-3.2 5c.25 0 .5 0 .7.5l.9 2.1c.1.2.1.4 0 .6l-.6.8c.9 1.6 2.1 2.7 3.6 3.4l.8-.9c.2-.2.4-.3.7-.2l2 .9c.3.1.5.4.4.7-.2 1.1-1.2 1.9-2.3 1.9-3.8-.3-7-3.4-7.4-7.2 0-1.2.8-2.2 1.9-2.5z",
	KindChat:      "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9.5L4 22v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 5v2h10V8zm0 4v2h7v-2z",
	KindComplaint: "M6 2h8l6 6v13a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1zm7 1.5V9h5.5zM8 12v2h8v-2zm0 4v2h8v-2z",
	KindStatus:    "M10 3a7 7 0 0 1 5.6 11.2l5.1 5.1-1.4 1.4-5.1-5.1A7 7 0 1 1 10 3zm0 2a5 5 0 1 0 0 10 5 5 0 0 0 0-10z",
}

// Menu is the launcher's content in one language.
type Menu struct {
	Lang      string  `json:"lang"`
	Name      string  `json:"name"`
	ShortName string  `json:"short_name"`
	Greeting  string  `json:"greeting"`
	Entries   []Entry `json:"entries"`
	// AnyClosed: some channel is outside its hours now (the open ones
	// were put first).
	AnyClosed bool `json:"any_closed"`
}

// Service builds menus. It is safe for concurrent use.
type Service struct {
	o Opts

	mu      sync.Mutex
	cals    map[string]*hours.Calendar // by queue code; nil entry: always open
	loaded  time.Time
	loadErr error
	// presenceDown is when counting officers online last failed: the
	// calendars alone decide for CacheFor after it (no read per page view
	// against a database that is down).
	presenceDown time.Time
}

// New returns a launcher.
func New(o Opts) *Service {
	if o.Brand == nil {
		o.Brand = brand.NeutralBrand()
	}
	if o.CacheFor <= 0 {
		o.CacheFor = 30 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{o: o}
}

// Brand is the brand the menus show.
func (s *Service) Brand() *brand.Brand { return s.o.Brand }

// Menu is the menu in lang at now. sameSite: links to this server's own
// pages stay in the page (the landing page); from another site they open
// a new page.
func (s *Service) Menu(ctx context.Context, lang string, now time.Time, sameSite bool) Menu {
	b := s.o.Brand
	t := func(key string, args ...any) string { return s.o.Locale.T(lang, key, args...) }
	name := b.Name
	if name == "" {
		name = t("app.name")
	}
	short := b.ShortName
	if short == "" {
		short = name
	}
	m := Menu{Lang: lang, Name: name, ShortName: short, Greeting: b.Greeting(lang)}
	if m.Greeting == "" {
		m.Greeting = t("launcher.greeting", "name", short)
	}
	cals, err := s.calendars(ctx)
	// state is the entry's state on its queue's calendar and, for the
	// channels answered by whoever is online (answeredOnline), its
	// officers online: online, open outside hours because some are.
	state := func(queue string, answeredOnline bool) (st string, opens time.Time, online bool) {
		if err != nil || s.o.Calendars == nil {
			return StateUnknown, time.Time{}, false
		}
		cal := cals[queue]
		within := cal == nil || cal.Open(now)
		if !answeredOnline {
			if within {
				return StateOpen, time.Time{}, false
			}
			return StateClosed, cal.NextOpen(now).In(cal.Location()), false
		}
		n, known := s.agentsOnline(ctx, queue)
		switch {
		case within && known && n == 0:
			return StateNoOfficer, time.Time{}, false
		case within:
			return StateOpen, time.Time{}, false
		case !routing.QueueClosed(false, n):
			return StateOpen, time.Time{}, true
		}
		return StateClosed, cal.NextOpen(now).In(cal.Location()), false
	}
	// openKey, noOfficerKey and closedKey say what to expect in each
	// state (noOfficerKey only of a channel answeredOnline).
	withState := func(e Entry, queue string, answeredOnline bool, openKey, noOfficerKey, closedKey string) Entry {
		st, opens, online := state(queue, answeredOnline)
		e.State = st
		switch {
		case st == StateOpen && online:
			e.StateText, e.Expect = t("launcher.state_online"), t(openKey)
		case st == StateNoOfficer:
			e.StateText, e.Expect = t("launcher.state_no_officer"), t(noOfficerKey)
		case st == StateOpen:
			e.StateText, e.Expect = t("launcher.state_open"), t(openKey)
		case st == StateClosed:
			e.StateText, e.Expect = t("launcher.state_closed"), t(closedKey)
			e.Notice = e.StateText + "."
			if !opens.IsZero() {
				e.OpensText = reopen.Opens(s.o.Locale, lang, now, opens)
				e.Notice += " " + e.OpensText
			}
			e.Notice += " " + e.Expect
		default:
			e.StateText, e.Expect = t("launcher.state_unknown"), t(openKey)
		}
		return e
	}
	if b.Phone != "" {
		m.Entries = append(m.Entries, withState(Entry{Kind: KindPhone, Label: t("launcher.phone"), Detail: b.Phone, Href: b.PhoneHref,
			Free: true, FreeText: t("launcher.free")}, s.o.PhoneQueue, false, "launcher.phone_open", "", "launcher.phone_closed"))
	}
	if b.WhatsApp != "" {
		text := b.WhatsAppText(lang)
		if text == "" {
			text = t("launcher.whatsapp_prefill", "name", short)
		}
		m.Entries = append(m.Entries, withState(Entry{Kind: KindWhatsApp, Label: t("launcher.whatsapp"), Detail: displayE164(b.WhatsApp),
			Href: b.WhatsAppHref(text), NewPage: true}, s.o.WhatsAppQueue, true, "launcher.whatsapp_open", "launcher.whatsapp_no_officer", "launcher.whatsapp_closed"))
	}
	q := "?lang=" + lang
	m.Entries = append(m.Entries,
		withState(Entry{Kind: KindChat, Label: t("launcher.chat"), Href: "/chat" + q}, s.o.ChatQueue, true, "launcher.chat_open", "launcher.chat_no_officer", "launcher.chat_closed"),
		Entry{Kind: KindComplaint, Label: t("launcher.complaint"), Href: "/pengaduan" + q, NewPage: !sameSite,
			State: StateAlways, StateText: t("launcher.state_always"), Expect: t("launcher.complaint_expect")},
		Entry{Kind: KindStatus, Label: t("launcher.status"), Href: "/pengaduan/status" + q, NewPage: !sameSite,
			State: StateAlways, StateText: t("launcher.state_always"), Expect: t("launcher.status_expect")},
	)
	for i, e := range m.Entries {
		m.Entries[i].Icon = icons[e.Kind]
		if e.State == StateClosed {
			m.AnyClosed = true
		}
	}
	if m.AnyClosed {
		// Open alternatives first; among each group the fixed order.
		slices.SortStableFunc(m.Entries, func(a, b Entry) int { return rank(a) - rank(b) })
	}
	return m
}

func rank(e Entry) int {
	if e.State == StateClosed {
		return 1
	}
	return 0
}

// agentsOnline is how many officers of the queue are online; known is
// false when there is no Presence or it fails (logged; then not asked
// again for CacheFor), so the calendar alone decides. It costs no
// database read of its own: Presence shares one read of the queue per
// second among all who ask (routing.Metrics).
func (s *Service) agentsOnline(ctx context.Context, queue string) (n int, known bool) {
	if s.o.Presence == nil {
		return 0, false
	}
	s.mu.Lock()
	down := !s.presenceDown.IsZero() && time.Since(s.presenceDown) < s.o.CacheFor
	s.mu.Unlock()
	if down {
		return 0, false
	}
	n, err := s.o.Presence.AgentsOnline(ctx, queue)
	if errors.Is(err, routing.ErrUnknownQueue) {
		// A queue the configuration names that does not exist: nothing is
		// known of it (nor is the count of the other queues in doubt).
		return 0, false
	}
	if err != nil {
		s.mu.Lock()
		s.presenceDown = time.Now()
		s.mu.Unlock()
		s.o.Log.Warn("launcher: officers online unknown; the calendar alone decides", "queue", queue, "err", err)
		return 0, false
	}
	return n, true
}

// calendars returns the queues' calendars, read again once CacheFor has
// passed. A failed read is kept as long (no storm of retries against a
// database that is down) and reported to every caller meanwhile.
func (s *Service) calendars(ctx context.Context) (map[string]*hours.Calendar, error) {
	if s.o.Calendars == nil {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded.IsZero() && time.Since(s.loaded) < s.o.CacheFor {
		return s.cals, s.loadErr
	}
	s.cals, s.loadErr = s.load(ctx)
	s.loaded = time.Now()
	if s.loadErr != nil {
		s.o.Log.Warn("launcher: business calendars unavailable; entries shown without a state", "err", s.loadErr)
	}
	return s.cals, s.loadErr
}

func (s *Service) load(ctx context.Context) (map[string]*hours.Calendar, error) {
	queues, err := s.o.Calendars.Queues(ctx)
	if err != nil {
		return nil, fmt.Errorf("launcher: queues: %w", err)
	}
	// This year's and next year's holidays: a closed channel's next
	// opening may fall in January.
	year := time.Now().Year()
	var days []string
	for _, y := range []int{year, year + 1} {
		hs, err := s.o.Calendars.Holidays(ctx, y)
		if err != nil {
			return nil, fmt.Errorf("launcher: holidays %d: %w", y, err)
		}
		for _, h := range hs {
			days = append(days, h.Day)
		}
	}
	want := map[string]bool{s.o.PhoneQueue: true, s.o.WhatsAppQueue: true, s.o.ChatQueue: true}
	out := map[string]*hours.Calendar{}
	for _, q := range queues {
		if !want[q.Code] || len(q.Hours) == 0 {
			continue
		}
		week, err := hours.ParseWeek(q.Hours)
		if err != nil {
			return nil, fmt.Errorf("launcher: queue %s: %w", q.Code, err)
		}
		cal, err := hours.New(q.TimeZone, week, days)
		if err != nil {
			return nil, fmt.Errorf("launcher: queue %s: %w", q.Code, err)
		}
		out[q.Code] = cal
	}
	return out, nil
}

// displayE164 spaces an Indonesian E.164 number for reading
// (+62 811-0000-1234); other numbers are shown as they are.
func displayE164(e164 string) string {
	if len(e164) < 11 || e164[:3] != "+62" {
		return e164
	}
	nsn := e164[3:]
	if _, err := strconv.ParseUint(nsn, 10, 64); err != nil {
		return e164
	}
	groups := []string{nsn[:3]}
	rest := nsn[3:]
	for len(rest) > 4 {
		groups = append(groups, rest[:4])
		rest = rest[4:]
	}
	groups = append(groups, rest)
	out := "+62 " + groups[0]
	for _, g := range groups[1:] {
		out += "-" + g
	}
	return out
}
