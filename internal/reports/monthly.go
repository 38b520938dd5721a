package reports

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"html/template"
	"time"

	"tanggap/internal/apperr"
	"tanggap/internal/csvcell"
	"tanggap/internal/locale"
)

// Texts renders the reader's language (internal/locale.Catalog).
type Texts interface {
	T(lang, key string, args ...any) string
}

// ReportLang is the language of the stored monthly report (the official
// one); other languages are rendered on request and not stored.
const ReportLang = "id-ID"

// MonthlyReport is a month's complaint-handling figures as CSV and as a
// printable page.
type MonthlyReport struct {
	Month       string
	CSV         string
	HTML        string
	GeneratedAt time.Time
}

// section is one table of the monthly report.
type section struct {
	Title   string
	Columns []string
	Rows    [][]string
	// csv is Rows as the CSV file keeps them, when they differ (figures
	// with a decimal point, whatever the page's language); nil: Rows.
	csv [][]string
}

// Monthly returns the report of month (YYYY-MM): the stored one, or
// generated now (and stored, in ReportLang) when there is none, when
// regenerate is set, or when the month is not over yet.
func (s *Service) Monthly(ctx context.Context, month, lang string, regenerate bool) (MonthlyReport, error) {
	start, err := time.ParseInLocation("2006-01", month, s.o.Zone)
	if err != nil || start.Year() < 2000 || start.Year() > 2200 {
		ve := &apperr.ValidationError{}
		ve.Add("month", "validation.invalid")
		return MonthlyReport{}, ve
	}
	over := !s.o.Now().Before(start.AddDate(0, 1, 0))
	if lang == ReportLang && !regenerate && over {
		var stored []MonthlyReport
		err := s.o.DB.WithContext(ctx).Raw(`SELECT month, csv, html, generated_at FROM report_monthly WHERE month = ?`, month).Scan(&stored).Error
		if err != nil {
			return MonthlyReport{}, fmt.Errorf("reports: monthly: %w", err)
		}
		if len(stored) == 1 {
			return stored[0], nil
		}
	}
	m, err := s.generateMonthly(ctx, start, lang)
	if err != nil {
		return MonthlyReport{}, err
	}
	if lang == ReportLang && over {
		err := s.o.DB.WithContext(ctx).Exec(`INSERT INTO report_monthly (month, csv, html, generated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (month) DO UPDATE SET csv = excluded.csv, html = excluded.html, generated_at = excluded.generated_at`,
			m.Month, m.CSV, m.HTML, m.GeneratedAt).Error
		if err != nil {
			return MonthlyReport{}, fmt.Errorf("reports: store monthly: %w", err)
		}
	}
	return m, nil
}

func (s *Service) generateMonthly(ctx context.Context, start time.Time, lang string) (MonthlyReport, error) {
	if s.o.Texts == nil {
		return MonthlyReport{}, errors.New("reports: monthly report needs texts")
	}
	t := func(key string, args ...any) string { return s.o.Texts.T(lang, key, args...) }
	q := Query{From: start, To: start.AddDate(0, 1, -1)}
	run := func(name, group string) (*Result, error) {
		q := q
		q.Name, q.GroupBy = name, group
		return s.Run(ctx, q, lang)
	}
	var secs []section
	// Summary: received, resolved, still open, times, SLA, abandonment.
	vol, err := run("volume", "")
	if err != nil {
		return MonthlyReport{}, err
	}
	resol, err := run("resolution", "")
	if err != nil {
		return MonthlyReport{}, err
	}
	frt, err := run("first_response", "")
	if err != nil {
		return MonthlyReport{}, err
	}
	sla, err := run("sla", "")
	if err != nil {
		return MonthlyReport{}, err
	}
	ab, err := run("abandonment", "")
	if err != nil {
		return MonthlyReport{}, err
	}
	summary := section{Title: t("reports.monthly.summary"), Columns: []string{t("reports.monthly.figure"), t("reports.period_current"), t("reports.period_previous")}}
	add := func(label, kind string, cur, prev *float64) {
		f := func(v *float64, mark string) string {
			if v == nil {
				return "–"
			}
			return FormatValue(kind, *v, mark)
		}
		mark := locale.DecimalMark(lang)
		summary.Rows = append(summary.Rows, []string{label, f(cur, mark), f(prev, mark)})
		summary.csv = append(summary.csv, []string{label, f(cur, ""), f(prev, "")})
	}
	col := func(r *Result, key string) (*float64, *float64, string) {
		for i, c := range r.Columns {
			if c.Key == key {
				return r.Total.Values[i], r.Total.Previous[i], c.Kind
			}
		}
		return nil, nil, KindCount
	}
	open := func(r *Result, v *Result, prev bool) *float64 {
		tv, tp, _ := col(v, "tickets")
		rv, rp, _ := col(r, "resolved")
		a, b := tv, rv
		if prev {
			a, b = tp, rp
		}
		if a == nil || b == nil {
			return nil
		}
		x := *a - *b
		return &x
	}
	for _, it := range []struct {
		r   *Result
		key string
	}{{vol, "tickets"}, {resol, "resolved"}} {
		cur, prev, kind := col(it.r, it.key)
		add(t("reports.col."+it.key), kind, cur, prev)
	}
	add(t("reports.monthly.open"), KindCount, open(resol, vol, false), open(resol, vol, true))
	for _, it := range []struct {
		r   *Result
		key string
	}{{frt, "frt_avg_s"}, {frt, "frt_business_avg_s"}, {resol, "resolution_avg_s"}, {resol, "resolution_business_avg_s"},
		{resol, "resolution_median_s"}, {resol, "resolution_p90_s"}, {sla, "frt_sla_met_pct"}, {sla, "resolution_sla_met_pct"},
		{ab, "chats_abandoned_pct"}, {ab, "calls_abandoned_pct"}} {
		cur, prev, kind := col(it.r, it.key)
		add(t("reports.col."+it.key), kind, cur, prev)
	}
	secs = append(secs, summary)
	// Received per channel, category and province.
	for _, g := range []string{GroupChannel, GroupCategory, GroupProvince} {
		r, err := run("volume", g)
		if err != nil {
			return MonthlyReport{}, err
		}
		sec := section{Title: t("reports.monthly.by", "group", t("reports.group."+g)),
			Columns: []string{t("reports.group." + g), t("reports.period_current"), t("reports.period_previous")}}
		for _, row := range r.Rows {
			label := row.Label
			if g == GroupChannel {
				label = t("channel." + row.Key)
			}
			sec.Rows = append(sec.Rows, []string{label, FormatValue(KindCount, deref(row.Values[0]), ""), FormatValue(KindCount, deref(row.Previous[0]), "")})
		}
		secs = append(secs, sec)
	}
	month := start.Format("2006-01")
	m := MonthlyReport{Month: month, GeneratedAt: s.o.Now().UTC()}
	var cb bytes.Buffer
	cw := csv.NewWriter(&cb)
	_ = cw.Write([]string{"section", "item", "current", "previous"})
	for _, sec := range secs {
		rows := sec.Rows
		if sec.csv != nil {
			rows = sec.csv
		}
		for _, r := range rows {
			_ = cw.Write([]string{csvcell.Safe(sec.Title), csvcell.Safe(r[0]), r[1], r[2]})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return MonthlyReport{}, err
	}
	m.CSV = cb.String()
	var hb bytes.Buffer
	err = monthlyPage.Execute(&hb, map[string]any{
		"Lang": lang, "Title": t("reports.monthly.title", "month", month),
		"Period":   t("reports.monthly.period", "from", q.From.Format(time.DateOnly), "to", q.To.Format(time.DateOnly)),
		"Previous": t("reports.monthly.previous_note"),
		"Basis":    t("reports.monthly.basis") + " " + t("reports.rounding_note"),
		"Made":     t("reports.monthly.generated", "at", m.GeneratedAt.In(s.o.Zone).Format("2006-01-02 15:04 MST")),
		"Print":    t("reports.monthly.print"),
		"Sections": secs,
	})
	if err != nil {
		return MonthlyReport{}, fmt.Errorf("reports: monthly page: %w", err)
	}
	m.HTML = hb.String()
	return m, nil
}

func deref(v *float64) float64 {
	if v == nil {
		return 0
	}
	return *v
}

// monthlyPage is the printable page: plain tables (caption, th scope), a
// print style sheet (A4, no screen chrome), no script.
var monthlyPage = template.Must(template.New("monthly").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,sans-serif;color:#111;margin:2rem auto;max-width:52rem;padding:0 1rem;line-height:1.4}
h1{font-size:1.5rem;margin:0 0 .25rem} p{margin:.25rem 0}
table{border-collapse:collapse;width:100%;margin:1.25rem 0;page-break-inside:avoid}
caption{text-align:left;font-weight:700;font-size:1.1rem;padding:.25rem 0}
th,td{border:1px solid #555;padding:.35rem .5rem;text-align:left} td:not(:first-child){text-align:right}
thead th{background:#eee} .note{color:#333;font-size:.9rem}
@media print{@page{size:A4;margin:15mm} body{margin:0;max-width:none;font-size:10.5pt} .noprint{display:none} thead{display:table-header-group}}
</style></head><body>
<h1>{{.Title}}</h1>
<p>{{.Period}}</p>
<p class="note">{{.Basis}}</p>
<p class="note">{{.Previous}}</p>
{{range .Sections}}<table><caption>{{.Title}}</caption>
<thead><tr>{{range .Columns}}<th scope="col">{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr><th scope="row">{{index . 0}}</th><td>{{index . 1}}</td><td>{{index . 2}}</td></tr>{{end}}</tbody></table>
{{end}}<p class="note">{{.Made}}</p>
<p class="noprint note">{{.Print}}</p>
</body></html>
`))

// previousMonth is the month before t's (YYYY-MM) in zone.
func previousMonth(t time.Time, zone *time.Location) string {
	l := t.In(zone)
	return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, zone).AddDate(0, -1, 0).Format("2006-01")
}

// RunSchedule keeps the rollup fresh (Refresh every interval) and generates the
// previous month's report once the month is over and it is not stored
// yet: the monthly report on schedule.
func (s *Service) RunSchedule(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = time.Minute
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if _, err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
			s.o.Log.Error("reports: refresh", "err", err)
		} else if err == nil {
			month := previousMonth(s.o.Now(), s.o.Zone)
			var n int64
			if err := s.o.DB.WithContext(ctx).Raw(`SELECT COUNT(*) FROM report_monthly WHERE month = ?`, month).Scan(&n).Error; err != nil {
				s.o.Log.Error("reports: monthly", "err", err)
			} else if n == 0 && s.o.Texts != nil {
				if _, err := s.Monthly(ctx, month, ReportLang, false); err != nil {
					s.o.Log.Error("reports: monthly", "month", month, "err", err)
				} else {
					s.o.Log.Info("reports: monthly report generated", "month", month)
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
