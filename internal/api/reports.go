package api

import (
	"bufio"
	"context"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"tanggap/internal/locale"
	"tanggap/internal/reports"
)

// Reports: GET /api/v1/reports/:name (routes in routes.go, block
// "reports"), the per-ticket export and the monthly report.

// reportTimeout bounds the streaming export, which runs after the handler
// has returned (fiber's request context is gone by then).
const reportTimeout = 30 * time.Minute

func (s *Server) handleReport(c *fiber.Ctx) error {
	q, err := s.o.Reports.Parse(reports.Params{Name: c.Params("name"), From: c.Query("from"), To: c.Query("to"),
		GroupBy: c.Query("group_by"), Format: c.Query("format")})
	if errors.Is(err, reports.ErrUnknownReport) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	if q.Name == reports.Export {
		return s.streamExport(c, q)
	}
	lang := s.o.Lang(c)
	res, err := s.o.Reports.Run(c.UserContext(), q, lang)
	if err != nil {
		return err
	}
	if res.GroupBy == reports.GroupChannel {
		for i := range res.Rows {
			res.Rows[i].Label = s.o.Locale.T(lang, "channel."+res.Rows[i].Key)
		}
	}
	switch {
	case q.CSV:
		csvDownload(c, csvName(q.Name, res.From, res.To, res.GroupBy))
		c.Response().AppendBodyString(utf8BOM)
		return reports.WriteCSV(c.Response().BodyWriter(), res)
	case q.SVG:
		c.Set(fiber.HeaderContentType, "image/svg+xml; charset=utf-8")
		c.Set(fiber.HeaderCacheControl, "private, no-store")
		col := res.Columns[reports.ChartColumn(res)].Key
		return reports.WriteSVG(c.Response().BodyWriter(), res, reports.ChartText{
			Title:    s.o.Locale.T(lang, "reports.name."+q.Name) + " — " + s.o.Locale.T(lang, "reports.col."+col),
			Current:  s.o.Locale.T(lang, "reports.period_current") + " (" + res.From + " – " + res.To + ")",
			Previous: s.o.Locale.T(lang, "reports.period_previous") + " (" + res.PrevFrom + " – " + res.PrevTo + ")",
			Empty:    s.o.Locale.T(lang, "reports.empty"),
			Decimal:  locale.DecimalMark(lang),
		})
	}
	return c.JSON(fiber.Map{"report": res, "chart_column": reports.ChartColumn(res)})
}

// streamExport writes the per-ticket CSV from a rows cursor as the client
// reads it: memory stays flat however many tickets the range holds. An
// error after the first bytes can no longer change the status: it is
// logged and the body ends early (the file then lacks rows, which a
// truncated download shows).
func (s *Server) streamExport(c *fiber.Ctx, q reports.Query) error {
	csvDownload(c, reports.ExportName(q.From, q.To))
	rid, _ := c.Locals("requestid").(string)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), reportTimeout)
		defer cancel()
		_, _ = w.WriteString(utf8BOM)
		n, err := s.o.Reports.Export(ctx, q.From, q.To, w)
		if err != nil {
			s.o.Log.Error("ticket export stopped", "rows", n, "err", err, "request_id", rid)
			return
		}
		s.o.Log.Info("ticket export", "rows", n, "request_id", rid)
	})
	return nil
}

func (s *Server) handleMonthlyReport(c *fiber.Ctx) error {
	lang := s.o.Lang(c)
	m, err := s.o.Reports.Monthly(c.UserContext(), c.Params("month"), lang, c.Query("regenerate") == "1")
	if err != nil {
		return err
	}
	if c.Query("format") == "csv" {
		csvDownload(c, csvName("laporan", m.Month))
		return c.SendString(utf8BOM + m.CSV)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'")
	return c.SendString(m.HTML)
}
