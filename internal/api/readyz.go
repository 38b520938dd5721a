package api

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Readiness has two parts, for two kinds of load-balancer checks:
//
//   - /readyz is the gateway's: 200 while JetStream answers (Opts.Ready).
//     A provider's webhook, a form and a chat message are acknowledged only
//     once they are in JetStream, so the gateway takes them safely even
//     while the database is down; the core stores them when it is back.
//     Route provider and citizen traffic by this check.
//   - /readyz/core is the core's: 200 while the database answers as well
//     (Opts.CoreReady). The console and the agents' API need it.
//
// Both answer with every check, so either one shows the whole picture:
//
//	{"status": "ready", "gateway": "ready", "core": "unavailable",
//	 "checks": {"nats": "ok", "database": "unavailable"}}
//
// While the process starts (starting.go) both answer 503 this way, with
// "nats" unavailable until JetStream answers.

// handleReadyz answers 503 unless the gateway's dependencies answer
// within 2s.
func (s *Server) handleReadyz(c *fiber.Ctx) error {
	gateway, core, checks := s.readiness(c.UserContext(), false)
	return s.readyAnswer(c, gateway, gateway, core, checks)
}

// handleReadyzCore answers 503 unless the gateway's and the core's
// dependencies answer within 2s.
func (s *Server) handleReadyzCore(c *fiber.Ctx) error {
	gateway, core, checks := s.readiness(c.UserContext(), true)
	return s.readyAnswer(c, gateway && core, gateway, core, checks)
}

func (s *Server) readyAnswer(c *fiber.Ctx, ok, gateway, core bool, checks fiber.Map) error {
	status, word := fiber.StatusOK, "ready"
	if !ok {
		status, word = fiber.StatusServiceUnavailable, "unavailable"
	}
	return c.Status(status).JSON(fiber.Map{"status": word, "gateway": readyWord(gateway), "core": readyWord(gateway && core), "checks": checks})
}

func readyWord(ok bool) string {
	if ok {
		return "ready"
	}
	return "unavailable"
}

// readiness pings every dependency at once (2s in all) and reports
// whether the gateway's and the core's own ones all answered. A failing
// check is logged as a warning only when it decides the answer (forCore:
// the core's checks do): a balancer polling /readyz during a database
// outage does not flood the log.
func (s *Server) readiness(ctx context.Context, forCore bool) (gateway, core bool, checks fiber.Map) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	type result struct {
		name string
		core bool
		err  error
	}
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		out []result
	)
	ping := func(name string, chk Checker, isCore bool) {
		defer wg.Done()
		err := chk.Ping(ctx)
		mu.Lock()
		out = append(out, result{name, isCore, err})
		mu.Unlock()
	}
	for name, chk := range s.o.Ready {
		wg.Add(1)
		go ping(name, chk, false)
	}
	for name, chk := range s.o.CoreReady {
		wg.Add(1)
		go ping(name, chk, true)
	}
	wg.Wait()
	gateway, core, checks = true, true, fiber.Map{}
	for _, r := range out {
		if r.err == nil {
			checks[r.name] = "ok"
			continue
		}
		checks[r.name] = "unavailable"
		level := slog.LevelWarn
		if r.core && !forCore || errors.Is(r.err, errStarting) {
			level = slog.LevelDebug // the start logs its own wait for NATS
		}
		s.o.Log.Log(ctx, level, "not ready", "dependency", r.name, "err", r.err)
		if r.core {
			core = false
		} else {
			gateway = false
		}
	}
	return gateway, core, checks
}
