// Package permission names what an account may do. A role is a named set
// of permissions; the three roles of the first release (agent, supervisor,
// admin) are the built-in defaults, and admins may define more. Every API
// route names the one permission it needs (internal/api/routes.go); the
// services ask the signed-in agent for the permissions that widen or narrow
// what they show (agent.Agent.Can).
package permission

import (
	"slices"
	"strings"

	"tanggap/internal/domain"
)

// P is one permission, a dotted name stored in roles.permissions.
type P string

// The permissions. Their order is the order of the admin screen.
const (
	// Session is not a permission: the route only needs a signed-in
	// account (sign out, who am I, presence, own notifications).
	Session P = ""

	TicketsWork     P = "tickets.work"         // the ticket list of one's queues, replies, notes, canned replies, search
	TicketsAll      P = "tickets.all"          // sees and acts on the tickets of every queue
	TicketsAssign   P = "tickets.assign"       // assigns a ticket to an agent (one or in bulk)
	AgentsView      P = "agents.view"          // the list of agents
	ReportsView     P = "reports.view"         // queue figures, SLA, reports and exports, satisfaction report and alerts
	Complaints      P = "complaints.supervise" // escalated complaints
	ComplaintsAdopt P = "complaints.adopt"     // treats a ticket of any channel as a complaint (starts its statutory clocks)
	IdentityReveal  P = "identity.reveal"      // reveals a confidential complainant (custom roles; see complaint.Service.CanReveal)
	TagsManage      P = "tags.manage"          // tags, wrap-up codes and rules
	ContactsMerge   P = "contacts.merge"       // duplicates, merge, split and undo
	CannedShare     P = "canned.share"         // shared canned replies and macros of one's queues
	WallboardView   P = "wallboard.view"       // the live wallboard
	WallboardManage P = "wallboard.manage"     // changes an agent's state, moves their tickets
	QueuesAll       P = "queues.all"           // supervises every queue: live events, alerts and shared replies of all queues
	AdminQueues     P = "admin.queues"         // queues, hours, holidays, not-ready reasons
	AdminAgents     P = "admin.agents"         // accounts: create, edit, deactivate, passwords, routing profile
	AdminRoles      P = "admin.roles"          // defines roles
	AuditView       P = "audit.view"           // the audit log and the view audit
	PrivacyManage   P = "privacy.manage"       // data-subject requests, restriction, erasure, retention purge
)

// All lists every permission, in the admin screen's order.
var All = []P{
	TicketsWork, TicketsAll, TicketsAssign, AgentsView, ReportsView, Complaints, ComplaintsAdopt, IdentityReveal,
	TagsManage, ContactsMerge, CannedShare, WallboardView, WallboardManage, QueuesAll,
	AdminQueues, AdminAgents, AdminRoles, AuditView, PrivacyManage,
}

// Known reports whether p is one of All.
func Known(p P) bool { return p != Session && slices.Contains(All, p) }

// LabelKey is the translation key of p's label.
func LabelKey(p P) string { return "perm." + string(p) }

// Set is a set of permissions. The zero Set is "not loaded": an account
// built without its role's definition (Defaults then applies).
type Set struct {
	bits   uint64
	loaded bool
}

// Of returns the set of ps; unknown names are left out.
func Of(ps ...P) Set {
	s := Set{loaded: true}
	for _, p := range ps {
		if i := slices.Index(All, p); i >= 0 {
			s.bits |= 1 << i
		}
	}
	return s
}

// Parse reads the stored form (names separated by spaces or commas);
// names this release does not know are ignored.
func Parse(text string) Set {
	f := strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == ',' })
	ps := make([]P, 0, len(f))
	for _, n := range f {
		ps = append(ps, P(n))
	}
	return Of(ps...)
}

// Loaded reports whether the set came from a role's definition.
func (s Set) Loaded() bool { return s.loaded }

// Has reports whether p is in the set; Session is in every set.
func (s Set) Has(p P) bool {
	if p == Session {
		return true
	}
	i := slices.Index(All, p)
	return i >= 0 && s.bits&(1<<i) != 0
}

// With returns the set plus p.
func (s Set) With(p P) Set { return Of(append(s.List(), p)...) }

// List returns the permissions in All's order.
func (s Set) List() []P {
	out := make([]P, 0, len(All))
	for i, p := range All {
		if s.bits&(1<<i) != 0 {
			out = append(out, p)
		}
	}
	return out
}

// String is the stored form: names separated by one space, in All's order.
func (s Set) String() string {
	l := s.List()
	names := make([]string, len(l))
	for i, p := range l {
		names[i] = string(p)
	}
	return strings.Join(names, " ")
}

// The built-in roles' sets: what the three roles could do before roles
// became sets, and since then ComplaintsAdopt for supervisors (admins
// have every permission): treating a chat or call as a complaint starts
// the regulated clocks and counts in the periodic report, and there is no
// undoing it, so it is a verifier's decision, not every agent's (an admin
// may grant it to agents or to a verifier role).
var (
	agentSet      = Of(TicketsWork)
	supervisorSet = Of(TicketsWork, TicketsAll, TicketsAssign, AgentsView, ReportsView, Complaints, ComplaintsAdopt,
		IdentityReveal, TagsManage, ContactsMerge, CannedShare, WallboardView, WallboardManage)
	adminSet = Of(All...)
)

// Defaults returns the default set of a built-in role, and an empty loaded
// set for any other name.
func Defaults(r domain.Role) Set {
	switch r {
	case domain.RoleAgent:
		return agentSet
	case domain.RoleSupervisor:
		return supervisorSet
	case domain.RoleAdmin:
		return adminSet
	}
	return Of()
}

// BuiltIn reports whether r is one of the three default roles.
func BuiltIn(r domain.Role) bool { return slices.Contains(domain.Roles, r) }

// SupervisingSQL is a condition on an agent row aliased "a": its role
// grants TicketsAll (the roles that supervise their queues: SLA and rating
// alerts go to them). A correlated lookup by the roles primary key, on
// both dialects.
const SupervisingSQL = "EXISTS (SELECT 1 FROM roles r WHERE r.name = a.role AND ' ' || r.permissions || ' ' LIKE '% " + string(TicketsAll) + " %')"

// Covers reports whether every permission of o is in s.
func (s Set) Covers(o Set) bool { return o.bits&^s.bits == 0 }
