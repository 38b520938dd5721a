package voice

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// DefaultMenu is the sample menu of the program, used when no menu file is
// configured. docs: README, "Phone (IVR)".
//
//go:embed menu.yaml
var DefaultMenu []byte

// Menu is the whole IVR configuration: what callers hear and which keys
// lead where. It is data, read from YAML (JSON is valid YAML), never code.
type Menu struct {
	// Language of every <Say> (BCP 47, e.g. id-ID).
	Language string `yaml:"language"`
	// Voice of every <Say>; empty: the provider's default for the language.
	Voice string `yaml:"voice"`
	// Start is the id of the menu a call begins in.
	Start string `yaml:"start"`
	// Gather tunes every menu's key press.
	Gather GatherOpts `yaml:"gather"`
	// Queues names the routing queues calls end up in.
	Queues QueueOpts `yaml:"queues"`
	// Transfer says how a caller reaches an agent.
	Transfer TransferOpts `yaml:"transfer"`
	// Voicemail tunes recorded messages.
	Voicemail VoicemailOpts `yaml:"voicemail"`
	// Prompts are the system's own phrases (see promptNames).
	Prompts map[string]Prompt `yaml:"prompts"`
	// Menus by id.
	Menus map[string]*Node `yaml:"menus"`
}

// GatherOpts tunes DTMF collection.
type GatherOpts struct {
	// Timeout is the seconds of silence before a menu counts as no input.
	Timeout int `yaml:"timeout"`
	// Retries is how many invalid or missing choices a caller gets in one
	// menu before the call ends politely.
	Retries int `yaml:"retries"`
}

// QueueOpts names queues (codes of routing queues).
type QueueOpts struct {
	// Agent is the queue whose business hours decide whether a caller can
	// reach an agent; tickets of calls sent to an agent land in it.
	Agent string `yaml:"agent"`
	// Callback is the queue tickets wait in for a callback.
	Callback string `yaml:"callback"`
}

// TransferOpts is how a caller reaches an agent: Dial to a number or SIP
// address, or Enqueue into a provider queue agents take calls from.
type TransferOpts struct {
	Dial    string `yaml:"dial"`    // E.164 number or sip: URI
	Enqueue string `yaml:"enqueue"` // provider queue name
	// Timeout is the seconds Dial rings before giving up.
	Timeout int `yaml:"timeout"`
	// HoldMusic is played (looped) while the caller waits in the queue.
	HoldMusic string `yaml:"hold_music"`
}

// VoicemailOpts tunes <Record>.
type VoicemailOpts struct {
	// MaxLength is the longest message in seconds.
	MaxLength int `yaml:"max_length"`
	// Transcribe asks the provider for a transcription.
	Transcribe bool `yaml:"transcribe"`
}

// Prompt is something the caller hears: text spoken in the menu's
// language, or a recorded audio file. A plain string in YAML is Say.
type Prompt struct {
	Say  string `yaml:"say"`
	Play string `yaml:"play"`
}

// UnmarshalYAML accepts "text" as well as {say: text} / {play: url}.
func (p *Prompt) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		p.Say = n.Value
		return nil
	}
	type plain Prompt
	return n.Decode((*plain)(p))
}

func (p Prompt) empty() bool { return strings.TrimSpace(p.Say) == "" && p.Play == "" }

// Node is one menu: a prompt listing the choices and what each key does.
type Node struct {
	Prompt  Prompt            `yaml:"prompt"`
	Options map[string]Option `yaml:"options"`
}

// Option is what one key does: go to a submenu, run an action, or play
// information and come back to the same menu.
type Option struct {
	Menu   string `yaml:"menu"`
	Action string `yaml:"action"`
	Info   Prompt `yaml:"info"`
}

// Actions an option may run.
const (
	actionStatus    = "status"    // self-service ticket status
	actionVoicemail = "voicemail" // leave a message
	actionCallback  = "callback"  // ask to be called back
	actionAgent     = "agent"     // talk to an agent
	actionHangup    = "hangup"    // goodbye
)

// Keys every menu reserves: 0 reaches an agent, 9 repeats the menu.
const (
	keyAgent  = "0"
	keyRepeat = "9"
)

// promptNames are the system phrases a menu must define. Placeholders:
// {status}, {tracking} in status_result; {position} in callback_confirm and
// hold.
var promptNames = []string{
	"welcome", "invalid", "no_input", "goodbye", "error",
	"status_enter", "status_invalid", "status_not_found", "status_result",
	"voicemail_intro", "voicemail_thanks",
	"callback_confirm", "callback_unavailable", "callback_greeting",
	"after_hours", "transfer", "hold", "agents_busy",
}

// ErrMenu wraps every problem with a menu file.
var ErrMenu = errors.New("voice: invalid menu")

// LoadMenu reads the menu file at path, or the sample menu when path is
// empty, and validates it.
func LoadMenu(path string) (*Menu, error) {
	data := DefaultMenu
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMenu, err)
		}
		data = b
	}
	return ParseMenu(data)
}

// ParseMenu decodes and validates a menu, listing every problem at once.
// Unknown keys are errors: a typo must not silently drop a choice.
func ParseMenu(data []byte) (*Menu, error) {
	var m Menu
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMenu, err)
	}
	m.defaults()
	if p := m.validate(); len(p) > 0 {
		return nil, fmt.Errorf("%w:\n  - %s", ErrMenu, strings.Join(p, "\n  - "))
	}
	return &m, nil
}

func (m *Menu) defaults() {
	if m.Language == "" {
		m.Language = "id-ID"
	}
	if m.Start == "" {
		m.Start = "main"
	}
	if m.Gather.Timeout == 0 {
		m.Gather.Timeout = 6
	}
	if m.Gather.Retries == 0 {
		m.Gather.Retries = 2
	}
	if m.Transfer.Timeout == 0 {
		m.Transfer.Timeout = 30
	}
	if m.Voicemail.MaxLength == 0 {
		m.Voicemail.MaxLength = 120
	}
}

func (m *Menu) validate() []string {
	var p []string
	if m.Gather.Timeout < 1 || m.Gather.Timeout > 30 {
		p = append(p, "gather.timeout must be 1 to 30 seconds")
	}
	if m.Gather.Retries < 0 || m.Gather.Retries > 5 {
		p = append(p, "gather.retries must be 0 to 5")
	}
	if !validQueueCode(m.Queues.Agent) || !validQueueCode(m.Queues.Callback) {
		p = append(p, "queues.agent and queues.callback must be queue codes (a-z, 0-9, _ and -)")
	}
	switch {
	case m.Transfer.Dial == "" && m.Transfer.Enqueue == "":
		p = append(p, "transfer needs dial (number or sip: address) or enqueue (queue name)")
	case m.Transfer.Dial != "" && m.Transfer.Enqueue != "":
		p = append(p, "transfer: set dial or enqueue, not both")
	case m.Transfer.Dial != "" && !validDialTarget(m.Transfer.Dial):
		p = append(p, fmt.Sprintf("transfer.dial: %q is neither an E.164 number nor a sip: address", m.Transfer.Dial))
	}
	if m.Transfer.Timeout < 5 || m.Transfer.Timeout > 600 {
		p = append(p, "transfer.timeout must be 5 to 600 seconds")
	}
	if m.Transfer.HoldMusic != "" && !absoluteURL(m.Transfer.HoldMusic) {
		p = append(p, "transfer.hold_music must be an absolute http(s) URL")
	}
	if m.Voicemail.MaxLength < 5 || m.Voicemail.MaxLength > 600 {
		p = append(p, "voicemail.max_length must be 5 to 600 seconds")
	}
	for _, name := range promptNames {
		pr, ok := m.Prompts[name]
		if !ok || pr.empty() {
			p = append(p, "prompts."+name+" is missing")
		}
	}
	for name, pr := range m.Prompts {
		if _, survey := surveyPrompts[name]; !slices.Contains(promptNames, name) && !survey {
			p = append(p, "prompts."+name+" is not a known prompt")
		}
		p = append(p, checkPrompt("prompts."+name, pr)...)
	}
	if _, ok := m.Menus[m.Start]; !ok {
		p = append(p, fmt.Sprintf("start: menu %q does not exist", m.Start))
	}
	ids := make([]string, 0, len(m.Menus))
	for id := range m.Menus {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		n := m.Menus[id]
		where := "menus." + id
		if n == nil {
			p = append(p, where+" is empty")
			continue
		}
		if !validNodeID(id) {
			p = append(p, where+": ids are a-z, 0-9, _ and -")
		}
		if n.Prompt.empty() {
			p = append(p, where+".prompt is missing")
		}
		p = append(p, checkPrompt(where+".prompt", n.Prompt)...)
		for key, o := range n.Options {
			w := where + ".options." + key
			switch {
			case key == keyAgent || key == keyRepeat:
				p = append(p, w+": 0 (agent) and 9 (repeat) are reserved in every menu")
			case len(key) != 1 || !strings.Contains("12345678*#", key):
				p = append(p, w+": a key is one of 1-8, * or #")
			}
			set := 0
			if o.Menu != "" {
				set++
				if _, ok := m.Menus[o.Menu]; !ok {
					p = append(p, fmt.Sprintf("%s: menu %q does not exist", w, o.Menu))
				}
			}
			if o.Action != "" {
				set++
				switch o.Action {
				case actionStatus, actionVoicemail, actionCallback, actionAgent, actionHangup:
				default:
					p = append(p, fmt.Sprintf("%s: unknown action %q", w, o.Action))
				}
			}
			if !o.Info.empty() {
				set++
				p = append(p, checkPrompt(w+".info", o.Info)...)
			}
			if set != 1 {
				p = append(p, w+": set exactly one of menu, action, info")
			}
		}
	}
	return p
}

func checkPrompt(where string, pr Prompt) []string {
	if pr.Say != "" && pr.Play != "" {
		return []string{where + ": set say or play, not both"}
	}
	if pr.Play != "" && !absoluteURL(pr.Play) {
		return []string{where + ".play must be an absolute http(s) URL"}
	}
	return nil
}

func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// validDialTarget accepts an E.164 number or a sip: URI.
func validDialTarget(s string) bool {
	if strings.HasPrefix(s, "sip:") {
		return len(s) > 4 && !strings.ContainsAny(s, " <>\"")
	}
	if len(s) < 8 || len(s) > 16 || s[0] != '+' {
		return false
	}
	return strings.Trim(s[1:], "0123456789") == ""
}

func validQueueCode(s string) bool { return validNodeID(s) }

func validNodeID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
