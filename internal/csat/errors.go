package csat

import "errors"

// Errors of the satisfaction service.
var (
	// ErrBadToken: the survey link is not one we signed (forged, cut or
	// garbled).
	ErrBadToken = errors.New("csat: survey link not valid")
	// ErrExpired: the survey link is past its expiry.
	ErrExpired = errors.New("csat: survey link expired")
	// ErrAlreadyRated: the survey has its answer; a solve is rated once.
	ErrAlreadyRated = errors.New("csat: already rated")
	// ErrNotFound: no such survey (or ticket).
	ErrNotFound = errors.New("csat: not found")
	// ErrNoSurvey: the ticket is not solved and has no open survey.
	ErrNoSurvey = errors.New("csat: no survey for this ticket")
	// ErrBadRating: not a rating from 1 to 5, or a comment too long.
	ErrBadRating = errors.New("csat: rating must be 1 to 5")
	// ErrNotRated: a comment alone for a survey not rated yet (the rating
	// comes first, with Rate).
	ErrNotRated = errors.New("csat: not rated yet")
	// ErrAlreadyCommented: the survey's answer has its comment; a comment
	// is given once.
	ErrAlreadyCommented = errors.New("csat: already commented")
	// ErrNoComment: a comment alone that is empty.
	ErrNoComment = errors.New("csat: comment is empty")
)

// ErrBadQuery: a report asked for with a bad period or grouping.
var ErrBadQuery = errors.New("csat: bad report query")
