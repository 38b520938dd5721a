package livechat

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"tanggap/internal/csat"
	"tanggap/internal/domain"
)

// ProtocolVersion is the "v" of every frame. A client speaking another
// version gets an error frame and is closed.
const ProtocolVersion = 1

// Limits of client frames.
const (
	MaxTextRunes   = 4000
	MaxClientID    = 64
	MaxFiles       = 5
	maxNameRunes   = 200
	maxContactSize = 254
	maxTokenBytes  = 256
)

// Client frame types.
const (
	TypeHello   = "hello"   // first frame: token (if any), last seq seen
	TypeMessage = "msg"     // a visitor message with a client id
	TypeTyping  = "typing"  // the visitor is (not) typing
	TypeMark    = "mark"    // an agent reply was delivered / read
	TypeProfile = "profile" // pre-chat form: name, phone or email
	TypeNew     = "new"     // start a new conversation
	TypeSync    = "sync"    // replay entries after a seq (a gap was seen)
	TypePing    = "ping"    // application-level liveness check
	TypeRate    = "rate"    // the rating card's answer (csat.go)
)

// Server frame types.
const (
	TypeWelcome  = "welcome"
	TypeEntry    = "entry"
	TypeAck      = "ack"
	TypeError    = "error"
	TypeQueue    = "queue"
	TypeReplayed = "replayed"
	TypePong     = "pong"
)

// Log entry kinds (server "entry" frames, stored in livechat_log).
const (
	KindMessage = "msg"    // visitor message
	KindReply   = "reply"  // agent reply
	KindAgent   = "agent"  // an agent joined
	KindRead    = "read"   // the agent read the visitor's messages up to here
	KindSolved  = "solved" // the ticket was solved
	// KindReopened: the solved ticket is open again (an agent reopened it).
	KindReopened = "reopened"
	KindNew      = "new"   // a new conversation began
	KindSurvey   = "csat"  // the rating card of a solve (csat.go)
	KindRated    = "rated" // the rating card was answered
)

// Error codes of "error" frames.
const (
	ErrCodeBadFrame    = "bad_frame"
	ErrCodeRateLimited = "rate_limited"
	ErrCodeUnavailable = "unavailable"
	ErrCodeNoHello     = "hello_required"
	ErrCodeBadToken    = "bad_token"
	ErrCodeBadFile     = "bad_file"
	ErrCodeInvalid     = "invalid"
	// The rating card: answered already (on any channel), or no longer
	// taking answers (expired, or not a survey we issued).
	ErrCodeAlreadyRated = "already_rated"
	ErrCodeSurveyClosed = "survey_closed"
)

// ErrBadFrame is wrapped by every decoding failure.
var ErrBadFrame = errors.New("livechat: bad frame")

// ClientFrame is any frame a widget sends; Type says which fields count.
type ClientFrame struct {
	V    int    `json:"v"`
	Type string `json:"type"`
	// hello
	Token string `json:"token,omitempty"`
	After int64  `json:"after,omitempty"`
	Lang  string `json:"lang,omitempty"`
	// msg
	CID   string `json:"cid,omitempty"`
	Text  string `json:"text,omitempty"`
	Files []File `json:"files,omitempty"`
	// typing
	On bool `json:"on,omitempty"`
	// mark
	Seq    int64                 `json:"seq,omitempty"`
	Status domain.DeliveryStatus `json:"status,omitempty"`
	// profile
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
	// rate
	Survey  string `json:"survey,omitempty"`
	Rating  int    `json:"rating,omitempty"`
	Comment string `json:"comment,omitempty"`
}

// File is an uploaded attachment as the upload endpoint described it; Sig
// proves the server stored it for this visitor.
type File struct {
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
	MIME string `json:"mime"`
	Size int64  `json:"size"`
	Sig  string `json:"sig,omitempty"`
	// URL is where the widget downloads it (server frames only).
	URL string `json:"url,omitempty"`
}

// DecodeClient parses and checks one client frame.
func DecodeClient(data []byte) (ClientFrame, error) {
	var f ClientFrame
	if !utf8.Valid(data) {
		return f, fmt.Errorf("%w: not UTF-8", ErrBadFrame)
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return ClientFrame{}, fmt.Errorf("%w: %v", ErrBadFrame, err)
	}
	if f.V != ProtocolVersion {
		return f, fmt.Errorf("%w: version %d (want %d)", ErrBadFrame, f.V, ProtocolVersion)
	}
	bad := func(why string) (ClientFrame, error) { return f, fmt.Errorf("%w: %s: %s", ErrBadFrame, f.Type, why) }
	switch f.Type {
	case TypeHello:
		if len(f.Token) > maxTokenBytes {
			return bad("token too long")
		}
		if f.After < 0 {
			return bad("after is negative")
		}
	case TypeMessage:
		if !validCID(f.CID) {
			return bad("cid must be 1-64 letters, digits, - or _")
		}
		f.Text = strings.TrimSpace(f.Text)
		if f.Text == "" && len(f.Files) == 0 {
			return bad("empty message")
		}
		if utf8.RuneCountInString(f.Text) > MaxTextRunes {
			return bad("text too long")
		}
		if len(f.Files) > MaxFiles {
			return bad("too many files")
		}
		for _, fl := range f.Files {
			if fl.Key == "" || fl.Sig == "" || fl.MIME == "" || fl.Size <= 0 || len(fl.Key) > 200 || len(fl.Name) > 255 {
				return bad("file incomplete")
			}
		}
	case TypeTyping, TypeNew, TypePing:
	case TypeSync:
		if f.After < 0 {
			return bad("after is negative")
		}
	case TypeMark:
		if f.Seq <= 0 || (f.Status != domain.DeliveryDelivered && f.Status != domain.DeliveryRead) {
			return bad("mark needs seq and status delivered or read")
		}
	case TypeRate:
		if f.Survey == "" || len(f.Survey) > csat.MaxTokenLen {
			return bad("survey missing or too long")
		}
		if f.Rating < 1 || f.Rating > 5 {
			return bad("rating must be 1 to 5")
		}
		if utf8.RuneCountInString(f.Comment) > csat.MaxCommentRunes {
			return bad("comment too long")
		}
	case TypeProfile:
		if utf8.RuneCountInString(f.Name) > maxNameRunes || len(f.Phone) > maxContactSize || len(f.Email) > maxContactSize {
			return bad("field too long")
		}
	default:
		return bad("unknown type")
	}
	return f, nil
}

func validCID(s string) bool {
	if s == "" || len(s) > MaxClientID {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Entry is one log entry as the widget receives it.
type Entry struct {
	V    int       `json:"v"`
	Type string    `json:"type"` // "entry"
	Seq  int64     `json:"seq"`
	Kind string    `json:"kind"`
	TN   string    `json:"tn"`
	At   time.Time `json:"at"`
	// msg
	CID string `json:"cid,omitempty"`
	// msg, reply
	Text  string `json:"text,omitempty"`
	Files []File `json:"files,omitempty"`
	// reply, agent
	Agent string `json:"agent,omitempty"`
	// csat, rated: the survey's token; rated: the rating (0 when it was
	// given elsewhere)
	Survey string `json:"survey,omitempty"`
	Rating int    `json:"rating,omitempty"`
}

// entryBody is what livechat_log.body keeps of an entry.
type entryBody struct {
	CID    string `json:"cid,omitempty"`
	Text   string `json:"text,omitempty"`
	Files  []File `json:"files,omitempty"`
	Agent  string `json:"agent,omitempty"`
	Survey string `json:"survey,omitempty"`
	Rating int    `json:"rating,omitempty"`
}

// Welcome answers a hello.
type Welcome struct {
	V            int          `json:"v"`
	Type         string       `json:"type"`
	Token        string       `json:"token"`
	Visitor      VisitorInfo  `json:"visitor"`
	Conversation Conversation `json:"conversation"`
	LastSeq      int64        `json:"last_seq"`
	Limits       Limits       `json:"limits"`
}

// VisitorInfo is what the visitor told the pre-chat form.
type VisitorInfo struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// Conversation is the visitor's current conversation.
type Conversation struct {
	TN    string `json:"tn"`
	State string `json:"state"` // none, open, solved
	Agent string `json:"agent,omitempty"`
}

// Limits tell the widget what the server accepts.
type Limits struct {
	MaxTextRunes int      `json:"max_text"`
	MaxFiles     int      `json:"max_files"`
	MaxFileBytes int64    `json:"max_file_bytes"`
	FileTypes    []string `json:"file_types"`
}

// Ack confirms a visitor message is durably accepted.
type Ack struct {
	V    int    `json:"v"`
	Type string `json:"type"`
	CID  string `json:"cid"`
	Seq  int64  `json:"seq"`
}

// ErrorFrame reports a refused frame; the widget may retry a message
// refused as unavailable or rate_limited.
type ErrorFrame struct {
	V    int    `json:"v"`
	Type string `json:"type"`
	Code string `json:"code"`
	CID  string `json:"cid,omitempty"`
	// Field names the profile field refused as invalid.
	Field string `json:"field,omitempty"`
}

// Typing tells the visitor an agent is (not) typing.
type Typing struct {
	V     int    `json:"v"`
	Type  string `json:"type"`
	On    bool   `json:"on"`
	Agent string `json:"agent,omitempty"`
}

// Queue is where the conversation's ticket stands.
type Queue struct {
	V        int    `json:"v"`
	Type     string `json:"type"`
	TN       string `json:"tn"`
	Position int    `json:"position"`
	// WaitSeconds is the estimated wait (0 when unknown or assigned).
	WaitSeconds  int  `json:"wait_s"`
	AgentsOnline int  `json:"agents_online"`
	Open         bool `json:"open"`
	Assigned     bool `json:"assigned"`
	// Opens says, while the ticket's queue is closed (Open false), when
	// its business hours start again, in that queue's time zone, in every
	// language the widget may switch to: the launcher's sentence
	// ("Buka lagi besok pukul 08.00 WIB."). Absent while open.
	Opens map[string]string `json:"opens,omitempty"`
}

// Replayed ends a replay: entries up to LastSeq have been sent.
type Replayed struct {
	V       int    `json:"v"`
	Type    string `json:"type"`
	LastSeq int64  `json:"last_seq"`
}

// encode marshals a server frame; the frame types above always marshal.
func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("livechat: encode %T: %v", v, err))
	}
	return b
}
