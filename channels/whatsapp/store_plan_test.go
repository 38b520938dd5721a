package whatsapp

import (
	"strings"
	"testing"

	"tanggap/internal/testenv"
)

// TestSurveySendRecordUsesTheKey: the survey question's record is found
// by its key on both dialects, never by a scan.
func TestSurveySendRecordUsesTheKey(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	for name, c := range map[string]struct {
		q    string
		args []any
	}{
		"finish":  {sqlFinishSend, []any{"wamid.1", "csat:1"}},
		"release": {sqlReleaseSend, []any{"csat:1"}},
		"read":    {`SELECT wamid FROM whatsapp_sends WHERE outbound_id = ?`, []any{"csat:1"}},
	} {
		plan := testenv.Plan(t, d, c.q, c.args...)
		scan := strings.Contains(plan, "Seq Scan")
		for _, line := range strings.Split(plan, "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "SCAN ") && !strings.Contains(line, "USING") {
				scan = true
			}
		}
		if scan {
			t.Errorf("%s scans whatsapp_sends:\n%s", name, plan)
		}
	}
}
