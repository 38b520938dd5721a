package app

import (
	"context"
	"os"

	"tanggap/internal/config"
	"tanggap/internal/tracing"
)

// startTracing turns tracing on when the standard OTEL_* variables ask
// for it (an OTLP endpoint set); they are read as the OpenTelemetry SDK
// documents them, not through config.
func (a *App) startTracing(ctx context.Context, _ config.Config) error {
	p, err := tracing.Setup(ctx, os.Getenv, a.log)
	if err != nil {
		return err
	}
	a.traces = p
	if p != nil {
		a.tracer = p.Tracer()
	}
	return nil
}
