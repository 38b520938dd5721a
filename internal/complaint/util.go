package complaint

import "strings"

func trim(s string) string { return strings.TrimSpace(s) }
