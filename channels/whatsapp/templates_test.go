package whatsapp_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"tanggap/channels/whatsapp"
	"tanggap/internal/apperr"
	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/testenv"
)

func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	var ve *apperr.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a validation error, got %v", err)
	}
	out := map[string]string{}
	for k, f := range ve.Fields {
		out[k] = f.Key
	}
	return out
}

// The settings seed the table once; later starts leave the admins' edits
// alone. Of two seeded templates for one purpose and language only the
// first is active.
func TestTemplatesSeedOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := whatsapp.NewTemplates(whatsapp.TemplatesOpts{DB: testenv.DB(t)})
	seed := []whatsapp.Template{
		{Name: "tindak_lanjut", Language: "id", Purpose: whatsapp.PurposeReply, Params: []string{"nama"}},
		{Name: "tindak_lanjut", Language: "en_US", Purpose: whatsapp.PurposeReply},
		{Name: "kabar_tiket", Language: "id", Purpose: whatsapp.PurposeNotify, Params: []string{"tracking_number", "link"}},
		{Name: "kabar_lain", Language: "id", Purpose: whatsapp.PurposeNotify, Params: []string{"tracking_number", "link"}},
		{Name: "penilaian", Language: "id", Purpose: whatsapp.PurposeSurvey, Params: []string{"tracking_number"}},
	}
	if err := s.Seed(ctx, seed); err != nil {
		t.Fatal(err)
	}
	list, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(seed) {
		t.Fatalf("seeded %d, want %d: %+v", len(list), len(seed), list)
	}
	active := map[string]bool{}
	for _, tp := range list {
		active[tp.Name+":"+tp.Language+":"+string(tp.Purpose)] = tp.Active
		if tp.Params == nil {
			t.Errorf("%s: params nil, want a list", tp.Name)
		}
	}
	if !active["kabar_tiket:id:notify"] || active["kabar_lain:id:notify"] || !active["tindak_lanjut:en_US:reply"] || !active["penilaian:id:csat"] {
		t.Errorf("active after seed: %v", active)
	}
	// An admin deactivates one; a restart with other settings changes nothing.
	if _, err := s.Save(ctx, whatsapp.Template{ID: list[0].ID, Name: list[0].Name, Language: list[0].Language, Purpose: list[0].Purpose, Params: list[0].Params}); err != nil {
		t.Fatal(err)
	}
	if err := s.Seed(ctx, []whatsapp.Template{{Name: "baru", Language: "id", Purpose: whatsapp.PurposeReply}}); err != nil {
		t.Fatal(err)
	}
	again, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(seed) {
		t.Fatalf("a second seed changed the table: %+v", again)
	}
	for _, tp := range again {
		if tp.ID == list[0].ID && tp.Active {
			t.Error("the second seed re-activated a template the admin turned off")
		}
	}
}

// A refused template names each wrong field; at most one notification or
// survey template is active per language (reply templates: several); a
// duplicate and an unknown id are refused.
func TestTemplatesSaveRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	changes := 0
	s := whatsapp.NewTemplates(whatsapp.TemplatesOpts{DB: testenv.DB(t), Changed: func() { changes++ }})

	for name, c := range map[string]struct {
		tpl  whatsapp.Template
		want map[string]string
	}{
		"bad name, language and purpose": {whatsapp.Template{Name: "Kabar Tiket", Language: "i", Purpose: "marketing"},
			map[string]string{"name": "whatsapp.template_name_invalid", "language": "whatsapp.template_language_invalid", "purpose": "whatsapp.template_purpose_invalid"}},
		"notification takes two parameters": {whatsapp.Template{Name: "kabar", Language: "id", Purpose: whatsapp.PurposeNotify, Params: []string{"tracking_number"}},
			map[string]string{"params": "whatsapp.template_params_purpose"}},
		"survey takes one parameter": {whatsapp.Template{Name: "survei", Language: "id", Purpose: whatsapp.PurposeSurvey},
			map[string]string{"params": "whatsapp.template_params_purpose"}},
		"empty parameter name": {whatsapp.Template{Name: "balas", Language: "id", Purpose: whatsapp.PurposeReply, Params: []string{"nama", " "}},
			map[string]string{"params": "whatsapp.template_param_invalid"}},
	} {
		_, err := s.Save(ctx, c.tpl)
		got := fieldsOf(t, err)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: fields %v, want %v", name, got, c.want)
		}
	}
	if changes != 0 {
		t.Fatalf("refused saves announced %d changes", changes)
	}

	first, err := s.Save(ctx, whatsapp.Template{Name: "kabar_tiket", Language: "id", Purpose: whatsapp.PurposeNotify, Params: []string{"nomor", "tautan"}, Active: true})
	if err != nil || first.ID == 0 {
		t.Fatalf("add: %+v %v", first, err)
	}
	second := whatsapp.Template{Name: "kabar_baru", Language: "id", Purpose: whatsapp.PurposeNotify, Params: []string{"nomor", "tautan"}, Active: true}
	if _, err := s.Save(ctx, second); fieldsOf(t, err)["active"] != "whatsapp.template_active_taken" {
		t.Fatalf("second active notification template: %v", err)
	}
	// Another language, or inactive, is fine; so are two reply templates.
	for _, ok := range []whatsapp.Template{
		{Name: "kabar_baru", Language: "en_US", Purpose: whatsapp.PurposeNotify, Params: []string{"nomor", "tautan"}, Active: true},
		{Name: "kabar_baru", Language: "id", Purpose: whatsapp.PurposeNotify, Params: []string{"nomor", "tautan"}},
		{Name: "balas_a", Language: "id", Purpose: whatsapp.PurposeReply, Active: true},
		{Name: "balas_b", Language: "id", Purpose: whatsapp.PurposeReply, Params: []string{"nama"}, Active: true},
	} {
		if _, err := s.Save(ctx, ok); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
	if _, err := s.Save(ctx, whatsapp.Template{Name: "balas_a", Language: "id", Purpose: whatsapp.PurposeReply}); fieldsOf(t, err)["name"] != "whatsapp.template_duplicate" {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := s.Save(ctx, whatsapp.Template{ID: 999999, Name: "x", Language: "id", Purpose: whatsapp.PurposeReply}); !errors.Is(err, whatsapp.ErrTemplateNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	// Deactivate the first: the second may now be active.
	first.Active = false
	if _, err := s.Save(ctx, first); err != nil {
		t.Fatal(err)
	}
	var list []whatsapp.Template
	if list, err = s.List(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tp := range list {
		if tp.Name == "kabar_baru" && tp.Language == "id" {
			tp.Active = true
			if _, err := s.Save(ctx, tp); err != nil {
				t.Fatalf("activate after the other went: %v", err)
			}
		}
	}
	if changes != 7 {
		t.Errorf("announced %d changes, want 7 (one per committed save)", changes)
	}

}

// The index itself refuses a second active notification template in one
// language, on both dialects (a race past the service's check).
func TestTemplatesIndexKeepsOneActive(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	ins := `INSERT INTO whatsapp_templates (name, language, purpose, params, active, created_at, updated_at) VALUES (?, 'id', ?, '[]', ?, ?, ?)`
	now := time.Now().UTC()
	for _, row := range []struct {
		name, purpose string
		active        bool
	}{{"a", "notify", true}, {"b", "notify", false}, {"c", "reply", true}, {"d", "reply", true}, {"e", "csat", true}} {
		if err := d.Exec(ins, row.name, row.purpose, row.active, now, now).Error; err != nil {
			t.Fatalf("%s: %v", row.name, err)
		}
	}
	if err := d.Exec(ins, "f", "notify", true, now, now).Error; err == nil {
		t.Fatal("a second active notification template in one language was stored")
	}
	if err := d.Exec(ins, "g", "csat", true, now, now).Error; err == nil {
		t.Fatal("a second active survey template in one language was stored")
	}
}

// Senders choose by the citizen's language; a change on one instance
// reaches the other's cache through the bus notice, not through its TTL.
func TestTemplatesChooseAndDropAcrossInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testenv.DB(t)
	cfg := testenv.SharedBusConfig(t)
	b1, b2 := testenv.ConnectBus(t, cfg), testenv.ConnectBus(t, cfg)
	instance := func(b *bus.Bus) *whatsapp.Templates {
		subject := b.Names.ChannelSettings(domain.ChannelWhatsApp)
		s := whatsapp.NewTemplates(whatsapp.TemplatesOpts{DB: d, Changed: func() { b.Notify(subject) }})
		if err := b.OnNotice(ctx, subject, s.Drop); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s1, s2 := instance(b1), instance(b2)
	if _, ok, err := s2.Choose(ctx, whatsapp.PurposeNotify, "id-ID"); err != nil || ok {
		t.Fatalf("empty table: ok %v err %v", ok, err)
	}
	idT, err := s1.Save(ctx, whatsapp.Template{Name: "kabar", Language: "id", Purpose: whatsapp.PurposeNotify, Params: []string{"n", "l"}, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s1.Save(ctx, whatsapp.Template{Name: "news", Language: "en_US", Purpose: whatsapp.PurposeNotify, Params: []string{"n", "l"}, Active: true}); err != nil {
		t.Fatal(err)
	}
	testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		got, ok, err := s2.Choose(ctx, whatsapp.PurposeNotify, "en-US")
		if err != nil || !ok || got.Name != "news" {
			return fmt.Errorf("instance 2 chose %+v ok %v err %v", got, ok, err)
		}
		return nil
	})
	for lang, want := range map[string]string{"id-ID": "kabar", "id": "kabar", "en-US": "news", "en": "news", "jv": "kabar"} {
		got, ok, err := s2.Choose(ctx, whatsapp.PurposeNotify, lang)
		if err != nil || !ok || got.Name != want {
			t.Errorf("%s: chose %+v, want %s", lang, got, want)
		}
	}
	// Instance 2 has them cached; instance 1 deactivates the Indonesian
	// one and adds another: instance 2 sends the new one.
	idT.Active = false
	if _, err := s1.Save(ctx, idT); err != nil {
		t.Fatal(err)
	}
	if _, err := s1.Save(ctx, whatsapp.Template{Name: "kabar_v2", Language: "id", Purpose: whatsapp.PurposeNotify, Params: []string{"n", "l"}, Active: true}); err != nil {
		t.Fatal(err)
	}
	testenv.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		name, lang, ok, err := s2.NotifyTemplate(ctx, "id-ID")
		if err != nil || !ok || name != "kabar_v2" || lang != "id" {
			return fmt.Errorf("instance 2 sends %s:%s ok %v err %v", name, lang, ok, err)
		}
		return nil
	})
}
