package insight

import (
	"sync"

	"github.com/resonant-journal/resonant/internal/store"
)

// parsedCache keeps what the formula derives from each stored analysis —
// its parsed patterns and prepared terms — keyed by the analysis (entry,
// completion time and the values read), so that recomputing trends after
// one new analysis parses that one instead of every analysis in the
// window again (decoding the patterns JSON was about half of a cold trend
// computation for a user with 10,000 entries). A new analysis of an entry
// has a new completion time, hence a new key; stale keys are never read
// and go when the cache is cleared on reaching its bound.
type parsedCache struct {
	mu  sync.Mutex
	m   map[parsedKey]parsedValue
	max int // parsedCacheMax
}

// parsedCacheMax bounds the cache (~400 bytes an analysis): on reaching it,
// it starts again empty. It holds the trend window of a user with 10,000
// entries twice over. It was 200,000: under a publish burst every new
// analysis added a key that only its relationship's next few score
// recomputes read, and the cache alone held ~50 MiB of live heap (100 MiB
// of RSS with the collector's headroom) where the whole server should use
// half of PocketBase's 150-300 MiB.
const parsedCacheMax = 25_000

type parsedKey struct {
	entryID               string
	completed             int64 // UnixNano
	sentiment, confidence float64
	patterns              int // the JSON's length, a cheap guard
}

type parsedValue struct {
	themes, triggers []string
	style            string
	behaviours       []Behaviour
	prepared         *prepared
}

func keyOf(r store.ScoredAnalysis) parsedKey {
	return parsedKey{entryID: r.EntryID, completed: r.CompletedAt.UnixNano(), sentiment: r.Sentiment, confidence: r.Confidence, patterns: len(r.Patterns)}
}

// evidenceOf converts stored analyses into evidence, newest first, with
// the terms prepared (see Prepare), reusing what earlier calls parsed.
func (s *Service) evidenceOf(rows []store.ScoredAnalysis) []Evidence {
	ev := make([]Evidence, len(rows))
	hit := make([]bool, len(rows))
	c := s.parsed
	c.mu.Lock()
	for i, r := range rows {
		v, ok := c.m[keyOf(r)]
		if ok {
			ev[i] = Evidence{Themes: v.themes, Triggers: v.triggers, Style: v.style, Behaviours: v.behaviours, prepared: v.prepared}
			hit[i] = true
		}
	}
	c.mu.Unlock()
	var fresh []int
	for i, r := range rows {
		e := &ev[i]
		e.EntryID, e.RelationshipID, e.WrittenAt = r.EntryID, r.RelationshipID, r.WrittenAt
		e.Sentiment, e.Confidence, e.AIPowered = r.Sentiment, r.Confidence, r.AnalysisMethod == "ai_powered"
		if hit[i] {
			continue
		}
		ParsePatterns(r.Patterns, e)
		t := termsOf(*e)
		e.prepared = &prepared{terms: t, reading: readingOf(*e, t)}
		fresh = append(fresh, i)
	}
	if len(fresh) > 0 {
		c.mu.Lock()
		if len(c.m)+len(fresh) > c.max {
			c.m = make(map[parsedKey]parsedValue)
		}
		for _, i := range fresh {
			e := &ev[i]
			c.m[keyOf(rows[i])] = parsedValue{themes: e.Themes, triggers: e.Triggers, style: e.Style, behaviours: e.Behaviours, prepared: e.prepared}
		}
		c.mu.Unlock()
	}
	SortNewestFirst(ev)
	return ev
}
