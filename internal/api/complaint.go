package api

import (
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/complaint"
	"tanggap/internal/csvcell"
	"tanggap/internal/httpx"
	"tanggap/internal/locale"
	"tanggap/internal/reports"
)

// Complaint lifecycle (internal/complaint): the lifecycle panel of a
// ticket and its actions, the audited reveal of a confidential identity,
// the supervisors' escalations and the complaint-handling report.

func (s *Server) handleComplaint(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	v, err := s.o.Complaints.View(c.UserContext(), current(c), id)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (s *Server) handleComplaintAction(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	var a complaint.Action
	if err := httpx.DecodeJSON(c, &a); err != nil {
		return err
	}
	v, err := s.o.Complaints.Act(c.UserContext(), current(c), id, c.Params("action"), a)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// handleComplaintAdopt treats a ticket of any channel that is not yet in
// the lifecycle as a complaint: {"kind": "...", "category": "..."}.
func (s *Server) handleComplaintAdopt(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	var req struct {
		Kind     string `json:"kind"`
		Category string `json:"category"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	v, err := s.o.Complaints.Adopt(c.UserContext(), current(c), id, req.Kind, req.Category)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(v)
}

func (s *Server) handleComplaintReveal(c *fiber.Ctx) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := httpx.DecodeJSON(c, &req); err != nil {
		return err
	}
	who, err := s.o.Complaints.Reveal(c.UserContext(), current(c), id, req.Reason)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(who)
}

func (s *Server) handleComplaintsEscalated(c *fiber.Ctx) error {
	list, err := s.o.Complaints.Escalated(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(list)
}

// handleComplaintReport: ?from=YYYY-MM-DD&to=YYYY-MM-DD (to inclusive,
// WIB days)&group_by=kind|category|province|unit[&format=csv|html].
func (s *Server) handleComplaintReport(c *fiber.Ctx) error {
	wib := time.FixedZone("WIB", 7*3600)
	from, err1 := time.ParseInLocation(time.DateOnly, c.Query("from"), wib)
	to, err2 := time.ParseInLocation(time.DateOnly, c.Query("to"), wib)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("%w: from and to are YYYY-MM-DD", complaint.ErrInvalid)
	}
	group := c.Query("group_by", "kind")
	r, err := s.o.Complaints.Report(c.UserContext(), from, to.AddDate(0, 0, 1), group)
	if err != nil {
		return err
	}
	lang := s.o.Lang(c)
	cols := []string{"received", "verified", "completed_by_citizen", "disposed", "answered", "answered_in_time", "closed", "not_authority", "archived", "reopened", "over_ceiling"}
	values := func(row complaint.ReportRow) []int {
		return []int{row.Received, row.Verified, row.CompletedByCitizen, row.Disposed, row.Answered, row.AnsweredInTime, row.Closed, row.NotAuthority, row.Archived, row.Reopened, row.OverCeiling}
	}
	switch c.Query("format") {
	case "csv":
		csvDownload(c, csvName("complaints", c.Query("from"), c.Query("to"), group))
		c.Response().AppendBodyString(utf8BOM)
		w := csv.NewWriter(c)
		head := append([]string{group}, cols...)
		_ = w.Write(head)
		for _, row := range append(r.Rows, r.Total) {
			rec := []string{csvcell.Safe(row.Group)}
			for _, v := range values(row) {
				rec = append(rec, strconv.Itoa(v))
			}
			_ = w.Write(rec)
		}
		w.Flush()
		return w.Error()
	case "svg":
		// The chart of the console's reports screen, drawn like the other
		// reports' (internal/reports): per group, received as solid bars
		// and closed as hatched bars beside them, told apart by pattern and
		// the legend's words.
		res := &reports.Result{Name: "complaints", GroupBy: group, Columns: []reports.Column{{Key: "received", Kind: reports.KindCount}}}
		row := func(r complaint.ReportRow) reports.Row {
			rec, cl := float64(r.Received), float64(r.Closed)
			name := r.Group
			if group == "kind" {
				name = s.o.Locale.T(lang, "lifecycle.kind."+r.Group)
			}
			return reports.Row{Key: r.Group, Label: name, Values: []*float64{&rec}, Previous: []*float64{&cl}}
		}
		for _, r := range r.Rows {
			res.Rows = append(res.Rows, row(r))
		}
		res.Total = row(r.Total)
		c.Set(fiber.HeaderContentType, "image/svg+xml; charset=utf-8")
		c.Set(fiber.HeaderCacheControl, "private, no-store")
		return reports.WriteSVG(c.Response().BodyWriter(), res, reports.ChartText{
			Title:    s.o.Locale.T(lang, "lifecycle.report.title") + " — " + s.o.Locale.T(lang, "lifecycle.report.group."+group),
			Current:  s.o.Locale.T(lang, "lifecycle.report.received"),
			Previous: s.o.Locale.T(lang, "lifecycle.report.closed"),
			Empty:    s.o.Locale.T(lang, "reports.empty"),
			Decimal:  locale.DecimalMark(lang),
		})
	case "html":
		// The printable page: a plain table, printed from the browser.
		var b strings.Builder
		b.WriteString(`<!doctype html><html lang="` + htmlEsc(lang) + `"><meta charset="utf-8"><title>` + htmlEsc(s.o.Locale.T(lang, "lifecycle.report.title")) +
			`</title><style>body{font-family:sans-serif}table{border-collapse:collapse}th,td{border:1px solid #444;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}</style>`)
		b.WriteString(`<h1>` + htmlEsc(s.o.Locale.T(lang, "lifecycle.report.title")) + `</h1><p>` + htmlEsc(c.Query("from")+" – "+c.Query("to")) + `</p><table><thead><tr><th scope="col">` +
			htmlEsc(s.o.Locale.T(lang, "lifecycle.report.group."+group)) + `</th>`)
		for _, col := range cols {
			b.WriteString(`<th scope="col">` + htmlEsc(s.o.Locale.T(lang, "lifecycle.report."+col)) + `</th>`)
		}
		b.WriteString(`</tr></thead><tbody>`)
		for _, row := range append(r.Rows, r.Total) {
			name := row.Group
			if name == "total" {
				name = s.o.Locale.T(lang, "lifecycle.report.total")
			}
			b.WriteString(`<tr><th scope="row">` + htmlEsc(name) + `</th>`)
			for _, v := range values(row) {
				b.WriteString(`<td>` + strconv.Itoa(v) + `</td>`)
			}
			b.WriteString(`</tr>`)
		}
		b.WriteString(`</tbody></table></html>`)
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; style-src 'unsafe-inline'")
		return c.SendString(b.String())
	}
	return c.JSON(r)
}

var htmlEsc = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;").Replace
