package api

import (
	"context"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/audit"
)

// The audit log's other lines in words: what agents and supervisors did
// to tickets (ticket.status "open -> pending", ticket.assign "agent 3 ->
// agent 5", …), queues removed and supervisors' actions on the board, as
// written by internal/ticket, internal/routing and the wallboard. The
// accounts these lines (and the settings lines of an account changed by
// id) name are read for a page of lines at once (auditNames), one query.

// auditNames are the names of the accounts a page of lines names, by id;
// nil when they were not read (every id then reads "#id").
type auditNames map[int64]string

var agentRef = regexp.MustCompile(`\bagent (\d+)`)

// auditAccountIDs lists the accounts a line names by id only: "agent N"
// in a ticket or board line, the id in the path of an account's settings
// line that carries no name.
func auditAccountIDs(e audit.Entry) []int64 {
	var ids []int64
	if strings.HasPrefix(e.Action, "ticket.") || strings.HasPrefix(e.Action, "wallboard.") {
		for _, m := range agentRef.FindAllStringSubmatch(e.Detail, -1) {
			if id, err := strconv.ParseInt(m[1], 10, 64); err == nil && id > 0 {
				ids = append(ids, id)
			}
		}
	}
	for prefix, root := range auditRoots {
		if !strings.HasPrefix(e.Action, prefix) || !strings.HasSuffix(e.Action, ".agents") {
			continue
		}
		_, rest, _ := strings.Cut(e.Detail, " ")
		path, body, _ := strings.Cut(rest, " ")
		steps, ok := strings.CutPrefix(path, root+"agents/")
		if !ok || strings.Contains(body, `"name"`) {
			continue
		}
		idPart, _, _ := strings.Cut(steps, "/")
		if id, err := strconv.ParseInt(idPart, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// namesFor reads the names of the accounts a page of lines names, in one
// query by primary key.
func (s *Server) namesFor(ctx context.Context, list []audit.Entry) (auditNames, error) {
	seen := map[int64]bool{}
	var ids []int64
	for _, e := range list {
		for _, id := range auditAccountIDs(e) {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	out := auditNames{}
	if len(ids) == 0 || s.o.Agents == nil {
		return out, nil
	}
	found, err := s.o.Agents.GetMany(ctx, ids)
	if err != nil {
		return nil, err
	}
	for id, a := range found {
		out[id] = a.Name
	}
	return out, nil
}

// account names an account by id: its name, or the id with a word when
// the account is no more.
func (s *Server) account(lang string, names auditNames, id int64) string {
	if n, ok := names[id]; ok && n != "" {
		return n
	}
	if names == nil {
		return "#" + strconv.FormatInt(id, 10)
	}
	return s.o.Locale.T(lang, "audit.account_gone", "id", id)
}

// accountRef reads "agent N" (0: nobody) as a name.
func (s *Server) accountRef(lang string, names auditNames, ref string) string {
	m := agentRef.FindStringSubmatch(ref)
	if m == nil {
		return ref
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	if id == 0 {
		return "—"
	}
	return s.account(lang, names, id)
}

// queueName names a queue by its code, from the cached queue list.
func (s *Server) queueName(ctx context.Context, code string) string {
	if s.o.Queues == nil || code == "" {
		return code
	}
	list, err := s.o.Queues.QueueNames(ctx)
	if err != nil {
		return code
	}
	for _, q := range list {
		if q.Code == code {
			return q.Name
		}
	}
	return code
}

// ticketWords words a line that is not a settings change; false when its
// action has no words (it is then shown as stored).
func (s *Server) ticketWords(ctx context.Context, lang string, e audit.Entry, names auditNames) (string, []auditField, bool) {
	key := "audit.act." + strings.NewReplacer(".", "_", "-", "_").Replace(e.Action)
	if _, ok := s.words(lang, key); !ok {
		return "", nil, false
	}
	t := func(key string, args ...any) string { return s.o.Locale.T(lang, key, args...) }
	summary := t(key)
	change := func(label, from, to string) auditField {
		return auditField{Label: label, Value: from + " → " + to, Changed: true, From: from, To: to}
	}
	field := func(label, value string) auditField { return auditField{Label: label, Value: value} }
	d := e.Detail
	var fields []auditField
	switch e.Action {
	case "ticket.status", "ticket.priority":
		// "open -> pending", and from the automatic closing ": why".
		prefix, labelKey := "ticket_status.", "audit.field.status"
		if e.Action == "ticket.priority" {
			prefix, labelKey = "priority.", "audit.field.priority"
		}
		change0, why, _ := strings.Cut(d, ": ")
		if from, to, ok := strings.Cut(change0, " -> "); ok {
			fields = append(fields, change(t(labelKey), s.code(lang, prefix, from), s.code(lang, prefix, to)))
			if why != "" {
				fields = append(fields, field(t("audit.field.detail"), why))
			}
		} else if d != "" {
			fields = append(fields, field(t("audit.field.detail"), d))
		}
	case "ticket.assign":
		if from, to, ok := strings.Cut(d, " -> "); ok {
			fields = append(fields, change(t("audit.field.assignee"), s.accountRef(lang, names, from), s.accountRef(lang, names, to)))
		}
	case "ticket.transfer":
		kind, rest, _ := strings.Cut(d, ": ")
		if kind == "release" {
			summary = t("audit.act.ticket_release")
		}
		if from, to, ok := strings.Cut(rest, " -> "); ok {
			target := s.accountRef(lang, names, to)
			if q, ok := strings.CutPrefix(to, "queue"); ok {
				target = t("audit.its_queue")
				if q = strings.TrimSpace(q); q != "" {
					target = s.queueName(ctx, q)
				}
			}
			fields = append(fields, change(t("audit.field.assignee"), s.accountRef(lang, names, from), target))
		}
	case "ticket.returned":
		if w, ok := s.words(lang, "audit.returned."+strings.ReplaceAll(d, " ", "_")); ok {
			fields = append(fields, field(t("audit.field.reason"), w))
		} else if d != "" {
			fields = append(fields, field(t("audit.field.reason"), d))
		}
	case "ticket.tags":
		v := d
		if v == "" {
			v = "—"
		}
		fields = append(fields, field(t("audit.field.tags"), v))
	case "ticket.wrapup":
		fields = append(fields, field(t("audit.field.wrapup_code"), d))
	case "queue.remove":
		// "queue X removed -> queue Y" on each moved ticket, else the
		// service's own words.
		if from, to, ok := strings.Cut(d, " removed -> queue "); ok {
			fields = append(fields, field(t("audit.field.queue"), s.queueName(ctx, strings.TrimPrefix(from, "queue "))),
				field(t("audit.field.moved_to"), s.queueName(ctx, to)))
		} else if d != "" {
			fields = append(fields, field(t("audit.field.detail"), d))
		}
	case "complaint.identity_revealed":
		fields = append(fields, field(t("audit.field.reason"), strings.TrimPrefix(d, "reason: ")))
	case "wallboard.presence":
		// "agent 5: away istirahat"
		who, rest, _ := strings.Cut(d, ": ")
		state, reason, _ := strings.Cut(rest, " ")
		summary = t("audit.named", "summary", summary, "name", s.accountRef(lang, names, who))
		fields = append(fields, field(t("audit.field.presence"), s.code(lang, "presence.", state)))
		if reason = strings.TrimSpace(reason); reason != "" {
			fields = append(fields, field(t("audit.field.reason"), s.reasonLabel(ctx, lang, reason)))
		}
	case "wallboard.move":
		// "agent 5 → agent 7 queue "x": moved [3 4], refused [6]"; a move
		// to a queue names agent 0 and the queue.
		head, rest, _ := strings.Cut(d, ": ")
		if m := agentRef.FindAllStringSubmatch(head, 2); len(m) > 0 {
			summary = t("audit.named", "summary", summary, "name", s.accountRef(lang, names, m[0][0]))
			if len(m) > 1 && m[1][1] != "0" {
				fields = append(fields, field(t("audit.field.moved_to"), s.accountRef(lang, names, m[1][0])))
			} else if q := moveQueue.FindStringSubmatch(head); q != nil {
				if code, err := strconv.Unquote(q[1]); err == nil && code != "" {
					fields = append(fields, field(t("audit.field.moved_to"), t("wallboard.queue_named", "queue", s.queueName(ctx, code))))
				}
			}
		}
		if m := moveCounts.FindStringSubmatch(rest); m != nil {
			fields = append(fields, field(t("audit.field.tickets_moved"), ticketList(t, m[1])),
				field(t("audit.field.tickets_refused"), ticketList(t, m[2])))
		} else if rest != "" {
			fields = append(fields, field(t("audit.field.detail"), rest))
		}
	}
	return summary, fields, true
}

// moveQueue and moveCounts read a supervisor's "move all" line: the
// queue the tickets went back to, the tickets moved and refused.
var (
	moveQueue  = regexp.MustCompile(`\bqueue ("(?:[^"\\]|\\.)*")`)
	moveCounts = regexp.MustCompile(`^moved \[([0-9 ]*)\], refused \[([0-9 ]*)\]$`)
)

// ticketList words a list of ticket ids as written by fmt ("3 4"): how
// many, and which; "—" for none.
func ticketList(t func(string, ...any) string, ids string) string {
	list := strings.Fields(ids)
	if len(list) == 0 {
		return "—"
	}
	key := "audit.ticket_list"
	if len(list) == 1 {
		key += "_one"
	}
	return t(key, "n", len(list), "ids", "#"+strings.Join(list, ", #"))
}

// reasonLabel names a not-ready reason by its label in the reader's
// language (a retired reason too); the code when it is unknown.
func (s *Server) reasonLabel(ctx context.Context, lang, code string) string {
	if s.o.Wallboard == nil {
		return code
	}
	list, err := s.o.Wallboard.Reasons(ctx, true)
	if err != nil {
		return code
	}
	for _, r := range list {
		if r.Code != code {
			continue
		}
		if strings.HasPrefix(lang, "en") && r.LabelEN != "" {
			return r.LabelEN
		}
		if r.LabelID != "" {
			return r.LabelID
		}
	}
	return code
}

// auditSettingsCode is the code of every auditSettings method value.
var auditSettingsCode = reflect.ValueOf((&Server{}).auditSettings).Pointer()

// auditedBy says which audit prefix records a route's changes
// ("settings." for a route carrying auditSettings, "admin." for a change
// under /api/v1/admin, which auditAdmin wraps), "" for none.
func auditedBy(r fiber.Route) string {
	if r.Method == fiber.MethodGet || r.Method == fiber.MethodHead || r.Method == "USE" {
		return ""
	}
	for _, h := range r.Handlers {
		if reflect.ValueOf(h).Pointer() == auditSettingsCode {
			return "settings."
		}
	}
	if strings.HasPrefix(r.Path, "/api/v1/admin/") {
		return "admin."
	}
	return ""
}

// auditAction is one entry of the audit screen's action filter: the
// stored code it filters by, in words.
type auditAction struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	// Group: "settings" or "tickets", for the list's headings.
	Group string `json:"group"`
}

// auditLineActions are the actions of the lines written outside the
// settings routes that have words (audit.act.*), in the order offered.
var auditLineActions = []string{"ticket.status", "ticket.priority", "ticket.assign", "ticket.transfer", "ticket.returned", "ticket.reply",
	"ticket.note", "ticket.tags", "ticket.wrapup", "ticket.contact_moved", "ticket.transcript", "complaint.identity_revealed",
	"queue.remove", "wallboard.presence", "wallboard.move"}

var routeParam = regexp.MustCompile(`:[a-zA-Z]+(<[a-z]+>)?`)

// auditActions lists the actions the filter offers, in words: every
// audited settings route's (the words of its lines, each way a route of
// that action reads joined), then the ticket and board lines'.
func (s *Server) auditActions(lang string, routes []fiber.Route) []auditAction {
	var out []auditAction
	at := map[string]int{}
	for _, r := range routes {
		prefix := auditedBy(r)
		if prefix == "" {
			continue
		}
		// The path's parameters empty: the words without a name.
		path := routeParam.ReplaceAllString(r.Path, "")
		resource, _, _ := strings.Cut(strings.TrimPrefix(path, auditRoots[prefix]), "/")
		code := prefix + strings.ToLower(r.Method) + "." + resource
		l := s.readable(context.Background(), lang, audit.Entry{Action: code, Detail: r.Method + " " + path}, nil)
		if l.Summary == "" {
			continue
		}
		i, ok := at[code]
		if !ok {
			at[code] = len(out)
			out = append(out, auditAction{Code: code, Label: l.Summary, Group: "settings"})
			continue
		}
		if !slices.Contains(strings.Split(out[i].Label, " / "), l.Summary) {
			out[i].Label += " / " + l.Summary
		}
	}
	slices.SortFunc(out, func(a, b auditAction) int { return strings.Compare(a.Label, b.Label) })
	for _, code := range auditLineActions {
		if w, ok := s.words(lang, "audit.act."+strings.ReplaceAll(code, ".", "_")); ok {
			out = append(out, auditAction{Code: code, Label: w, Group: "tickets"})
		}
	}
	return out
}
