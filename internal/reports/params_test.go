package reports

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"tanggap/internal/apperr"
)

func parser() *Service {
	now := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	return New(Opts{Zone: wib, Now: func() time.Time { return now }})
}

func TestParse(t *testing.T) {
	t.Parallel()
	s := parser()
	cases := []struct {
		name   string
		p      Params
		fields []string // invalid fields
		check  func(t *testing.T, q Query)
	}{
		{name: "defaults: the last 30 days by day", p: Params{Name: "volume"}, check: func(t *testing.T, q Query) {
			if q.From.Format(time.DateOnly) != "2026-10-22" || q.To.Format(time.DateOnly) != "2026-11-20" || q.GroupBy != "day" || q.CSV {
				t.Fatalf("%+v", q)
			}
			if pf, pt := q.Previous(); pf.Format(time.DateOnly) != "2026-09-22" || pt.Format(time.DateOnly) != "2026-10-21" {
				t.Fatalf("previous %s..%s", pf, pt)
			}
		}},
		{name: "a range, a grouping and csv", p: Params{Name: "volume", From: "2026-11-01", To: "2026-11-30", GroupBy: "province", Format: "csv"},
			check: func(t *testing.T, q Query) {
				if q.Days() != 30 || q.GroupBy != "province" || !q.CSV {
					t.Fatalf("%+v days %d", q, q.Days())
				}
			}},
		{name: "one day", p: Params{Name: "sla", From: "2026-11-05", To: "2026-11-05"}, check: func(t *testing.T, q Query) {
			if q.Days() != 1 {
				t.Fatalf("days %d", q.Days())
			}
		}},
		{name: "the export is csv", p: Params{Name: Export, From: "2026-11-01", To: "2026-11-02"}, check: func(t *testing.T, q Query) {
			if !q.CSV {
				t.Fatal("export not csv")
			}
		}},
		{name: "bad dates", p: Params{Name: "volume", From: "01-11-2026", To: "2026-13-01"}, fields: []string{"from", "to"}},
		{name: "reversed range", p: Params{Name: "volume", From: "2026-11-10", To: "2026-11-01"}, fields: []string{"to"}},
		{name: "over a year", p: Params{Name: "volume", From: "2024-01-01", To: "2026-01-01"}, fields: []string{"to"}},
		{name: "a grouping the report lacks", p: Params{Name: "wrapup", GroupBy: "day"}, fields: []string{"group_by"}},
		{name: "unknown format, all problems at once", p: Params{Name: "volume", Format: "xlsx", GroupBy: "x", From: "x"}, fields: []string{"format", "group_by", "from"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, err := s.Parse(c.p)
			if len(c.fields) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				c.check(t, q)
				return
			}
			var ve *apperr.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v", err)
			}
			for _, f := range c.fields {
				if !ve.Has(f) {
					t.Errorf("no problem with %s: %v", f, ve)
				}
			}
		})
	}
	if _, err := s.Parse(Params{Name: "nope"}); !errors.Is(err, ErrUnknownReport) {
		t.Fatalf("unknown report: %v", err)
	}
}

// The parser takes any text: it answers a query within bounds or an
// error naming fields, never panics.
func FuzzParse(f *testing.F) {
	f.Add("volume", "2026-11-01", "2026-11-30", "day", "csv")
	f.Add("resolution", "", "", "queue", "")
	f.Add("tickets", "2026-02-30", "x", "", "json")
	f.Add("agents", "9999-99-99", "0000-00-00", "agent", "CSV")
	s := parser()
	f.Fuzz(func(t *testing.T, name, from, to, group, format string) {
		q, err := s.Parse(Params{Name: name, From: from, To: to, GroupBy: group, Format: format})
		if err != nil {
			var ve *apperr.ValidationError
			if !errors.Is(err, ErrUnknownReport) && !errors.As(err, &ve) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if q.To.Before(q.From) || q.Days() > MaxDays || q.Days() < 1 {
			t.Fatalf("accepted range %s..%s", q.From, q.To)
		}
		def := reportDefs[q.Name]
		if q.GroupBy != "" && !strings.Contains(","+strings.Join(def.groups, ",")+",", ","+q.GroupBy+",") {
			t.Fatalf("accepted grouping %q for %s", q.GroupBy, q.Name)
		}
	})
}

func TestCSVNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	v := 3.5
	res := &Result{Columns: []Column{{Key: "tickets", Kind: KindCount}},
		Rows:  []Row{{Key: "7", Label: "=HYPERLINK(\"x\")", Values: []*float64{&v}, Previous: []*float64{nil}}},
		Total: Row{Key: "total", Values: []*float64{&v}, Previous: []*float64{nil}}}
	var b bytes.Buffer
	if err := WriteCSV(&b, res); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"group", "label", "tickets", "tickets_previous"}, {"7", "'=HYPERLINK(\"x\")", "3.5", ""}, {"total", "", "3.5", ""}}
	if len(recs) != 3 || strings.Join(recs[1], "|") != strings.Join(want[1], "|") || strings.Join(recs[0], "|") != strings.Join(want[0], "|") {
		t.Fatalf("csv = %q", recs)
	}
}
