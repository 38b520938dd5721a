package csat

import (
	"strings"
	"unicode/utf8"
)

// The parsers of what citizens send back. Each refuses anything but its
// exact form with an error; none panics (fuzz tests).

// MaxCommentRunes bounds a comment.
const MaxCommentRunes = 1000

// ButtonPrefix starts the id of every survey choice we send on WhatsApp
// (list rows and template quick-reply payloads): "csat:<token>:<rating>".
const ButtonPrefix = "csat:"

// ButtonID is the id of one WhatsApp choice.
func ButtonID(token string, rating int) string {
	return ButtonPrefix + token + ":" + string(rune('0'+rating))
}

// IsButton reports whether a button or list reply id is a survey choice
// (the reply is then a rating, not a message for the thread).
func IsButton(id string) bool { return strings.HasPrefix(id, ButtonPrefix) }

// ParseButton reads a WhatsApp button or list reply id made by ButtonID.
func ParseButton(id string) (token string, rating int, err error) {
	rest, ok := strings.CutPrefix(id, ButtonPrefix)
	if !ok || len(rest) > MaxTokenLen+2 {
		return "", 0, ErrBadToken
	}
	i := strings.LastIndexByte(rest, ':')
	if i < 1 {
		return "", 0, ErrBadToken
	}
	r, err := ParseDigit(rest[i+1:])
	if err != nil {
		return "", 0, err
	}
	return rest[:i], r, nil
}

// ParseDigit reads one keypad digit (or a form's rating field): "1" to "5".
func ParseDigit(s string) (int, error) {
	s = strings.TrimSpace(s)
	if len(s) != 1 || s[0] < '1' || s[0] > '5' {
		return 0, ErrBadRating
	}
	return int(s[0] - '0'), nil
}

// ParseComment trims a comment and checks it is text of at most
// MaxCommentRunes characters.
func ParseComment(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxCommentRunes || strings.ContainsRune(s, 0) {
		return "", ErrBadRating
	}
	return s, nil
}

// Answer is one rating as a form (survey page, status page, chat widget)
// sends it.
type Answer struct {
	Rating  int    `json:"rating"`
	Comment string `json:"comment"`
}

// ParseAnswer validates a rating and comment from a form.
func ParseAnswer(rating int, comment string) (Answer, error) {
	if rating < 1 || rating > 5 {
		return Answer{}, ErrBadRating
	}
	c, err := ParseComment(comment)
	if err != nil {
		return Answer{}, err
	}
	return Answer{Rating: rating, Comment: c}, nil
}
