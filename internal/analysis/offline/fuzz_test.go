package offline

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzAnalyze checks the invariants every stored result relies on, for any input.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"", " ", "\n\n", "He forgot our anniversary again.", "😍😍😍", ":( :) <3",
		"I never said he was lazy.", "NOT HAPPY!!!", "no one no longer never not",
		strings.Repeat("a", 300), "\xff\xfe\x00", "İstanbul’da güzel bir gün geçirdik.",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r := shared.Analyze(text)
		checkInvariants(t, r)
		for _, k := range r.EmotionalKeywords {
			if !utf8.ValidString(k) && utf8.ValidString(text) {
				t.Fatalf("keyword %q is not valid UTF-8", k)
			}
		}
	})
}
