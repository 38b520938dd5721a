package category

import (
	"context"
	"errors"
	"strings"
	"testing"

	"tanggap/internal/apperr"
	"tanggap/internal/db"
	"tanggap/internal/testenv"
)

// Seeding stores the configured categories once, in order; a second
// start (or a second instance) leaves the admins' edits alone.
func TestSeedOnce(t *testing.T) {
	t.Parallel()
	s := New(testenv.DB(t))
	ctx := context.Background()
	seed := []Category{{Code: "pendaftaran", LabelID: "Pendaftaran", LabelEN: "Registration"}, {Code: "insentif", LabelID: "Insentif", LabelEN: "Incentive", Sensitive: true}}
	if err := s.Seed(ctx, seed); err != nil {
		t.Fatal(err)
	}
	list, err := s.List(ctx)
	if err != nil || len(list) != 2 || list[0].Code != "pendaftaran" || list[1].Position != 2 || !list[1].Sensitive || !list[0].Active {
		t.Fatalf("seeded %+v, %v", list, err)
	}
	list[0].LabelID = "Pendaftaran akun"
	if _, err := s.Save(ctx, list[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.Seed(ctx, append(seed, Category{Code: "lain", LabelID: "Lain", LabelEN: "Other"})); err != nil {
		t.Fatal(err)
	}
	list, _ = s.List(ctx)
	if len(list) != 2 || list[0].LabelID != "Pendaftaran akun" {
		t.Fatalf("second seed changed the categories: %+v", list)
	}
}

// Every invalid field is named at once; a taken code is a field error;
// an unknown id is ErrNotFound.
func TestSaveValidates(t *testing.T) {
	t.Parallel()
	s := New(testenv.DB(t))
	ctx := context.Background()
	_, err := s.Save(ctx, Category{Code: "Ada Spasi", LabelID: "", LabelEN: strings.Repeat("x", 81), Position: 10000})
	var ve *apperr.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v", err)
	}
	for field, key := range map[string]string{"code": "admin.category_code_invalid", "label_id": "validation.required",
		"label_en": "admin.category_label_invalid", "position": "admin.category_position_invalid"} {
		if ve.Fields[field].Key != key {
			t.Errorf("%s: %q, want %q", field, ve.Fields[field].Key, key)
		}
	}
	c, err := s.Save(ctx, Category{Code: " Bansos ", LabelID: "Bantuan sosial", LabelEN: "Social aid", Active: true})
	if err != nil || c.ID == 0 || c.Code != "bansos" {
		t.Fatalf("save: %+v %v", c, err)
	}
	_, err = s.Save(ctx, Category{Code: "bansos", LabelID: "Lagi", LabelEN: "Again"})
	if !errors.As(err, &ve) || ve.Fields["code"].Key != "admin.category_code_taken" {
		t.Errorf("taken code: %v", err)
	}
	other, _ := s.Save(ctx, Category{Code: "lain", LabelID: "Lain", LabelEN: "Other"})
	other.Code = "bansos"
	if _, err = s.Save(ctx, other); !errors.As(err, &ve) || ve.Fields["code"].Key != "admin.category_code_taken" {
		t.Errorf("renamed onto a taken code: %v", err)
	}
	if _, err := s.Save(ctx, Category{ID: 99999, Code: "x", LabelID: "x", LabelEN: "x"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	if got := (Category{LabelID: "Bantuan", LabelEN: "Aid"}).Label("en-US"); got != "Aid" {
		t.Errorf("Label(en-US) = %q", got)
	}
}

// The form reads the categories on every page load and submit: served
// by complaint_categories_position_idx, no table scan and no sort.
func TestListUsesIndex(t *testing.T) {
	t.Parallel()
	d := testenv.DB(t)
	plan := testenv.Plan(t, d, listSQL)
	scan := strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "Sort")
	if d.Dialect == db.SQLite {
		scan = strings.Contains(plan, "TEMP B-TREE") || (strings.Contains(plan, "SCAN") && !strings.Contains(plan, "USING INDEX"))
	}
	if !strings.Contains(plan, "complaint_categories_position_idx") || scan {
		t.Errorf("list plan:\n%s", plan)
	}
}
