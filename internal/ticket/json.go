package ticket

import (
	"encoding/json"
	"strconv"
	"time"
)

// AppendJSON appends the page as the list API answers it: the tickets,
// and with Filter.WithTags the cursor (empty too) and the tags by ticket
// id; without, the cursor only when there is one (as encoding/json
// writes Page).
func (p *Page) AppendJSON(b []byte, withTags bool) []byte {
	b = append(b, `{"tickets":[`...)
	for i := range p.Tickets {
		if i > 0 {
			b = append(b, ',')
		}
		b = p.Tickets[i].AppendJSON(b)
	}
	b = append(b, ']')
	if p.NextCursor != "" || withTags {
		b = append(b, `,"next_cursor":`...)
		b = AppendJSONString(b, p.NextCursor)
	}
	if withTags {
		b = append(b, `,"tags":{`...)
		n := 0
		for i := range p.Tickets {
			names, ok := p.Tags[p.Tickets[i].ID]
			if !ok {
				continue
			}
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = append(b, '"')
			b = strconv.AppendInt(b, p.Tickets[i].ID, 10)
			b = append(b, `":[`...)
			for j, name := range names {
				if j > 0 {
					b = append(b, ',')
				}
				b = AppendJSONString(b, name)
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

// AppendJSON appends t as encoding/json writes it (the same bytes:
// TestSummaryJSONAsEncodingJSON), without reflection: the inbox writes
// a page of them on every request, where the reflective encoder was a
// tenth of the server's CPU (BenchmarkInboxHTTP).
func (t *Summary) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, t.ID, 10)
	b = append(b, `,"tracking_number":`...)
	b = AppendJSONString(b, t.TrackingNumber)
	b = append(b, `,"status":`...)
	b = AppendJSONString(b, string(t.Status))
	b = append(b, `,"priority":`...)
	b = AppendJSONString(b, string(t.Priority))
	b = append(b, `,"channel":`...)
	b = AppendJSONString(b, t.Channel)
	b = append(b, `,"category":`...)
	b = AppendJSONString(b, t.Category)
	b = append(b, `,"subject":`...)
	b = AppendJSONString(b, t.Subject)
	b = append(b, `,"contact_id":`...)
	b = strconv.AppendInt(b, t.ContactID, 10)
	b = append(b, `,"contact_name":`...)
	b = AppendJSONString(b, t.ContactName)
	b = append(b, `,"queue_id":`...)
	b = appendIntPtr(b, t.QueueID)
	b = append(b, `,"queue":`...)
	b = AppendJSONString(b, t.Queue)
	b = append(b, `,"assignee_id":`...)
	b = appendIntPtr(b, t.AssigneeID)
	b = append(b, `,"assignee_name":`...)
	b = AppendJSONString(b, t.AssigneeName)
	b = append(b, `,"created_at":`...)
	b = appendTime(b, t.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, t.UpdatedAt)
	b = append(b, `,"last_message_at":`...)
	b = appendTime(b, t.LastMessageAt)
	b = append(b, `,"first_response_at":`...)
	b = appendTimePtr(b, t.FirstResponseAt)
	b = append(b, `,"solved_at":`...)
	b = appendTimePtr(b, t.SolvedAt)
	return append(b, '}')
}

// AppendJSONString appends s as a JSON string the way encoding/json
// writes it (HTML characters escaped, invalid UTF-8 replaced): plain
// ASCII is copied, anything else goes through encoding/json.
func AppendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, err := json.Marshal(s)
			if err != nil { // a string always encodes
				panic(err)
			}
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendIntPtr(b []byte, v *int64) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, *v, 10)
}

// appendTime writes t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds, quoted).
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendTimePtr(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	return appendTime(b, *t)
}
