package cluster_test

import (
	"bytes"
	"sync"
)

// syncWriter lets two child processes' output goroutines share a buffer.
type syncWriter struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
