package apperr

// Public error codes of the satisfaction survey (internal/csat).
const (
	CodeCSATBadLink      = "csat_bad_link"
	CodeCSATExpired      = "csat_expired"
	CodeCSATAlreadyRated = "csat_already_rated"
	CodeCSATNoSurvey     = "csat_no_survey"
	// A comment alone for a survey not rated yet; a second comment.
	CodeCSATNotRated         = "csat_not_rated"
	CodeCSATAlreadyCommented = "csat_already_commented"
)
