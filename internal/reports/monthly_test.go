package reports

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"tanggap/internal/apperr"
	"tanggap/internal/locale"
	"tanggap/internal/testenv"
)

// The scheduled run makes last month's report once, with the month's
// figures (the count of tickets received equals the raw rows), as CSV and
// as a printable page with accessible tables.
func TestMonthlyReportOnSchedule(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	now := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC) // 2 December: November is over
	s := New(Opts{DB: d, Log: testenv.Logger(t), Zone: wib, Texts: cat, Now: func() time.Time { return now }})
	seed(t, d, time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC), 45, 300, 5)
	done := make(chan error, 1)
	go func() { done <- s.RunSchedule(ctx, 50*time.Millisecond) }()
	var stored MonthlyReport
	testenv.CheckFor(t, 30*time.Second, 50*time.Millisecond, func() error {
		var rows []MonthlyReport
		if err := d.Raw(`SELECT month, csv, html, generated_at FROM report_monthly WHERE month = '2026-11'`).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) != 1 {
			return errors.New("no report for 2026-11 yet")
		}
		stored = rows[0]
		return nil
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var received int64
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, wib)
	d.Raw(`SELECT COUNT(*) FROM tickets WHERE created_at >= ? AND created_at < ?`, from.UTC(), from.AddDate(0, 1, 0).UTC()).Scan(&received)
	recs, err := csv.NewReader(strings.NewReader(stored.CSV)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs {
		if r[1] == cat.T(ReportLang, "reports.col.tickets") {
			found = r[2] == FormatValue(KindCount, float64(received), "")
			if !found {
				t.Errorf("received = %s, raw rows %d", r[2], received)
			}
		}
	}
	if !found || received == 0 {
		t.Fatalf("no received figure in:\n%s", stored.CSV)
	}
	// The file keeps a decimal point, the Indonesian page a decimal comma.
	decimalComma, decimalPoint := regexp.MustCompile(`\d,\d`), regexp.MustCompile(`^\d+\.\d+%$`)
	fractions := 0
	for _, r := range recs[1:] {
		for _, c := range r[2:] {
			if decimalComma.MatchString(c) {
				t.Errorf("CSV figure %q has a decimal comma", c)
			}
			if decimalPoint.MatchString(c) {
				fractions++
				if comma := strings.Replace(c, ".", ",", 1); !strings.Contains(stored.HTML, ">"+comma+"<") {
					t.Errorf("the Indonesian page does not show %q as %q", c, comma)
				}
			}
		}
	}
	if fractions == 0 {
		t.Logf("no fractional rate in this month's figures:\n%s", stored.CSV)
	}
	for _, want := range []string{`<caption>`, `<th scope="col">`, `<th scope="row">`, `@media print`, cat.T(ReportLang, "reports.monthly.title", "month", "2026-11")} {
		if !strings.Contains(stored.HTML, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(stored.HTML, "<script") {
		t.Error("the printable page has a script")
	}
	// On demand: the stored one in Indonesian, a fresh one in English, and
	// a bad month refused.
	again, err := s.Monthly(context.Background(), "2026-11", ReportLang, false)
	if err != nil || !again.GeneratedAt.Equal(stored.GeneratedAt) {
		t.Fatalf("stored report not served: %v", err)
	}
	en, err := s.Monthly(context.Background(), "2026-11", "en-US", false)
	if err != nil || !strings.Contains(en.HTML, "Complaint Handling Report 2026-11") {
		t.Fatalf("English report: %v", err)
	}
	var ve *apperr.ValidationError
	if _, err := s.Monthly(context.Background(), "2026-13", ReportLang, false); !errors.As(err, &ve) {
		t.Fatalf("bad month: %v", err)
	}
}

// The chart escapes every label, tells the periods apart by pattern and
// words, and draws one bar per value.
func TestChartSVG(t *testing.T) {
	t.Parallel()
	three, one := 3.0, 1.0
	res := &Result{Columns: []Column{{Key: "tickets", Kind: KindCount}},
		Rows: []Row{{Key: "a", Label: `<script>alert(1)</script>`, Values: []*float64{&three}, Previous: []*float64{&one}},
			{Key: "b", Label: "Jawa & Bali", Values: []*float64{&one}, Previous: []*float64{nil}}}}
	var b bytes.Buffer
	if err := WriteSVG(&b, res, ChartText{Title: "Volume", Current: "Periode ini", Previous: "Sebelumnya", Empty: "Kosong"}); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	if strings.Contains(svg, "<script") || !strings.Contains(svg, "&lt;script&gt;") || !strings.Contains(svg, "Jawa &amp; Bali") {
		t.Fatalf("labels not escaped:\n%s", svg)
	}
	if n := strings.Count(svg, `fill="url(#hatch)" stroke="#1f1f1f"`); n != 1 {
		t.Errorf("%d hatched bars, want 1 (one previous value)", n)
	}
	if !strings.Contains(svg, "<title>Jawa &amp; Bali, Periode ini: 1</title>") {
		t.Errorf("no bar title:\n%s", svg)
	}
	b.Reset()
	if err := WriteSVG(&b, &Result{Columns: res.Columns}, ChartText{Empty: "Kosong"}); err != nil || !strings.Contains(b.String(), "Kosong") {
		t.Fatalf("empty chart: %v %s", err, b.String())
	}

	// Counts up to 2: whole steps on the axis, not "0.50 tickets".
	two := 2.0
	b.Reset()
	if err := WriteSVG(&b, &Result{Columns: res.Columns, Rows: []Row{{Key: "a", Label: "a", Values: []*float64{&two}}}}, ChartText{Decimal: ","}); err != nil {
		t.Fatal(err)
	}
	for _, tick := range []string{">0</text>", ">1</text>", ">2</text>"} {
		if !strings.Contains(b.String(), tick) {
			t.Errorf("no tick %q on a count axis up to 2:\n%s", tick, b.String())
		}
	}
	if strings.Contains(b.String(), `end">0,5`) || strings.Contains(b.String(), `end">1,5`) {
		t.Errorf("a count axis with half steps:\n%s", b.String())
	}
	// A rate in Bahasa Indonesia takes a decimal comma.
	rate := 85.25
	b.Reset()
	if err := WriteSVG(&b, &Result{Columns: []Column{{Key: "met", Kind: KindPercent}}, Rows: []Row{{Key: "a", Label: "a", Values: []*float64{&rate}}}}, ChartText{Current: "Periode ini", Decimal: ","}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Periode ini: 85,2%") && !strings.Contains(b.String(), "Periode ini: 85,3%") {
		t.Errorf("the rate is not written with a decimal comma:\n%s", b.String())
	}
	if got := FormatValue(KindPercent, 85.25, "."); got != "85.2%" && got != "85.3%" {
		t.Errorf("in English: %q", got)
	}
}

// Every report, column and grouping the API and the console name has its
// text in both languages.
func TestReportTextsExist(t *testing.T) {
	t.Parallel()
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for name, def := range reportDefs {
		keys = append(keys, "reports.name."+name)
		for _, c := range append(def.cols, abandonCols...) {
			keys = append(keys, "reports.col."+c.Key)
		}
		for _, g := range def.groups {
			keys = append(keys, "reports.group."+g)
		}
	}
	for _, lang := range locale.Languages() {
		for _, k := range keys {
			if !cat.Has(lang, k) {
				t.Errorf("%s lacks %s", lang, k)
			}
		}
	}
}

// A period with no resolved ticket has no median: the report says so
// (null) rather than failing, on both dialects.
func TestResolutionOfAnEmptyPeriod(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	s := New(Opts{DB: d, Log: testenv.Logger(t), Zone: wib, Now: func() time.Time { return now }})
	for _, g := range []string{"", GroupDay, GroupQueue} {
		res, err := s.Run(context.Background(), Query{Name: "resolution", From: time.Date(2026, 11, 1, 0, 0, 0, 0, wib), To: time.Date(2026, 11, 5, 0, 0, 0, 0, wib), GroupBy: g}, "id-ID")
		if err != nil {
			t.Fatalf("group %q: %v", g, err)
		}
		if res.Total.Values[3] != nil || res.Total.Previous[3] != nil {
			t.Fatalf("group %q: a median of nothing: %v", g, res.Total.Values)
		}
	}
}
