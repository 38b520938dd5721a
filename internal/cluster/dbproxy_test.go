package cluster_test

import (
	"bufio"
	"io"
	"net"
	"net/url"
	"testing"
	"time"

	"tanggap/internal/cluster"
)

// echoServer stands in for PostgreSQL: it echoes every line.
func echoServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
		}
	}()
	return l.Addr().String()
}

func roundTrip(c net.Conn, line string) (string, error) {
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		return "", err
	}
	got, err := bufio.NewReader(c).ReadString('\n')
	return got, err
}

// TestDBProxyOutage: through the proxy the server answers; Down cuts the
// open connection and refuses new ones; Up lets them in again on the
// same address.
func TestDBProxyOutage(t *testing.T) {
	target := echoServer(t)
	p, err := cluster.NewDBProxy("postgres://u@" + target + "/db?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	u, err := url.Parse(p.URL("postgres://u@" + target + "/db?sslmode=disable"))
	if err != nil || u.Host == target || u.Path != "/db" || u.User.Username() != "u" {
		t.Fatalf("proxy URL %v (%v): want the proxy's address, the same user, database and options", u, err)
	}
	open, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	if got, err := roundTrip(open, "hello"); err != nil || got != "hello\n" {
		t.Fatalf("through the proxy: %q, %v", got, err)
	}
	p.Down()
	if _, err := roundTrip(open, "still there?"); err == nil {
		t.Fatal("a connection open before Down still works after it")
	}
	if c, err := net.Dial("tcp", u.Host); err == nil {
		c.Close()
		t.Fatal("a new connection was accepted while the proxy is down")
	}
	if err := p.Up(); err != nil {
		t.Fatal(err)
	}
	again, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatalf("after Up: %v", err)
	}
	defer again.Close()
	if got, err := roundTrip(again, "back"); err != nil || got != "back\n" {
		t.Fatalf("after Up: %q, %v", got, err)
	}
}
