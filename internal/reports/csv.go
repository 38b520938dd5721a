package reports

import (
	"encoding/csv"
	"io"
	"strconv"

	"tanggap/internal/csvcell"
)

// WriteCSV writes a result as CSV: the group's key and label, each column
// of the period, then each column of the previous period (header
// "<key>_previous"), and a last row "total". Undefined figures are empty
// cells. Cells that a spreadsheet would run as a formula are quoted with
// a leading apostrophe.
func WriteCSV(w io.Writer, res *Result) error {
	cw := csv.NewWriter(w)
	head := []string{"group", "label"}
	for _, c := range res.Columns {
		head = append(head, c.Key)
	}
	for _, c := range res.Columns {
		head = append(head, c.Key+"_previous")
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	row := func(r Row) error {
		rec := []string{csvcell.Safe(r.Key), csvcell.Safe(r.Label)}
		for _, v := range r.Values {
			rec = append(rec, num(v))
		}
		for _, v := range r.Previous {
			rec = append(rec, num(v))
		}
		return cw.Write(rec)
	}
	for _, r := range res.Rows {
		if err := row(r); err != nil {
			return err
		}
	}
	if err := row(res.Total); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func num(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
