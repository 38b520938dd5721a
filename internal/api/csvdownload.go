package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// utf8BOM starts every CSV download. Spreadsheet programs (Excel on
// Windows, the one most offices open a CSV with) read a CSV without it in
// the system's code page, which garbles names with letters beyond ASCII
// and the "–" of an empty cell; every CSV reader that knows UTF-8 skips it.
const utf8BOM = "\ufeff"

// csvName is a CSV download's file name, one pattern for all of them:
// what the file holds, then its period (dates as YYYY-MM-DD, or the
// month) and its grouping, joined by "_" ("volume_2026-11-01_2026-11-30",
// "csat_2026-11-01_2026-11-30_channel"), so a folder of downloads sorts
// by report and then by period. Empty parts are left out.
func csvName(what string, parts ...string) string {
	name := []string{what}
	for _, p := range parts {
		if p != "" {
			name = append(name, p)
		}
	}
	return strings.Join(name, "_") + ".csv"
}

// csvDownload sets a CSV download's headers for filename; the body must
// start with utf8BOM.
func csvDownload(c *fiber.Ctx, filename string) {
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
}
