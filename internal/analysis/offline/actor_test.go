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

// TestHardWrappedSentencesAreReadWhole checks that a sentence hard-wrapped across lines
// is one sentence (its evidence is quoted whole), while short lines, capitals after a
// full line and blank lines still end sentences.
func TestHardWrappedSentencesAreReadWhole(t *testing.T) {
	wrapped := "We argued for a while about the dishes and the bills, the same old fight. Then he went quiet and left the\nroom without a word."
	res := shared.Analyze(wrapped)
	found := false
	for _, b := range res.Patterns.Behaviours {
		if b.Label == DynamicStonewalling {
			found = true
			if b.Evidence != "Then he went quiet and left the room without a word." { // whitespace folded
				t.Errorf("stonewalling evidence %q, want the whole wrapped sentence", b.Evidence)
			}
		}
	}
	if !found {
		t.Errorf("%q: no stonewalling in %+v", wrapped, res.Patterns.Behaviours)
	}
	for _, tc := range []struct {
		text  string
		sents int
	}{
		{"I tried to tell Sam about the meeting with my manager, but he kept\nscrolling on his phone and barely looked up.", 1},
		{"I was tired after the longest day at work and when\nI got home he had cooked dinner for us both.", 1},
		{"went to the gym\nhe didn't text back\nfeeling low", 3},
		{"I tried to tell Sam about the meeting with my manager today\nHe kept scrolling on his phone and barely looked up", 2},
		{"I tried to tell Sam about the meeting with my manager today\n\nhe kept scrolling on his phone and barely looked up", 2},
		{"I tried to tell Sam about the meeting with my manager, but he kept\r\nscrolling on his phone and barely looked up.", 1},
		{"Ça m’a fait tellement plaisir qu’il m’écoute enfin vraiment ce soir\nparce que j’avais besoin de parler.", 1},
	} {
		toks, _ := shared.tokenize(tc.text)
		if got := toks[len(toks)-1].sent + 1; got != tc.sents {
			t.Errorf("%q: %d sentences, want %d", tc.text, got, tc.sents)
		}
	}
}
