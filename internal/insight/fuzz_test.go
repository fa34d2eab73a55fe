package insight

import (
	"math"
	"testing"
	"time"
)

// FuzzParsePatterns: whatever an analyzer stored, reading it never panics,
// never yields an empty or duplicated pattern, and the score stays bounded.
func FuzzParsePatterns(f *testing.F) {
	for _, seed := range []string{
		`{}`, `null`, `[]`, `{"relationship_dynamics":null}`,
		`{"recurring_themes":["trust"],"emotional_triggers":["stress"],"communication_style":"direct","relationship_dynamics":["criticism"]}`,
		`{"relationship_dynamics":["criticism",{"pattern":"repair_attempt","actor":"writer"}],"behaviours":[{"label":"criticism","actor":"other","evidence":"x"}]}`,
		`{"behaviours":[{"label":"","actor":"both"},{"label":"contempt","actor":"BOTH"},{"label":"contempt","actor":"writer"}]}`,
		`{"relationship_dynamics":[1,true,{"name":"  "}],"behaviors":"nope"}`,
	} {
		f.Add([]byte(seed), 0.5)
	}
	f.Fuzz(func(t *testing.T, raw []byte, sentiment float64) {
		e := Evidence{EntryID: "e", WrittenAt: time.Unix(0, 0), Sentiment: sentiment, Confidence: 0.5}
		ParsePatterns(raw, &e)
		seen := map[string]bool{}
		for _, b := range e.Behaviours {
			if b.Pattern == "" || seen[b.Pattern] {
				t.Fatalf("behaviours %+v from %q", e.Behaviours, raw)
			}
			seen[b.Pattern] = true
		}
		s, ok := Compute([]Evidence{e})
		if !ok || s.Score < 0 || s.Score > 100 || math.IsNaN(s.Confidence) {
			t.Fatalf("score %+v from %q", s, raw)
		}
	})
}
