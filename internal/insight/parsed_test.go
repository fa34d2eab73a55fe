package insight

import (
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/analysis/offline"
	"github.com/resonant-journal/resonant/internal/store"
)

func TestParsedAnalysesAreReusedOnlyForTheSameAnalysis(t *testing.T) {
	off := offline.New()
	row := func(entry, text string, at time.Time) store.ScoredAnalysis {
		r := off.Analyze(text)
		p, err := json.Marshal(r.Patterns)
		if err != nil {
			t.Fatal(err)
		}
		return store.ScoredAnalysis{EntryID: entry, RelationshipID: "rel", WrittenAt: at, CompletedAt: at.Add(time.Minute),
			Sentiment: r.SentimentScore, Confidence: r.ConfidenceLevel, AnalysisMethod: "rule_based_fallback", Patterns: p}
	}
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	rows := []store.ScoredAnalysis{
		row("a", "You never listen to me and you always interrupt.", t0),
		row("b", "I apologised for snapping and we hugged it out. Thank you, Sam.", t0.Add(time.Hour)),
	}
	// What the formula reads without any cache.
	want := func(rows []store.ScoredAnalysis) []Evidence {
		ev := make([]Evidence, len(rows))
		for i, r := range rows {
			ev[i] = Evidence{EntryID: r.EntryID, RelationshipID: r.RelationshipID, WrittenAt: r.WrittenAt, Sentiment: r.Sentiment,
				Confidence: r.Confidence, AIPowered: r.AnalysisMethod == "ai_powered"}
			ParsePatterns(r.Patterns, &ev[i])
		}
		SortNewestFirst(ev)
		Prepare(ev)
		return ev
	}
	s := &Service{parsed: &parsedCache{m: map[parsedKey]parsedValue{}, max: 10}}
	first := s.evidenceOf(rows)
	if !reflect.DeepEqual(first, want(rows)) {
		t.Fatalf("evidence differs from the uncached reading:\n%+v\n%+v", first, want(rows))
	}
	if len(s.parsed.m) != 2 {
		t.Fatalf("%d analyses cached, want 2", len(s.parsed.m))
	}
	again := s.evidenceOf(rows)
	if !reflect.DeepEqual(again, first) || again[0].prepared != first[0].prepared {
		t.Fatal("the second reading did not reuse the first")
	}
	// Entry a is edited and analysed again: a new analysis, read afresh;
	// entry b moved to another relationship: the same analysis, its new
	// relationship read from the row.
	rows[0] = row("a", "We laughed all evening and planned our trip together.", t0)
	rows[0].CompletedAt = t0.Add(48 * time.Hour)
	rows[1].RelationshipID = "other"
	got := s.evidenceOf(rows)
	if !reflect.DeepEqual(got, want(rows)) {
		t.Fatalf("after an edit the evidence is stale:\n%+v\n%+v", got, want(rows))
	}
	// The bound: a full cache starts again.
	for i := range 10 {
		s.parsed.m[parsedKey{entryID: strconv.Itoa(i)}] = parsedValue{}
	}
	rows[0].CompletedAt = t0.Add(72 * time.Hour)
	s.evidenceOf(rows)
	if len(s.parsed.m) > 3 {
		t.Fatalf("the cache holds %d analyses past its bound", len(s.parsed.m))
	}
}
