package insight

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/analysis/offline"
)

var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

var (
	allDynamics = offline.Dynamics()
	allTriggers = offline.Triggers()
	allThemes   = offline.Themes()
	allStyles   = offline.CommunicationStyles()
)

// randomEvidence is n entries spread over span before t0, with random
// sentiment, confidence and patterns, newest first.
func randomEvidence(r *rand.Rand, n int, span time.Duration) []Evidence {
	ev := make([]Evidence, n)
	for i := range ev {
		e := Evidence{
			EntryID:    "e" + strconv.Itoa(i),
			WrittenAt:  t0.Add(-time.Duration(r.Int64N(int64(span) + 1))),
			Sentiment:  r.Float64()*2 - 1,
			Confidence: r.Float64(),
			AIPowered:  r.IntN(2) == 0,
			Style:      allStyles[r.IntN(len(allStyles))],
		}
		for range r.IntN(4) {
			e.Behaviours = append(e.Behaviours, Behaviour{Pattern: allDynamics[r.IntN(len(allDynamics))],
				Actor: []Actor{ActorUnknown, ActorWriter, ActorOther, ActorBoth}[r.IntN(4)]})
		}
		for range r.IntN(3) {
			e.Triggers = append(e.Triggers, allTriggers[r.IntN(len(allTriggers))])
		}
		for range r.IntN(3) {
			e.Themes = append(e.Themes, allThemes[r.IntN(len(allThemes))])
		}
		ev[i] = e
	}
	SortNewestFirst(ev)
	return ev
}

func mustCompute(t *testing.T, ev []Evidence) Score {
	t.Helper()
	s, ok := Compute(ev)
	if !ok {
		t.Fatal("Compute reported no evidence")
	}
	return s
}

func TestVocabularyIsTheAnalyzers(t *testing.T) {
	known := func(vocab []string, name string) {
		if !slices.Contains(vocab, name) {
			t.Errorf("%q is not in the analyzer's vocabulary", name)
		}
	}
	for name := range dynamicMarkers {
		known(allDynamics, name)
	}
	for name := range triggerMarkers {
		known(allTriggers, name)
	}
	for name := range themeRelevance {
		known(allThemes, name)
	}
	for name := range styleMarkers {
		known(allStyles, name)
	}
	sum := 0.0
	for _, w := range factorWeights {
		sum += w
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Fatalf("factor weights sum to %v, want 1", sum)
	}
}

func TestScoreIsBounded(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	extremes := []float64{-1, 1, -5, 5, math.NaN(), math.Inf(1), math.Inf(-1)}
	for i := range 2000 {
		ev := randomEvidence(r, 1+r.IntN(80), time.Duration(1+r.IntN(400))*24*time.Hour)
		if i%3 == 0 {
			for j := range ev {
				ev[j].Sentiment = extremes[r.IntN(len(extremes))]
				ev[j].Confidence = extremes[r.IntN(len(extremes))]
			}
		}
		s := mustCompute(t, Select(ev, t0))
		if s.Score < 0 || s.Score > 100 {
			t.Fatalf("score %d out of 0..100", s.Score)
		}
		for name, v := range s.Factors {
			if v < 0 || v > 100 {
				t.Fatalf("factor %s = %d out of 0..100", name, v)
			}
		}
		if len(s.Factors) != 5 {
			t.Fatalf("%d factors, want 5", len(s.Factors))
		}
		if s.Confidence < 0 || s.Confidence > 1 || math.IsNaN(s.Confidence) {
			t.Fatalf("confidence %v out of 0..1", s.Confidence)
		}
		if !slices.Contains([]string{TrendImproving, TrendStable, TrendDeclining}, s.TrendDirection) {
			t.Fatalf("trend %q", s.TrendDirection)
		}
		if !slices.Contains([]string{MethodFullAI, MethodPartial, MethodFallback}, s.CalculationMethod) {
			t.Fatalf("method %q", s.CalculationMethod)
		}
	}
	if _, ok := Compute(nil); ok {
		t.Fatal("Compute(nil) reported a score")
	}
}

// Raising any one entry's sentiment never lowers the score or any factor.
func TestScoreIsMonotonicInSentiment(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 1000 {
		ev := randomEvidence(r, 1+r.IntN(60), 120*24*time.Hour)
		before := mustCompute(t, ev)
		i := r.IntN(len(ev))
		up := slices.Clone(ev)
		up[i].Sentiment = ev[i].Sentiment + r.Float64()*(1-ev[i].Sentiment)
		after := mustCompute(t, up)
		if after.Score < before.Score {
			t.Fatalf("raising entry %d's sentiment %.3f → %.3f lowered the score %d → %d", i, ev[i].Sentiment, up[i].Sentiment, before.Score, after.Score)
		}
		for _, f := range Factors {
			if after.Factors[f] < before.Factors[f] {
				t.Fatalf("raising sentiment lowered %s %d → %d", f, before.Factors[f], after.Factors[f])
			}
		}
	}
	// And across the whole range, all entries at once: strictly higher at the ends.
	ev := randomEvidence(r, 20, 60*24*time.Hour)
	low, high := slices.Clone(ev), slices.Clone(ev)
	for i := range ev {
		low[i].Sentiment, high[i].Sentiment = -1, 1
	}
	if l, h := mustCompute(t, low).Score, mustCompute(t, high).Score; h-l < 40 {
		t.Fatalf("all-negative %d vs all-positive %d: sentiment barely matters", l, h)
	}
}

// With no new entries the score does not drift with the clock, and it does
// not depend on the order the analyses were read or arrived in.
func TestScoreIsStableWithoutNewEvidence(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 300 {
		ev := randomEvidence(r, 1+r.IntN(100), 365*24*time.Hour)
		first := mustCompute(t, Select(ev, t0))
		for _, later := range []time.Duration{time.Hour, 24 * time.Hour, 90 * 24 * time.Hour, 3 * 365 * 24 * time.Hour} {
			again := mustCompute(t, Select(ev, t0.Add(later)))
			if !sameScore(first, again) {
				t.Fatalf("score drifted %v later with no new entries: %+v vs %+v", later, first, again)
			}
		}
		shuffled := slices.Clone(ev)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		SortNewestFirst(shuffled)
		if !sameScore(first, mustCompute(t, Select(shuffled, t0))) {
			t.Fatal("score depends on the order entries were read")
		}
	}
}

// One entry, however extreme, cannot swing a score built on 50 entries.
func TestOneEntryCannotSwingAScoreBuiltOnFifty(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	worst := 0
	for i := range 2000 {
		base := randomEvidence(r, 50, time.Duration(7+r.IntN(170))*24*time.Hour)
		before := mustCompute(t, Select(base, t0))
		extreme := Evidence{EntryID: "x", WrittenAt: t0.Add(time.Duration(r.IntN(48)) * time.Hour), Confidence: 1, AIPowered: true}
		if i%2 == 0 {
			extreme.Sentiment, extreme.Style = -1, "critical"
			extreme.Triggers = []string{"dishonesty", "feeling_ignored", "misunderstanding", "lack_of_time"}
			for _, p := range []string{"criticism", "contempt", "defensiveness", "stonewalling", "turning_away", "you_language", "absolutist_language", "conflict"} {
				extreme.Behaviours = append(extreme.Behaviours, Behaviour{Pattern: p, Actor: ActorBoth})
			}
		} else {
			extreme.Sentiment, extreme.Style = 1, "appreciative"
			extreme.Themes = []string{"trust", "plans_goals", "communication", "health"}
			for _, p := range []string{"gentle_startup", "we_language", "appreciation", "mutual_support", "repair_attempt", "turning_toward", "taking_responsibility", "bid_for_connection"} {
				extreme.Behaviours = append(extreme.Behaviours, Behaviour{Pattern: p, Actor: ActorBoth})
			}
		}
		with := append([]Evidence{extreme}, base...)
		after := mustCompute(t, Select(with, extreme.WrittenAt))
		if d := abs(after.Score - before.Score); d > worst {
			worst = d
		}
		for _, f := range Factors {
			if d := abs(after.Factors[f] - before.Factors[f]); d > 15 {
				t.Fatalf("one entry moved %s by %d points (%d → %d)", f, d, before.Factors[f], after.Factors[f])
			}
		}
	}
	if worst > 10 {
		t.Fatalf("one entry moved the overall score of 50 by up to %d points, want ≤ 10", worst)
	}
	t.Logf("largest swing of the overall score from one extreme entry on 50: %d points", worst)
}

// Removing an entry gives exactly the score computed as if it had never
// been written, and replacing one gives the score as if it had always said
// the new thing: the score is recomputed from what is stored.
func TestDeleteAndEditAreAsIfNeverAndAlways(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for range 300 {
		ev := randomEvidence(r, 2+r.IntN(60), 200*24*time.Hour)
		i := r.IntN(len(ev))
		without := slices.Delete(slices.Clone(ev), i, i+1)
		never := slices.Clone(without)
		r.Shuffle(len(never), func(a, b int) { never[a], never[b] = never[b], never[a] })
		SortNewestFirst(never)
		a, _ := Compute(Select(without, t0))
		b, _ := Compute(Select(never, t0))
		if !sameScore(a, b) {
			t.Fatal("deleting an entry differs from never having written it")
		}
		edited := slices.Clone(ev)
		edited[i].Sentiment = -edited[i].Sentiment
		edited[i].Behaviours = nil
		fresh := randomEvidence(rand.New(rand.NewPCG(0, 0)), 0, 0)
		fresh = append(fresh, edited...)
		SortNewestFirst(fresh)
		if !sameScore(mustCompute(t, Select(edited, t0)), mustCompute(t, Select(fresh, t0))) {
			t.Fatal("editing an entry differs from it having always been so")
		}
	}
}

func TestWorkedExamples(t *testing.T) {
	day := 24 * time.Hour
	// docs/scoring.md, example 1: a single warm entry.
	one := []Evidence{{EntryID: "a", WrittenAt: t0, Sentiment: 0.6, Confidence: 0.7,
		Behaviours: []Behaviour{{Pattern: "appreciation"}}, Themes: []string{"quality_time"}}}
	s := mustCompute(t, one)
	t.Logf("example 1: %+v", s)
	if s.Score < 55 || s.Score > 75 || s.TrendDirection != TrendStable || s.CalculationMethod != MethodFallback || s.Confidence > 0.3 {
		t.Fatalf("one warm entry: %+v", s)
	}
	// Example 2: a month of criticism and stonewalling, then a month of repair.
	var ev []Evidence
	for d := range 60 {
		e := Evidence{EntryID: strconv.Itoa(d), WrittenAt: t0.Add(-time.Duration(59-d) * day), Confidence: 0.6, AIPowered: true}
		if d < 30 {
			e.Sentiment = -0.4
			e.Behaviours = []Behaviour{{Pattern: "criticism", Actor: ActorOther}, {Pattern: "stonewalling", Actor: ActorWriter}}
		} else {
			e.Sentiment = 0.4
			e.Behaviours = []Behaviour{{Pattern: "repair_attempt", Actor: ActorBoth}, {Pattern: "appreciation"}}
		}
		ev = append(ev, e)
	}
	SortNewestFirst(ev)
	s = mustCompute(t, ev)
	t.Logf("example 2: %+v", s)
	if s.TrendDirection != TrendImproving || s.CalculationMethod != MethodFullAI {
		t.Fatalf("repair after criticism: %+v", s)
	}
	if s.Factors[FactorConflictResolution] >= s.Factors[FactorTrustIntimacy] {
		t.Fatalf("conflict resolution %d should lag trust %d after a month of stonewalling", s.Factors[FactorConflictResolution], s.Factors[FactorTrustIntimacy])
	}
	// At exactly 5:1 the pattern term is zero: factors sit at the sentiment level.
	neutral := []Evidence{{EntryID: "n", WrittenAt: t0, Sentiment: 0, Confidence: 1}}
	if got := mustCompute(t, neutral); got.Score != 50 {
		t.Fatalf("a neutral entry without patterns scores %d, want 50", got.Score)
	}
}

func TestPreparedEvidenceGivesTheSameScores(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for range 200 {
		ev := randomEvidence(r, 1+r.IntN(80), 200*24*time.Hour)
		want := mustCompute(t, ev)
		prep := slices.Clone(ev)
		Prepare(prep)
		if got := mustCompute(t, prep); !sameScore(got, want) {
			t.Fatalf("prepared %+v, plain %+v", got, want)
		}
	}
}

func sameScore(a, b Score) bool {
	if a.Score != b.Score || a.TrendDirection != b.TrendDirection || a.Confidence != b.Confidence ||
		a.CalculationMethod != b.CalculationMethod || a.Entries != b.Entries || !a.AsOf.Equal(b.AsOf) {
		return false
	}
	for _, f := range Factors {
		if a.Factors[f] != b.Factors[f] {
			return false
		}
	}
	return true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// The offline analyzer's own output carries who did what, and the score
// reads it.
func TestParsePatternsOfTheOfflineAnalyzer(t *testing.T) {
	res := offline.New().Analyze("I told Sam I was sorry for snapping at him. Sam kept scrolling his phone while I talked.")
	raw, err := json.Marshal(res.Patterns)
	if err != nil {
		t.Fatal(err)
	}
	var e Evidence
	ParsePatterns(raw, &e)
	if len(res.Patterns.Behaviours) == 0 {
		t.Fatalf("the analyzer found no behaviour in the sample: %s", raw)
	}
	known := 0
	for _, b := range e.Behaviours {
		if b.Actor != ActorUnknown {
			known++
		}
	}
	if known == 0 {
		t.Fatalf("no actor read from %s: %+v", raw, e.Behaviours)
	}
	t.Logf("%s → %+v", raw, e.Behaviours)
}

func TestParsePatterns(t *testing.T) {
	var e Evidence
	ParsePatterns([]byte(`{"recurring_themes":["trust"],"emotional_triggers":["stress"],"communication_style":"direct",
		"relationship_dynamics":["criticism",{"pattern":"repair_attempt","actor":"writer","evidence":"I said sorry"}, 5],
		"behaviours":[{"label":"criticism","actor":"OTHER","evidence":"you never listen"},{"name":""},
			{"label":"repair_attempt","actor":"other","evidence":"she apologised too"}]}`), &e)
	want := []Behaviour{{Pattern: "criticism", Actor: ActorOther, Evidence: "you never listen"}, {Pattern: "repair_attempt", Actor: ActorBoth, Evidence: "I said sorry"}}
	if !slices.Equal(e.Behaviours, want) || e.Style != "direct" || !slices.Equal(e.Themes, []string{"trust"}) || !slices.Equal(e.Triggers, []string{"stress"}) {
		t.Fatalf("parsed %+v", e)
	}
	var bad Evidence
	ParsePatterns([]byte(`not json`), &bad)
	ParsePatterns(nil, &bad)
	if len(bad.Behaviours) != 0 {
		t.Fatal("malformed patterns produced behaviours")
	}
}
