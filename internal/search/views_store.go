package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"tanggap/internal/apperr"
	"tanggap/internal/db"
)

type viewRow struct {
	ID        int64
	OwnerID   int64
	Shared    bool
	Name      string
	Filters   string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (r viewRow) view() View {
	v := View{ID: r.ID, OwnerID: r.OwnerID, Shared: r.Shared, Name: r.Name, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	_ = json.Unmarshal([]byte(r.Filters), &v.Filters) // written by CreateView; a bad row lists everything in scope
	return v
}

const viewColumns = `id, owner_id, shared, name, filters, created_at, updated_at`

// views: the owner's through saved_views_owner_idx, the shared ones
// through the partial saved_views_shared_idx.
func viewsSQL(owner int64) (string, []any) {
	return `SELECT ` + viewColumns + ` FROM saved_views WHERE owner_id = ?
		UNION SELECT ` + viewColumns + ` FROM saved_views WHERE shared
		ORDER BY shared, name, id`, []any{owner}
}

func (s *store) views(ctx context.Context, owner int64) ([]View, error) {
	q, args := viewsSQL(owner)
	var rows []viewRow
	if err := s.db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("search: views: %w", err)
	}
	out := make([]View, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.view())
	}
	return out, nil
}

func (s *store) view(ctx context.Context, id int64) (View, error) {
	var rows []viewRow
	if err := s.db.WithContext(ctx).Raw(`SELECT `+viewColumns+` FROM saved_views WHERE id = ?`, id).Scan(&rows).Error; err != nil {
		return View{}, fmt.Errorf("search: view: %w", err)
	}
	if len(rows) == 0 {
		return View{}, ErrViewNotFound
	}
	return rows[0].view(), nil
}

// createView inserts a view unless the owner already has max of their
// own (checked in the same transaction).
func (s *store) createView(ctx context.Context, owner int64, name string, shared bool, filters string, max int, now time.Time) (View, error) {
	var v View
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if s.db.Dialect == db.Postgres {
			// One creator at a time per owner, so the count holds.
			if err := tx.Exec(`SELECT id FROM agents WHERE id = ? FOR UPDATE`, owner).Error; err != nil {
				return err
			}
		}
		var n int
		if err := tx.Raw(`SELECT COUNT(*) FROM saved_views WHERE owner_id = ?`, owner).Scan(&n).Error; err != nil {
			return err
		}
		if n >= max {
			return errTooManyViews
		}
		var id int64
		if err := tx.Raw(`INSERT INTO saved_views (owner_id, shared, name, filters, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, owner, shared, name, filters, now, now).Scan(&id).Error; err != nil {
			return err
		}
		v = viewRow{ID: id, OwnerID: owner, Shared: shared, Name: name, Filters: filters, CreatedAt: now, UpdatedAt: now}.view()
		return nil
	})
	if errors.Is(err, errTooManyViews) {
		var ve apperr.ValidationError
		ve.Add("name", "views.too_many", "max", max)
		return View{}, ve.Err()
	}
	if err != nil {
		return View{}, fmt.Errorf("search: create view: %w", err)
	}
	return v, nil
}

func (s *store) updateView(ctx context.Context, id int64, name string, shared bool, filters string, now time.Time) error {
	res := s.db.WithContext(ctx).Exec(`UPDATE saved_views SET name = ?, shared = ?, filters = ?, updated_at = ? WHERE id = ?`,
		name, shared, filters, now, id)
	if res.Error != nil {
		return fmt.Errorf("search: update view: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrViewNotFound
	}
	return nil
}

func (s *store) deleteView(ctx context.Context, id int64) error {
	res := s.db.WithContext(ctx).Exec(`DELETE FROM saved_views WHERE id = ?`, id)
	if res.Error != nil {
		return fmt.Errorf("search: delete view: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrViewNotFound
	}
	return nil
}
