package offline

import (
	"strings"
	"testing"
)

// TestBehavioursSayWhoDidItAndQuoteTheSentence checks the actor and evidence of
// behaviours on sentences written for this test.
func TestBehavioursSayWhoDidItAndQuoteTheSentence(t *testing.T) {
	type want struct{ label, actor string }
	for _, tc := range []struct {
		text     string
		want     []want
		evidence string // the evidence of the first wanted behaviour
	}{
		{"It was a long day. I told him about the audition and he kept scrolling on his phone without looking up.",
			[]want{{DynamicBidForConnection, ActorWriter}, {DynamicTurningAway, ActorOther}},
			"I told him about the audition and he kept scrolling on his phone without looking up."},
		{`He said "you're right, I was being unfair and that's on me."`,
			[]want{{DynamicTakingResponsibility, ActorOther}}, ""},
		{"When she started shouting I said I needed ten minutes, walked round the block to calm down and came back calmer.",
			[]want{{DynamicSelfSoothing, ActorWriter}}, ""},
		{"We both shut down and didn’t speak for the rest of the drive home after the fight.",
			[]want{{DynamicStonewalling, ActorBoth}},
			"We both shut down and didn’t speak for the rest of the drive home after the fight."},
	} {
		res := shared.Analyze(tc.text)
		for i, w := range tc.want {
			found := false
			for _, b := range res.Patterns.Behaviours {
				if b.Label != w.label {
					continue
				}
				found = true
				if b.Actor != w.actor {
					t.Errorf("%q: %s actor %s, want %s", tc.text, w.label, b.Actor, w.actor)
				}
				if i == 0 && tc.evidence != "" && b.Evidence != tc.evidence {
					t.Errorf("%q: evidence %q, want %q", tc.text, b.Evidence, tc.evidence)
				}
				if !strings.Contains(tc.text, b.Evidence) {
					t.Errorf("%q: evidence %q is not the text as written", tc.text, b.Evidence)
				}
			}
			if !found {
				t.Errorf("%q: no %s in %+v", tc.text, w.label, res.Patterns.Behaviours)
			}
		}
	}
}

// TestBehavioursAreNotReportedOutOfScope checks negated, hypothetical, ended and
// third-party behaviours (sentences written for this test).
func TestBehavioursAreNotReportedOutOfScope(t *testing.T) {
	for _, text := range []string{
		"I managed not to roll my eyes when he explained it again.",
		"If she gives me the silent treatment again I'll just leave.",
		"My colleague's husband mocks her in front of everyone, awful to watch.",
	} {
		res := shared.Analyze(text)
		for _, b := range res.Patterns.Behaviours {
			if b.Label == DynamicContempt || b.Label == DynamicStonewalling {
				t.Errorf("%q: reported %+v", text, b)
			}
		}
	}
}
