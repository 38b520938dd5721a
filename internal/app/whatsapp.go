package app

import (
	"context"
	"fmt"
	"log/slog"

	"go.opentelemetry.io/otel/trace"

	"tanggap/channels"
	"tanggap/channels/whatsapp"
	"tanggap/internal/attachment"
	"tanggap/internal/bus"
	"tanggap/internal/config"
	"tanggap/internal/db"
	"tanggap/internal/domain"
	"tanggap/internal/ticket"
)

// newWhatsApp builds the WhatsApp adapter, or returns nil (and says so)
// when no WhatsApp setting is given.
func newWhatsApp(cfg config.Config, d *db.DB, b *bus.Bus, media whatsapp.Media, files attachment.Store, log *slog.Logger,
	surveys whatsapp.Surveys, texts whatsapp.Texts, templates *whatsapp.Templates, waits whatsapp.Waiter, tracer trace.Tracer) *whatsapp.Adapter {
	w := cfg.WhatsApp
	if !w.Enabled() {
		log.Info("whatsapp channel off: no WHATSAPP_* settings")
		return nil
	}
	log.Info("whatsapp channel on", "numbers", len(w.NumberQueues), "templates", len(w.Templates), "rate_limit", w.RateLimit,
		"ack", w.Ack)
	return whatsapp.New(whatsapp.Opts{
		Bus: b, DB: d, Media: media, Attachments: files, Log: log, Tracer: tracer,
		AppSecret: w.AppSecret, VerifyToken: w.VerifyToken, AccessToken: w.AccessToken,
		APIBaseURL: w.APIBaseURL, APIVersion: w.APIVersion, PhoneNumberID: w.PhoneNumberID,
		NumberQueues: w.NumberQueues, RateLimit: w.RateLimit, MediaMaxBytes: w.MediaMaxBytes,
		ReplyFiles: channels.FileLimits{MaxBytes: cfg.ReplyFiles.WhatsAppMaxBytes, MaxFiles: cfg.ReplyFiles.MaxFiles},
		// csat: the survey's list message, template and answers.
		Surveys: surveys, Texts: texts,
		Templates: templates, // the approved templates' admin screen; the survey's template in force
		Waiter:    waits,     // the acknowledgement of a first message: is the queue closed, until when
	})
}

// newWhatsAppTemplates builds the approved templates' store and keeps its
// cached copy in step with the other instances: every change is announced
// on the bus and every announcement (this instance's own too) drops it.
func newWhatsAppTemplates(ctx context.Context, d *db.DB, b *bus.Bus) (*whatsapp.Templates, error) {
	subject := b.Names.ChannelSettings(domain.ChannelWhatsApp)
	t := whatsapp.NewTemplates(whatsapp.TemplatesOpts{DB: d, Changed: func() { b.Notify(subject) }})
	if err := b.OnNotice(ctx, subject, t.Drop); err != nil {
		return nil, fmt.Errorf("app: whatsapp template notices: %w", err)
	}
	return t, nil
}

// seedWhatsAppTemplates stores the configured templates when none is
// stored yet: WHATSAPP_TEMPLATES for agents, NOTIFY_WHATSAPP_TEMPLATE for
// notifications, CSAT_WHATSAPP_TEMPLATE for the survey. From then on the
// admin screen edits them and these settings are read no more.
func seedWhatsAppTemplates(ctx context.Context, cfg config.Config, s *whatsapp.Templates) error {
	var seed []whatsapp.Template
	for _, t := range cfg.WhatsApp.Templates {
		seed = append(seed, whatsapp.Template{Name: t.Name, Language: t.Language, Purpose: whatsapp.PurposeReply, Params: t.Params})
	}
	if t, ok := cfg.Notify.Template(cfg.WhatsApp); ok {
		params := t.Params
		if len(params) != 2 { // the sender fills these two
			params = []string{"tracking_number", "link"}
		}
		seed = append(seed, whatsapp.Template{Name: t.Name, Language: t.Language, Purpose: whatsapp.PurposeNotify, Params: params})
	}
	if t := cfg.CSAT.WhatsAppTemplate; t.Name != "" {
		seed = append(seed, whatsapp.Template{Name: t.Name, Language: t.Language, Purpose: whatsapp.PurposeSurvey, Params: []string{"tracking_number"}})
	}
	if err := s.Seed(ctx, seed); err != nil {
		return fmt.Errorf("app: whatsapp templates: %w", err)
	}
	return nil
}

// replyPolicies: WhatsApp replies are free text only within the window,
// else one of the reply templates active on the WhatsApp templates screen
// at the time of the reply (WHATSAPP_TEMPLATES only seeded them).
func replyPolicies(store *whatsapp.Templates) map[string]ticket.ReplyPolicy {
	current := func(ctx context.Context) ([]ticket.Template, error) {
		active, err := store.Active(ctx, whatsapp.PurposeReply)
		if err != nil {
			return nil, err
		}
		out := make([]ticket.Template, 0, len(active))
		for _, t := range active {
			out = append(out, ticket.Template{Name: t.Name, Language: t.Language, Params: t.Params})
		}
		return out, nil
	}
	return map[string]ticket.ReplyPolicy{string(domain.ChannelWhatsApp): {Window: whatsapp.ServiceWindow, Current: current}}
}
