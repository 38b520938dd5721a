package routing

import (
	"regexp"
	"testing"

	"tanggap/internal/testenv"
)

// The kept traces of just-assigned tickets are read by primary key.
func TestWaitTracesReadByPrimaryKey(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	plan := testenv.Plan(t, d, sqlWaitTraces, []int64{1, 2, 3})
	if !regexp.MustCompile(`tickets_pkey|INTEGER PRIMARY KEY`).MatchString(plan) || fullTicketScan.MatchString(plan) {
		t.Errorf("the wait traces are not read by primary key:\n%s", plan)
	}
}
