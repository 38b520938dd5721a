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

	"tanggap/internal/locale"
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
// hold; {opens} in after_hours (when agents are back).
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
	if found := m.validate(); len(found) > 0 {
		lines := make([]string, 0, len(found))
		for _, p := range found {
			lines = append(lines, MenuProblem{Path: p.path, Key: p.key, args: p.args}.render(builtin(), locale.English))
		}
		return nil, fmt.Errorf("%w:\n  - %s", ErrMenu, strings.Join(lines, "\n  - "))
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

func (m *Menu) validate() []issue {
	var p []issue
	add := func(path, key string, args ...any) { p = append(p, newIssue(path, key, args...)) }
	if m.Gather.Timeout < 1 || m.Gather.Timeout > 30 {
		add("gather.timeout", locale.Key("ivr.problem.seconds"), "min", 1, "max", 30)
	}
	if m.Gather.Retries < 0 || m.Gather.Retries > 5 {
		add("gather.retries", locale.Key("ivr.problem.retries"), "min", 0, "max", 5)
	}
	for _, q := range []struct{ path, code string }{{"queues.agent", m.Queues.Agent}, {"queues.callback", m.Queues.Callback}} {
		if !validQueueCode(q.code) {
			add(q.path, locale.Key("ivr.problem.queue_code"))
		}
	}
	switch {
	case m.Transfer.Dial == "" && m.Transfer.Enqueue == "":
		add("transfer", locale.Key("ivr.problem.transfer_none"))
	case m.Transfer.Dial != "" && m.Transfer.Enqueue != "":
		add("transfer", locale.Key("ivr.problem.transfer_both"))
	case m.Transfer.Dial != "" && !validDialTarget(m.Transfer.Dial):
		add("transfer.dial", locale.Key("ivr.problem.dial"), "value", m.Transfer.Dial)
	}
	if m.Transfer.Timeout < 5 || m.Transfer.Timeout > 600 {
		add("transfer.timeout", locale.Key("ivr.problem.seconds"), "min", 5, "max", 600)
	}
	if m.Transfer.HoldMusic != "" && !absoluteURL(m.Transfer.HoldMusic) {
		add("transfer.hold_music", locale.Key("ivr.problem.url"))
	}
	if m.Voicemail.MaxLength < 5 || m.Voicemail.MaxLength > 600 {
		add("voicemail.max_length", locale.Key("ivr.problem.seconds"), "min", 5, "max", 600)
	}
	for _, name := range promptNames {
		pr, ok := m.Prompts[name]
		if !ok || pr.empty() {
			add("prompts."+name, locale.Key("ivr.problem.missing"))
		}
	}
	names := make([]string, 0, len(m.Prompts))
	for name := range m.Prompts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, survey := surveyPrompts[name]; !slices.Contains(promptNames, name) && !survey {
			add("prompts."+name, locale.Key("ivr.problem.prompt_unknown"))
		}
		p = append(p, checkPrompt("prompts."+name, m.Prompts[name])...)
	}
	if _, ok := m.Menus[m.Start]; !ok {
		add("start", locale.Key("ivr.problem.menu_unknown"), "menu", m.Start)
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
			add(where, locale.Key("ivr.problem.menu_empty"))
			continue
		}
		if !validNodeID(id) {
			add(where, locale.Key("ivr.problem.menu_id"))
		}
		if n.Prompt.empty() {
			add(where+".prompt", locale.Key("ivr.problem.missing"))
		}
		p = append(p, checkPrompt(where+".prompt", n.Prompt)...)
		keys := make([]string, 0, len(n.Options))
		for key := range n.Options {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			o := n.Options[key]
			w := where + ".options." + key
			switch {
			case key == keyAgent || key == keyRepeat:
				add(w, locale.Key("ivr.problem.key_reserved"))
			case len(key) != 1 || !strings.Contains("12345678*#", key):
				add(w, locale.Key("ivr.problem.key_invalid"))
			}
			set := 0
			if o.Menu != "" {
				set++
				if _, ok := m.Menus[o.Menu]; !ok {
					add(w, locale.Key("ivr.problem.menu_unknown"), "menu", o.Menu)
				}
			}
			if o.Action != "" {
				set++
				switch o.Action {
				case actionStatus, actionVoicemail, actionCallback, actionAgent, actionHangup:
				default:
					add(w, locale.Key("ivr.problem.action_unknown"), "action", o.Action)
				}
			}
			if !o.Info.empty() {
				set++
				p = append(p, checkPrompt(w+".info", o.Info)...)
			}
			if set != 1 {
				add(w, locale.Key("ivr.problem.option_one"))
			}
		}
	}
	return p
}

func checkPrompt(where string, pr Prompt) []issue {
	if pr.Say != "" && pr.Play != "" {
		return []issue{newIssue(where, locale.Key("ivr.problem.say_or_play"))}
	}
	if pr.Play != "" && !absoluteURL(pr.Play) {
		return []issue{newIssue(where+".play", locale.Key("ivr.problem.url"))}
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
