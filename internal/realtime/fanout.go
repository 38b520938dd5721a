package realtime

import (
	"fmt"
	"log/slog"
	"sync"

	"github.com/nats-io/nats.go"
)

// Fanout delivers frames published on a topic to every connection
// subscribed to it, on every instance: a publish goes to a NATS core
// subject, and each instance holds one subscription per topic that has
// local subscribers (reference counted). NATS core is at-most-once, so
// protocols use it for speed and keep their own durable log for resume.
//
// All subscriptions feed one channel drained by one goroutine, so an idle
// topic costs a map entry and a NATS interest, not a goroutine.
type Fanout struct {
	nc      *nats.Conn
	subject func(topic string) string
	log     *slog.Logger

	mu        sync.Mutex
	topics    map[string]*topic
	bySubject map[string]*topic
	in        chan *nats.Msg
	done      chan struct{}
	wg        sync.WaitGroup
}

type topic struct {
	sub   *nats.Subscription
	conns map[*Conn]struct{}
}

// NewFanout starts a fan-out over nc; subject maps a topic to its subject
// (see bus.Names.Realtime). Close stops it.
func NewFanout(nc *nats.Conn, subject func(topic string) string, log *slog.Logger) *Fanout {
	if log == nil {
		log = slog.Default()
	}
	f := &Fanout{nc: nc, subject: subject, log: log, topics: map[string]*topic{}, bySubject: map[string]*topic{},
		in: make(chan *nats.Msg, 1<<16), done: make(chan struct{})}
	f.wg.Add(1)
	go f.dispatch()
	return f
}

// Subscribe adds c to topic's subscribers.
func (f *Fanout) Subscribe(c *Conn, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.topics[name]
	if t == nil {
		sub, err := f.nc.ChanSubscribe(f.subject(name), f.in)
		if err != nil {
			return fmt.Errorf("realtime: subscribe %s: %w", name, err)
		}
		t = &topic{sub: sub, conns: map[*Conn]struct{}{}}
		f.topics[name] = t
		f.bySubject[sub.Subject] = t
	}
	t.conns[c] = struct{}{}
	return nil
}

// Unsubscribe removes c from topic; the last one out drops the NATS
// subscription.
func (f *Fanout) Unsubscribe(c *Conn, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.topics[name]
	if t == nil {
		return
	}
	delete(t.conns, c)
	if len(t.conns) == 0 {
		if err := t.sub.Unsubscribe(); err != nil && f.nc.IsConnected() {
			f.log.Warn("realtime unsubscribe", "err", err)
		}
		delete(f.topics, name)
		delete(f.bySubject, t.sub.Subject)
	}
}

// Publish sends frame to every subscriber of topic on every instance.
func (f *Fanout) Publish(name string, frame []byte) error {
	if err := f.nc.Publish(f.subject(name), frame); err != nil {
		return fmt.Errorf("realtime: publish %s: %w", name, err)
	}
	return nil
}

// Local lists this instance's connections subscribed to topic.
func (f *Fanout) Local(name string) []*Conn {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.topics[name]
	if t == nil {
		return nil
	}
	out := make([]*Conn, 0, len(t.conns))
	for c := range t.conns {
		out = append(out, c)
	}
	return out
}

// Topics lists the topics with local subscribers.
func (f *Fanout) Topics() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.topics))
	for name := range f.topics {
		out = append(out, name)
	}
	return out
}

// Close stops dispatching.
func (f *Fanout) Close() {
	f.mu.Lock()
	for name, t := range f.topics {
		_ = t.sub.Unsubscribe()
		delete(f.topics, name)
		delete(f.bySubject, t.sub.Subject)
	}
	f.mu.Unlock()
	close(f.done)
	f.wg.Wait()
}

func (f *Fanout) dispatch() {
	defer f.wg.Done()
	for {
		select {
		case <-f.done:
			return
		case m := <-f.in:
			f.mu.Lock()
			var targets []*Conn
			if t := f.bySubject[m.Subject]; t != nil {
				targets = make([]*Conn, 0, len(t.conns))
				for c := range t.conns {
					targets = append(targets, c)
				}
			}
			f.mu.Unlock()
			if len(targets) == 0 {
				continue
			}
			p := Prepare(m.Data)
			for _, c := range targets {
				c.SendPrepared(p)
			}
		}
	}
}
