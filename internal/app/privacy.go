package app

import (
	"context"
	"log/slog"

	"golang.org/x/sync/errgroup"

	"tanggap/internal/api"
	"tanggap/internal/attachment"
	"tanggap/internal/config"
	"tanggap/internal/db"
	"tanggap/internal/dsr"
	"tanggap/internal/retention"
	"tanggap/internal/viewaudit"
)

// privacy is the personal-data protection (UU 27/2022): the view audit,
// data-subject requests and the retention purge.
type privacy struct {
	cfg      config.Config
	d        *db.DB
	views    *viewaudit.Recorder
	subjects *dsr.Service
	purger   *retention.Purger
}

func newPrivacy(cfg config.Config, d *db.DB, files attachment.Store, log *slog.Logger) *privacy {
	views := viewaudit.New(viewaudit.Opts{DB: d, Log: log})
	r := cfg.Retention
	return &privacy{
		cfg: cfg, d: d, views: views,
		subjects: dsr.New(dsr.Opts{DB: d, Files: files, Views: views, Log: log}),
		purger: retention.New(retention.Opts{DB: d, Files: files, Views: views, Log: log, Periods: retention.Periods{
			MessageBodies: r.MessageBodies, Attachments: r.Attachments, Identities: r.Identities, Audit: r.Audit}}),
	}
}

// start runs the view audit's writer and the periodic purge.
func (p *privacy) start(g *errgroup.Group, ctx context.Context) {
	g.Go(func() error { return p.views.Run(ctx) })
	g.Go(func() error { return p.purger.Loop(ctx, p.cfg.Retention.Interval) })
}

func (p *privacy) api() *api.Privacy {
	// A restricted citizen's tickets are refused by their owners: the
	// ticket service, routing and the complaint lifecycle.
	return &api.Privacy{Views: p.views, Subjects: p.subjects, Retention: p.purger}
}
