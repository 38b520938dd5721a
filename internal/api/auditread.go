package api

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"tanggap/internal/audit"
	"tanggap/internal/locale"
)

// The audit log's settings lines in words. auditChange stores a change as
// "METHOD /api/v1/<resource>/... {json body}" (exact, and read as such by
// the data-subject requests: internal/dsr); the admin screen shows each
// such line as a sentence ("Antrean diubah: Insentif") and what was sent
// as labelled values, in the reader's language, with the stored line
// beside it for the exact record. Other lines (ticket actions, sign-ins)
// are shown as stored.

// auditLine is an audit line as the admin screen reads it.
type auditLine struct {
	audit.Entry
	// Summary says the change in words; "" for a line that is not a
	// settings change (or names a resource without words yet).
	Summary string `json:"summary,omitempty"`
	// Fields are the values sent, in the stored order (passwords were
	// masked before the line was written).
	Fields []auditField `json:"fields,omitempty"`
}

type auditField struct {
	Label string `json:"label"`
	Value string `json:"value"`
	// From and To are a changed field's old and new values in words
	// (Value says "From → To"); Changed tells such a field from a value
	// sent.
	Changed bool   `json:"changed,omitempty"`
	From    string `json:"from,omitempty"`
	To      string `json:"to,omitempty"`
}

// auditRoots are the paths auditChange records under, by the prefix of
// its actions.
var auditRoots = map[string]string{"admin.": "/api/v1/admin/", "settings.": "/api/v1/"}

// auditVerbs are the words for a change of a resource by its method.
var auditVerbs = map[string]string{"POST": "created", "PUT": "changed", "PATCH": "changed", "DELETE": "deleted"}

// auditUpserts are the resources whose PUT adds the thing when it is new
// (a queue is saved under its code): the line cannot tell which it was.
var auditUpserts = map[string]bool{"queues": true}

// auditSteps are the paths' last steps that name a change of their own,
// by resource, each said by a sentence (audit.step.<step>): an account
// deactivated, a citizen's data restricted (DELETE: the restriction
// lifted), … Only under their resource: a queue whose code is "run" is a
// queue saved, not old data removed.
var auditSteps = map[string]map[string]bool{
	"agents":    {"deactivate": true, "reactivate": true, "password": true, "routing": true},
	"subjects":  {"restrict": true, "erase": true},
	"retention": {"run": true},
}

// auditNameFields name the thing changed when the body carries it, in
// order of preference (else the path's id or code).
var auditNameFields = []string{"name", "title", "label", "label_id", "code", "email"}

// auditOtherLabel is, for a name field that is a label in Indonesian, the
// same label in English: a complaint category, a wrap-up code or a
// not-ready reason is named in the reader's language, as its screens show
// it, and the other label stays among the fields.
var auditOtherLabel = map[string]string{"label_id": "label_en"}

// readable words an audit line for lang; the line unchanged (no Summary)
// when it is not auditChange's or its resource has no words.
func (s *Server) readable(ctx context.Context, lang string, e audit.Entry, names auditNames) auditLine {
	out := auditLine{Entry: e}
	if summary, fields, ok := s.ticketWords(ctx, lang, e, names); ok {
		out.Summary, out.Fields = summary, fields
		return out
	}
	t := func(key string, args ...any) string { return s.o.Locale.T(lang, key, args...) }
	root := ""
	for prefix, r := range auditRoots {
		if strings.HasPrefix(e.Action, prefix) {
			root = r
		}
	}
	method, rest, _ := strings.Cut(e.Detail, " ")
	path, body, _ := strings.Cut(rest, " ")
	steps, ok := strings.CutPrefix(path, root)
	if root == "" || !ok || method == "" {
		return out
	}
	parts := strings.Split(steps, "/")
	resource := parts[0]
	// Keys are lower case with underscores (wrapup-codes: audit.res.wrapup_codes).
	resKey := "audit.res." + strings.ReplaceAll(resource, "-", "_")
	if !s.o.Locale.Has(lang, resKey) && !s.o.Locale.Has(locale.Default, resKey) {
		return out
	}
	// /<resource>, /<resource>/<id or code>, /<resource>/<id>/<step>, or
	// /<resource>/<step> (retention/run).
	step, name := "", ""
	switch {
	case len(parts) == 2 && auditSteps[resource][parts[1]]:
		step = parts[1]
	case len(parts) >= 2:
		name = parts[1]
		if last := parts[len(parts)-1]; len(parts) > 2 && auditSteps[resource][last] {
			step = last
		}
		if id, err := strconv.ParseInt(name, 10, 64); err == nil && resource != "holidays" {
			name = "#" + name
			if resource == "agents" {
				// Named as the account is now; a line that kept the name
				// (its body) names it as it was then, below.
				name = s.account(lang, names, id)
			}
		}
	}
	if step == "restrict" && method == "DELETE" {
		step = "restrict_lifted"
	}
	verb := auditVerbs[method]
	if method == "PUT" && auditUpserts[resource] {
		verb = "saved"
	}
	if step == "" && verb == "" {
		return out
	}
	fields, ok := auditBody(body)
	var changes []auditChangeRead
	changed := false
	if ok {
		if i := slices.IndexFunc(fields, func(f rawField) bool { return f.key == "changed" }); i >= 0 {
			if changes, changed = readChanges(fields[i].value); changed {
				fields = slices.Delete(fields, i, i+1)
			}
		}
		for _, k := range auditNameFields {
			i := slices.IndexFunc(fields, func(f rawField) bool { return f.key == k })
			if i < 0 {
				continue
			}
			if v, ok := fields[i].value.(string); ok && strings.TrimSpace(v) != "" {
				if other, ok := auditOtherLabel[k]; ok && lang == locale.English {
					j := slices.IndexFunc(fields, func(f rawField) bool { return f.key == other })
					if w, ok := fieldString(fields, j); ok {
						i, v = j, w
					}
				}
				name = v
				fields = slices.Delete(fields, i, i+1)
				break
			}
		}
		if !changed {
			for _, f := range fields {
				out.Fields = append(out.Fields, auditField{Label: s.auditLabel(lang, f.key), Value: s.auditValue(lang, f.key, f.value)})
			}
		}
		for _, ch := range changes {
			from, to := s.changeValue(lang, ch.field, ch.from), s.changeValue(lang, ch.field, ch.to)
			out.Fields = append(out.Fields, auditField{Label: s.changeLabel(lang, ch.field), Value: from + " → " + to,
				Changed: true, From: from, To: to})
		}
	}
	if changed && verb == "saved" {
		// A line with the old values was a thing that existed: changed.
		verb = "changed"
	}
	if step != "" {
		out.Summary = t("audit.step." + step)
	} else {
		out.Summary = t("audit.summary", "what", t(resKey), "verb", t("audit.verb."+verb))
	}
	if name != "" {
		out.Summary = t("audit.named", "summary", out.Summary, "name", name)
	}
	if changed && len(changes) == 0 {
		// Lines written before a save that changed nothing went
		// unrecorded (auditChange) still say so.
		out.Summary = t("audit.unchanged", "summary", out.Summary)
	}
	return out
}

// fieldString is fields[i]'s value when it is a string with text.
func fieldString(fields []rawField, i int) (string, bool) {
	if i < 0 {
		return "", false
	}
	v, ok := fields[i].value.(string)
	return v, ok && strings.TrimSpace(v) != ""
}

// auditChangeRead is one field of a line's "changed" (auditchange.go).
type auditChangeRead struct {
	field    string
	from, to any
}

// readChanges reads a line's "changed": a list of {field, from, to};
// false when v is not one (a body sent with a field of that name).
func readChanges(v any) ([]auditChangeRead, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]auditChangeRead, 0, len(list))
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, false
		}
		f, ok := m["field"].(string)
		if !ok || f == "" {
			return nil, false
		}
		out = append(out, auditChangeRead{field: f, from: m["from"], to: m["to"]})
	}
	return out, true
}

// changeLabel names a changed field by its path: an SLA target with its
// priority ("Target respons pertama (Tinggi)"), a day of the business
// hours by its name, else the first field's words with the steps under it
// in brackets (a channel's capacity: "Kapasitas per kanal", then the
// channel's name in brackets).
func (s *Server) changeLabel(lang, path string) string {
	parts := strings.Split(path, ".")
	if len(parts) == 3 && parts[0] == "sla" {
		if w, ok := s.words(lang, "audit.sla."+parts[2]); ok {
			return s.o.Locale.T(lang, "audit.in", "what", w, "where", s.code(lang, "priority.", parts[1]))
		}
	}
	if len(parts) == 1 {
		return s.auditLabel(lang, path)
	}
	sub := make([]string, 0, len(parts)-1)
	for i, p := range parts[1:] {
		parent := parts[i]
		switch {
		case slices.Contains(weekOrder, p):
			sub = append(sub, s.o.Locale.T(lang, "launcher.day_"+p))
		case parent == "sla":
			sub = append(sub, s.code(lang, "priority.", p))
		case parent == "holidays":
			sub = append(sub, p)
		default:
			sub = append(sub, s.auditLabel(lang, p))
		}
	}
	return s.o.Locale.T(lang, "audit.in", "what", s.auditLabel(lang, parts[0]), "where", strings.Join(sub, ", "))
}

// changeValue writes a changed field's value by its last step's rules
// (auditValue); a field that was not there, or is no more, is a dash.
func (s *Server) changeValue(lang, path string, v any) string {
	parts := strings.Split(path, ".")
	key := parts[len(parts)-1]
	if len(parts) == 2 && slices.Contains(weekOrder, key) {
		key = parts[0]
	}
	if n, ok := v.(json.Number); ok && slaTargets[key] && n.String() == "0" {
		return "—" // no target, as the queue form shows it
	}
	return s.auditValue(lang, key, v)
}

// code is a code's words under prefix, else the code.
func (s *Server) code(lang, prefix, c string) string {
	if w, ok := s.words(lang, prefix+c); ok {
		return w
	}
	return c
}

// slaTargets are an SLA policy's fields (0: no target, or the default lead).
var slaTargets = map[string]bool{"first_response_seconds": true, "next_response_seconds": true, "resolution_seconds": true, "warn_before_seconds": true}

// duration says a number of seconds as an officer would: "15 menit",
// "1 jam 30 menit", "2 hari" (the largest units that hold it whole).
func (s *Server) duration(lang string, secs int64) string {
	if secs < 0 {
		return strconv.FormatInt(secs, 10)
	}
	if secs == 0 {
		return s.o.Locale.T(lang, "audit.dur.seconds", "n", 0)
	}
	var parts []string
	for _, u := range []struct {
		n    int64
		unit string
	}{{86400, "days"}, {3600, "hours"}, {60, "minutes"}, {1, "seconds"}} {
		if q := secs / u.n; q > 0 {
			key := "audit.dur." + u.unit
			if q == 1 {
				key += "_one"
			}
			parts = append(parts, s.o.Locale.T(lang, key, "n", q))
			secs -= q * u.n
		}
	}
	return strings.Join(parts, " ")
}

type rawField struct {
	key   string
	value any
}

// auditBody reads a stored JSON object keeping its keys' order; false
// when there is none or it was cut (audit lines are kept to 2,000 bytes).
func auditBody(body string) ([]rawField, bool) {
	if strings.TrimSpace(body) == "" {
		return nil, false
	}
	d := json.NewDecoder(strings.NewReader(body))
	d.UseNumber()
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var out []rawField
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return nil, false
		}
		key, _ := tok.(string)
		var v any
		if err := d.Decode(&v); err != nil {
			return nil, false
		}
		out = append(out, rawField{key: key, value: v})
	}
	return out, true
}

// auditLabel names a field: its words when it has some, a channel by its
// name (a channel's capacity is keyed by channel), else the field itself
// with spaces ("limit_seconds": "limit seconds").
func (s *Server) auditLabel(lang, key string) string {
	if w, ok := s.words(lang, "audit.field."+key); ok {
		return w
	}
	if w, ok := s.words(lang, "channel."+key); ok {
		return w
	}
	return strings.ReplaceAll(key, "_", " ")
}

// auditCodes are the fields whose values are codes with words of their
// own, by the prefix of those words' keys.
var auditCodes = map[string]string{"channel": "channel.", "channels": "channel.", "strategy": "admin.strategy_",
	"role": "role.", "kind": "audit.kind.", "priority": "priority.", "permissions": "perm.",
	"lang": "audit.lang.", "language": "audit.lang."}

// auditRefs are the fields whose values are ids of other things (a
// macro's canned reply, the agent it transfers to): read as "#12".
var auditRefs = map[string]bool{"canned_id": true, "transfer_agent_id": true}

// words is key's text for lang when the catalog has it (in lang or the
// default language).
func (s *Server) words(lang, key string) (string, bool) {
	if s.o.Locale.Has(lang, key) || s.o.Locale.Has(locale.Default, key) {
		return s.o.Locale.T(lang, key), true
	}
	return "", false
}

var weekOrder = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// auditValue writes field key's value for reading: codes in words (a
// channel, a role, a strategy), lists joined, yes and no in words,
// objects as "key: value" pairs (weekdays by name, in the week's order),
// nothing as a dash.
func (s *Server) auditValue(lang, key string, v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		if x == "" {
			return "—"
		}
		if prefix, ok := auditCodes[key]; ok {
			// A code as a key's last part: "en-US" is audit.lang.en_us.
			if w, ok := s.words(lang, prefix+strings.ToLower(strings.ReplaceAll(x, "-", "_"))); ok {
				return w
			}
		}
		return x
	case json.Number:
		if auditRefs[key] {
			return "#" + x.String()
		}
		if strings.HasSuffix(key, "_seconds") {
			if n, err := x.Int64(); err == nil {
				return s.duration(lang, n)
			}
		}
		return x.String()
	case bool:
		if x {
			return s.o.Locale.T(lang, "audit.yes")
		}
		return s.o.Locale.T(lang, "audit.no")
	case []any:
		if len(x) == 0 {
			return "—"
		}
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = s.auditValue(lang, key, e)
			if _, ok := e.(map[string]any); ok {
				parts[i] = "(" + parts[i] + ")"
			}
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		if len(x) == 0 {
			return "—"
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int {
			ia, ib := slices.Index(weekOrder, a), slices.Index(weekOrder, b)
			if ia >= 0 && ib >= 0 {
				return ia - ib
			}
			return strings.Compare(a, b)
		})
		var b bytes.Buffer
		for i, k := range keys {
			if i > 0 {
				b.WriteString("; ")
			}
			label := s.auditLabel(lang, k)
			if slices.Contains(weekOrder, k) {
				label = s.o.Locale.T(lang, "launcher.day_"+k)
			}
			if key == "sla" {
				label = s.code(lang, "priority.", k) // the SLA's targets by priority
			}
			b.WriteString(label + ": " + s.auditValue(lang, k, x[k]))
		}
		return b.String()
	}
	return ""
}
