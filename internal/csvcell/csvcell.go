// Package csvcell keeps the text cells of the CSV exports (reports,
// ratings, complaints) from being read as formulas by a spreadsheet: a
// label or a citizen's words starting with = + - @ or a tab or carriage
// return get a leading apostrophe, which spreadsheets show as text.
package csvcell

// Safe is s as a CSV cell a spreadsheet will not evaluate. A lone dash
// (the reports' "none") is no formula and stays as it is: the apostrophe
// would only show.
func Safe(s string) string {
	if s == "" || s == "-" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
