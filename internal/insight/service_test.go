package insight_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/store"
)

const day = 24 * time.Hour

// week writes n entries, one a day before start, about rel.
func (e *env) week(user, rel string, n int, a analysisSpec) []string {
	var ids []string
	for i := range n {
		a.at = start.Add(-time.Duration(n-i) * day)
		ids = append(ids, e.entry(user, rel, a))
	}
	return ids
}

func latest(t *testing.T, e *env, user, rel string) store.HealthScore {
	t.Helper()
	h, err := e.s.LatestHealthScore(e.ctx, user, rel)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func sameStored(a, b store.HealthScore) bool {
	if a.Score != b.Score || a.TrendDirection != b.TrendDirection || a.Confidence != b.Confidence ||
		a.CalculationMethod != b.CalculationMethod || a.EntryCount != b.EntryCount {
		return false
	}
	for _, f := range insight.Factors {
		if a.FactorBreakdown[f] != b.FactorBreakdown[f] {
			return false
		}
	}
	return true
}

func TestRecomputeStoresScoreEventAndHistoryOncePerEvidence(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		u := e.user("ann", "", "")
		rel := e.relationship(u, "Sam")
		e.week(u, rel, 6, analysisSpec{sentiment: 0.5, dynamics: []string{"appreciation", "we_language"}})
		if len(e.jobs.recomputes) != 6 {
			t.Fatalf("%d recomputes queued by 6 analyses, want 6", len(e.jobs.recomputes))
		}
		res := e.recompute(u, rel)
		if res.Score == nil || res.Stale {
			t.Fatalf("first recompute wrote no score: %+v", res)
		}
		h := latest(t, e, u, rel)
		if h.Score <= 50 || h.EntryCount != 6 || h.CalculationMethod != insight.MethodFallback || len(h.FactorBreakdown) != 5 {
			t.Fatalf("score of six warm entries: %+v", h)
		}
		if n := e.events(u, store.EventHealthScoreUpdated); n != 1 {
			t.Fatalf("%d healthScore.updated events, want 1", n)
		}
		// No new evidence: no new history row, no event (a retried job is harmless).
		e.clock.Add(3 * day)
		if res := e.recompute(u, rel); res.Score != nil {
			t.Fatalf("recompute without new evidence wrote %+v", res.Score)
		}
		if n := e.count(`SELECT COUNT(*) FROM health_scores WHERE user_id = ?`, u); n != 1 {
			t.Fatalf("%d history rows, want 1", n)
		}
		// A new, heavy entry: a second row, lower.
		e.entry(u, rel, analysisSpec{at: start, sentiment: -0.9, dynamics: []string{"contempt", "stonewalling"}})
		e.recompute(u, rel)
		h2 := latest(t, e, u, rel)
		if h2.Score >= h.Score || h2.EntryCount != 7 {
			t.Fatalf("after a painful entry %d → %d (%d entries)", h.Score, h2.Score, h2.EntryCount)
		}
		page, err := e.svc.HealthScores(e.ctx, u, rel, pageOf(1, ""))
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != h2.ID || page.NextCursor == "" || !page.Items[0].ShowFactors {
			t.Fatalf("history page 1: %+v %v", page, err)
		}
		page, err = e.svc.HealthScores(e.ctx, u, rel, pageOf(1, page.NextCursor))
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != h.ID || page.NextCursor != "" {
			t.Fatalf("history page 2: %+v %v", page, err)
		}
		if page.Items[0].ShowFactors {
			t.Fatal("an older score's factors are shown without advancedAnalytics")
		}
	})
}

// Deleting an entry (or moving it away) recomputes the score as if it had
// never been written; editing it (a new analysis) as if it had always said so.
func TestStoredScoreAfterDeleteAndEditIsAsIfNeverAndAlways(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		a, b := e.user("a", "", ""), e.user("b", "", "")
		relA, relB := e.relationship(a, "Sam"), e.relationship(b, "Sam")
		var victim string
		for i := range 12 {
			an := analysisSpec{at: start.Add(-time.Duration(12-i) * day), sentiment: float64(i%5)/5 - 0.3, dynamics: []string{"repair_attempt"}}
			if i%4 == 0 {
				an.dynamics = []string{"criticism", "defensiveness"}
			}
			id := e.entry(a, relA, an)
			if i == 7 {
				an.sentiment, an.dynamics = -1, []string{"contempt"} // b never wrote this one
				victim = id
				continue
			}
			e.entry(b, relB, an)
		}
		// a's entry 7 said something else; it gets deleted.
		if err := e.s.InTx(e.ctx, func(ctx context.Context, tx *store.Tx) error {
			if err := tx.DeleteEntry(e.ctx, a, victim); err != nil {
				return err
			}
			return e.svc.EntryChanged(e.ctx, tx, a, victim, e.clock.Now(), relA)
		}); err != nil {
			t.Fatal(err)
		}
		e.recompute(a, relA)
		e.recompute(b, relB)
		if ha, hb := latest(t, e, a, relA), latest(t, e, b, relB); !sameStored(ha, hb) {
			t.Fatalf("after deleting an entry: %+v\nnever written: %+v", ha, hb)
		}
		// Editing: b's last entry is re-analysed as warm; a writes it warm from the start.
		last := e.entry(a, relA, analysisSpec{at: start, sentiment: 0.9, dynamics: []string{"appreciation"}})
		_ = last
		id := e.entry(b, relB, analysisSpec{at: start, sentiment: -0.8, dynamics: []string{"criticism"}})
		e.recompute(b, relB)
		// The edit lands as a new analysis of the same entry.
		if err := e.s.InTx(e.ctx, func(ctx context.Context, tx *store.Tx) error {
			pat := []byte(`{"recurring_themes":[],"emotional_triggers":[],"communication_style":"neutral","relationship_dynamics":["appreciation"]}`)
			if err := tx.SaveAnalysis(e.ctx, store.Analysis{EntryID: id, UserID: b, RelationshipID: relB, SentimentScore: 0.9, ConfidenceLevel: 0.7,
				Patterns: pat, ProcessingSource: "fallback_analysis", AnalysisMethod: "rule_based_fallback", CompletedAt: e.clock.Now().Add(time.Minute)}); err != nil {
				return err
			}
			return e.svc.AnalysisLanded(e.ctx, tx, b, relB, id, e.clock.Now().Add(time.Minute))
		}); err != nil {
			t.Fatal(err)
		}
		e.recompute(a, relA)
		e.recompute(b, relB)
		if ha, hb := latest(t, e, a, relA), latest(t, e, b, relB); !sameStored(ha, hb) {
			t.Fatalf("after editing an entry: %+v\nalways so: %+v", hb, ha)
		}
		// Deleting every entry removes the score: as if none had been written.
		rows, err := e.s.ListEntries(e.ctx, store.EntryFilter{UserID: b, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.s.InTx(e.ctx, func(ctx context.Context, tx *store.Tx) error {
			for _, en := range rows {
				if err := tx.DeleteEntry(e.ctx, b, en.ID); err != nil {
					return err
				}
			}
			return e.svc.EntryChanged(e.ctx, tx, b, "all", e.clock.Now(), relB)
		}); err != nil {
			t.Fatal(err)
		}
		e.recompute(b, relB)
		if _, err := e.s.LatestHealthScore(e.ctx, b, relB); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a relationship with no entries left still has a score (%v)", err)
		}
	})
}

// A recompute that read evidence which changed before it wrote is dropped;
// the change queued its own recompute.
func TestStaleRecomputeIsDropped(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		u := e.user("ann", "", "")
		rel := e.relationship(u, "Sam")
		e.entry(u, rel, analysisSpec{at: start, sentiment: 0.4})
		v, err := e.s.TrendVersion(e.ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		e.entry(u, rel, analysisSpec{at: start.Add(time.Hour), sentiment: 0.4})
		var ok bool
		if err := e.s.InTx(e.ctx, func(ctx context.Context, tx *store.Tx) error {
			ok, err = tx.ClaimTrendVersion(e.ctx, u, v)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if ok {
			t.Fatal("a version read before an analysis landed is still current")
		}
		if res := e.recompute(u, rel); res.Stale || res.Score == nil {
			t.Fatalf("a current recompute: %+v", res)
		}
	})
}

func pageOf(limit int, cursor string) pageReq { return pageReq{Limit: limit, Cursor: cursor} }

func activeInsights(t *testing.T, e *env, user string) []store.Insight {
	t.Helper()
	p, err := e.svc.Insights(e.ctx, user, store.InsightActive, pageOf(100, ""))
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

func byKind(ins []store.Insight, kind string) []store.Insight {
	var out []store.Insight
	for _, in := range ins {
		if in.Kind == kind {
			out = append(out, in)
		}
	}
	return out
}

func TestInsightsAreNotDuplicatedAreDismissibleAndExpire(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		u := e.user("ann", "", `{"smartReminders":true,"conversationStarters":true}`)
		rel := e.relationship(u, "Sam")
		ids := e.week(u, rel, 4, analysisSpec{sentiment: -0.3, dynamics: []string{"criticism"}, triggers: []string{"household_load"}, themes: []string{"chores"}})
		e.recompute(u, rel)
		act := activeInsights(t, e, u)
		horse := byKind(act, insight.KindHorseman)
		if len(horse) != 1 || len(byKind(act, insight.KindRecurringTrigger)) != 1 || len(byKind(act, insight.KindConversationStarter)) == 0 {
			t.Fatalf("insights after four entries with criticism about chores: %+v", act)
		}
		h := horse[0]
		if h.RelationshipID != rel || len(h.EvidenceEntryIDs) != 4 || !contains(h.EvidenceEntryIDs, ids[0]) || h.Title == "" || h.Body == "" {
			t.Fatalf("horseman insight: %+v", h)
		}
		created := e.events(u, store.EventInsightCreated)
		// Same evidence again: nothing new.
		e.recompute(u, rel)
		e.entry(u, rel, analysisSpec{at: start, sentiment: 0.1, themes: []string{"quality_time"}})
		e.recompute(u, rel)
		act = activeInsights(t, e, u)
		if n := len(byKind(act, insight.KindHorseman)); n != 1 {
			t.Fatalf("%d horseman insights after recomputing, want 1 (no duplicates)", n)
		}
		if e.events(u, store.EventInsightCreated) > created+2 {
			t.Fatalf("recomputing created insights again: %d → %d", created, e.events(u, store.EventInsightCreated))
		}
		// Dismiss: gone from active, stays dismissed while the rule still holds.
		in, err := e.svc.SetInsightStatus(e.ctx, u, h.ID, store.InsightDismissed)
		if err != nil || in.Status != store.InsightDismissed {
			t.Fatalf("dismiss: %+v %v", in, err)
		}
		updated := e.events(u, store.EventInsightUpdated)
		e.entry(u, rel, analysisSpec{at: start.Add(time.Hour), sentiment: -0.2, dynamics: []string{"criticism"}})
		e.recompute(u, rel)
		if n := len(byKind(activeInsights(t, e, u), insight.KindHorseman)); n != 0 {
			t.Fatalf("a dismissed insight came back while it holds (%d active)", n)
		}
		if updated < 1 {
			t.Fatal("dismissing announced nothing")
		}
		// Another user cannot dismiss it, nor see it.
		other := e.user("bob", "", "")
		if _, err := e.svc.SetInsightStatus(e.ctx, other, h.ID, store.InsightActive); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another user's insight: %v, want not found", err)
		}
		if got := activeInsights(t, e, other); len(got) != 0 {
			t.Fatalf("another user sees %d insights", len(got))
		}
		// Expiry: after the TTL an insight is no longer active, and the rule
		// holding again makes a new one.
		e.clock.Add(insight.InsightTTL + day)
		for _, in := range activeInsights(t, e, u) {
			if in.Kind != insight.KindQuiet {
				t.Fatalf("insight %s still active after its TTL", in.Kind)
			}
		}
		for i := range 3 {
			e.entry(u, rel, analysisSpec{at: e.clock.Now().Add(-time.Duration(i) * time.Hour), sentiment: -0.2, dynamics: []string{"criticism"}})
		}
		e.recompute(u, rel)
		again := byKind(activeInsights(t, e, u), insight.KindHorseman)
		if len(again) != 1 || again[0].ID == h.ID {
			t.Fatalf("after expiry, a recurring horseman: %+v (old id %s)", again, h.ID)
		}
	})
}

func TestConversationStartersNeedTheirFlag(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		off := e.user("off", "", "")
		on := e.user("on", "", `{"smartReminders":true,"conversationStarters":true}`)
		for _, u := range []string{off, on} {
			rel := e.relationship(u, "Sam")
			e.week(u, rel, 2, analysisSpec{sentiment: 0.3, themes: []string{"plans_goals"}})
			e.recompute(u, rel)
		}
		if n := len(byKind(activeInsights(t, e, off), insight.KindConversationStarter)); n != 0 {
			t.Fatalf("%d starters with the flag off", n)
		}
		got := byKind(activeInsights(t, e, on), insight.KindConversationStarter)
		if len(got) != 1 || got[0].Body == "" {
			t.Fatalf("starters with the flag on: %+v", got)
		}
	})
}

func TestQuietRelationshipInsight(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		u := e.user("ann", "", "")
		sam, kim := e.relationship(u, "Sam"), e.relationship(u, "Kim")
		e.entry(u, kim, analysisSpec{at: start.Add(-30 * day), sentiment: 0.2})
		e.entry(u, sam, analysisSpec{at: start, sentiment: 0.2})
		e.recompute(u, sam)
		q := byKind(activeInsights(t, e, u), insight.KindQuiet)
		if len(q) != 1 || q[0].RelationshipID != kim {
			t.Fatalf("quiet insights: %+v", q)
		}
		// Writing about Kim retires it.
		e.entry(u, kim, analysisSpec{at: start.Add(time.Hour), sentiment: 0.2})
		e.recompute(u, kim)
		if q := byKind(activeInsights(t, e, u), insight.KindQuiet); len(q) != 0 {
			t.Fatalf("quiet insight survives a new entry: %+v", q)
		}
	})
}

func TestInsightStatusValidation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		u := e.user("ann", "", "")
		if _, err := e.svc.SetInsightStatus(e.ctx, u, "x", "archived"); err == nil {
			t.Fatal("status archived accepted")
		}
		if _, err := e.svc.Insights(e.ctx, u, "expired", pageOf(10, "")); err == nil {
			t.Fatal("?status=expired accepted")
		}
		if got := slices.Clone(activeInsights(t, e, u)); len(got) != 0 {
			t.Fatalf("a new user has insights: %+v", got)
		}
	})
}
