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
	"tanggap/internal/refused"
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
	files    attachment.Store
	log      *slog.Logger
}

func newPrivacy(cfg config.Config, d *db.DB, files attachment.Store, log *slog.Logger) *privacy {
	views := viewaudit.New(viewaudit.Opts{DB: d, Log: log})
	r := cfg.Retention
	return &privacy{
		cfg: cfg, d: d, views: views, files: files, log: log,
		subjects: dsr.New(dsr.Opts{DB: d, Files: files, Views: views, Log: log}),
		purger: retention.New(retention.Opts{DB: d, Files: files, Views: views, Log: log, Periods: retention.Periods{
			MessageBodies: r.MessageBodies, Attachments: r.Attachments, Identities: r.Identities, Audit: r.Audit}}),
	}
}

// start runs the view audit's writer and the periodic purge.
func (p *privacy) start(g *errgroup.Group, ctx context.Context) {
	g.Go(func() error { return p.views.Run(ctx) })
	g.Go(func() error { return p.purger.Loop(ctx, p.cfg.Retention.Interval) })
	g.Go(func() error { p.sealFiles(ctx); return nil })
}

// sealFiles, with an encryption key set, seals once in the background the
// files stored before it was set (they are served meanwhile): each
// instance may run it, a sealed file is left alone.
func (p *privacy) sealFiles(ctx context.Context) {
	s, ok := p.files.(interface {
		SealAll(context.Context, *slog.Logger) (attachment.SealReport, error)
	})
	if !ok || p.cfg.FileStore.EncryptionKey == "" {
		return
	}
	rep, err := s.SealAll(ctx, p.log)
	if err != nil && ctx.Err() == nil {
		p.log.Error("sealing stored files failed", "error", err, "sealed", rep.Sealed)
		return
	}
	if rep.Sealed > 0 || rep.Unreadable > 0 || rep.Failed > 0 {
		p.log.Info("stored files sealed", "sealed", rep.Sealed, "already", rep.Already, "unreadable", rep.Unreadable, "failed", rep.Failed)
	}
}

func (p *privacy) api(refusedItems *refused.Service) *api.Privacy {
	// A restricted citizen's tickets are refused by their owners: the
	// ticket service, routing and the complaint lifecycle.
	return &api.Privacy{Views: p.views, Subjects: p.subjects, Retention: p.purger, Refused: refusedItems}
}
