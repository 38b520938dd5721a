package bulk

import (
	"errors"
	"testing"

	"tanggap/internal/agent"
	"tanggap/internal/apperr"
	"tanggap/internal/domain"
	"tanggap/internal/routing"
	"tanggap/internal/tags"
)

// TestRequestChecks: a request is refused as a whole, before any ticket is
// touched, when it names no ticket, too many, an unknown action or a value
// the action cannot take; assign is for supervisors and admins.
func TestRequestChecks(t *testing.T) {
	agentSari := agent.Agent{ID: 2, Role: domain.RoleAgent}
	super := agent.Agent{ID: 3, Role: domain.RoleSupervisor}
	many := make([]int64, MaxTickets+1)
	for i := range many {
		many[i] = int64(i + 1)
	}
	s := New(nil, nil, nil)
	// The checks only ask whether a service is wired; nothing is called.
	full := New(nil, (*tags.Service)(nil), (*routing.Router)(nil))
	cases := []struct {
		name  string
		svc   *Service
		who   agent.Agent
		req   Request
		field string // refused on this field; "" = accepted
		err   error
	}{
		{"no tickets", full, agentSari, Request{Action: ActionStatus, Status: domain.StatusOpen}, "ids", nil},
		{"a bad id", full, agentSari, Request{IDs: []int64{1, -4}, Action: ActionStatus, Status: domain.StatusOpen}, "ids", nil},
		{"too many", full, agentSari, Request{IDs: many, Action: ActionStatus, Status: domain.StatusOpen}, "ids", nil},
		{"repeats count once", full, agentSari, Request{IDs: append(many[:MaxTickets:MaxTickets], 1, 2), Action: ActionStatus, Status: domain.StatusOpen}, "", nil},
		{"unknown action", full, agentSari, Request{IDs: []int64{1}, Action: "delete"}, "action", nil},
		{"status new is the core's", full, agentSari, Request{IDs: []int64{1}, Action: ActionStatus, Status: domain.StatusNew}, "status", nil},
		{"unknown priority", full, agentSari, Request{IDs: []int64{1}, Action: ActionPriority, Priority: "asap"}, "priority", nil},
		{"transfer needs a target", full, agentSari, Request{IDs: []int64{1}, Action: ActionTransfer}, "agent_id", nil},
		{"tags need names", full, agentSari, Request{IDs: []int64{1}, Action: ActionTags}, "tags", nil},
		{"replace may empty", full, agentSari, Request{IDs: []int64{1}, Action: ActionTags, TagsMode: TagsReplace}, "", nil},
		{"unknown tags mode", full, agentSari, Request{IDs: []int64{1}, Action: ActionTags, Tags: []string{"a"}, TagsMode: "merge"}, "tags_mode", nil},
		{"routing actions need routing", s, super, Request{IDs: []int64{1}, Action: ActionPriority, Priority: domain.PriorityHigh}, "action", nil},
		{"assign by an agent", full, agentSari, Request{IDs: []int64{1}, Action: ActionAssign, AgentID: 5}, "", ErrSupervisorOnly},
		{"assign by a supervisor", full, super, Request{IDs: []int64{1}, Action: ActionAssign, AgentID: 5}, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ids, err := c.svc.check(c.who, &c.req)
			var ve *apperr.ValidationError
			switch {
			case c.err != nil:
				if !errors.Is(err, c.err) {
					t.Fatalf("err %v, want %v", err, c.err)
				}
			case c.field != "":
				if !errors.As(err, &ve) || !ve.Has(c.field) {
					t.Fatalf("err %v, want a problem with %s", err, c.field)
				}
			default:
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if len(ids) == 0 || len(ids) > MaxTickets {
					t.Fatalf("ids %d", len(ids))
				}
			}
		})
	}
}
