package webform

import (
	"context"

	"tanggap/internal/category"
)

// CategoryStore keeps the categories edited on the admin screens
// (internal/category); the form reads them on every request, so an edit
// shows on the next page load, on every instance.
type CategoryStore interface {
	List(ctx context.Context) ([]category.Category, error)
}

// formCategories are the form's categories, in order, active or not: the
// stored ones, else the configured list (labels from the translations,
// sensitivity from the complaint lifecycle). While the stored ones cannot
// be read (the database is down, or not migrated yet at start) the list
// last read stands in, else the configured list: a complaint is taken
// (onto the bus) whether or not the database answers.
func (a *Adapter) formCategories(ctx context.Context) ([]category.Category, error) {
	if a.o.CategoryStore != nil {
		cats, err := a.o.CategoryStore.List(ctx)
		if err == nil {
			a.lastCategories.Store(&cats)
			return cats, nil
		}
		a.o.Log.Warn("webform: stored categories unavailable; using the last known list", "err", err)
		if last := a.lastCategories.Load(); last != nil {
			return *last, nil
		}
	}
	return a.configuredCategories(), nil
}

// configuredCategories is the list from the settings (COMPLAINT_CATEGORIES).
func (a *Adapter) configuredCategories() []category.Category {
	out := make([]category.Category, 0, len(a.o.Categories))
	for i, c := range a.o.Categories {
		out = append(out, category.Category{Code: c.Code, LabelID: c.Label, LabelEN: c.Label, Active: true, Position: i + 1,
			Sensitive: a.o.Lifecycle != nil && a.o.Lifecycle.Sensitive(c.Code)})
	}
	return out
}

// labelOf is a category's label in lang, else its translation.
func (a *Adapter) labelOf(lang string, c category.Category) string {
	if l := c.Label(lang); l != "" {
		return l
	}
	return a.o.Locale.T(lang, "category."+c.Code)
}

// categoryLabel is the label of code in lang (an inactive category keeps
// its label on the status page), else its translation; "" for a ticket
// without a category (a chat or a call).
func (a *Adapter) categoryLabel(ctx context.Context, lang, code string) string {
	if code == "" {
		return ""
	}
	cats, err := a.formCategories(ctx)
	if err != nil {
		a.o.Log.Warn("webform: categories unavailable; showing the translation", "err", err)
	}
	for _, c := range cats {
		if c.Code == code {
			return a.labelOf(lang, c)
		}
	}
	return a.o.Locale.T(lang, "category."+code)
}
