package api

import "github.com/gofiber/fiber/v2"

// utf8BOM starts every CSV download. Spreadsheet programs (Excel on
// Windows, the one most offices open a CSV with) read a CSV without it in
// the system's code page, which garbles names with letters beyond ASCII
// and the "–" of an empty cell; every CSV reader that knows UTF-8 skips it.
const utf8BOM = "\ufeff"

// csvDownload sets a CSV download's headers for filename; the body must
// start with utf8BOM.
func csvDownload(c *fiber.Ctx, filename string) {
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
}
