package contact

import (
	"context"
	"sort"
	"strings"

	"tanggap/internal/agent"
	"tanggap/internal/identity"
	"tanggap/internal/mask"
)

// Probable duplicates are suggested, never merged: a supervisor looks and
// decides. A contact is suggested when
//
//   - one of its identities is the same NIK, phone or e-mail as one of
//     this contact's, written differently (0812…, 62812…, +62 812…; an
//     e-mail in other letter case, found through an index on
//     lower(value); a NIK with spaces or dots), which identities
//     stored before normalization, or imported, can be;
//   - one of this contact's tickets was reported with a phone or e-mail
//     that is the other contact's identity (a form sent with a known
//     NIK and another contact's phone files under the NIK's contact and
//     keeps the phone only on the ticket), or the other way round.
//
// Every lookup is by index: identities by (kind, value) in every written
// form, tickets by reporter_phone / reporter_email.

// Duplicate is a contact that is probably the same citizen.
type Duplicate struct {
	ContactID int64    `json:"contact_id"`
	Name      string   `json:"name"`
	Reasons   []Reason `json:"reasons"`
}

// Reason is why a duplicate is suggested: the kind that matched (nik,
// phone, email), how (same_identity: an identity of both; reported: a
// ticket of one was reported with the other's identity) and the value as
// the viewer may see it.
type Reason struct {
	Kind  string `json:"kind"`
	How   string `json:"how"`
	Value string `json:"value"`
}

// Duplicates suggests contacts that are probably the same citizen as
// contactID (supervisors and admins only).
func (h *HistoryService) Duplicates(ctx context.Context, viewer agent.Agent, contactID int64) ([]Duplicate, error) {
	if !viewer.SeesAll() {
		return nil, ErrForbidden
	}
	q := h.db.WithContext(ctx)
	c, err := liveContact(q, contactID)
	if err != nil {
		return nil, err
	}
	own, err := panelIdentities(q, c.ID)
	if err != nil {
		return nil, err
	}
	found := map[int64]map[Reason]bool{}
	add := func(id int64, r Reason) {
		if id == c.ID {
			return
		}
		if found[id] == nil {
			found[id] = map[Reason]bool{}
		}
		if r.Kind == KindNIK {
			r.Value = mask.NIK(r.Value)
		}
		found[id][r] = true
	}

	// Same identity written differently.
	variants := map[string][]string{}
	var phones, emails []string
	for _, i := range own {
		variants[i.Kind] = append(variants[i.Kind], writtenForms(i.Kind, i.Value)...)
		switch i.Kind {
		case KindPhone:
			phones = append(phones, phoneForms(i.Value)...)
		case KindEmail:
			emails = append(emails, emailForms(i.Value)...)
		}
	}
	for kind, vals := range variants {
		if kind == KindVisitor {
			continue
		}
		rows, err := holdersOf(q, kind, vals, c.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			add(r.ContactID, Reason{Kind: kind, How: "same_identity", Value: r.Value})
		}
	}

	// Tickets of this contact reported with another contact's identity.
	hist, err := h.tickets.ContactHistory(ctx, viewer, c.ID)
	if err != nil {
		return nil, err
	}
	byKind := map[string][]string{}
	for _, t := range hist.Tickets {
		if t.ReporterPhone != "" {
			byKind[KindPhone] = append(byKind[KindPhone], phoneForms(t.ReporterPhone)...)
		}
		if t.ReporterEmail != "" {
			byKind[KindEmail] = append(byKind[KindEmail], emailForms(t.ReporterEmail)...)
		}
	}
	for kind, vals := range byKind {
		rows, err := holdersOf(q, kind, vals, c.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			add(r.ContactID, Reason{Kind: kind, How: "reported", Value: r.Value})
		}
	}

	// Other contacts' tickets reported with this contact's identities.
	reported, err := h.tickets.ContactsReportedWith(ctx, uniq(phones), uniq(emails), c.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range reported {
		add(r.ContactID, Reason{Kind: r.Kind, How: "reported", Value: r.Value})
	}

	out := make([]Duplicate, 0, len(found))
	for id, reasons := range found {
		d, err := getContactRow(q, id)
		if err != nil {
			return nil, err
		}
		if d.MergedIntoID != nil {
			continue // a tombstone owns nothing; its survivor is found by its own rows
		}
		dup := Duplicate{ContactID: id, Name: d.Name}
		for r := range reasons {
			dup.Reasons = append(dup.Reasons, r)
		}
		sort.Slice(dup.Reasons, func(i, j int) bool {
			a, b := dup.Reasons[i], dup.Reasons[j]
			if precedence[a.Kind] != precedence[b.Kind] {
				return precedence[a.Kind] < precedence[b.Kind]
			}
			if a.How != b.How {
				return a.How == "same_identity"
			}
			return a.Value < b.Value
		})
		out = append(out, dup)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if precedence[a.Reasons[0].Kind] != precedence[b.Reasons[0].Kind] {
			return precedence[a.Reasons[0].Kind] < precedence[b.Reasons[0].Kind]
		}
		return a.ContactID < b.ContactID
	})
	return out, nil
}

// writtenForms lists the ways one identity may have been stored.
func writtenForms(kind, v string) []string {
	switch kind {
	case KindPhone:
		return phoneForms(v)
	case KindEmail:
		return emailForms(v)
	case KindNIK:
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, v)
		if len(digits) != 16 {
			return uniq([]string{v})
		}
		return uniq([]string{v, digits, digits[:6] + " " + digits[6:12] + " " + digits[12:],
			digits[:2] + "." + digits[2:4] + "." + digits[4:6] + "." + digits[6:12] + "." + digits[12:]})
	}
	return uniq([]string{v})
}

// phoneForms: E.164 and the forms Indonesians write (+62 812…, 62812…,
// 0812…, 812…), from any of them.
func phoneForms(v string) []string {
	out := []string{v}
	e164, err := identity.NormalizePhone(v)
	if err != nil {
		return uniq(out)
	}
	out = append(out, e164)
	if strings.HasPrefix(e164, "+62") {
		nsn := e164[3:]
		out = append(out, "62"+nsn, "0"+nsn, nsn, "+62 "+nsn)
	} else {
		out = append(out, strings.TrimPrefix(e164, "+"))
	}
	return uniq(out)
}

// emailForms: as stored, normalized, and in lower case.
func emailForms(v string) []string {
	out := []string{v, strings.ToLower(strings.TrimSpace(v))}
	if n, err := identity.NormalizeEmail(v); err == nil {
		out = append(out, n)
	}
	return uniq(out)
}

func uniq(xs []string) []string {
	seen := make(map[string]bool, len(xs))
	out := xs[:0:0]
	for _, x := range xs {
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
