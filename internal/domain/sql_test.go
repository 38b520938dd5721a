package domain

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func quote(s string) string { return "'" + s + "'" }

func TestSQLLiteralsSpellTheWords(t *testing.T) {
	for _, c := range []struct{ sql, word string }{
		{SQLStatusNew, string(StatusNew)},
		{SQLStatusOpen, string(StatusOpen)},
		{SQLStatusPending, string(StatusPending)},
		{SQLStatusSolved, string(StatusSolved)},
		{SQLStatusClosed, string(StatusClosed)},
		{SQLDirectionIn, string(DirectionIn)},
		{SQLDirectionOut, string(DirectionOut)},
		{SQLDirectionNote, string(DirectionNote)},
		{SQLDeliveryQueued, string(DeliveryQueued)},
		{SQLDeliverySent, string(DeliverySent)},
		{SQLDeliveryPosted, string(DeliveryPosted)},
		{SQLDeliveryDelivered, string(DeliveryDelivered)},
		{SQLDeliveryRead, string(DeliveryRead)},
		{SQLDeliveryFailed, string(DeliveryFailed)},
		{SQLPriorityLow, string(PriorityLow)},
		{SQLPriorityNormal, string(PriorityNormal)},
		{SQLPriorityHigh, string(PriorityHigh)},
		{SQLPriorityUrgent, string(PriorityUrgent)},
		{SQLRoleSupervisor, string(RoleSupervisor)},
		{SQLRoleAdmin, string(RoleAdmin)},
		{SQLPresenceOnline, string(PresenceOnline)},
		{SQLPresenceAway, string(PresenceAway)},
		{SQLPresenceBusy, string(PresenceBusy)},
		{SQLPresenceOffline, string(PresenceOffline)},
	} {
		if c.sql != quote(c.word) {
			t.Errorf("SQL literal %s, want %s", c.sql, quote(c.word))
		}
	}
}

func TestActiveStatusesSQLListsActiveStatuses(t *testing.T) {
	var want []string
	for _, s := range TicketStatuses {
		if s.Active() {
			want = append(want, quote(string(s)))
		}
	}
	if got := "(" + strings.Join(want, ", ") + ")"; ActiveStatusesSQL != got {
		t.Fatalf("ActiveStatusesSQL = %s, want %s", ActiveStatusesSQL, got)
	}
	if len(want) != len(ActiveStatuses) {
		t.Fatalf("ActiveStatuses = %v, Active() holds for %v", ActiveStatuses, want)
	}
}

func TestPublicStatusesSQL(t *testing.T) {
	var want []string
	for _, s := range DeliveryStatuses {
		if s != DeliveryQueued {
			want = append(want, quote(string(s)))
		}
	}
	if got := "(" + strings.Join(want, ", ") + ")"; PublicStatusesSQL != got {
		t.Fatalf("PublicStatusesSQL = %s, want %s", PublicStatusesSQL, got)
	}
}

// whenThen reads the WHEN 'x' THEN n arms and the ELSE of a CASE.
func whenThen(t *testing.T, sql string) (map[string]int, int) {
	t.Helper()
	arms := map[string]int{}
	for _, m := range regexp.MustCompile(`WHEN '([a-z_]+)' THEN (\d+)`).FindAllStringSubmatch(sql, -1) {
		n, _ := strconv.Atoi(m[2])
		arms[m[1]] = n
	}
	m := regexp.MustCompile(`ELSE (\d+) END$`).FindStringSubmatch(sql)
	if m == nil {
		t.Fatalf("no ELSE in %s", sql)
	}
	els, _ := strconv.Atoi(m[1])
	return arms, els
}

func TestDeliveryRankSQLMatchesRank(t *testing.T) {
	arms, els := whenThen(t, DeliveryRankSQL)
	if len(arms) != len(DeliveryStatuses) {
		t.Fatalf("DeliveryRankSQL ranks %v, want every one of %v", arms, DeliveryStatuses)
	}
	for _, s := range DeliveryStatuses {
		if arms[string(s)] != s.Rank() {
			t.Errorf("%s ranks %d in SQL, %d in Go", s, arms[string(s)], s.Rank())
		}
	}
	if els != DeliveryStatus("unknown").Rank() {
		t.Errorf("unknown status ranks %d in SQL, %d in Go", els, DeliveryStatus("unknown").Rank())
	}
	for i := 1; i < len(DeliveryStatuses); i++ {
		if DeliveryStatuses[i-1].Rank() >= DeliveryStatuses[i].Rank() {
			t.Errorf("DeliveryStatuses out of rank order at %s", DeliveryStatuses[i])
		}
	}
}

func TestPriorityRanksSQLMatchesRank(t *testing.T) {
	var rows []string
	for _, p := range ByUrgency {
		rows = append(rows, "("+quote(string(p))+", "+strconv.Itoa(p.Rank())+")")
	}
	if got := strings.Join(rows, ", "); PriorityRanksSQL != got {
		t.Fatalf("PriorityRanksSQL = %s, want %s", PriorityRanksSQL, got)
	}
}

func TestPriorityRankSQLMatchesRank(t *testing.T) {
	sql := PriorityRankSQL("t.priority")
	if !strings.HasPrefix(sql, "CASE t.priority WHEN ") {
		t.Fatalf("PriorityRankSQL = %s", sql)
	}
	arms, els := whenThen(t, sql)
	for _, p := range Priorities {
		got, ok := arms[string(p)]
		if !ok {
			got = els
		}
		if got != p.Rank() {
			t.Errorf("%s ranks %d in SQL, %d in Go", p, got, p.Rank())
		}
	}
	if els != PriorityLow.Rank() {
		t.Errorf("ELSE ranks %d, want low's %d", els, PriorityLow.Rank())
	}
}
