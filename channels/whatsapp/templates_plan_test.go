package whatsapp

import (
	"strings"
	"testing"

	"tanggap/internal/testenv"
)

// TestTemplateChecksUseTheirIndexes: the checks of an admin's save are
// served by the unique key and the one-active index, on both dialects.
func TestTemplateChecksUseTheirIndexes(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	for name, c := range map[string]struct {
		q     string
		args  []any
		index string
	}{
		"duplicate":    {sqlTemplateDuplicate, []any{"kabar", "id", "notify", 0}, ""},
		"other active": {sqlTemplateActiveOther, []any{"notify", "id", 0}, "whatsapp_templates_one_active_idx"},
	} {
		plan := testenv.Plan(t, d, c.q, c.args...)
		scan := strings.Contains(plan, "Seq Scan")
		for _, line := range strings.Split(plan, "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "SCAN ") && !strings.Contains(line, "USING") {
				scan = true
			}
		}
		if scan || !strings.Contains(plan, c.index) {
			t.Errorf("%s is not served by its index %s:\n%s", name, c.index, plan)
		}
	}
}
