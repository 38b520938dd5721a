package routing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"tanggap/internal/domain"
)

// Seed is the demo/bootstrap file: queues, agents' routing profiles (by
// email), holidays and priority rules. Agents listed with a password are
// created by the caller first.
type Seed struct {
	Queues   []QueueSettings `json:"queues" yaml:"queues"`
	Agents   []SeedAgent     `json:"agents" yaml:"agents"`
	Holidays []Holiday       `json:"holidays" yaml:"holidays"`
	Rules    []PriorityRule  `json:"priority_rules" yaml:"priority_rules"`
	// Digest is the file's SHA-256 (LoadSeed): a seed is applied again
	// only when it changed (SeedApplied).
	Digest string `json:"-" yaml:"-"`
}

// SeedAgent is an agent in the seed file.
type SeedAgent struct {
	Email         string      `json:"email" yaml:"email"`
	Name          string      `json:"name" yaml:"name"`
	Password      string      `json:"password" yaml:"password"`
	Role          domain.Role `json:"role" yaml:"role"`
	AgentSettings `yaml:",inline"`
}

// LoadSeed reads a seed file (.yaml, .yml or .json; JSON is YAML too).
func LoadSeed(path string) (Seed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Seed{}, fmt.Errorf("%w: seed file: %w", ErrConfig, err)
	}
	s, err := ParseSeed(b)
	if err != nil {
		return Seed{}, fmt.Errorf("seed file %s: %w", filepath.Base(path), err)
	}
	sum := sha256.Sum256(b)
	s.Digest = hex.EncodeToString(sum[:])
	return s, nil
}

// SeedApplied reports whether the seed of this digest is the one last
// applied (MarkSeedApplied). A restart with the same file then leaves
// alone what admins changed since on the admin screens; a changed file is
// applied again.
func (a *Admin) SeedApplied(ctx context.Context, digest string) (bool, error) {
	var n int64
	if err := a.db.WithContext(ctx).Raw(`SELECT COUNT(*) FROM seed_applied WHERE name = 'routing' AND digest = ?`, digest).
		Scan(&n).Error; err != nil {
		return false, fmt.Errorf("routing: seed applied: %w", err)
	}
	return n > 0, nil
}

// MarkSeedApplied records digest as the seed last applied.
func (a *Admin) MarkSeedApplied(ctx context.Context, digest string) error {
	err := a.db.WithContext(ctx).Exec(`INSERT INTO seed_applied (name, digest, applied_at) VALUES ('routing', ?, ?)
		ON CONFLICT (name) DO UPDATE SET digest = excluded.digest, applied_at = excluded.applied_at`, digest, time.Now().UTC()).Error
	if err != nil {
		return fmt.Errorf("routing: mark seed applied: %w", err)
	}
	return nil
}

// ParseSeed decodes and checks a seed. Unknown fields are refused (a typo
// in a demo file should not silently drop a setting); queue settings are
// checked again when saved.
func ParseSeed(b []byte) (Seed, error) {
	var s Seed
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil && !errors.Is(err, io.EOF) {
		return Seed{}, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	for _, rule := range s.Rules {
		if err := rule.validate(); err != nil {
			return Seed{}, err
		}
	}
	for i := range s.Queues {
		q := s.Queues[i]
		if err := q.validate(); err != nil {
			return Seed{}, err
		}
	}
	return s, nil
}

// ApplySeed saves the seed's queues (overflow targets after all queues
// exist), holidays, agent profiles and priority rules. Call it before the
// router's users start; it is safe on every start (upserts). Each saved
// queue and year of holidays is announced like an admin change; priority
// rules are kept in memory, not in the database, so they apply to this
// instance only (each instance applies its seed file at start).
func (a *Admin) ApplySeed(ctx context.Context, s Seed) error {
	deferred := map[string]string{}
	for _, q := range s.Queues {
		if q.OverflowQueue != "" {
			deferred[q.Code] = q.OverflowQueue
			q.OverflowQueue = ""
		}
		if _, err := a.SaveQueue(ctx, q); err != nil {
			return err
		}
	}
	for _, q := range s.Queues {
		if _, ok := deferred[q.Code]; ok {
			if _, err := a.SaveQueue(ctx, q); err != nil {
				return err
			}
		}
	}
	byYear := map[int][]Holiday{}
	for _, h := range s.Holidays {
		t, err := time.Parse(time.DateOnly, h.Day)
		if err != nil {
			return fmt.Errorf("%w: holiday %q is not YYYY-MM-DD", ErrInvalid, h.Day)
		}
		byYear[t.Year()] = append(byYear[t.Year()], h)
	}
	for y, days := range byYear {
		if err := a.SetHolidays(ctx, y, days); err != nil {
			return err
		}
	}
	for _, sa := range s.Agents {
		ids, err := agentsByEmail(a.db.WithContext(ctx), strings.ToLower(strings.TrimSpace(sa.Email)))
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			a.log.Warn("seed names an agent that does not exist; skipped")
			continue
		}
		if err := a.SetAgent(ctx, ids[0], sa.AgentSettings); err != nil && !errors.Is(err, ErrAgentNotFound) {
			return err
		}
	}
	if len(s.Rules) > 0 {
		a.settings.setRules(s.Rules)
	}
	return nil
}
