package ticket

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"tanggap/internal/apperr"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
)

// ReplyPolicy limits replies on a channel whose provider only takes free
// text within a window after the citizen's last message (WhatsApp's 24-hour
// customer service window). Outside it only approved templates may be sent.
type ReplyPolicy struct {
	Window    time.Duration
	Templates []Template
	// Current, when set, gives the templates in force at the time of the
	// reply instead of Templates (the channel's admin screen keeps them).
	Current func(ctx context.Context) ([]Template, error)
}

// inForce is p with the templates in force now.
func (p ReplyPolicy) inForce(ctx context.Context) (ReplyPolicy, error) {
	if p.Current == nil {
		return p, nil
	}
	tpls, err := p.Current(ctx)
	if err != nil {
		return p, fmt.Errorf("ticket: reply templates: %w", err)
	}
	p.Templates = tpls
	return p, nil
}

// Template is an approved message template; Params name its body
// parameters in order.
type Template struct {
	Name     string   `json:"name"`
	Language string   `json:"language"`
	Params   []string `json:"params"`
}

// ReplyWindow tells the agent whether free text can be sent now and until
// when, and which templates can be sent at any time.
type ReplyWindow struct {
	Open bool `json:"open"`
	// Until is when the window closes (or closed); nil when the citizen
	// never wrote on this channel.
	Until     *time.Time `json:"until"`
	Templates []Template `json:"templates"`
}

// Draft is an agent reply: free text, or a template, with optional quick
// reply buttons.
type Draft struct {
	Body     string
	Template *TemplateDraft
	Buttons  []envelope.Button
	// Files are stored already (ReplyWithFiles); with files the text may
	// be empty.
	Files []ReplyFile
	// Seen is the newest message of the ticket the agent had read when
	// writing (0: not said). A reply another agent sent after it refuses
	// the draft (Collision): two agents answering one citizen at once
	// would send two different answers. Sent again with the newer message
	// seen, it goes.
	Seen int64
}

// TemplateDraft names a configured template and fills its parameters.
type TemplateDraft struct {
	Name     string   `json:"name"`
	Language string   `json:"language"`
	Params   []string `json:"params"`
}

// Limits of quick reply buttons (WhatsApp's).
const (
	maxButtons          = 3
	maxButtonTitleRunes = 20
	maxButtonIDBytes    = 256
	maxParamRunes       = 1024
)

// checkDraft validates a draft against the channel's policy and returns
// the body to store: the text, or a description of the template sent.
func checkDraft(d Draft, policy ReplyPolicy) (string, *envelope.Template, error) {
	var ve apperr.ValidationError
	if d.Seen < 0 {
		ve.Add("seen", "validation.invalid")
	}
	body := strings.TrimSpace(d.Body)
	var tpl *envelope.Template
	if d.Template != nil {
		known := findTemplate(policy.Templates, d.Template.Name, d.Template.Language)
		switch {
		case known == nil:
			ve.Add("template", "validation.template_unknown")
		case len(d.Template.Params) != len(known.Params):
			ve.Add("template", "validation.template_params", "want", len(known.Params))
		default:
			params := make([]string, len(d.Template.Params))
			for i, p := range d.Template.Params {
				params[i] = strings.TrimSpace(p)
				if params[i] == "" || utf8.RuneCountInString(params[i]) > maxParamRunes {
					ve.Add("template", "validation.template_params", "want", len(known.Params))
				}
			}
			tpl = &envelope.Template{Name: known.Name, Language: known.Language, Params: params}
			body = describeTemplate(*known, params)
		}
	} else if body == "" && len(d.Files) == 0 {
		ve.Add("body", "validation.body_required")
	} else if utf8.RuneCountInString(body) > MaxReplyRunes {
		ve.Add("body", "validation.too_long", "max", MaxReplyRunes)
	}
	if len(d.Buttons) > 0 {
		seen := map[string]bool{}
		if len(d.Buttons) > maxButtons || d.Template != nil {
			ve.Add("buttons", "validation.buttons_invalid", "max", maxButtons)
		}
		for _, b := range d.Buttons {
			t := strings.TrimSpace(b.Title)
			if t == "" || utf8.RuneCountInString(t) > maxButtonTitleRunes || b.ID == "" || len(b.ID) > maxButtonIDBytes || seen[b.ID] {
				ve.Add("buttons", "validation.buttons_invalid", "max", maxButtons)
			}
			seen[b.ID] = true
		}
	}
	if err := ve.Err(); err != nil {
		return "", nil, err
	}
	return body, tpl, nil
}

func findTemplate(list []Template, name, language string) *Template {
	for i := range list {
		if list[i].Name == name && (language == "" || list[i].Language == language) {
			return &list[i]
		}
	}
	return nil
}

// describeTemplate is what the thread shows for a template reply.
func describeTemplate(t Template, params []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s · %s]", t.Name, t.Language)
	for i, p := range params {
		name := fmt.Sprint(i + 1)
		if i < len(t.Params) && t.Params[i] != "" {
			name = t.Params[i]
		}
		fmt.Fprintf(&b, "\n%s: %s", name, p)
	}
	return b.String()
}

// window computes the reply window from the citizen's last message.
func (p ReplyPolicy) window(last time.Time, now time.Time) ReplyWindow {
	w := ReplyWindow{Templates: p.Templates}
	if w.Templates == nil {
		w.Templates = []Template{}
	}
	if last.IsZero() {
		return w
	}
	until := last.Add(p.Window).UTC()
	w.Until = &until
	w.Open = now.Before(until)
	return w
}

// lastInbound is the ticket's latest citizen message: when it was sent and
// the business address it came to.
//
//	SELECT created_at, fields FROM messages WHERE ticket_id = ? AND direction = 'in'
//	ORDER BY created_at DESC, id DESC LIMIT 1
func (s *store) lastInbound(ctx context.Context, q *gorm.DB, ticketID int64) (time.Time, string, error) {
	var rows []struct {
		CreatedAt time.Time
		Fields    string
	}
	if err := q.WithContext(ctx).Raw(`SELECT created_at, fields FROM messages WHERE ticket_id = ? AND direction = `+domain.SQLDirectionIn+`
		ORDER BY created_at DESC, id DESC LIMIT 1`, ticketID).Scan(&rows).Error; err != nil {
		return time.Time{}, "", fmt.Errorf("ticket: last citizen message: %w", err)
	}
	if len(rows) == 0 {
		return time.Time{}, "", nil
	}
	var f map[string]string
	if err := json.Unmarshal([]byte(rows[0].Fields), &f); err != nil {
		f = nil // fields are ours; unreadable ones only cost the address
	}
	return rows[0].CreatedAt, f[envelope.FieldVia], nil
}

// ReplyWindow returns the reply window of a ticket's channel, or nil when
// the channel has no window.
func (s *Service) replyWindow(ctx context.Context, t Summary) (*ReplyWindow, error) {
	p, ok := s.policies[t.Channel]
	if !ok || !s.channelOn(t.Channel) { // no window to answer in on a channel that is off
		return nil, nil
	}
	p, err := p.inForce(ctx)
	if err != nil {
		return nil, err
	}
	last, _, err := s.store.lastInbound(ctx, s.db.DB, t.ID)
	if err != nil {
		return nil, err
	}
	w := p.window(last, time.Now())
	return &w, nil
}

// channelOf is a ticket's channel for choosing its reply policy before the
// transaction ("" when it does not exist: Reply then reports not found).
func (s *Service) channelOf(ctx context.Context, ticketID int64) string {
	if len(s.policies) == 0 {
		return ""
	}
	t, err := s.store.summary(ctx, ticketID)
	if err != nil {
		return ""
	}
	return t.Channel
}
