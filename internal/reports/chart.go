package reports

import (
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
	"strings"
)

// ChartText is the text a chart shows, in the reader's language.
type ChartText struct {
	Title    string
	Current  string // legend of the period
	Previous string // legend of the previous period
	Empty    string // shown when there is nothing to draw
	// Decimal is the reader's decimal mark (locale.DecimalMark; "" is a
	// point).
	Decimal string
}

// ChartColumn is the column a report's chart draws: its first figure that
// is not a plain count when it has one (a time, a rate), else its first.
func ChartColumn(res *Result) int {
	for i, c := range res.Columns {
		if c.Kind != KindCount {
			return i
		}
	}
	return 0
}

// WriteSVG draws a result's chart column as grouped bars: the period as
// solid bars, the previous period as hatched bars beside them, so the two
// differ by pattern and by the legend's words, not by colour alone. Each
// bar carries a <title> with its group and value. The SVG has no script
// and no outside reference; all text is escaped.
func WriteSVG(w io.Writer, res *Result, t ChartText) error {
	col := ChartColumn(res)
	const (
		width, height        = 760.0, 320.0
		left, right, top, bt = 64.0, 16.0, 40.0, 72.0
	)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="100%%" role="img" aria-labelledby="chart-title" font-family="system-ui, sans-serif" font-size="12">`, width, height)
	fmt.Fprintf(&b, `<title id="chart-title">%s</title>`, esc(t.Title))
	b.WriteString(`<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
		`<rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#5a5a5a" stroke-width="3"/></pattern></defs>`)
	b.WriteString(`<rect width="100%" height="100%" fill="#fff"/>`)
	// Legend: a solid and a hatched swatch with their words.
	fmt.Fprintf(&b, `<rect x="%g" y="10" width="14" height="14" fill="#1f4e79"/><text x="%g" y="22">%s</text>`, left, left+20, esc(t.Current))
	lx := left + 40 + float64(7*len([]rune(t.Current)))
	fmt.Fprintf(&b, `<rect x="%g" y="10" width="14" height="14" fill="url(#hatch)" stroke="#5a5a5a"/><text x="%g" y="22">%s</text>`, lx, lx+20, esc(t.Previous))
	rows := res.Rows
	if len(rows) == 0 {
		rows = []Row{res.Total}
	}
	maxV := 0.0
	for _, r := range rows {
		for _, v := range []*float64{at(r.Values, col), at(r.Previous, col)} {
			if v != nil {
				maxV = math.Max(maxV, *v)
			}
		}
	}
	plotW, plotH := width-left-right, height-top-bt
	if maxV == 0 {
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle">%s</text></svg>`, width/2, top+plotH/2, esc(t.Empty))
		_, err := io.WriteString(w, b.String())
		return err
	}
	kind := res.Columns[col].Kind
	step := niceStep(maxV / 4)
	if kind == KindCount {
		step = math.Max(step, 1) // no "0.5 tickets" on the axis
	}
	top4 := math.Ceil(maxV/step) * step
	// Axis and grid lines with values.
	for v := 0.0; v <= top4+step/2; v += step {
		y := top + plotH - plotH*v/top4
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="#d0d0d0"/><text x="%g" y="%.1f" text-anchor="end">%s</text>`,
			left, width-right, y, y, left-6, y+4, esc(FormatValue(kind, v, t.Decimal)))
	}
	slot := plotW / float64(len(rows))
	bar := math.Max(1, math.Min(28, slot*0.4))
	every := int(math.Ceil(float64(len(rows)) / 16)) // at most 16 labels under the axis
	for i, r := range rows {
		x := left + slot*float64(i) + slot/2 - bar
		draw := func(v *float64, x float64, fill, legend string) {
			if v == nil {
				return
			}
			h := plotH * *v / top4
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="#1f1f1f" stroke-width="0.5"><title>%s, %s: %s</title></rect>`,
				x, top+plotH-h, bar, h, fill, esc(r.Label), esc(legend), esc(FormatValue(kind, *v, t.Decimal)))
		}
		draw(at(r.Values, col), x, "#1f4e79", t.Current)
		draw(at(r.Previous, col), x+bar, "url(#hatch)", t.Previous)
		if i%every == 0 {
			label := r.Label
			if len([]rune(label)) > 12 {
				label = string([]rune(label)[:11]) + "…"
			}
			cx := left + slot*float64(i) + slot/2
			fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="end" transform="rotate(-40 %.1f %g)">%s</text>`, cx, top+plotH+14, cx, top+plotH+14, esc(label))
		}
	}
	fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%g" y2="%g" stroke="#1f1f1f"/></svg>`, left, width-right, top+plotH, top+plotH)
	_, err := io.WriteString(w, b.String())
	return err
}

func at(vs []*float64, i int) *float64 {
	if i < len(vs) {
		return vs[i]
	}
	return nil
}

func esc(s string) string { return html.EscapeString(s) }

// niceStep rounds a grid step up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

// FormatValue writes a figure for people: durations as h:mm:ss,
// percentages with a % sign, counts as whole numbers, fractions with the
// reader's decimal mark (locale.DecimalMark; "" is a point).
func FormatValue(kind string, v float64, decimal string) string {
	frac := func(s string) string {
		if decimal == "" {
			return s
		}
		return strings.Replace(s, ".", decimal, 1)
	}
	switch kind {
	case KindSeconds:
		s := int64(math.Round(v))
		return fmt.Sprintf("%d:%02d:%02d", s/3600, (s%3600)/60, s%60)
	case KindPercent:
		return frac(strconv.FormatFloat(v, 'f', 1, 64)) + "%"
	}
	if v == math.Trunc(v) {
		return strconv.FormatInt(int64(v), 10)
	}
	return frac(strconv.FormatFloat(v, 'f', 2, 64))
}
