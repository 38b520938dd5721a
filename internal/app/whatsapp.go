package app

import (
	"log/slog"

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
	surveys whatsapp.Surveys, texts whatsapp.Texts) *whatsapp.Adapter {
	w := cfg.WhatsApp
	if !w.Enabled() {
		log.Info("whatsapp channel off: no WHATSAPP_* settings")
		return nil
	}
	log.Info("whatsapp channel on", "numbers", len(w.NumberQueues), "templates", len(w.Templates), "rate_limit", w.RateLimit)
	return whatsapp.New(whatsapp.Opts{
		Bus: b, DB: d, Media: media, Attachments: files, Log: log,
		AppSecret: w.AppSecret, VerifyToken: w.VerifyToken, AccessToken: w.AccessToken,
		APIBaseURL: w.APIBaseURL, APIVersion: w.APIVersion, PhoneNumberID: w.PhoneNumberID,
		NumberQueues: w.NumberQueues, RateLimit: w.RateLimit, MediaMaxBytes: w.MediaMaxBytes,
		ReplyFiles: channels.FileLimits{MaxBytes: cfg.ReplyFiles.WhatsAppMaxBytes, MaxFiles: cfg.ReplyFiles.MaxFiles},
		// csat: the survey's list message, template and answers.
		Surveys: surveys, Texts: texts,
		SurveyTemplate: whatsapp.SurveyTemplate{Name: cfg.CSAT.WhatsAppTemplate.Name, Language: cfg.CSAT.WhatsAppTemplate.Language},
	})
}

// replyPolicies: WhatsApp replies are free text only within the window,
// else one of the configured templates.
func replyPolicies(cfg config.Config) map[string]ticket.ReplyPolicy {
	tpls := make([]ticket.Template, 0, len(cfg.WhatsApp.Templates))
	for _, t := range cfg.WhatsApp.Templates {
		params := t.Params
		if params == nil {
			params = []string{}
		}
		tpls = append(tpls, ticket.Template{Name: t.Name, Language: t.Language, Params: params})
	}
	return map[string]ticket.ReplyPolicy{string(domain.ChannelWhatsApp): {Window: whatsapp.ServiceWindow, Templates: tpls}}
}
