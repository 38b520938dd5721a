package cluster

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
)

// DBProxy is a TCP proxy between the instances and PostgreSQL, so a fault
// run can take the database away from the instances without stopping a
// server other programs use: Down closes every connection and refuses new
// ones (the port is closed), Up listens again on the same port.
type DBProxy struct {
	target string // host:port of PostgreSQL

	mu    sync.Mutex
	addr  string
	l     net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// NewDBProxy listens on a free local port and forwards to the PostgreSQL
// of dbURL.
func NewDBProxy(dbURL string) (*DBProxy, error) {
	u, err := url.Parse(dbURL)
	if err != nil || u.Host == "" {
		return nil, errors.New("cluster: database proxy: DATABASE_URL must be a postgres://host:port/… URL")
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "5432")
	}
	p := &DBProxy{target: target, conns: map[net.Conn]struct{}{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cluster: database proxy: %w", err)
	}
	p.addr = l.Addr().String()
	p.serve(l)
	return p, nil
}

// URL is dbURL with its host replaced by the proxy's address.
func (p *DBProxy) URL(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL
	}
	u.Host = p.addr
	return u.String()
}

func (p *DBProxy) serve(l net.Listener) {
	p.mu.Lock()
	p.l = l
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
}

func (p *DBProxy) pipe(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.l == nil { // went down while dialing
		p.mu.Unlock()
		c.Close()
		s.Close()
		return
	}
	p.conns[c], p.conns[s] = struct{}{}, struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) { _, _ = io.Copy(dst, src); done <- struct{}{} }
	go cp(s, c)
	go cp(c, s)
	<-done
	c.Close()
	s.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, s)
	p.mu.Unlock()
}

// Down closes the port and every connection through the proxy: to the
// instances, the database is gone.
func (p *DBProxy) Down() {
	p.mu.Lock()
	l := p.l
	p.l = nil
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	if l != nil {
		l.Close()
	}
	p.wg.Wait()
}

// Up listens again on the same port.
func (p *DBProxy) Up() error {
	p.mu.Lock()
	up := p.l != nil
	p.mu.Unlock()
	if up {
		return nil
	}
	l, err := net.Listen("tcp", p.addr)
	if err != nil {
		return fmt.Errorf("cluster: database proxy: listen again on %s: %w", p.addr, err)
	}
	p.serve(l)
	return nil
}

// Close stops the proxy for good.
func (p *DBProxy) Close() { p.Down() }
