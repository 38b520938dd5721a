package api

import (
	"context"
	"reflect"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"tanggap/internal/audit"
	"tanggap/internal/locale"
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

// AuditedBy says which audit prefix records a route's changes
// ("settings." for a route carrying auditSettings, "admin." for a change
// under /api/v1/admin, which auditAdmin wraps), "" for none.
func AuditedBy(r fiber.Route) string { return auditedBy(r) }

// AuditActions is the action filter's list for lang over routes.
func AuditActions(cat *locale.Catalog, lang string, routes []fiber.Route) []AuditAction {
	return (&Server{o: Opts{Locale: cat}}).auditActions(lang, routes)
}

type AuditAction = auditAction

// ReadableAudit is the admin screen's reading of an audit line.
func ReadableAudit(cat *locale.Catalog, lang, action, detail string) (summary string, fields [][2]string) {
	return ReadableAuditNamed(cat, lang, action, detail, nil)
}

// ReadableAuditNamed is ReadableAudit with the page's account names read
// (an id absent from names is an account no more).
func ReadableAuditNamed(cat *locale.Catalog, lang, action, detail string, names map[int64]string) (summary string, fields [][2]string) {
	l := (&Server{o: Opts{Locale: cat}}).readable(context.Background(), lang, audit.Entry{Action: action, Detail: detail}, names)
	for _, f := range l.Fields {
		fields = append(fields, [2]string{f.Label, f.Value})
	}
	return l.Summary, fields
}
