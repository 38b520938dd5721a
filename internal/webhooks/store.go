package webhooks

import (
	"context"
	"fmt"
	"time"

	"tanggap/internal/db"
)

// SQL, exported for the plan tests.
const (
	// SQLAddRefused adds one instance's count: the sum of every
	// instance's, and the later of their last times.
	SQLAddRefused = `INSERT INTO webhook_refusals (hour, channel, reason, refused, last_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (hour, channel, reason) DO UPDATE SET refused = webhook_refusals.refused + excluded.refused,
	last_at = CASE WHEN excluded.last_at > webhook_refusals.last_at THEN excluded.last_at ELSE webhook_refusals.last_at END`
	SQLAccepted = `INSERT INTO webhook_accepts (channel, last_at) VALUES (?, ?)
ON CONFLICT (channel) DO UPDATE SET last_at = CASE WHEN excluded.last_at > webhook_accepts.last_at THEN excluded.last_at ELSE webhook_accepts.last_at END`
	SQLRefusedSince = `SELECT hour, channel, reason, refused, last_at FROM webhook_refusals WHERE hour >= ?`
	SQLPurge        = `DELETE FROM webhook_refusals WHERE hour < ?`
	sqlAcceptedAll  = `SELECT channel, last_at FROM webhook_accepts`
)

type store struct{ db *db.DB }

type refusedRow struct {
	Hour    time.Time
	Channel string
	Reason  string
	Refused int64
	LastAt  time.Time
}

type acceptedRow struct {
	Channel string
	LastAt  time.Time
}

func (s store) addRefused(ctx context.Context, k key, c count) error {
	if err := s.db.WithContext(ctx).Exec(SQLAddRefused, k.hour, k.channel, k.reason, c.n, c.last).Error; err != nil {
		return fmt.Errorf("webhooks: add refused: %w", err)
	}
	return nil
}

func (s store) accepted(ctx context.Context, channel string, at time.Time) error {
	if err := s.db.WithContext(ctx).Exec(SQLAccepted, channel, at).Error; err != nil {
		return fmt.Errorf("webhooks: accepted: %w", err)
	}
	return nil
}

func (s store) purge(ctx context.Context, before time.Time) error {
	if err := s.db.WithContext(ctx).Exec(SQLPurge, before).Error; err != nil {
		return fmt.Errorf("webhooks: purge: %w", err)
	}
	return nil
}

func (s store) refusedSince(ctx context.Context, since time.Time) ([]refusedRow, error) {
	var rows []refusedRow
	if err := s.db.WithContext(ctx).Raw(SQLRefusedSince, since).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("webhooks: refused: %w", err)
	}
	return rows, nil
}

// acceptedAll reads one row per channel (the table's whole size).
func (s store) acceptedAll(ctx context.Context) ([]acceptedRow, error) {
	var rows []acceptedRow
	if err := s.db.WithContext(ctx).Raw(sqlAcceptedAll).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("webhooks: accepted: %w", err)
	}
	return rows, nil
}
