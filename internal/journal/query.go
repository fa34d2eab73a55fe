package journal

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/resonant-journal/resonant/internal/validate"
)

// Query is a search as a person typed it, reduced to words.
//
// Semantics (the same on both engines): every word must appear (AND), in
// content or tags, after English stemming ("walked" finds "walking"); the
// last word also matches as a prefix while the person is still typing it
// (the query does not end in a space or punctuation). Punctuation and
// operator characters are separators, never syntax, so nothing typed can
// make a search fail. Phrases, OR and exclusion are not offered.
type Query struct {
	Terms      []string
	PrefixLast bool
}

// maxTerms bounds the words of one search; more are ignored.
const maxTerms = 16

func isTermRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r)
}

// ParseQuery turns what a person typed into a Query. Only its length is
// ever an error (a field error on q).
func ParseQuery(s string) (Query, error) {
	if utf8.RuneCountInString(s) > MaxQueryChars {
		return Query{}, validate.Field("q", "must be at most 200 characters")
	}
	var q Query
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !isTermRune(r) }) {
		// A word made only of combining marks has nothing to match.
		if strings.IndexFunc(f, func(r rune) bool { return !unicode.Is(unicode.Mn, r) }) < 0 {
			continue
		}
		f = strings.ToLower(f)
		if seen[f] {
			continue
		}
		seen[f] = true
		q.Terms = append(q.Terms, f)
		if len(q.Terms) == maxTerms {
			break
		}
	}
	// Prefix-match the last word only when the input ends inside it.
	if n := len(q.Terms); n > 0 {
		tail := s
		if end := strings.LastIndexFunc(s, func(r rune) bool { return !isTermRune(r) }); end >= 0 {
			_, w := utf8.DecodeRuneInString(s[end:])
			tail = s[end+w:]
		}
		q.PrefixLast = tail != "" && strings.ToLower(tail) == q.Terms[n-1]
	}
	return q, nil
}
