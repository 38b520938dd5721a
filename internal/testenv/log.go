package testenv

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
)

// Logger returns a logger that writes each record through t.Log, shown on
// failure or with -v. Records logged after the test finished (a goroutine
// still draining) are dropped rather than panicking the test binary.
//
// Only warnings and errors by default: a failing test's output is then
// mostly its own lines and the reason it failed, not the routine records
// of an app starting (migrations, every request). TEST_LOG_LEVEL=debug or
// info shows those too.
func Logger(t testing.TB) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(w.stop)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: LogLevel()}))
}

// LogLevel is the level TEST_LOG_LEVEL names (debug, info, warn, error);
// warn when unset or unknown.
func LogLevel() slog.Level {
	switch strings.ToLower(strings.TrimSpace(os.Getenv("TEST_LOG_LEVEL"))) {
	case "debug":
		return slog.LevelDebug
	case "info":
		return slog.LevelInfo
	case "error":
		return slog.LevelError
	}
	return slog.LevelWarn
}

type testWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

// Write gets one whole record per call from slog's text handler.
func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(string(bytes.TrimRight(p, "\n")))
	}
	return len(p), nil
}

// stop runs as the logger's cleanup. Cleanups run last-in first-out, so
// cleanups registered after Logger (closing a bus, dropping a schema) can
// still log.
func (w *testWriter) stop() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}
