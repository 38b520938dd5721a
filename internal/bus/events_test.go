package bus

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// docExamples reads EVENTS.md: each "### <entity>.<action>" heading and
// the first json block after it.
func docExamples(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("EVENTS.md")
	if err != nil {
		t.Fatal(err)
	}
	heading := regexp.MustCompile(`(?m)^### ([a-z]+\.[a-z]+)\s*$`)
	out := map[string]string{}
	locs := heading.FindAllSubmatchIndex(b, -1)
	for i, loc := range locs {
		name := string(b[loc[2]:loc[3]])
		end := len(b)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		section := string(b[loc[1]:end])
		_, rest, ok := strings.Cut(section, "```json\n")
		example, _, closed := strings.Cut(rest, "```")
		if !ok || !closed {
			t.Fatalf("EVENTS.md: %s has no json example", name)
		}
		if _, dup := out[name]; dup {
			t.Fatalf("EVENTS.md: %s documented twice", name)
		}
		out[name] = strings.TrimSpace(example)
	}
	return out
}

// TestCatalogDocumented: every event type is in EVENTS.md and every event
// there is a type, each with its subject named.
func TestCatalogDocumented(t *testing.T) {
	docs := docExamples(t)
	var types []string
	for _, ev := range Catalog() {
		types = append(types, Name(ev))
	}
	var documented []string
	for name := range docs {
		documented = append(documented, name)
	}
	slices.Sort(types)
	slices.Sort(documented)
	if !slices.Equal(types, documented) {
		t.Fatalf("event types %v, documented %v: add the missing ones to events.go or EVENTS.md", types, documented)
	}
	doc, err := os.ReadFile("EVENTS.md")
	if err != nil {
		t.Fatal(err)
	}
	n := NewNames("cc")
	for _, ev := range Catalog() {
		if s := n.EventSubject(ev); !bytes.Contains(doc, []byte("`"+s+"`")) {
			t.Errorf("EVENTS.md does not name the subject %s", s)
		}
	}
}

// TestDocExamplesDecode: every example decodes into its type with no
// unknown field, carries "v": 1, and encodes back to the same JSON (so no
// documented field is missing from the type either).
func TestDocExamplesDecode(t *testing.T) {
	for name, example := range docExamples(t) {
		t.Run(name, func(t *testing.T) {
			ev, ok := NewEvent(name)
			if !ok {
				t.Fatalf("no event type named %s", name)
			}
			dec := json.NewDecoder(strings.NewReader(example))
			dec.DisallowUnknownFields()
			if err := dec.Decode(ev); err != nil {
				t.Fatalf("example does not decode: %v", err)
			}
			if e, a := ev.EventName(); e+"."+a != name {
				t.Fatalf("decoded into %s.%s", e, a)
			}
			back, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			var want, got any
			if err := json.Unmarshal([]byte(example), &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(back, &got); err != nil {
				t.Fatal(err)
			}
			wb, _ := json.Marshal(want)
			gb, _ := json.Marshal(got)
			if !bytes.Equal(wb, gb) {
				t.Fatalf("example and its re-encoding differ:\n doc %s\n got %s", wb, gb)
			}
			if m, ok := want.(map[string]any); !ok || m["v"] != float64(Version) {
				t.Fatalf("example lacks \"v\": %d", Version)
			}
		})
	}
}

// TestEventVersion: a publisher never sets "v"; it is sent as Version.
func TestEventVersion(t *testing.T) {
	cases := []struct {
		name string
		ev   Event
		want string
	}{
		{"ticket event without v set", TicketAssigned{Scope: Scope{TicketID: 1}}, `"v":1,`},
		{"message event without v set", MessageUpdated{}, `"v":1,`},
		{"no previous assignee is left out", TicketUpdated{Scope: Scope{TicketID: 1, PreviousAssigneeID: 0}}, `"assignee_id":0,"tracking_number"`},
		{"previous assignee is sent", TicketUnassigned{Scope: Scope{TicketID: 1, PreviousAssigneeID: 7}}, `"previous_assignee_id":7`},
		{"queue metrics carry v", QueueMetrics{At: time.Unix(0, 0).UTC()}, `{"v":1,"queues":null`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.ev)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), tc.want) {
				t.Fatalf("%s lacks %s", b, tc.want)
			}
		})
	}
}
