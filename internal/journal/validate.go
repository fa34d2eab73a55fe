package journal

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/resonant-journal/resonant/internal/validate"
)

// Limits from the spec's input validation (Zod schema) and the API contract.
const (
	MaxContentChars = 10000
	MaxMoodChars    = 50
	MaxTags         = 10
	MaxTagChars     = 50
	MaxNameChars    = 100
	MaxNotesChars   = 2000
	MaxQueryChars   = 200
	// maxRawTags bounds the tags looked at before de-duplication, which is
	// quadratic; more than this many is an error, not a slow request.
	maxRawTags = 100
)

// Relationship kinds.
var kinds = map[string]bool{"partner": true, "family": true, "friend": true, "colleague": true, "other": true}

// checkText reports what is wrong with s as a field of minChars to
// maxChars characters (runes, not bytes) once surrounding white space is
// trimmed, or "" when it is fine. NUL and invalid UTF-8 are refused rather
// than repaired: PostgreSQL text cannot hold them (SQLite would, so the
// engines would disagree), and text is never silently altered.
func checkText(s string, minChars, maxChars int) string {
	if strings.IndexByte(s, 0) >= 0 {
		return "must not contain NUL characters"
	}
	if !utf8.ValidString(s) {
		return "must be valid UTF-8 text"
	}
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	if n < minChars || n > maxChars {
		if minChars == 0 {
			return fmt.Sprintf("must be at most %d characters", maxChars)
		}
		return fmt.Sprintf("must be %d to %d characters", minChars, maxChars)
	}
	return ""
}

// normalizeTags trims each tag, drops empty ones and case-insensitive
// duplicates (the first spelling wins), and checks the limits.
func normalizeTags(raw []string, errs validate.Errors) []string {
	if len(raw) > maxRawTags {
		errs.Add("tags", fmt.Sprintf("must be at most %d tags", MaxTags))
		return nil
	}
	out := make([]string, 0, len(raw))
next:
	for _, t := range raw {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if msg := checkText(t, 1, MaxTagChars); msg != "" {
			errs.Add("tags", "each tag "+msg)
			return nil
		}
		for _, seen := range out {
			if strings.EqualFold(seen, t) {
				continue next
			}
		}
		out = append(out, t)
	}
	if len(out) > MaxTags {
		errs.Add("tags", fmt.Sprintf("must be at most %d tags", MaxTags))
		return nil
	}
	return out
}

// WordCount counts white-space separated words that hold at least one
// letter or digit, so a lone dash or emoji is not a word.
func WordCount(s string) int {
	n := 0
	for _, f := range strings.Fields(s) {
		if strings.IndexFunc(f, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0 {
			n++
		}
	}
	return n
}
