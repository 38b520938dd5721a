package api

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// What a settings change changed. A handler that reads the thing before
// changing it (in the service's transaction where there is one) hands the
// old and the new to auditChange with auditChanged; the audit line then
// keeps, instead of the whole body sent, the thing's name and each field
// that changed with its old and new value:
//
//	PUT /api/v1/admin/queues/insentif {"name":"Insentif","changed":[{"field":"sla.high.first_response_seconds","from":1800,"to":900}]}
//
// Lines written before (the body as sent) and lines of a change without a
// before (a thing created) keep the old shape, and the reader
// (auditread.go) tells the two apart by "changed". The method and path
// lead as before, so the data-subject requests (internal/dsr) still find a
// citizen's lines by them and drop what follows.

// localAuditChange is the fiber local carrying a handler's auditBefore.
const localAuditChange = "audit.change"

type auditBeforeAfter struct{ before, after any }

// localAuditName is the fiber local naming the thing a line without a
// before and after is about (an account deactivated), kept as "name".
const localAuditName = "audit.name"

// auditChanged tells auditChange what a change left: the thing as it was
// and as it is, each in the shape the API answers with (or a smaller one
// with the fields that matter). Fields are compared by their JSON: nested
// objects field by field ("sla.high.first_response_seconds"), lists as a
// whole. Passwords are never compared nor kept.
func auditChanged(c *fiber.Ctx, before, after any) {
	c.Locals(localAuditChange, auditBeforeAfter{before: before, after: after})
}

// auditChangeBody writes the stored body of a change: the thing's name
// (its first auditNameFields field in after; a label_id with its label_en,
// so the reader names it in their language) and the fields that changed,
// in after's order, then those only before had. changed is false when no
// field changed; ok false when the values do not read as JSON objects.
func auditChangeBody(before, after any) (body string, changed, ok bool) {
	b, okB := leaves(before)
	a, okA := leaves(after)
	if !okB || !okA {
		return "", false, false
	}
	old := map[string]json.RawMessage{}
	for _, l := range b {
		old[l.path] = l.value
	}
	seen := map[string]bool{}
	type change struct {
		Field string          `json:"field"`
		From  json.RawMessage `json:"from"`
		To    json.RawMessage `json:"to"`
	}
	null := json.RawMessage("null")
	changes := []change{}
	for _, l := range a {
		seen[l.path] = true
		o, ok := old[l.path]
		if !ok {
			o = null
		}
		if !bytes.Equal(o, l.value) {
			changes = append(changes, change{Field: l.path, From: o, To: l.value})
		}
	}
	for _, l := range b {
		if !seen[l.path] && !bytes.Equal(l.value, null) {
			changes = append(changes, change{Field: l.path, From: l.value, To: null})
		}
	}
	var out bytes.Buffer
	out.WriteString("{")
	for _, k := range auditNameFields {
		i := -1
		for j, l := range a {
			if l.path == k {
				i = j
				break
			}
		}
		if i >= 0 {
			names := []leaf{a[i]}
			if other, ok := auditOtherLabel[k]; ok {
				for _, l := range a {
					if l.path == other {
						names = append(names, l)
					}
				}
			}
			for _, l := range names {
				key, _ := json.Marshal(l.path)
				out.Write(key)
				out.WriteString(":")
				out.Write(l.value)
				out.WriteString(",")
			}
			break
		}
	}
	list, err := json.Marshal(changes)
	if err != nil {
		return "", false, false
	}
	out.WriteString(`"changed":`)
	out.Write(list)
	out.WriteString("}")
	return out.String(), len(changes) > 0, true
}

type leaf struct {
	path  string
	value json.RawMessage
}

// leaves lists v's JSON fields by dotted path, objects opened, lists and
// other values kept whole (compacted, so equal values compare equal);
// fields naming a password and the id are left out.
func leaves(v any) ([]leaf, bool) {
	if v == nil {
		return nil, true
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	var out []leaf
	var walk func(prefix string, raw json.RawMessage) bool
	walk = func(prefix string, raw json.RawMessage) bool {
		d := json.NewDecoder(bytes.NewReader(raw))
		if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
			return false
		}
		for d.More() {
			tok, err := d.Token()
			if err != nil {
				return false
			}
			key, _ := tok.(string)
			var val json.RawMessage
			if err := d.Decode(&val); err != nil {
				return false
			}
			if strings.Contains(strings.ToLower(key), "password") || (prefix == "" && key == "id") {
				continue
			}
			path := prefix + key
			if len(val) > 0 && val[0] == '{' && !bytes.Equal(bytes.TrimSpace(val), []byte("{}")) {
				if !walk(path+".", val) {
					return false
				}
				continue
			}
			var c bytes.Buffer
			if err := json.Compact(&c, val); err != nil {
				return false
			}
			value := c.Bytes()
			if bytes.Equal(value, []byte("{}")) {
				// An empty object is no field: {} before and a field
				// after is that field added.
				continue
			}
			if bytes.Equal(value, []byte("[]")) {
				// No list and an empty one say the same (a queue read
				// back has [] where the request sent nothing).
				value = []byte("null")
			}
			out = append(out, leaf{path: path, value: value})
		}
		return true
	}
	if !walk("", raw) {
		return nil, false
	}
	return out, true
}
