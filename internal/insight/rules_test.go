package insight

import (
	"strings"
	"testing"
	"time"
)

func TestHorsemanInsightSaysWhoAndQuotes(t *testing.T) {
	var recent []Evidence
	for i := range 3 {
		recent = append(recent, Evidence{EntryID: string(rune('a' + i)), WrittenAt: t0.Add(-time.Duration(i) * time.Hour),
			Behaviours: []Behaviour{{Pattern: "stonewalling", Actor: ActorOther, Evidence: "Sam   walked out\nof the room " + strings.Repeat("and slammed the door ", 10*i)}}})
	}
	ps := Rules(RuleInput{RelationshipID: "r", RelationshipName: "Sam", Recent: recent})
	var body string
	for _, p := range ps {
		if p.Kind == KindHorseman {
			body = p.Body
		}
	}
	if !strings.Contains(body, "in how Sam responded") || !strings.Contains(body, "\u201cSam walked out of the room\u201d") || !strings.Contains(body, "self-soothing") {
		t.Fatalf("horseman insight: %q", body)
	}
	for _, p := range ps {
		for _, w := range []string{"will ", "divorce", "diagnos", "toxic"} {
			if strings.Contains(strings.ToLower(p.Body), w) {
				t.Errorf("insight %s reads as a prediction or verdict (%q): %s", p.Kind, w, p.Body)
			}
		}
	}
}
