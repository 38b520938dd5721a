package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"tanggap/internal/apperr"
	"tanggap/internal/config"
	"tanggap/internal/db"
)

// Approved templates (whatsapp_templates): what agents may send to re-open
// a conversation outside the 24-hour window, what tells a citizen of a
// reply, and what asks how we did. The admin screen keeps them; the
// settings only seed the table once. Senders ask at send time, through a
// cache that every instance drops when any instance changes a template
// (Opts.Changed announces it on the bus; Drop takes the announcement).
//
// Guarantees, and what keeps them:
//   - at most one active template per purpose and language for
//     notifications and surveys: a partial unique index, and a check in
//     the same transaction so the admin sees which field is wrong;
//   - a sender never keeps a template an admin changed: Drop on every
//     instance, and a short TTL should a notice be lost.

// Purpose is what a template is for.
type Purpose string

const (
	// PurposeReply: agents send it outside the window (they choose
	// among the active ones).
	PurposeReply Purpose = "reply"
	// PurposeNotify: a citizen off a live channel is told of a reply;
	// body parameters: the tracking number and the status link.
	PurposeNotify Purpose = "notify"
	// PurposeSurvey: the satisfaction survey outside the window; body
	// parameter: the tracking number; five quick-reply buttons.
	PurposeSurvey Purpose = "csat"
)

// Purposes in the order the screen offers them.
var Purposes = []Purpose{PurposeReply, PurposeNotify, PurposeSurvey}

// paramsOf is how many body parameters the sender of a purpose fills
// (-1: any, the agent fills them).
func (p Purpose) params() int {
	switch p {
	case PurposeNotify:
		return 2
	case PurposeSurvey:
		return 1
	}
	return -1
}

func (p Purpose) valid() bool {
	return p == PurposeReply || p == PurposeNotify || p == PurposeSurvey
}

// Template is one approved template.
type Template struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	Language string   `json:"language"`
	Purpose  Purpose  `json:"purpose"`
	Params   []string `json:"params"`
	Active   bool     `json:"active"`
}

// ErrTemplateNotFound: no template with that id.
var ErrTemplateNotFound = errors.New("whatsapp: template not found")

// Limits of a template's fields (the name and language rules are
// config.TemplateName and config.TemplateLanguage).
const (
	maxTemplateParams = 10
	maxParamName      = 64
	templateCacheTTL  = time.Minute
)

// TemplatesOpts configures the store.
type TemplatesOpts struct {
	DB *db.DB
	// Changed is called after every committed change (nil: no other
	// instance to tell); it announces the change so that every
	// instance, this one too, calls Drop.
	Changed func()
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

// Templates keeps the approved templates.
type Templates struct {
	o TemplatesOpts

	// mu guards the cache: list is the active templates read at loadedAt
	// (valid while loaded); gen counts drops, so a read that began before
	// a drop never stores what it read.
	mu       sync.Mutex
	list     []Template
	loaded   bool
	loadedAt time.Time
	gen      uint64
}

// NewTemplates returns the store on o.DB.
func NewTemplates(o TemplatesOpts) *Templates {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Templates{o: o}
}

// Drop forgets the cached templates (a change on any instance).
func (s *Templates) Drop() {
	s.mu.Lock()
	s.gen++
	s.loaded = false
	s.list = nil
	s.mu.Unlock()
}

type templateRow struct {
	ID       int64
	Name     string
	Language string
	Purpose  string
	Params   string
	Active   bool
}

func (r templateRow) template() Template {
	t := Template{ID: r.ID, Name: r.Name, Language: r.Language, Purpose: Purpose(r.Purpose), Active: r.Active, Params: []string{}}
	if err := json.Unmarshal([]byte(r.Params), &t.Params); err != nil || t.Params == nil {
		t.Params = []string{} // written by us as a JSON array; unreadable costs only the names
	}
	return t
}

const templateCols = `id, name, language, purpose, params, active`

// List returns every template, active or not, by purpose, language, name.
func (s *Templates) List(ctx context.Context) ([]Template, error) {
	var rows []templateRow
	if err := s.o.DB.WithContext(ctx).Raw(`SELECT ` + templateCols + ` FROM whatsapp_templates ORDER BY purpose, language, name, id`).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("whatsapp: templates: %w", err)
	}
	out := make([]Template, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.template())
	}
	return out, nil
}

// active is the cached list of active templates.
func (s *Templates) active(ctx context.Context) ([]Template, error) {
	s.mu.Lock()
	if s.loaded && s.o.Now().Sub(s.loadedAt) < templateCacheTTL {
		list := s.list
		s.mu.Unlock()
		return list, nil
	}
	gen := s.gen
	s.mu.Unlock()
	var rows []templateRow
	if err := s.o.DB.WithContext(ctx).Raw(`SELECT ` + templateCols + ` FROM whatsapp_templates WHERE active ORDER BY id`).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("whatsapp: active templates: %w", err)
	}
	list := make([]Template, 0, len(rows))
	for _, r := range rows {
		list = append(list, r.template())
	}
	s.mu.Lock()
	if s.gen == gen {
		s.list, s.loaded, s.loadedAt = list, true, s.o.Now()
	}
	s.mu.Unlock()
	return list, nil
}

// Active returns the active templates of purpose, in the order they were
// added.
func (s *Templates) Active(ctx context.Context, purpose Purpose) ([]Template, error) {
	all, err := s.active(ctx)
	if err != nil {
		return nil, err
	}
	var out []Template
	for _, t := range all {
		if t.Purpose == purpose {
			out = append(out, t)
		}
	}
	return out, nil
}

// Choose returns the active template of purpose for a citizen whose
// language is lang ("id-ID", "en-US" or a Meta code such as "en_US"): the
// same language, else the same base language, else the first added.
func (s *Templates) Choose(ctx context.Context, purpose Purpose, lang string) (Template, bool, error) {
	list, err := s.Active(ctx, purpose)
	if err != nil || len(list) == 0 {
		return Template{}, false, err
	}
	norm := func(l string) string { return strings.ToLower(strings.ReplaceAll(l, "-", "_")) }
	base := func(l string) string { b, _, _ := strings.Cut(norm(l), "_"); return b }
	for _, t := range list {
		if norm(t.Language) == norm(lang) {
			return t, true, nil
		}
	}
	for _, t := range list {
		if base(t.Language) == base(lang) {
			return t, true, nil
		}
	}
	return list[0], true, nil
}

// NotifyTemplate is the template that tells a citizen of lang about a
// reply (notify.Templates).
func (s *Templates) NotifyTemplate(ctx context.Context, lang string) (name, language string, ok bool, err error) {
	t, ok, err := s.Choose(ctx, PurposeNotify, lang)
	return t.Name, t.Language, ok, err
}

// Seed stores the configured templates when none is stored yet (the first
// start after the upgrade, or a fresh install); later starts leave the
// admins' edits alone.
func (s *Templates) Seed(ctx context.Context, seed []Template) error {
	return s.o.DB.Tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Raw(`SELECT COUNT(*) FROM whatsapp_templates`).Scan(&n).Error; err != nil {
			return fmt.Errorf("whatsapp: seed templates: %w", err)
		}
		if n > 0 || len(seed) == 0 {
			return nil
		}
		now := s.o.Now().UTC()
		for _, t := range seed {
			// Seeded in order, the first of a purpose and language
			// active: the settings cannot name two, but say so plainly.
			var taken int64
			if t.Purpose != PurposeReply {
				if err := tx.Raw(`SELECT COUNT(*) FROM whatsapp_templates WHERE purpose = ? AND language = ? AND active`, t.Purpose, t.Language).Scan(&taken).Error; err != nil {
					return fmt.Errorf("whatsapp: seed templates: %w", err)
				}
			}
			params, _ := json.Marshal(nonNil(t.Params))
			if err := tx.Exec(`INSERT INTO whatsapp_templates (name, language, purpose, params, active, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name, language, purpose) DO NOTHING`, t.Name, t.Language, string(t.Purpose), string(params), taken == 0, now, now).Error; err != nil {
				return fmt.Errorf("whatsapp: seed template %s: %w", t.Name, err)
			}
		}
		return nil
	})
}

func nonNil(p []string) []string {
	if p == nil {
		return []string{}
	}
	return p
}

// check validates t (trimmed) field by field.
func checkTemplate(t *Template) *apperr.ValidationError {
	ve := &apperr.ValidationError{}
	t.Name, t.Language = strings.TrimSpace(t.Name), strings.TrimSpace(t.Language)
	if !config.TemplateName(t.Name) {
		ve.Add("name", "whatsapp.template_name_invalid")
	}
	if !config.TemplateLanguage(t.Language) {
		ve.Add("language", "whatsapp.template_language_invalid")
	}
	if !t.Purpose.valid() {
		ve.Add("purpose", "whatsapp.template_purpose_invalid")
	}
	params := make([]string, 0, len(t.Params))
	for _, p := range t.Params {
		p = strings.TrimSpace(p)
		if p == "" || utf8.RuneCountInString(p) > maxParamName {
			ve.Add("params", "whatsapp.template_param_invalid", "max", maxParamName)
		}
		params = append(params, p)
	}
	t.Params = params
	if len(params) > maxTemplateParams {
		ve.Add("params", "whatsapp.template_params_many", "max", maxTemplateParams)
	}
	if want := t.Purpose.params(); want >= 0 && t.Purpose.valid() && len(params) != want {
		ve.Add("params", "whatsapp.template_params_purpose", "want", want)
	}
	return ve
}

// sqlTemplateDuplicate finds another template of the same name, language
// and purpose, on the table's unique key.
const sqlTemplateDuplicate = `SELECT COUNT(*) FROM whatsapp_templates WHERE name = ? AND language = ? AND purpose = ? AND id <> ?`

// sqlTemplateActiveOther finds the other active template of a purpose
// (not reply) and language, on whatsapp_templates_one_active_idx (its
// predicate written out so that both dialects may use it).
const sqlTemplateActiveOther = `SELECT name FROM whatsapp_templates WHERE purpose = ? AND language = ? AND active AND purpose <> 'reply' AND id <> ?`

// Save adds t (id 0) or changes the template t.ID, and returns it as
// stored. A refusal is an *apperr.ValidationError naming the field.
func (s *Templates) Save(ctx context.Context, t Template) (Template, error) {
	if ve := checkTemplate(&t); ve.Err() != nil {
		return Template{}, ve
	}
	params, err := json.Marshal(t.Params)
	if err != nil {
		return Template{}, fmt.Errorf("whatsapp: template params: %w", err)
	}
	now := s.o.Now().UTC()
	err = s.o.DB.Tx(ctx, func(tx *gorm.DB) error {
		if t.ID != 0 {
			var n int64
			if err := tx.Raw(`SELECT COUNT(*) FROM whatsapp_templates WHERE id = ?`, t.ID).Scan(&n).Error; err != nil {
				return fmt.Errorf("whatsapp: template %d: %w", t.ID, err)
			}
			if n == 0 {
				return ErrTemplateNotFound
			}
		}
		ve := &apperr.ValidationError{}
		var dup int64
		if err := tx.Raw(sqlTemplateDuplicate, t.Name, t.Language, string(t.Purpose), t.ID).Scan(&dup).Error; err != nil {
			return fmt.Errorf("whatsapp: template duplicate: %w", err)
		}
		if dup > 0 {
			ve.Add("name", "whatsapp.template_duplicate")
		}
		if t.Active && t.Purpose != PurposeReply {
			var other []string
			if err := tx.Raw(sqlTemplateActiveOther, string(t.Purpose), t.Language, t.ID).Scan(&other).Error; err != nil {
				return fmt.Errorf("whatsapp: active template: %w", err)
			}
			if len(other) > 0 {
				ve.Add("active", "whatsapp.template_active_taken", "name", other[0])
			}
		}
		if err := ve.Err(); err != nil {
			return err
		}
		if t.ID == 0 {
			return tx.Raw(`INSERT INTO whatsapp_templates (name, language, purpose, params, active, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, t.Name, t.Language, string(t.Purpose), string(params), t.Active, now, now).Scan(&t.ID).Error
		}
		return tx.Exec(`UPDATE whatsapp_templates SET name = ?, language = ?, purpose = ?, params = ?, active = ?, updated_at = ? WHERE id = ?`,
			t.Name, t.Language, string(t.Purpose), string(params), t.Active, now, t.ID).Error
	})
	if db.IsUniqueViolation(err) {
		// Another admin saved the same at the same moment.
		ve := &apperr.ValidationError{}
		ve.Add("name", "whatsapp.template_duplicate")
		return Template{}, ve
	}
	if err != nil {
		var ve *apperr.ValidationError
		if errors.Is(err, ErrTemplateNotFound) || errors.As(err, &ve) {
			return Template{}, err
		}
		return Template{}, fmt.Errorf("whatsapp: save template: %w", err)
	}
	s.Drop()
	if s.o.Changed != nil {
		s.o.Changed()
	}
	return t, nil
}
