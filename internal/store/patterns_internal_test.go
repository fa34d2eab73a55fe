package store

import (
	"strings"
	"testing"
)

func TestPatternsRoundTripExactly(t *testing.T) {
	for _, p := range []string{
		`{"recurring_themes":["chores","health"],"emotional_triggers":[],"communication_style":"neutral","relationship_dynamics":[],"behaviours":[]}`,
		`{"recurring_themes":[],"emotional_triggers":["criticism"],"communication_style":"defensive","relationship_dynamics":["repair_attempt"],` +
			`"behaviours":[{"label":"repair_attempt","actor":"writer","evidence":"I said sorry first, \"label\": no"}]}`,
		`{}`, `{"behaviors":[{"name":"stonewalling","span":"he left"}]}`,
		`{"t":["a key that is a short form"],"recurring_themes":[]}`, // kept as given
		`{"evidence":"~"}`, `{"\"t\":":1}`, `not json`,
	} {
		stored, err := encodePatterns(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if got := decodePatterns(stored); got != p {
			t.Fatalf("%s stored as %s reads back as %s", p, stored, got)
		}
	}
	long := `{"recurring_themes":["chores"],"emotional_triggers":[],"communication_style":"neutral","relationship_dynamics":[],"behaviours":[]}`
	if stored, _ := encodePatterns(long); !strings.HasPrefix(stored, patternsMark) || len(stored) > len(long)-70 {
		t.Fatalf("%s stored as %s: not shortened", long, stored)
	}
	if _, err := encodePatterns(patternsMark + `"t":`); err == nil {
		t.Fatal("a patterns value starting with the mark was stored")
	}
	// Rows in databases hold these letters: they never change.
	pinned := `~{"t":[],"e":[],"c":"","d":[],"b":[{"l":"","a":"","v":""}]}`
	want := `{"recurring_themes":[],"emotional_triggers":[],"communication_style":"","relationship_dynamics":[],"behaviours":[{"label":"","actor":"","evidence":""}]}`
	if got := decodePatterns(pinned); got != want {
		t.Fatalf("%s reads back as %s, want %s", pinned, got, want)
	}
	if len(patternKeys)%2 != 0 {
		t.Fatal("patternKeys holds an odd number of strings")
	}
}
