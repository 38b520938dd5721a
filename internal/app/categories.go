package app

import (
	"context"
	"fmt"
	"os"
	"slices"

	"tanggap/channels/voice"
	"tanggap/internal/category"
	"tanggap/internal/config"
	"tanggap/internal/locale"
)

// seedCategories stores the configured complaint categories when none is
// stored yet: labels as configured, else the translations; sensitive as
// COMPLAINT_SENSITIVE_CATEGORIES says. From then on the admin screen
// edits them.
func seedCategories(ctx context.Context, cfg config.Config, s *category.Service, cat *locale.Catalog) error {
	seed := make([]category.Category, 0, len(cfg.ComplaintCategories))
	for _, c := range cfg.ComplaintCategories {
		id, en := c.Label, c.Label
		if id == "" {
			id, en = cat.T("id-ID", "category."+c.Code), cat.T("en-US", "category."+c.Code)
		}
		seed = append(seed, category.Category{Code: c.Code, LabelID: id, LabelEN: en,
			Sensitive: slices.Contains(cfg.Complaint.SensitiveCategories, c.Code)})
	}
	if err := s.Seed(ctx, seed); err != nil {
		return fmt.Errorf("app: complaint categories: %w", err)
	}
	return nil
}

// menuSource is the text of the configured IVR menu, shown on the admin
// screen until one is applied there (nil: the sample menu).
func menuSource(cfg config.Config) []byte {
	if cfg.Voice.IVRMenuFile == "" {
		return voice.DefaultMenu
	}
	b, err := os.ReadFile(cfg.Voice.IVRMenuFile)
	if err != nil {
		return nil // LoadMenu read it at start; an unreadable file left nothing to show
	}
	return b
}
