// Package offline is Resonant's built-in analyzer: it reads a journal entry with no
// network, no model and no API key, and returns the same analysis fields an external
// AI provider would.
//
// Sentiment is VADER (Hutto & Gilbert 2014) extended for first-person writing about
// relationships: an event lexicon ("he forgot our anniversary", "we got engaged") with
// negation-aware scoring, expected acts whose absence hurts ("he didn't call"),
// journaling idioms, hedges, per-sentence contrast and a length-aware summary. Patterns
// are rule-based detectors grounded in Gottman's research (four horsemen and their
// antidotes, repair attempts, bids and turning toward or away) plus themes, triggers
// and a communication style, each drawn from a small documented vocabulary (see
// Themes, Triggers, Dynamics and CommunicationStyles).
//
// Results are reflections on what the text says, never predictions about a
// relationship. docs/analyzer.md lists what is detected, the limits and measured
// accuracy.
package offline

import (
	"math"
	"slices"
	"strings"

	"github.com/resonant-journal/resonant/internal/analysis"
)

// Result is the analyzer's output: the analyzer contract's result.
type Result = analysis.Result

// Patterns holds the relationship patterns found in an entry, drawn from the
// contract's vocabularies.
type Patterns = analysis.Patterns

// Behaviour is one relationship behaviour the entry describes as having happened.
type Behaviour = analysis.Behaviour

// Analyzer scores journal entries. It is immutable after New and safe for concurrent
// use by any number of goroutines.
type Analyzer struct {
	lex    *lexicon
	rules  *ruleSet
	scope  *scopeWords
	model  *patternModel
	groups *wordClusters
	// explain, when set (tests only), sees every text's items and their values after
	// the context pass.
	explain func(items []item, vals []float64)
}

// New builds the lexicons and pattern rules once. Build one Analyzer per process and
// share it; construction takes a few milliseconds.
func New() *Analyzer {
	rs := newRuleSet()
	m, err := newPatternModel(patternModelText, rs)
	if err != nil {
		panic("offline: embedded pattern model: " + err.Error()) // caught by every test
	}
	return &Analyzer{lex: newLexicon(), rules: rs, scope: newScopeWords(), model: m, groups: newWordClusters(wordClustersText)}
}

// maxAnalyzedBytes bounds the work per entry. Entries are at most 10,000 characters
// (up to 40,000 bytes in UTF-8); anything longer is analysed on its first part.
const maxAnalyzedBytes = 64 << 10

// Analyze reads one entry. It never panics and always returns a valid Result: text it
// cannot read (empty, another language, binary) gets a neutral score and low confidence.
func (a *Analyzer) Analyze(text string) Result {
	if len(text) > maxAnalyzedBytes {
		text = text[:maxAnalyzedBytes]
	}
	toks, sents := a.tokenize(text)
	s := a.scoreSentiment(toks, sents)
	p := a.detect(toks, text, len(sents), s.sentences)

	res := Result{
		SentimentScore:    clean(s.score, -1, 1),
		EmotionalKeywords: topKeywords(s.keywords, 8),
		Patterns:          p.patterns(),
	}
	res.ConfidenceLevel = confidence(s, p)
	res.Reasoning = reasoning(res, s, p)
	return res
}

// clean keeps NaN and out-of-range values out of stored results whatever the input.
func clean(v, lo, hi float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return math.Round(max(lo, min(hi, v))*1e4) / 1e4
}

func topKeywords(kw []scored, n int) []string {
	slices.SortStableFunc(kw, func(x, y scored) int {
		ax, ay := math.Abs(x.val), math.Abs(y.val)
		switch {
		case ax > ay:
			return -1
		case ax < ay:
			return 1
		}
		return 0
	})
	out := make([]string, 0, min(n, len(kw)))
	for _, k := range kw {
		if len(out) == n {
			break
		}
		out = append(out, k.text)
	}
	return out
}

// confidence is calibrated on the labelled sets (docs/analyzer.md, "Confidence"): it
// rises with the margin of the score over the neutral band, which is what predicts a
// right sign there, and falls when positive and negative evidence conflict, when one
// word carries the whole reading, and when little of the text reads as English. A
// neutral reading is never confident: a text with no feeling words may still tell an
// event the lexicons do not know. Results at 0.7 or more have the right sign at least
// 85% of the time on those sets, and a test holds that.
func confidence(s sentiment, _ detection) float64 {
	if s.words == 0 {
		return 0.05
	}
	english := float64(s.english) / float64(s.words)
	readable := 0.3 + 0.7*min(1, english*1.6)
	m := math.Abs(s.score)
	var c float64
	switch {
	case m < 0.05 && s.hits == 0:
		c = 0.45
	case m < 0.05:
		c = 0.3
	default:
		c = 0.3 + 0.9*m
		if tot := s.pos + s.neg; tot > 0 && math.Abs(s.pos-s.neg)/tot < 0.6 {
			c -= 0.1
		}
		if s.hits <= 1 {
			c -= 0.05
		}
	}
	return clean(min(c, 0.9)*readable, 0.05, 0.9)
}

// reasoning explains the result in one or two plain sentences, as a reflection on the
// words of the entry, never a judgement on the relationship.
func reasoning(r Result, s sentiment, p detection) string {
	if s.words == 0 || s.english*4 < s.words {
		return "There was too little recognisable English text to reflect on, so this reading is tentative."
	}
	var b strings.Builder
	score := r.SentimentScore
	switch {
	case s.hits == 0 && p.count() == 0:
		b.WriteString("This entry reads as mostly factual; few words carried feeling either way.")
		return b.String()
	case score >= 0.5:
		b.WriteString("This entry reads as mostly warm")
	case score >= 0.05:
		b.WriteString("This entry reads as gently positive")
	case score > -0.05 && s.pos > 0 && s.neg > 0:
		b.WriteString("This entry holds both warmth and strain")
	case score > -0.05:
		b.WriteString("This entry reads as fairly even in tone")
	case score > -0.5:
		b.WriteString("This entry reads as somewhat heavy")
	default:
		b.WriteString("This entry reads as painful")
	}
	if len(r.EmotionalKeywords) > 0 {
		b.WriteString(": ")
		for i, k := range r.EmotionalKeywords[:min(3, len(r.EmotionalKeywords))] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("\u201c" + k + "\u201d")
		}
		b.WriteString(" carried most of it.")
	} else {
		b.WriteString(".")
	}
	if d := p.describe(); d != "" {
		b.WriteString(" ")
		b.WriteString(d)
	}
	return b.String()
}
