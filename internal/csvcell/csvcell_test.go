package csvcell

import "testing"

func TestSafe(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "",
		"Umum (nasional)":     "Umum (nasional)",
		"-":                   "-",
		"-12":                 "'-12",
		"+6281234567890":      "'+6281234567890",
		"=HYPERLINK(\"x\")":   "'=HYPERLINK(\"x\")",
		"+1+cmd|' /C calc'!A": "'+1+cmd|' /C calc'!A",
		"-2+3":                "'-2+3",
		"@SUM(A1)":            "'@SUM(A1)",
		"\t=1":                "'\t=1",
		"\r=1":                "'\r=1",
	} {
		if got := Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
	}
}
