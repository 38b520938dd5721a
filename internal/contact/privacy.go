package contact

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Anonymized counts what AnonymizeInTx removed of one citizen.
type Anonymized struct {
	Identities int64 `json:"identities"`
	Notes      int64 `json:"notes"`
}

// AnonymizeInTx removes, inside tx, who the contact is: the name, every
// identity (phone, e-mail, NIK, visitor id) and the agents' notes about
// them. The row stays (tickets and figures point at it) with its province
// (a regional figure, not a person), marked anonymized. A later message
// from the same number makes a new contact.
func AnonymizeInTx(tx *gorm.DB, contactID int64, now time.Time) (Anonymized, error) {
	var out Anonymized
	res := tx.Exec(`DELETE FROM contact_identities WHERE contact_id = ?`, contactID)
	if res.Error != nil {
		return out, fmt.Errorf("contact: anonymize identities: %w", res.Error)
	}
	out.Identities = res.RowsAffected
	res = tx.Exec(`DELETE FROM contact_notes WHERE contact_id = ?`, contactID)
	if res.Error != nil {
		return out, fmt.Errorf("contact: anonymize notes: %w", res.Error)
	}
	out.Notes = res.RowsAffected
	if err := tx.Exec(`UPDATE contacts SET name = '', anonymized_at = ?, updated_at = ? WHERE id = ?`, now.UTC(), now.UTC(), contactID).Error; err != nil {
		return out, fmt.Errorf("contact: anonymize: %w", err)
	}
	return out, nil
}
