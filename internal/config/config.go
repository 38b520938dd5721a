// Package config reads the one typed configuration of the binary: defaults in
// code, overridden by the environment (and an optional .env file), validated
// once at start with every problem listed together. Secrets may come from
// files (NAME_FILE) and are masked when the configuration is printed.
package config

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"tanggap/internal/domain"
	"tanggap/internal/mask"
)

// Bounds of INGEST_ACK_WAIT.
const (
	MinIngestAckWait = 5 * time.Second
	MaxIngestAckWait = 10 * time.Minute
)

// Bounds of INGEST_LINGER and INGEST_FILL.
const (
	MaxIngestLinger = time.Second
	MinIngestFill   = 1
	MaxIngestFill   = 1000
)

// Config is everything the binary can be told.
type Config struct {
	DatabaseURL string // empty: SQLite file under DataDir
	NATSURL     string // empty: in-process NATS server under DataDir
	DataDir     string
	HTTPAddr    string
	PublicURL   string
	// MetricsAddr is where Prometheus scrapes /metrics; empty turns the
	// listener off. Never the public port.
	MetricsAddr string

	AdminEmail    string
	AdminPassword string

	LogLevel  string // debug, info, warn, error
	LogFormat string // text, json

	NATSSubjectPrefix string
	NATSReplicas      int

	// Complaint form.
	ComplaintCategories []Category        // codes (and optional labels) offered on the form
	CategoryQueues      map[string]string // category code -> queue code
	DefaultQueue        string
	AttachmentMaxBytes  int64
	AttachmentMaxFiles  int
	// Per client address and minute; 0 turns the limit off.
	FormRateLimit   int // complaint submissions and follow-ups
	LookupRateLimit int // failed status lookups (guessing tracking numbers)

	// TrustedProxies are the load balancers (IPs or CIDRs) whose
	// X-Forwarded-For names the client; rate limits key on that client.
	TrustedProxies []string

	// Ingest batching.
	IngestBatchSize int
	// IngestAckWait is how long JetStream waits for the core's ack of an
	// inbound message before handing it to another instance; a batch that
	// hangs longer is given up, and held messages get an in-progress ack
	// every third of it.
	IngestAckWait time.Duration
	// IngestLinger is how long, at most, the consumer gathers messages
	// arriving at a low rate into one batch (counted from the first one),
	// so a batch's fixed cost is shared; 0 stores each as it comes.
	IngestLinger time.Duration
	// IngestFill is the batch size at which the consumer stops gathering.
	IngestFill int

	// ReopenWindow: a citizen writing again on the same channel within
	// this time after their ticket was solved reopens it; later, a new
	// ticket opens. 0 never reopens.
	ReopenWindow time.Duration

	// WhatsApp Business Cloud API channel; off when nothing is set.
	WhatsApp WhatsApp

	// Components this process runs: http (API, pages, webhooks), core
	// (ingest, receipts), delivery (outbound to providers). All by default.
	Components map[string]bool

	SessionTTL      time.Duration
	ShutdownTimeout time.Duration
	// PasswordCost is the bcrypt cost of stored console passwords: each
	// step doubles the work of a login and of a password guess.
	PasswordCost int

	// Live chat. LivechatSecret signs visitor tokens (empty: one is made
	// and kept under DataDir; several instances must share one).
	LivechatSecret            string
	LivechatAllowedOrigins    []string // sites that may embed the widget; PUBLIC_URL's origin always may
	LivechatMaxConnsPerIP     int      // open websockets per client address (0: no limit)
	LivechatNewConnsPerMinute int      // new websockets per client address and minute (0: no limit)
	LivechatFramesPerSecond   int      // frames one connection may send per second (burst: 4x)
	// Agents' push socket (GET /api/v1/ws). ConsoleHeartbeat paces the
	// liveness touch, the session re-check and the viewers re-announce;
	// ConsoleSendQueue is how many frames may wait for a slow console
	// before it is disconnected.
	ConsoleHeartbeat time.Duration
	ConsoleSendQueue int
	// Wallboard: WallboardServiceLevel is the service-level threshold per
	// channel ("voice=20s,livechat=1m,whatsapp=5m,webform=4h");
	// WallboardInterval the longest a change waits to be pushed.
	WallboardServiceLevel string
	WallboardInterval     time.Duration
	// Phone channel (TwiML voice webhooks).
	Voice    Voice
	Routing  Routing
	Presence Presence
	// Reports: the historical reports' time zone and refresh.
	Reports Reports
	// Tags: who may create tags by using them (TAGS_FREE).
	Tags Tags
	// CSAT: the satisfaction survey (CSAT_*).
	CSAT CSAT

	// Where attachments and recordings live, encryption at rest, and how
	// long each class of personal data is kept (privacy.go).
	FileStore FileStore
	Retention Retention
	// Complaint: the complaint lifecycle's deadlines, units, sensitive
	// categories and reveal roles (COMPLAINT_*).
	Complaint Complaint

	// ReplyFiles bounds files agents attach to replies (FILES_*).
	ReplyFiles ReplyFiles
	// Brand: the program's name, greeting, contact numbers and brand
	// file (the launcher and every public page).
	Brand Brand
	// Notify: e-mail, SMS and WhatsApp notifications to citizens.
	Notify Notify
	// Login throttles console sign-ins (LOGIN_*; hardening.go).
	Login Login
}

// Voice configures the phone channel. Webhooks are refused (403) until
// TwilioAuthToken is set: it is the key their signatures are checked with.
type Voice struct {
	TwilioAuthToken  string
	TwilioAccountSID string
	TwilioAPIBaseURL string // REST API root for outbound calls
	TwilioCallerID   string // number callbacks come from (E.164)
	IVRMenuFile      string // empty: the sample menu built in
	// CallbackTargets allow-lists where an agent may have a callback put
	// through (VOICE_CALLBACK_TARGETS): "+62"-style number prefixes and
	// "sip:<host>" entries. Default: Indonesian numbers only.
	CallbackTargets []string
}

// WhatsApp configures the WhatsApp channel.
type WhatsApp struct {
	AppSecret     string // signs webhook POSTs (X-Hub-Signature-256)
	VerifyToken   string // answers the webhook verification handshake
	AccessToken   string // bearer token for the Graph API
	APIBaseURL    string
	APIVersion    string
	PhoneNumberID string            // default business number (replies with no known number)
	NumberQueues  map[string]string // phone_number_id -> queue code
	Templates     []WhatsAppTemplate
	// RateLimit is messages per second per business number.
	RateLimit     int
	MediaMaxBytes int64
	// Ack: a citizen whose message opens a ticket is told at once that it
	// was received, with the tracking number and, while the queue is
	// closed, when agents are back (WHATSAPP_ACK).
	Ack bool
}

// WhatsAppTemplate is an approved message template agents may send
// outside the 24-hour window; Params name its body parameters in order.
// The configured ones only seed the WhatsApp templates screen once.
type WhatsAppTemplate struct {
	Name     string
	Language string
	Params   []string
}

// Enabled reports whether any WhatsApp setting is given; then all the
// required ones must be (see validate).
func (w WhatsApp) Enabled() bool {
	return w.AppSecret != "" || w.VerifyToken != "" || w.AccessToken != "" || w.PhoneNumberID != "" || len(w.NumberQueues) > 0
}

// Category is one complaint category. Label overrides the translation
// "category.<code>" when set.
type Category struct {
	Code  string
	Label string
}

// Defaults are the values used when nothing is set.
func Defaults() Config {
	return Config{
		DataDir:           "./data",
		HTTPAddr:          ":8080",
		MetricsAddr:       "127.0.0.1:9090",
		LogLevel:          "info",
		LogFormat:         "text",
		NATSSubjectPrefix: "cc",
		NATSReplicas:      1,
		ComplaintCategories: []Category{
			{Code: "pendaftaran"}, {Code: "verifikasi"}, {Code: "pelatihan"}, {Code: "insentif"}, {Code: "lainnya"},
		},
		CategoryQueues:     map[string]string{},
		DefaultQueue:       "umum",
		AttachmentMaxBytes: 5 << 20,
		AttachmentMaxFiles: 3,
		FormRateLimit:      60,
		LookupRateLimit:    30,
		IngestBatchSize:    1000,
		IngestAckWait:      30 * time.Second,
		IngestLinger:       250 * time.Millisecond,
		IngestFill:         16,
		Components:         map[string]bool{"http": true, "core": true, "delivery": true},
		SessionTTL:         12 * time.Hour,
		PasswordCost:       10,
		ShutdownTimeout:    15 * time.Second,

		LivechatMaxConnsPerIP:     50,
		LivechatNewConnsPerMinute: 120,
		LivechatFramesPerSecond:   5,
		ConsoleHeartbeat:          30 * time.Second,
		ConsoleSendQueue:          64,
		WallboardServiceLevel:     "voice=20s,livechat=1m,whatsapp=5m,webform=4h",
		WallboardInterval:         500 * time.Millisecond,
		Voice:                     Voice{TwilioAPIBaseURL: "https://api.twilio.com", CallbackTargets: []string{"+62"}},

		ReopenWindow: 72 * time.Hour,
		WhatsApp: WhatsApp{
			APIBaseURL:    "https://graph.facebook.com",
			APIVersion:    "v23.0",
			NumberQueues:  map[string]string{},
			RateLimit:     80,
			MediaMaxBytes: 16 << 20,
			Ack:           true,
		},
		Routing:    defaultRouting(),
		Presence:   defaultPresence(),
		Reports:    defaultReports(),
		Tags:       defaultTags(),
		CSAT:       defaultCSAT(),
		Complaint:  defaultComplaint(),
		ReplyFiles: defaultReplyFiles(),
		FileStore:  defaultFileStore(),
		Retention:  defaultRetention(),
		Notify:     defaultNotify(),
		Login:      defaultLogin(),
	}
}

// Load reads the environment through getenv, after loading dotenvPath if
// it exists (variables already set win). A variable set empty cannot be
// told from an unset one through getenv; LoadLookup can.
func Load(getenv func(string) string, dotenvPath string) (Config, error) {
	return LoadLookup(func(k string) (string, bool) {
		v := getenv(k)
		return v, v != ""
	}, dotenvPath)
}

// LoadLookup is Load through lookup (os.LookupEnv in production), which
// also says whether a variable is set: the few settings whose empty value
// means "off" rather than "the default" (METRICS_ADDR) need to know.
func LoadLookup(lookup func(string) (string, bool), dotenvPath string) (Config, error) {
	env := map[string]string{}
	if dotenvPath != "" {
		file, err := readDotenv(dotenvPath)
		if err != nil {
			return Config{}, err
		}
		env = file
	}
	get := func(k string) string {
		if v, _ := lookup(k); v != "" {
			return v
		}
		return env[k]
	}
	// set: k is set empty where its value is read from (the environment
	// first, then the file), so an empty value there turns it off.
	set := func(k string) bool {
		if v, ok := lookup(k); ok {
			return v == ""
		}
		v, ok := env[k]
		return ok && v == ""
	}
	return parseSet(get, set)
}

// Problems lists every configuration problem found.
type Problems []string

// parseSwitch reads an on/off setting: true or false.
func parseSwitch(name, v string, dst *bool, p *Problems) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		*dst = true
	case "false":
		*dst = false
	default:
		*p = append(*p, fmt.Sprintf("%s: %q must be true or false", name, v))
	}
}

func (p Problems) Error() string {
	return "configuration is invalid:\n  - " + strings.Join(p, "\n  - ")
}

// ErrInvalid is matched by errors.Is on a Problems error.
var ErrInvalid = errors.New("config: invalid")

// Is lets errors.Is(err, ErrInvalid) match.
func (p Problems) Is(target error) bool { return target == ErrInvalid }

func parse(get func(string) string) (Config, error) {
	return parseSet(get, func(string) bool { return false })
}

// parseSet is parse where set says whether a variable is set empty where
// its value is read from (an empty value that means "off").
func parseSet(get func(string) string, set func(string) bool) (Config, error) {
	c := Defaults()
	var p Problems
	secret := func(name string) string {
		if f := get(name + "_FILE"); f != "" {
			b, err := os.ReadFile(f)
			if err != nil {
				p = append(p, fmt.Sprintf("%s_FILE: %v", name, err))
				return ""
			}
			return strings.TrimRight(string(b), "\r\n")
		}
		return get(name)
	}
	str := func(name string, dst *string) {
		if v := get(name); v != "" {
			*dst = v
		}
	}
	integer := func(name string, dst *int) {
		if v := get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				p = append(p, fmt.Sprintf("%s: %q is not a whole number", name, v))
				return
			}
			*dst = n
		}
	}
	duration := func(name string, dst *time.Duration) {
		if v := get(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				p = append(p, fmt.Sprintf("%s: %q is not a duration (e.g. 30s, 12h)", name, v))
				return
			}
			*dst = d
		}
	}

	c.DatabaseURL = secret("DATABASE_URL")
	str("NATS_URL", &c.NATSURL)
	str("DATA_DIR", &c.DataDir)
	str("HTTP_ADDR", &c.HTTPAddr)
	str("METRICS_ADDR", &c.MetricsAddr)
	if set("METRICS_ADDR") {
		c.MetricsAddr = "" // set empty: metrics off
	}
	str("PUBLIC_URL", &c.PublicURL)
	str("ADMIN_EMAIL", &c.AdminEmail)
	c.AdminPassword = secret("ADMIN_PASSWORD")
	str("LOG_LEVEL", &c.LogLevel)
	str("LOG_FORMAT", &c.LogFormat)
	str("NATS_SUBJECT_PREFIX", &c.NATSSubjectPrefix)
	integer("NATS_REPLICAS", &c.NATSReplicas)
	str("DEFAULT_QUEUE", &c.DefaultQueue)
	var maxMB int = int(c.AttachmentMaxBytes >> 20)
	integer("ATTACHMENT_MAX_MB", &maxMB)
	c.AttachmentMaxBytes = int64(maxMB) << 20
	integer("ATTACHMENT_MAX_FILES", &c.AttachmentMaxFiles)
	integer("FORM_RATE_LIMIT", &c.FormRateLimit)
	integer("LOOKUP_RATE_LIMIT", &c.LookupRateLimit)
	integer("INGEST_BATCH_SIZE", &c.IngestBatchSize)
	duration("INGEST_ACK_WAIT", &c.IngestAckWait)
	duration("INGEST_LINGER", &c.IngestLinger)
	if get("INGEST_FILL") == "" && c.IngestBatchSize >= 1 {
		// The default fill never exceeds a smaller batch size that was set.
		c.IngestFill = min(c.IngestFill, c.IngestBatchSize)
	}
	integer("INGEST_FILL", &c.IngestFill)
	duration("SESSION_TTL", &c.SessionTTL)
	integer("PASSWORD_HASH_COST", &c.PasswordCost)
	duration("REOPEN_WINDOW", &c.ReopenWindow)
	p = append(p, parseWhatsApp(get, secret, &c.WhatsApp)...)
	duration("SHUTDOWN_TIMEOUT", &c.ShutdownTimeout)
	c.Voice.TwilioAuthToken = secret("TWILIO_AUTH_TOKEN")
	str("TWILIO_ACCOUNT_SID", &c.Voice.TwilioAccountSID)
	str("TWILIO_API_BASE_URL", &c.Voice.TwilioAPIBaseURL)
	str("TWILIO_CALLER_ID", &c.Voice.TwilioCallerID)
	str("IVR_MENU_FILE", &c.Voice.IVRMenuFile)

	c.LivechatSecret = secret("LIVECHAT_SECRET")
	integer("LIVECHAT_MAX_CONNS_PER_IP", &c.LivechatMaxConnsPerIP)
	integer("LIVECHAT_NEW_CONNS_PER_MINUTE", &c.LivechatNewConnsPerMinute)
	integer("LIVECHAT_FRAMES_PER_SECOND", &c.LivechatFramesPerSecond)
	duration("CONSOLE_HEARTBEAT", &c.ConsoleHeartbeat)
	integer("CONSOLE_SEND_QUEUE", &c.ConsoleSendQueue)
	str("WALLBOARD_SERVICE_LEVEL", &c.WallboardServiceLevel)
	duration("WALLBOARD_INTERVAL", &c.WallboardInterval)
	if v := get("LIVECHAT_ALLOWED_ORIGINS"); v != "" {
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			u, err := url.Parse(item)
			if item != "*" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/")) {
				p = append(p, fmt.Sprintf("LIVECHAT_ALLOWED_ORIGINS: %q is not an origin like https://example.go.id", item))
				continue
			}
			c.LivechatAllowedOrigins = append(c.LivechatAllowedOrigins, item)
		}
	}

	if v := get("COMPLAINT_CATEGORIES"); v != "" {
		c.ComplaintCategories = nil
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			code, label, _ := strings.Cut(item, ":")
			code = strings.TrimSpace(code)
			if !domain.ValidCode(code) {
				p = append(p, fmt.Sprintf("COMPLAINT_CATEGORIES: %q is not a valid code (a-z, 0-9, _ and -)", code))
				continue
			}
			c.ComplaintCategories = append(c.ComplaintCategories, Category{Code: code, Label: strings.TrimSpace(label)})
		}
	}
	if v := get("TRUSTED_PROXIES"); v != "" {
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			if _, _, err := net.ParseCIDR(item); err != nil && net.ParseIP(item) == nil {
				p = append(p, fmt.Sprintf("TRUSTED_PROXIES: %q is not an IP address or CIDR", item))
				continue
			}
			c.TrustedProxies = append(c.TrustedProxies, item)
		}
	}
	if v := get("COMPONENTS"); v != "" && v != "all" {
		c.Components = map[string]bool{}
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			switch item {
			case "http", "core", "delivery":
				c.Components[item] = true
			case "":
			default:
				p = append(p, fmt.Sprintf("COMPONENTS: %q is not one of http, core, delivery, all", item))
			}
		}
	}
	eachPair(get("CATEGORY_QUEUES"), func(item, cat, queue string, ok bool) {
		if !ok || !domain.ValidCode(cat) || !domain.ValidCode(queue) {
			p = append(p, fmt.Sprintf("CATEGORY_QUEUES: %q must be category:queue", item))
			return
		}
		c.CategoryQueues[cat] = queue
	})

	parseRouting(get, &c.Routing, &p)
	parsePresence(get, &c.Presence, &p)
	parseReports(get, &c.Reports, &p)
	parseTags(get, &c.Tags, &p)
	parseCSAT(get, &c.CSAT, &p)
	parseComplaint(get, &c.Complaint, &p)
	parseReplyFiles(get, &c.ReplyFiles, &p)
	parseFileStore(get, secret, &c.FileStore, &p)
	parseRetention(get, &c.Retention, &p)
	parseBrand(get, &c.Brand, &p)
	parseNotify(get, secret, c.WhatsApp, c.Voice, &c.Notify, &p)
	parseHardening(get, secret, &c, &p)

	p = append(p, c.validate()...)
	if len(p) > 0 {
		return c, p
	}
	return c, nil
}

func (c *Config) validate() Problems {
	var p Problems
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			p = append(p, "DATABASE_URL must be a postgres:// URL (leave it unset for the embedded SQLite file)")
		}
	}
	if c.NATSURL != "" {
		for _, one := range strings.Split(c.NATSURL, ",") {
			u, err := url.Parse(strings.TrimSpace(one))
			if err != nil || (u.Scheme != "nats" && u.Scheme != "tls" && u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
				p = append(p, fmt.Sprintf("NATS_URL: %q is not a nats:// URL (leave it unset for the in-process server)", one))
			}
		}
	}
	if c.DataDir == "" {
		p = append(p, "DATA_DIR must not be empty")
	}
	if _, port, err := splitHostPort(c.HTTPAddr); err != nil || port == "" {
		p = append(p, fmt.Sprintf("HTTP_ADDR: %q must be host:port or :port", c.HTTPAddr))
	}
	if c.MetricsAddr != "" {
		_, mport, err := splitHostPort(c.MetricsAddr)
		_, hport, _ := splitHostPort(c.HTTPAddr)
		switch {
		case err != nil || mport == "":
			p = append(p, fmt.Sprintf("METRICS_ADDR: %q must be host:port (empty turns metrics off)", c.MetricsAddr))
		case mport == hport && mport != "0":
			p = append(p, fmt.Sprintf("METRICS_ADDR: %q must not be the public port of HTTP_ADDR", c.MetricsAddr))
		}
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p = append(p, fmt.Sprintf("PUBLIC_URL: %q must be an absolute http(s) URL", c.PublicURL))
		}
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		p = append(p, "ADMIN_EMAIL and ADMIN_PASSWORD must be set together")
	}
	if c.AdminEmail != "" && (!strings.Contains(c.AdminEmail, "@") || strings.ContainsAny(c.AdminEmail, " \t")) {
		p = append(p, "ADMIN_EMAIL must be an email address")
	}
	if c.AdminPassword != "" && len(c.AdminPassword) < 10 {
		p = append(p, "ADMIN_PASSWORD must have at least 10 characters")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		p = append(p, fmt.Sprintf("LOG_LEVEL: %q must be debug, info, warn or error", c.LogLevel))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		p = append(p, fmt.Sprintf("LOG_FORMAT: %q must be text or json", c.LogFormat))
	}
	if !validSubjectToken(c.NATSSubjectPrefix) {
		p = append(p, fmt.Sprintf("NATS_SUBJECT_PREFIX: %q must be letters, digits, - or _", c.NATSSubjectPrefix))
	}
	if c.NATSReplicas < 1 || c.NATSReplicas > 5 {
		p = append(p, "NATS_REPLICAS must be between 1 and 5")
	}
	if len(c.Components) == 0 {
		p = append(p, "COMPONENTS must name at least one of http, core, delivery")
	}
	if len(c.ComplaintCategories) == 0 {
		p = append(p, "COMPLAINT_CATEGORIES must list at least one category")
	}
	if !domain.ValidCode(c.DefaultQueue) {
		p = append(p, fmt.Sprintf("DEFAULT_QUEUE: %q is not a valid code", c.DefaultQueue))
	}
	if c.AttachmentMaxBytes < 1<<20 || c.AttachmentMaxBytes > 100<<20 {
		p = append(p, "ATTACHMENT_MAX_MB must be between 1 and 100")
	}
	if c.AttachmentMaxFiles < 0 || c.AttachmentMaxFiles > 10 {
		p = append(p, "ATTACHMENT_MAX_FILES must be between 0 and 10")
	}
	if c.FormRateLimit < 0 || c.LookupRateLimit < 0 {
		p = append(p, "FORM_RATE_LIMIT and LOOKUP_RATE_LIMIT must be 0 (off) or more")
	}
	if c.IngestBatchSize < 1 || c.IngestBatchSize > 5000 {
		p = append(p, "INGEST_BATCH_SIZE must be between 1 and 5000")
	}
	// The in-progress ack goes every third of it, and one pull request
	// stays open up to a second: below 5s a busy instance could lose its
	// messages to another while it still stores them.
	if c.IngestAckWait < MinIngestAckWait || c.IngestAckWait > MaxIngestAckWait {
		p = append(p, fmt.Sprintf("INGEST_ACK_WAIT must be between %v and %v", MinIngestAckWait, MaxIngestAckWait))
	}
	// Every gathered message waits up to the linger: past a second the
	// delay shows, and a pull request stays open that long anyway.
	if c.IngestLinger < 0 || c.IngestLinger > MaxIngestLinger {
		p = append(p, fmt.Sprintf("INGEST_LINGER must be between 0 (no gathering) and %v", MaxIngestLinger))
	}
	if c.IngestFill < MinIngestFill || c.IngestFill > MaxIngestFill {
		p = append(p, fmt.Sprintf("INGEST_FILL must be between %d and %d", MinIngestFill, MaxIngestFill))
	} else if c.IngestBatchSize >= 1 && c.IngestFill > c.IngestBatchSize {
		p = append(p, "INGEST_FILL must not be more than INGEST_BATCH_SIZE")
	}
	if c.ReopenWindow < 0 {
		p = append(p, "REOPEN_WINDOW must be 0 (never reopen) or more")
	}
	p = append(p, c.WhatsApp.validate()...)
	if c.SessionTTL < time.Minute {
		p = append(p, "SESSION_TTL must be at least 1m")
	}
	if c.PasswordCost < 4 || c.PasswordCost > 31 {
		p = append(p, "PASSWORD_HASH_COST must be a bcrypt cost from 4 to 31")
	}
	if c.ShutdownTimeout <= 0 {
		p = append(p, "SHUTDOWN_TIMEOUT must be positive")
	}
	if c.LivechatSecret != "" && len(c.LivechatSecret) < 32 {
		p = append(p, "LIVECHAT_SECRET must have at least 32 characters (or leave it unset for a generated one)")
	}
	if c.LivechatMaxConnsPerIP < 0 || c.LivechatNewConnsPerMinute < 0 {
		p = append(p, "LIVECHAT_MAX_CONNS_PER_IP and LIVECHAT_NEW_CONNS_PER_MINUTE must be 0 (off) or more")
	}
	if c.LivechatFramesPerSecond < 1 || c.LivechatFramesPerSecond > 1000 {
		p = append(p, "LIVECHAT_FRAMES_PER_SECOND must be between 1 and 1000")
	}
	if c.ConsoleHeartbeat < time.Second || c.ConsoleHeartbeat > time.Minute {
		p = append(p, "CONSOLE_HEARTBEAT must be between 1s and 1m (sessions are re-checked every heartbeat)")
	}
	// An idle console's only sign of life is its socket's heartbeat: the
	// sweep must not give up on it between two beats.
	for _, limit := range []struct {
		name string
		d    time.Duration
	}{{"PRESENCE_AWAY_AFTER", c.Presence.AwayAfter}, {"PRESENCE_OFFLINE_AFTER", c.Presence.OfflineAfter}} {
		if limit.d > 0 && limit.d <= 2*c.ConsoleHeartbeat {
			p = append(p, fmt.Sprintf("%s (%s) must be longer than twice CONSOLE_HEARTBEAT (%s)", limit.name, limit.d, c.ConsoleHeartbeat))
		}
	}
	if c.ConsoleSendQueue < 8 || c.ConsoleSendQueue > 4096 {
		p = append(p, "CONSOLE_SEND_QUEUE must be between 8 and 4096")
	}
	if u, err := url.Parse(c.Voice.TwilioAPIBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p = append(p, fmt.Sprintf("TWILIO_API_BASE_URL: %q must be an absolute http(s) URL", c.Voice.TwilioAPIBaseURL))
	}
	if c.Voice.TwilioAuthToken != "" && c.PublicURL == "" {
		p = append(p, "PUBLIC_URL must be set with TWILIO_AUTH_TOKEN: voice webhook signatures are computed over the URL the provider calls")
	}
	if id := c.Voice.TwilioCallerID; id != "" && (len(id) < 8 || id[0] != '+' || strings.Trim(id[1:], "0123456789") != "") {
		p = append(p, "TWILIO_CALLER_ID must be a number in E.164 form (+62...)")
	}
	return p
}

// BaseURL is where people reach the service: PUBLIC_URL, or derived from
// HTTP_ADDR for a local run.
func (c Config) BaseURL() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	host, port, _ := splitHostPort(c.HTTPAddr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + host + ":" + port
}

// NATSStoreDir is the embedded NATS server's JetStream folder.
func (c Config) NATSStoreDir() string { return filepath.Join(c.DataDir, "nats") }

// AttachmentDir is where attachments are kept.
func (c Config) AttachmentDir() string { return filepath.Join(c.DataDir, "attachments") }

// Redacted renders the configuration for the start-up log, secrets masked.
func (c Config) Redacted() map[string]any {
	secret := func(s string) string {
		if s == "" {
			return ""
		}
		return "***"
	}
	db := "sqlite:" + filepath.Join(c.DataDir, "tanggap.db")
	if c.DatabaseURL != "" {
		db = mask.URL(c.DatabaseURL)
	}
	nats := "embedded:" + c.NATSStoreDir()
	if c.NATSURL != "" {
		nats = mask.URL(c.NATSURL)
	}
	return map[string]any{
		"database": db, "nats": nats, "data_dir": c.DataDir, "http_addr": c.HTTPAddr, "metrics_addr": c.MetricsAddr,
		"public_url": c.BaseURL(), "admin_email": c.AdminEmail, "admin_password": secret(c.AdminPassword),
		"livechat_secret": secret(c.LivechatSecret), "livechat_allowed_origins": c.LivechatAllowedOrigins,
		"log_level": c.LogLevel, "log_format": c.LogFormat, "nats_subject_prefix": c.NATSSubjectPrefix,
		"whatsapp": c.WhatsApp.Enabled(), "whatsapp_ack": c.WhatsApp.Ack, "whatsapp_app_secret": secret(c.WhatsApp.AppSecret),
		"whatsapp_access_token": secret(c.WhatsApp.AccessToken), "whatsapp_verify_token": secret(c.WhatsApp.VerifyToken),
		"twilio_auth_token": secret(c.Voice.TwilioAuthToken), "twilio_account_sid": c.Voice.TwilioAccountSID,
		"ivr_menu_file": c.Voice.IVRMenuFile,
		"program_name":  c.Brand.ProgramName, "brand_file": c.Brand.File,
		"contact_phone": c.Brand.ContactPhone, "contact_whatsapp": c.Brand.ContactWhatsApp,
	}
}

// eachPair calls f for each "key:value" item of a comma-separated list,
// trimmed, skipping empty items; ok is false when an item has no colon.
func eachPair(list string, f func(item, key, value string, ok bool)) {
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, v, ok := strings.Cut(item, ":")
		f(item, strings.TrimSpace(k), strings.TrimSpace(v), ok)
	}
}

func validSubjectToken(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func splitHostPort(addr string) (string, string, error) {
	i := strings.LastIndex(addr, ":")
	if i < 0 {
		return "", "", fmt.Errorf("no port")
	}
	port := addr[i+1:]
	if _, err := strconv.Atoi(port); err != nil {
		return "", "", fmt.Errorf("bad port")
	}
	return strings.Trim(addr[:i], "[]"), port, nil
}

// readDotenv reads KEY=VALUE lines; a missing file is not an error.
func readDotenv(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		s = strings.TrimPrefix(s, "export ")
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("config: %s line %d: want KEY=VALUE", path, line)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		out[strings.TrimSpace(k)] = v
	}
	return out, sc.Err()
}
