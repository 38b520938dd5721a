package notify

import (
	"context"
	"errors"
)

// Templates chooses the approved WhatsApp template at send time (the
// WhatsApp adapter keeps them on its admin screen and implements this);
// ok is false when none is active.
type Templates interface {
	NotifyTemplate(ctx context.Context, lang string) (name, language string, ok bool, err error)
}

// errNoTemplate: no template is active; the route is skipped (a later
// notification takes one an admin activates meanwhile).
var errNoTemplate = errors.New("whatsapp: no active notification template")

// whatsAppTemplate is the template a WhatsApp notification in lang goes
// with: Opts.Templates' choice, or Opts.WhatsAppTemplate without them.
func (s *Service) whatsAppTemplate(ctx context.Context, lang string) (name, language string, err error) {
	if s.o.Templates == nil {
		if s.o.WhatsAppTemplate == "" {
			return "", "", errNoTemplate
		}
		return s.o.WhatsAppTemplate, s.o.WhatsAppTemplateLang, nil
	}
	name, language, ok, err := s.o.Templates.NotifyTemplate(ctx, lang)
	if err != nil {
		return "", "", err
	}
	if !ok {
		return "", "", errNoTemplate
	}
	return name, language, nil
}

// hasWhatsAppTemplate reports whether a WhatsApp notification can go now.
func (s *Service) hasWhatsAppTemplate(ctx context.Context) (bool, error) {
	_, _, err := s.whatsAppTemplate(ctx, "")
	if errors.Is(err, errNoTemplate) {
		return false, nil
	}
	return err == nil, err
}
