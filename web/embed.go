// Package web holds the browser side of tanggap: HTML templates rendered by
// internal/pages and the static CSS and JavaScript they load. There is no
// build step and no external asset: what is in this folder is what the
// browser gets, embedded in the binary.
package web

import "embed"

// FS holds templates/*.html and static/**.
//
//go:embed templates static
var FS embed.FS
