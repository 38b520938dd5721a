package api

import (
	"reflect"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"tanggap/internal/permission"
)

// RoutePermission asks a route's handlers which permission gates it:
// found is false when no handler is a gate, legacy when the gate is one
// of the role-named middlewares (authed) rather than s.need.
func RoutePermission(r fiber.Route) (p permission.P, legacy, found bool) {
	app := fiber.New()
	for _, h := range r.Handlers {
		c := app.AcquireCtx(&fasthttp.RequestCtx{})
		probe := &routeProbe{}
		c.Locals(localProbe, probe)
		if !isGate(h) {
			app.ReleaseCtx(c)
			continue
		}
		_ = h(c)
		app.ReleaseCtx(c)
		if probe.found {
			return probe.perm, probe.legacy, true
		}
	}
	return "", false, false
}

// gateCode is the code of every gate closure (they share one literal).
var gateCode = reflect.ValueOf((&Server{}).gate("", false)).Pointer()

func isGate(h fiber.Handler) bool { return reflect.ValueOf(h).Pointer() == gateCode }
