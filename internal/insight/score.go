// Package insight is what Resonant says back to the person: health scores
// per relationship, trend analytics and their cache, rule-based insights
// and conversation starters, and the daily reminder. Every number is
// computed from the stored analyses of what the person wrote (never
// incrementally), so it can be explained, and deleting or editing an entry
// changes it as if that entry had never been or had always been so.
// docs/scoring.md states the formula.
//
// The package knows nothing of HTTP; handlers call its Service.
package insight

import (
	"math"
	"slices"
	"time"
)

// Factor names (API.md keeps them snake_case).
const (
	FactorCommunication      = "communication"
	FactorEmotionalSupport   = "emotional_support"
	FactorConflictResolution = "conflict_resolution"
	FactorTrustIntimacy      = "trust_intimacy"
	FactorSharedGrowth       = "shared_growth"
)

// Factors lists the five factors in display order.
var Factors = [5]string{FactorCommunication, FactorEmotionalSupport, FactorConflictResolution, FactorTrustIntimacy, FactorSharedGrowth}

// factorWeights combine the factors into the overall score (they sum to 1).
var factorWeights = [5]float64{0.25, 0.20, 0.20, 0.20, 0.15}

// Trend directions.
const (
	TrendImproving = "improving"
	TrendStable    = "stable"
	TrendDeclining = "declining"
)

// Calculation methods, by the mix of analysis methods behind a score.
const (
	MethodFullAI   = "full_ai_analysis"
	MethodPartial  = "partial_analysis"
	MethodFallback = "fallback_scoring"
)

// The formula's constants (docs/scoring.md explains each).
const (
	// Window bounds the evidence: entries written within this long before
	// the newest one, at most MaxEvidence of them.
	Window      = 180 * 24 * time.Hour
	MaxEvidence = 500
	// HalfLife is how fast an entry's weight falls towards RecencyFloor as
	// newer entries are written.
	HalfLife     = 30 * 24 * time.Hour
	RecencyFloor = 0.4
	// PriorWeight neutral (50) pseudo-entries pull a score built on little
	// evidence towards the middle.
	PriorWeight = 2.0
	// GottmanRatio is the positive-to-negative ratio at which the pattern
	// term is zero (Gottman & Levenson: about 5:1 in stable couples).
	GottmanRatio = 5.0
	// PatternAmplitude is how far (in points) patterns can move a factor
	// from its sentiment level.
	PatternAmplitude = 25.0
	// TrendRecent and TrendEarlier are the windows trendDirection compares;
	// TrendDeadBand is the change (in points) below which it says stable.
	TrendRecent     = 30 * 24 * time.Hour
	TrendEarlier    = 90 * 24 * time.Hour
	TrendDeadBand   = 5.0
	TrendMinEntries = 3
)

// Actor says who did a detected behaviour, when the analysis says so.
type Actor string

// The actors (issue 17's analyzer output); ActorUnknown when not given.
const (
	ActorUnknown Actor = ""
	ActorWriter  Actor = "writer"
	ActorOther   Actor = "other"
	ActorBoth    Actor = "both"
)

// Behaviour is one detected relationship dynamic of an entry.
type Behaviour struct {
	Pattern  string // a relationship_dynamics value, e.g. "repair_attempt"
	Actor    Actor
	Evidence string // the words that showed it, when the analysis quotes them
}

// Evidence is what the score reads of one analysed entry.
type Evidence struct {
	EntryID        string
	RelationshipID string
	WrittenAt      time.Time // the entry's creation time
	Sentiment      float64   // [-1, 1]
	Confidence     float64   // [0, 1]
	AIPowered      bool      // analysis_method ai_powered (else rule_based_fallback)
	Themes         []string
	Triggers       []string
	Style          string
	Behaviours     []Behaviour

	// prepared caches what the formula derives from the patterns (see
	// Prepare); nil means derive it on use.
	prepared *prepared
}

type prepared struct {
	terms   entryTerms
	reading float64 // overallReading
}

// Prepare derives each entry's pattern terms once, so that computing many
// scores over the same evidence (a trend: one per day) does not repeat
// that work. The results are identical with or without it.
func Prepare(ev []Evidence) {
	for i := range ev {
		ev[i].prepared = nil
		t := termsOf(ev[i])
		ev[i].prepared = &prepared{terms: t, reading: readingOf(ev[i], t)}
	}
}

func (e *Evidence) terms() entryTerms {
	if e.prepared != nil {
		return e.prepared.terms
	}
	return termsOf(*e)
}

// Score is one relationship's health score.
type Score struct {
	Score             int
	Factors           map[string]int
	TrendDirection    string
	Confidence        float64
	CalculationMethod string
	// Entries is how many analysed entries the score rests on; AsOf is the
	// newest one's time (the score is "as of" then, whatever the clock).
	Entries int
	AsOf    time.Time
}

// marker is how one pattern value moves one factor.
type marker struct {
	factor int
	weight float64 // > 0 supports the factor, < 0 strains it
}

// dynamicMarkers maps relationship_dynamics values to factors. Negative
// behaviours carry more weight than their antidotes, and the pattern term
// balances at GottmanRatio positives per negative on top of that.
var dynamicMarkers = map[string][]marker{
	"gentle_startup":        {{0, 0.5}, {2, 0.5}},
	"we_language":           {{0, 0.4}, {4, 0.4}},
	"bid_for_connection":    {{0, 0.3}, {1, 0.2}, {4, 0.3}},
	"turning_toward":        {{0, 0.3}, {1, 0.6}, {3, 0.3}, {4, 0.2}},
	"appreciation":          {{0, 0.2}, {1, 0.5}, {3, 0.3}},
	"mutual_support":        {{1, 0.6}, {4, 0.4}},
	"repair_attempt":        {{2, 0.7}, {3, 0.2}},
	"taking_responsibility": {{2, 0.6}, {3, 0.2}},
	"self_soothing":         {{1, 0.2}, {2, 0.5}},
	"criticism":             {{0, -0.6}, {2, -0.5}},
	"contempt":              {{1, -0.6}, {2, -0.8}, {3, -0.5}},
	"defensiveness":         {{0, -0.4}, {2, -0.6}},
	"stonewalling":          {{0, -0.7}, {1, -0.4}, {2, -0.7}},
	"turning_away":          {{1, -0.7}, {4, -0.4}},
	"you_language":          {{0, -0.4}},
	"absolutist_language":   {{0, -0.4}, {2, -0.2}},
	"conflict":              {{2, -0.3}},
}

// triggerMarkers map emotional_triggers to the factors they strain.
var triggerMarkers = map[string][]marker{
	"misunderstanding":      {{0, -0.3}},
	"feeling_criticized":    {{0, -0.3}, {2, -0.2}},
	"feeling_ignored":       {{1, -0.5}},
	"feeling_unappreciated": {{1, -0.5}},
	"loneliness":            {{1, -0.5}},
	"dishonesty":            {{3, -0.8}},
	"jealousy":              {{3, -0.6}},
	"broken_promise":        {{3, -0.6}},
	"lack_of_time":          {{4, -0.3}},
}

// styleMarkers map communication_style to communication.
var styleMarkers = map[string]float64{
	"collaborative": 0.3, "appreciative": 0.3, "direct": 0.2,
	"critical": -0.3, "defensive": -0.3, "withdrawn": -0.3,
}

// themeRelevance: an entry about one of these themes counts a little more
// towards that factor's sentiment level.
var themeRelevance = map[string]int{
	"communication": 0,
	"health":        1, "work_stress": 1,
	"trust": 3, "intimacy": 3,
	"plans_goals": 4, "quality_time": 4,
}

// actorWeight: a behaviour both people showed is a more settled pattern.
func actorWeight(a Actor) float64 {
	if a == ActorBoth {
		return 1.25
	}
	return 1
}

// entryTerms is one entry's contribution to each factor.
type entryTerms struct {
	pos, neg  [5]float64 // marker units, each capped at 1
	relevance [5]float64 // 1, or 1.5 when a theme or marker speaks to the factor
}

func termsOf(e Evidence) entryTerms {
	var t entryTerms
	add := func(ms []marker, scale float64) {
		for _, m := range ms {
			if m.weight > 0 {
				t.pos[m.factor] += m.weight * scale
			} else {
				t.neg[m.factor] -= m.weight * scale
			}
		}
	}
	seen := make(map[string]bool, len(e.Behaviours))
	for _, b := range e.Behaviours {
		if seen[b.Pattern] {
			continue // one pattern counts once per entry, whoever did it
		}
		seen[b.Pattern] = true
		add(dynamicMarkers[b.Pattern], actorWeight(b.Actor))
	}
	for _, tr := range dedupe(e.Triggers) {
		add(triggerMarkers[tr], 1)
	}
	if w, ok := styleMarkers[e.Style]; ok {
		add([]marker{{0, w}}, 1)
	}
	for f := range t.relevance {
		t.pos[f], t.neg[f] = min(t.pos[f], 1), min(t.neg[f], 1)
		t.relevance[f] = 1
		if t.pos[f] > 0 || t.neg[f] > 0 {
			t.relevance[f] = 1.5
		}
	}
	for _, th := range e.Themes {
		if f, ok := themeRelevance[th]; ok {
			t.relevance[f] = 1.5
		}
	}
	return t
}

func dedupe(s []string) []string {
	if len(s) < 2 {
		return s
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// weight is an entry's share of the evidence: recency relative to the
// newest entry (never the wall clock, so a score is stable while nothing
// new is written) times the analysis's confidence, both with floors so no
// single entry can dominate many others.
func weight(e Evidence, newest time.Time) float64 {
	age := newest.Sub(e.WrittenAt)
	if age < 0 {
		age = 0
	}
	recency := RecencyFloor + (1-RecencyFloor)*math.Exp2(-float64(age)/float64(HalfLife))
	quality := 0.6 + 0.4*clamp01(e.Confidence)
	return recency * quality
}

// Select returns the evidence a score as of asOf rests on: entries written
// no later than asOf and within Window before the newest of them, at most
// MaxEvidence, newest first. ev must be sorted newest first.
func Select(ev []Evidence, asOf time.Time) []Evidence {
	i, _ := slices.BinarySearchFunc(ev, asOf, func(e Evidence, t time.Time) int {
		return t.Compare(e.WrittenAt) // descending order
	})
	ev = ev[i:]
	if len(ev) == 0 {
		return nil
	}
	from := ev[0].WrittenAt.Add(-Window)
	n := 0
	for n < len(ev) && n < MaxEvidence && !ev[n].WrittenAt.Before(from) {
		n++
	}
	return ev[:n]
}

// SortNewestFirst orders evidence as Compute and Select expect: newest
// written first, ties by entry id (so the result never depends on the
// order rows were read in).
func SortNewestFirst(ev []Evidence) {
	slices.SortFunc(ev, func(a, b Evidence) int {
		if c := b.WrittenAt.Compare(a.WrittenAt); c != 0 {
			return c
		}
		switch {
		case a.EntryID < b.EntryID:
			return -1
		case a.EntryID > b.EntryID:
			return 1
		}
		return 0
	})
}

// Compute scores one relationship from its evidence (already Selected,
// newest first). It is a pure function of that evidence: the same entries
// always give the same score. With no evidence it returns ok=false.
func Compute(ev []Evidence) (s Score, ok bool) {
	if len(ev) == 0 {
		return Score{}, false
	}
	newest := ev[0].WrittenAt
	var (
		num, den    [5]float64 // sentiment level per factor
		pos, neg    [5]float64 // weighted marker units
		total, conf float64
		ai          int
	)
	for f := range num {
		num[f], den[f] = PriorWeight*50, PriorWeight
	}
	for i := range ev {
		e := &ev[i]
		w := weight(*e, newest)
		t := e.terms()
		reading := 50 + 50*clampSentiment(e.Sentiment)
		for f := range num {
			num[f] += w * t.relevance[f] * reading
			den[f] += w * t.relevance[f]
			pos[f] += w * t.pos[f]
			neg[f] += w * t.neg[f]
		}
		total += w
		conf += w * clamp01(e.Confidence)
		if e.AIPowered {
			ai++
		}
	}
	s.Factors = make(map[string]int, len(Factors))
	overall := 0.0
	for f, name := range Factors {
		level := num[f] / den[f]
		balance := (pos[f] - GottmanRatio*neg[f]) / (pos[f] + GottmanRatio*neg[f] + total)
		v := clampScore(level + PatternAmplitude*balance)
		s.Factors[name] = int(math.Round(v))
		overall += factorWeights[f] * v
	}
	s.Score = int(math.Round(clampScore(overall)))
	s.TrendDirection = trendDirection(ev)
	amount := 1 - math.Exp(-total/6)
	s.Confidence = math.Round(amount*(0.4+0.6*conf/total)*100) / 100
	s.CalculationMethod = method(ai, len(ev))
	s.Entries, s.AsOf = len(ev), newest
	return s, true
}

// overallReading is one entry's stand-alone reading on the overall scale.
func overallReading(e *Evidence) float64 {
	if e.prepared != nil {
		return e.prepared.reading
	}
	return readingOf(*e, termsOf(*e))
}

func readingOf(e Evidence, t entryTerms) float64 {
	v := 0.0
	reading := 50 + 50*clampSentiment(e.Sentiment)
	for f := range Factors {
		balance := (t.pos[f] - GottmanRatio*t.neg[f]) / (t.pos[f] + GottmanRatio*t.neg[f] + 1)
		v += factorWeights[f] * clampScore(reading+PatternAmplitude*balance)
	}
	return v
}

// trendDirection compares the mean reading of the last TrendRecent with
// the TrendEarlier before it; too few entries on either side, or a change
// inside the dead band, is stable.
func trendDirection(ev []Evidence) string {
	newest := ev[0].WrittenAt
	recentFrom, earlierFrom := newest.Add(-TrendRecent), newest.Add(-TrendRecent-TrendEarlier)
	var rSum, eSum float64
	var rN, eN int
	for i := range ev {
		e := &ev[i]
		if !e.WrittenAt.After(earlierFrom) {
			break // newest first: nothing older counts
		}
		if e.WrittenAt.After(recentFrom) {
			rSum += overallReading(e)
			rN++
		} else {
			eSum += overallReading(e)
			eN++
		}
	}
	if rN < TrendMinEntries || eN < TrendMinEntries {
		return TrendStable
	}
	switch d := rSum/float64(rN) - eSum/float64(eN); {
	case d >= TrendDeadBand:
		return TrendImproving
	case d <= -TrendDeadBand:
		return TrendDeclining
	}
	return TrendStable
}

// method names the mix: all (≥ 80 %) AI-powered analyses, mostly (≤ 20 %)
// rule-based ones, or a mix.
func method(ai, n int) string {
	switch share := float64(ai) / float64(n); {
	case share >= 0.8:
		return MethodFullAI
	case share <= 0.2:
		return MethodFallback
	}
	return MethodPartial
}

func clamp01(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return max(0, min(1, v))
}

func clampSentiment(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return max(-1, min(1, v))
}

func clampScore(v float64) float64 {
	if math.IsNaN(v) {
		return 50
	}
	return max(0, min(100, v))
}
