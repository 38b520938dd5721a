package voice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"tanggap/internal/locale"
)

// The IVR menu on the admin screens: the menu in force shown as a tree,
// a new one (YAML or JSON, the menu file's format) checked with every
// problem placed on its line and path, and applied only when valid. An
// applied menu is stored (ivr_menus); every instance takes the newest at
// the start of a call, so it serves new calls while a call under way
// keeps the menu it began with for its current step.

// loadedMenu is a menu in force: the parsed menu, its text, and the
// stored version it came from (0: the configuration).
type loadedMenu struct {
	menu    *Menu
	source  []byte
	version int64
}

// menu is the menu in force.
func (a *Adapter) menu() *Menu { return a.current.Load().menu }

// MenuProblem is one problem of a menu text: where (a dotted path such as
// menus.main.options.1, and its line when known) and what: Key names it
// in the translation files, Message tells it with its line and path (in
// English from CheckMenu; Localize renders it in the reader's language).
type MenuProblem struct {
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Key     string `json:"key"`
	Message string `json:"message"`
	args    []any
}

// MenuMaxBytes bounds an uploaded menu.
const MenuMaxBytes = 256 << 10

var lineRE = regexp.MustCompile(`line (\d+)`)

// CheckMenu parses and validates a menu text: the menu, or every problem
// (a syntax error, unknown keys, the validator's findings), each with
// the line of the YAML node its path names.
func CheckMenu(data []byte) (*Menu, []MenuProblem) {
	m, problems := checkMenu(data)
	return m, Localize(builtin(), locale.English, problems)
}

func checkMenu(data []byte) (*Menu, []MenuProblem) {
	if len(data) > MenuMaxBytes {
		return nil, []MenuProblem{{Key: locale.Key("ivr.problem.too_large"), args: []any{"kib", MenuMaxBytes >> 10}}}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, []MenuProblem{{Key: locale.Key("ivr.problem.empty")}}
	}
	var m Menu
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			out := make([]MenuProblem, 0, len(te.Errors))
			for _, e := range te.Errors {
				out = append(out, decodeProblem(e))
			}
			return nil, out
		}
		return nil, []MenuProblem{decodeProblem(err.Error())}
	}
	m.defaults()
	found := m.validate()
	if len(found) == 0 {
		return &m, nil
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root) // decoded above: cannot fail
	out := make([]MenuProblem, 0, len(found))
	for _, p := range found {
		out = append(out, MenuProblem{Path: p.path, Line: nodeLine(&root, p.path), Key: p.key, args: p.args})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return nil, out
}

func lineOf(s string) int {
	if m := lineRE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// nodeLine is the line of the node at the dotted path, or of its nearest
// ancestor that exists (a missing prompt points at prompts:).
func nodeLine(root *yaml.Node, path string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, part := range strings.Split(path, ".") {
		if n == nil || n.Kind != yaml.MappingNode {
			break
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == part {
				line, next = n.Content[i].Line, n.Content[i+1]
				break
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return line
}

// MenuState is the menu in force for the admin screen.
type MenuState struct {
	Version int64    `json:"version"`
	Source  string   `json:"source"`
	Tree    MenuTree `json:"tree"`
}

// MenuTree is the menu as the admin screen draws it.
type MenuTree struct {
	Start    string     `json:"start"`
	Language string     `json:"language"`
	Menus    []TreeNode `json:"menus"`
}

// TreeNode is one menu with its keys in order.
type TreeNode struct {
	ID      string       `json:"id"`
	Prompt  string       `json:"prompt"`
	Options []TreeOption `json:"options"`
}

// TreeOption is what one key does: kind menu (target: the submenu),
// action (target: the action) or info (target: the text or recording).
type TreeOption struct {
	Key    string `json:"key"`
	Kind   string `json:"kind"`
	Target string `json:"target"`
}

func promptText(p Prompt) string {
	if p.Play != "" {
		return "▶ " + p.Play
	}
	return p.Say
}

// TreeOf is m as a tree: menus sorted by id with the start first, keys
// in keypad order.
func TreeOf(m *Menu) MenuTree {
	t := MenuTree{Start: m.Start, Language: m.Language}
	ids := make([]string, 0, len(m.Menus))
	for id := range m.Menus {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if (ids[i] == m.Start) != (ids[j] == m.Start) {
			return ids[i] == m.Start
		}
		return ids[i] < ids[j]
	})
	for _, id := range ids {
		n := m.Menus[id]
		node := TreeNode{ID: id, Prompt: promptText(n.Prompt)}
		keys := make([]string, 0, len(n.Options))
		for k := range n.Options {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keyOrder(keys[i]) < keyOrder(keys[j]) })
		for _, k := range keys {
			o := n.Options[k]
			switch {
			case o.Menu != "":
				node.Options = append(node.Options, TreeOption{Key: k, Kind: "menu", Target: o.Menu})
			case o.Action != "":
				node.Options = append(node.Options, TreeOption{Key: k, Kind: "action", Target: o.Action})
			default:
				node.Options = append(node.Options, TreeOption{Key: k, Kind: "info", Target: promptText(o.Info)})
			}
		}
		t.Menus = append(t.Menus, node)
	}
	return t
}

func keyOrder(k string) int { return strings.Index("12345678*#09", k) }

// MenuState returns the menu in force (the newest stored one first).
func (a *Adapter) MenuState(ctx context.Context) (MenuState, error) {
	if err := a.refreshMenu(ctx); err != nil {
		return MenuState{}, err
	}
	cur := a.current.Load()
	src := cur.source
	if src == nil {
		src = DefaultMenu
	}
	return MenuState{Version: cur.version, Source: string(src), Tree: TreeOf(cur.menu)}, nil
}

// ErrMenuProblems: the menu was not applied; the problems say why.
type ErrMenuProblems struct{ Problems []MenuProblem }

func (e *ErrMenuProblems) Error() string {
	return fmt.Sprintf("voice: menu refused (%d problems)", len(e.Problems))
}

// ApplyMenu checks data and, when valid, stores it as the menu in force
// for new calls (on every instance); agentID is who applied it.
func (a *Adapter) ApplyMenu(ctx context.Context, data []byte, agentID int64) (MenuState, error) {
	m, problems := CheckMenu(data)
	if len(problems) > 0 {
		return MenuState{}, &ErrMenuProblems{Problems: problems}
	}
	if a.o.DB == nil {
		return MenuState{}, errors.New("voice: no database to keep the menu")
	}
	problems, err := a.unknownQueues(ctx, m, data)
	if err != nil {
		return MenuState{}, err
	}
	if len(problems) > 0 {
		return MenuState{}, &ErrMenuProblems{Problems: problems}
	}
	var who any
	if agentID > 0 {
		who = agentID
	}
	var id int64
	if err := a.o.DB.WithContext(ctx).Raw(`INSERT INTO ivr_menus (body, agent_id, created_at) VALUES (?, ?, ?) RETURNING id`,
		string(data), who, time.Now().UTC()).Scan(&id).Error; err != nil {
		return MenuState{}, fmt.Errorf("voice: store menu: %w", err)
	}
	a.swapMenu(&loadedMenu{menu: m, source: append([]byte(nil), data...), version: id})
	return MenuState{Version: id, Source: string(data), Tree: TreeOf(m)}, nil
}

// unknownQueues: the queues a menu sends calls to must exist (at start
// the configured menu's queues are created; a menu applied later must
// name existing ones).
func (a *Adapter) unknownQueues(ctx context.Context, m *Menu, data []byte) ([]MenuProblem, error) {
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root) // checked by CheckMenu
	var out []MenuProblem
	for _, q := range []struct{ path, code string }{{"queues.agent", m.Queues.Agent}, {"queues.callback", m.Queues.Callback}} {
		var n int64
		if err := a.o.DB.WithContext(ctx).Raw(`SELECT COUNT(*) FROM queues WHERE code = ?`, q.code).Scan(&n).Error; err != nil {
			return nil, fmt.Errorf("voice: menu queue %s: %w", q.code, err)
		}
		if n == 0 {
			p := MenuProblem{Path: q.path, Line: nodeLine(&root, q.path), Key: locale.Key("ivr.problem.queue_unknown"), args: []any{"queue", q.code}}
			p.Message = p.render(builtin(), locale.English)
			out = append(out, p)
		}
	}
	return out, nil
}

// swapMenu puts l in force unless a newer version already is.
func (a *Adapter) swapMenu(l *loadedMenu) {
	for {
		cur := a.current.Load()
		if cur.version >= l.version || a.current.CompareAndSwap(cur, l) {
			return
		}
	}
}

// latestMenuSQL is the newest stored menu's version, on the primary key.
const latestMenuSQL = `SELECT COALESCE(MAX(id), 0) FROM ivr_menus`

// refreshMenu takes the newest stored menu when another instance (or an
// earlier run) applied one. A stored menu that no longer validates (a
// newer binary's stricter rules) is logged and the one in force kept.
func (a *Adapter) refreshMenu(ctx context.Context) error {
	if a.o.DB == nil {
		return nil
	}
	var id int64
	if err := a.o.DB.WithContext(ctx).Raw(latestMenuSQL).Scan(&id).Error; err != nil {
		return fmt.Errorf("voice: newest menu: %w", err)
	}
	if id <= a.current.Load().version {
		return nil
	}
	var body string
	if err := a.o.DB.WithContext(ctx).Raw(`SELECT body FROM ivr_menus WHERE id = ?`, id).Scan(&body).Error; err != nil {
		return fmt.Errorf("voice: menu %d: %w", id, err)
	}
	m, problems := CheckMenu([]byte(body))
	if len(problems) > 0 {
		if a.o.Log != nil {
			a.o.Log.Error("voice: stored menu no longer valid; keeping the one in force", "version", id, "problems", len(problems))
		}
		return nil
	}
	a.swapMenu(&loadedMenu{menu: m, source: []byte(body), version: id})
	return nil
}
