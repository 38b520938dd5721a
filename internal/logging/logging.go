// Package logging builds the process logger. Everything logs through
// log/slog; personal data is masked by the caller with internal/mask before
// it reaches a log call.
package logging

import (
	"io"
	"log/slog"
	"strings"

	"tanggap/internal/tracing"
)

// New returns a logger writing text or JSON at the given level.
func New(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lv = slog.LevelDebug
	case "warn":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	default:
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	// A line logged with a traced context carries its trace_id.
	return slog.New(tracing.LogHandler{Handler: h})
}
