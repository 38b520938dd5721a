package apptest

// AuditPage is GET /api/v1/admin/audit as tests read it: each line's
// action, stored detail, and its words in the asked language (a summary
// and the fields, with old and new values of a change).
type AuditPage struct {
	Entries []struct {
		Action  string `json:"action"`
		Detail  string `json:"detail"`
		Summary string `json:"summary"`
		Fields  []struct {
			Label   string `json:"label"`
			Value   string `json:"value"`
			Changed bool   `json:"changed"`
			From    string `json:"from"`
			To      string `json:"to"`
		} `json:"fields"`
	} `json:"entries"`
}
