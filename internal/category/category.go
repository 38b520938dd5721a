// Package category keeps the complaint categories of the public form:
// code, labels in both languages, whether a complaint in it is
// confidential by default, whether it is offered, and its order. They are
// seeded from the configuration when the table is empty and edited on the
// admin screens.
package category

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/apperr"
	"tanggap/internal/db"
	"tanggap/internal/domain"
)

// ErrNotFound: no category with that id.
var ErrNotFound = errors.New("category: not found")

// Category is one choice of the complaint form.
type Category struct {
	ID        int64  `json:"id"`
	Code      string `json:"code"`
	LabelID   string `json:"label_id"`
	LabelEN   string `json:"label_en"`
	Sensitive bool   `json:"sensitive"`
	Active    bool   `json:"active"`
	Position  int    `json:"position"`
}

// Label is the category's label in lang (id-ID unless lang is English).
func (c Category) Label(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "en") && c.LabelEN != "" {
		return c.LabelEN
	}
	return c.LabelID
}

// Service reads and changes the categories.
type Service struct{ db *db.DB }

// New returns the service on d.
func New(d *db.DB) *Service { return &Service{db: d} }

// listSQL reads every category in order, on complaint_categories_position_idx.
const listSQL = `SELECT id, code, label_id, label_en, sensitive, active, position FROM complaint_categories ORDER BY position, id`

// List returns every category (active or not) in order.
func (s *Service) List(ctx context.Context) ([]Category, error) {
	var out []Category
	if err := s.db.WithContext(ctx).Raw(listSQL).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("category: list: %w", err)
	}
	return out, nil
}

// Texts are the categories' labels in lang, keyed as the translations
// key a category ("category.<code>"), inactive ones included: the pages
// add them to their texts, so a category an admin added shows its label
// wherever a ticket's category is shown.
func (s *Service) Texts(ctx context.Context, lang string) (map[string]string, error) {
	cats, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(cats))
	for _, c := range cats {
		if l := c.Label(lang); l != "" {
			out["category."+c.Code] = l
		}
	}
	return out, nil
}

// Seed stores cats when no category is stored yet (the first start after
// the upgrade, or a fresh install): today's configuration becomes the
// table's first content; later starts leave the admins' edits alone.
func (s *Service) Seed(ctx context.Context, cats []Category) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Raw(`SELECT COUNT(*) FROM complaint_categories`).Scan(&n).Error; err != nil {
			return fmt.Errorf("category: seed: %w", err)
		}
		if n > 0 {
			return nil
		}
		now := time.Now().UTC()
		for i, c := range cats {
			if err := tx.Exec(`INSERT INTO complaint_categories (code, label_id, label_en, sensitive, active, position, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING`, c.Code, c.LabelID, c.LabelEN, c.Sensitive, true, i+1, now, now).Error; err != nil {
				return fmt.Errorf("category: seed %s: %w", c.Code, err)
			}
		}
		return nil
	})
}

// Save creates (ID 0) or changes a category, listing every invalid field.
func (s *Service) Save(ctx context.Context, c Category) (Category, error) {
	var ve apperr.ValidationError
	c.Code = strings.ToLower(strings.TrimSpace(c.Code))
	c.LabelID, c.LabelEN = strings.TrimSpace(c.LabelID), strings.TrimSpace(c.LabelEN)
	if c.Code == "" {
		ve.Add("code", "validation.required")
	} else if !domain.ValidCode(c.Code) {
		ve.Add("code", "admin.category_code_invalid")
	}
	for field, v := range map[string]string{"label_id": c.LabelID, "label_en": c.LabelEN} {
		switch {
		case v == "":
			ve.Add(field, "validation.required")
		case len([]rune(v)) > 80 || strings.ContainsAny(v, "\r\n\t"):
			ve.Add(field, "admin.category_label_invalid")
		}
	}
	if c.Position < 0 || c.Position > 9999 {
		ve.Add("position", "admin.category_position_invalid")
	}
	if err := ve.Err(); err != nil {
		return Category{}, err
	}
	now := time.Now().UTC()
	q := s.db.WithContext(ctx)
	if c.ID == 0 {
		err := q.Raw(`INSERT INTO complaint_categories (code, label_id, label_en, sensitive, active, position, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.Code, c.LabelID, c.LabelEN, c.Sensitive, c.Active, c.Position, now, now).Scan(&c.ID).Error
		if db.IsUniqueViolation(err) {
			ve.Add("code", "admin.category_code_taken")
			return Category{}, ve.Err()
		}
		if err != nil {
			return Category{}, fmt.Errorf("category: add: %w", err)
		}
		return c, nil
	}
	res := q.Exec(`UPDATE complaint_categories SET code = ?, label_id = ?, label_en = ?, sensitive = ?, active = ?, position = ?, updated_at = ? WHERE id = ?`,
		c.Code, c.LabelID, c.LabelEN, c.Sensitive, c.Active, c.Position, now, c.ID)
	if db.IsUniqueViolation(res.Error) {
		ve.Add("code", "admin.category_code_taken")
		return Category{}, ve.Err()
	}
	if res.Error != nil {
		return Category{}, fmt.Errorf("category: save: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return Category{}, ErrNotFound
	}
	return c, nil
}
