package offline

import (
	"math"
	"slices"
	"strings"
	"testing"
)

var shared = New()

func TestAnalyzeScoresEventsWithoutEmotionWords(t *testing.T) {
	for _, tc := range []struct {
		text string
		sign int
	}{
		{"He forgot our anniversary again.", -1},
		{"My grandmother passed away last night.", -1},
		{"When my boyfriend didn't call me on my birthday.", -1},
		{"Nobody came to my party.", -1},
		{"We got engaged this weekend!", 1},
		{"My sister gave birth to a healthy baby girl.", 1},
		{"I passed my driving test.", 1},
		{"He didn't criticise me at all, he just listened.", 1},
		{"I went to the store and bought milk.", 0},
		{"We talked about the schedule for next week.", 0},
	} {
		got := shared.Analyze(tc.text).SentimentScore
		if class(got) != tc.sign {
			t.Errorf("Analyze(%q) = %.4f, want class %d", tc.text, got, tc.sign)
		}
	}
}

func TestAnalyzeHandlesNegationHedgesAndContrast(t *testing.T) {
	happy := shared.Analyze("I am happy with him.").SentimentScore
	notHappy := shared.Analyze("I am not happy with him.").SentimentScore
	hedged := shared.Analyze("I guess I am happy with him.").SentimentScore
	contrast := shared.Analyze("Dinner was nice but he was rude to the waiter.").SentimentScore
	if notHappy >= 0 {
		t.Errorf("negated feeling scored %.3f, want negative", notHappy)
	}
	if hedged >= happy || hedged <= 0 {
		t.Errorf("hedged feeling scored %.3f, want in (0, %.3f)", hedged, happy)
	}
	if contrast >= 0 {
		t.Errorf("contrast scored %.3f, want the clause after 'but' to dominate", contrast)
	}
}

func TestAnalyzeReadsEmojiAndEmoticons(t *testing.T) {
	if s := shared.Analyze("😍😍").SentimentScore; s <= 0.05 {
		t.Errorf("heart eyes scored %.3f", s)
	}
	if s := shared.Analyze("today :(").SentimentScore; s >= -0.05 {
		t.Errorf("frown scored %.3f", s)
	}
}

func TestAnalyzeReturnsValidLowConfidenceResultForBadInput(t *testing.T) {
	for name, text := range map[string]string{
		"empty":       "",
		"whitespace":  " \t\n  \n",
		"long":        strings.Repeat("lorem ipsum dolor sit amet ", 400),
		"non-English": "Ich habe heute lange mit meiner Schwester gesprochen und wir waren uns nicht einig.",
		"binary":      "\x00\x01\xff\xfe\x89PNG\r\n\x1a\n\x00\x00",
		"emoji-only":  "🙂🙂",
	} {
		r := shared.Analyze(text)
		checkInvariants(t, r)
		if r.ConfidenceLevel > 0.4 {
			t.Errorf("%s: confidence %.2f, want low", name, r.ConfidenceLevel)
		}
	}
}

func class(v float64) int {
	switch {
	case v >= 0.05:
		return 1
	case v <= -0.05:
		return -1
	}
	return 0
}

// checkInvariants holds for every result, whatever the input.
func checkInvariants(t testing.TB, r Result) {
	t.Helper()
	if math.IsNaN(r.SentimentScore) || r.SentimentScore < -1 || r.SentimentScore > 1 {
		t.Fatalf("score %v out of range", r.SentimentScore)
	}
	if math.IsNaN(r.ConfidenceLevel) || r.ConfidenceLevel < 0 || r.ConfidenceLevel > 1 {
		t.Fatalf("confidence %v out of range", r.ConfidenceLevel)
	}
	if r.EmotionalKeywords == nil || r.Patterns.RecurringThemes == nil ||
		r.Patterns.EmotionalTriggers == nil || r.Patterns.RelationshipDynamics == nil {
		t.Fatalf("nil slice in %+v", r)
	}
	if r.Reasoning == "" {
		t.Fatal("empty reasoning")
	}
	for _, v := range r.Patterns.RecurringThemes {
		if !slices.Contains(Themes(), v) {
			t.Fatalf("undocumented theme %q", v)
		}
	}
	for _, v := range r.Patterns.EmotionalTriggers {
		if !slices.Contains(Triggers(), v) {
			t.Fatalf("undocumented trigger %q", v)
		}
	}
	for _, v := range r.Patterns.RelationshipDynamics {
		if !slices.Contains(Dynamics(), v) {
			t.Fatalf("undocumented dynamic %q", v)
		}
	}
	if !slices.Contains(CommunicationStyles(), r.Patterns.CommunicationStyle) {
		t.Fatalf("undocumented style %q", r.Patterns.CommunicationStyle)
	}
}

func TestVocabularySizesMatchLabelBitSet(t *testing.T) {
	if len(Themes()) != nThemes || len(Triggers()) != nTriggers {
		t.Fatalf("nThemes/nTriggers out of date: %d %d", len(Themes()), len(Triggers()))
	}
	if n := nThemes + nTriggers + len(Dynamics()); n > 64 {
		t.Fatalf("%d labels do not fit a uint64 label set", n)
	}
}
