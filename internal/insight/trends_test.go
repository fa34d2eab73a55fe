package insight_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/store"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// Days are the user's local days: an entry at 23:30 UTC is "tomorrow" in
// Auckland and "today" in Los Angeles; a DST change does not split or
// merge days.
func TestTrendsBucketByLocalDay(t *testing.T) {
	at := time.Date(2026, 3, 7, 23, 30, 0, 0, time.UTC)
	ev := []insight.Evidence{
		{EntryID: "late", RelationshipID: "r", WrittenAt: at, Sentiment: 0.5, Confidence: 0.8},
		{EntryID: "early", RelationshipID: "r", WrittenAt: at.Add(-12 * time.Hour), Sentiment: -0.5, Confidence: 0.4},
	}
	now := at.Add(2 * time.Hour)
	cases := []struct {
		tz    string
		dates []string
	}{
		{"UTC", []string{"2026-03-07"}},
		{"Pacific/Auckland", []string{"2026-03-08"}},           // UTC+13: 00:30 and 12:30 on the 8th
		{"America/Los_Angeles", []string{"2026-03-07"}},        // UTC-8: 15:30 and 03:30 on the 7th
		{"Asia/Kolkata", []string{"2026-03-07", "2026-03-08"}}, // UTC+5:30: 17:00 on the 7th, 05:00 on the 8th
		{"Pacific/Kiritimati", []string{"2026-03-08"}},         // UTC+14
		{"Pacific/Pago_Pago", []string{"2026-03-07"}},          // UTC-11
		{"America/New_York", []string{"2026-03-07"}},           // 06:30 and 18:30 on the 7th
	}
	for _, c := range cases {
		tr := insight.ComputeTrends(ev, mustLoc(t, c.tz), now, 7)
		var got []string
		for _, p := range tr.Sentiment {
			got = append(got, p.Date)
		}
		if len(got) != len(c.dates) {
			t.Fatalf("%s: sentiment days %v, want %v", c.tz, got, c.dates)
		}
		for i := range got {
			if got[i] != c.dates[i] {
				t.Fatalf("%s: sentiment days %v, want %v", c.tz, got, c.dates)
			}
		}
		if len(c.dates) == 1 && (tr.Sentiment[0].Value != 0 || tr.Sentiment[0].Confidence != 0.6) {
			t.Fatalf("%s: one day's mean %+v, want value 0 confidence 0.6", c.tz, tr.Sentiment[0])
		}
		if len(tr.Health) == 0 || tr.Health[len(tr.Health)-1].Date != now.In(mustLoc(t, c.tz)).Format(time.DateOnly) {
			t.Fatalf("%s: health should run to today: %+v", c.tz, tr.Health)
		}
	}
	// Across the US spring-forward night (8 March 2026), every local day
	// appears once and in order.
	ny := mustLoc(t, "America/New_York")
	var dst []insight.Evidence
	for h := 0; h < 24*5; h += 6 {
		dst = append([]insight.Evidence{{EntryID: "e", RelationshipID: "r", WrittenAt: time.Date(2026, 3, 6, 0, 0, 0, 0, ny).Add(time.Duration(h) * time.Hour), Sentiment: 0.1}}, dst...)
	}
	tr := insight.ComputeTrends(dst, ny, time.Date(2026, 3, 10, 23, 0, 0, 0, ny), 5)
	want := []string{"2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09", "2026-03-10"}
	if len(tr.Health) != len(want) {
		t.Fatalf("health days across DST: %+v", tr.Health)
	}
	for i, p := range tr.Health {
		if p.Date != want[i] {
			t.Fatalf("health days across DST: %+v, want %v", tr.Health, want)
		}
	}
}

func (e *env) dashboard(user string) insight.Dashboard {
	e.t.Helper()
	d, err := e.svc.Dashboard(e.ctx, user)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func trendCacheRows(e *env, user string) int {
	return e.count(`SELECT COUNT(*) FROM trend_cache WHERE user_id = ?`, user)
}

// A cached dashboard is served until a new analysis lands for the user;
// the next read after it is fresh.
func TestNewAnalysisMakesTheNextDashboardReadFresh(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		u := e.user("ann", `{"timezone":"Europe/Paris"}`, "")
		rel := e.relationship(u, "Sam")
		e.week(u, rel, 3, analysisSpec{sentiment: 0.2})
		e.recompute(u, rel)
		d := e.dashboard(u)
		if len(d.Trends.Sentiment) != 3 || d.TotalEntries != 3 || len(d.HealthScores) != 1 || d.AverageHealthScore == nil || len(d.RecentEntries) != 3 {
			t.Fatalf("dashboard: %+v", d)
		}
		if trendCacheRows(e, u) != 1 {
			t.Fatal("the dashboard's trends were not cached")
		}
		// Cached: make the stored copy recognisable and see it served.
		e.exec(`UPDATE trend_cache SET data = ? WHERE user_id = ?`, `{"sentiment":[{"date":"cached","value":0,"confidence":0}],"health":[]}`, u)
		if got := e.dashboard(u).Trends.Sentiment; len(got) != 1 || got[0].Date != "cached" {
			t.Fatalf("second read did not use the cache: %+v", got)
		}
		// A new analysis lands: the next read is fresh and includes it.
		e.entry(u, rel, analysisSpec{at: start, sentiment: 0.9})
		d = e.dashboard(u)
		if len(d.Trends.Sentiment) != 4 || d.Trends.Sentiment[3].Date != start.In(mustLoc(t, "Europe/Paris")).Format(time.DateOnly) || d.Trends.Sentiment[3].Value != 0.9 {
			t.Fatalf("after a new analysis the dashboard's trends are stale: %+v", d.Trends.Sentiment)
		}
		// A trend computed from a snapshot older than an invalidation is never served.
		v, err := e.s.TrendVersion(e.ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		e.entry(u, rel, analysisSpec{at: start.Add(time.Minute), sentiment: 0.9})
		if err := e.s.InTx(e.ctx, func(ctx context.Context, tx *store.Tx) error {
			return tx.PutTrendCache(e.ctx, u, "trends:all:90:Europe/Paris:false", v, []byte(`{"sentiment":[],"health":[]}`), e.clock.Now(), e.clock.Now().Add(time.Hour))
		}); err != nil {
			t.Fatal(err)
		}
		if got := e.dashboard(u).Trends.Sentiment; len(got) == 0 {
			t.Fatal("a trend stored at an old version was served")
		}
	})
}

func TestPeriodicRefreshRecomputesExpiredCaches(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		u := e.user("ann", "", "")
		idle := e.user("idle", "", "")
		for _, id := range []string{u, idle} {
			rel := e.relationship(id, "Sam")
			e.week(id, rel, 2, analysisSpec{sentiment: 0.3})
			if _, err := e.svc.Trends(e.ctx, id, insight.TrendQuery{RelationshipID: rel, Days: 30}); err != nil {
				t.Fatal(err)
			}
			e.dashboard(id)
		}
		e.exec(`UPDATE users SET last_active_at = ? WHERE id = ?`, store.DBTime(start), u)
		if n, err := e.svc.RefreshExpiredTrends(e.ctx, 100); err != nil || n != 0 {
			t.Fatalf("refresh before expiry: %d %v", n, err)
		}
		e.clock.Add(insight.TrendCacheTTL + time.Minute)
		n, err := e.svc.RefreshExpiredTrends(e.ctx, 100)
		if err != nil || n != 2 {
			t.Fatalf("refreshed %d (%v), want the active user's 2 caches", n, err)
		}
		if fresh := e.count(`SELECT COUNT(*) FROM trend_cache WHERE user_id = ? AND expires_at > ?`, u, store.DBTime(e.clock.Now())); fresh != 2 {
			t.Fatalf("%d of the active user's caches are fresh, want 2", fresh)
		}
		if fresh := e.count(`SELECT COUNT(*) FROM trend_cache WHERE user_id = ? AND expires_at > ?`, idle, store.DBTime(e.clock.Now())); fresh != 0 {
			t.Fatalf("an idle user's caches were refreshed")
		}
		var data string
		if err := e.s.WriteDB().QueryRowContext(e.ctx, e.s.Rebind(`SELECT data FROM trend_cache WHERE user_id = ? AND cache_key LIKE 'trends:all:%'`), u).Scan(&data); err != nil {
			t.Fatal(err)
		}
		var tv insight.TrendsView
		if err := json.Unmarshal([]byte(data), &tv); err != nil || len(tv.Sentiment) != 2 {
			t.Fatalf("refreshed cache: %s %v", data, err)
		}
	})
}

func TestAdvancedAnalyticsGatesFactorHistoryAndThemes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		plain := e.user("plain", "", "")
		adv := e.user("adv", "", `{"smartReminders":true,"advancedAnalytics":true}`)
		for _, u := range []string{plain, adv} {
			rel := e.relationship(u, "Sam")
			e.week(u, rel, 3, analysisSpec{sentiment: 0.3, themes: []string{"quality_time", "plans_goals"}})
			e.week(u, rel, 1, analysisSpec{sentiment: -0.3, themes: []string{"money"}})
		}
		tp, err := e.svc.Trends(e.ctx, plain, insight.TrendQuery{})
		if err != nil || tp.Factors != nil || tp.Themes != nil {
			t.Fatalf("without advancedAnalytics: %+v %v", tp, err)
		}
		ta, err := e.svc.Trends(e.ctx, adv, insight.TrendQuery{})
		if err != nil || len(ta.Factors) == 0 || len(ta.Themes) != 3 || len(ta.Factors[0].Factors) != 5 {
			t.Fatalf("with advancedAnalytics: %+v %v", ta, err)
		}
		if ta.Themes[0].Entries != 3 || ta.Themes[2].Theme != "money" {
			t.Fatalf("theme breakdown: %+v", ta.Themes)
		}
	})
}

func TestTrendsOfAnotherUsersRelationshipAreNotFound(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		owner, other := e.user("owner", "", ""), e.user("other", "", "")
		rel := e.relationship(owner, "Sam")
		e.entry(owner, rel, analysisSpec{at: start, sentiment: 0.3})
		if _, err := e.svc.Trends(e.ctx, other, insight.TrendQuery{RelationshipID: rel}); err == nil {
			t.Fatal("another user's relationship trends answered")
		}
		if _, err := e.svc.HealthScores(e.ctx, other, rel, pageOf(10, "")); err == nil {
			t.Fatal("another user's relationship scores answered")
		}
		if d := e.dashboard(other); d.TotalEntries != 0 || len(d.Trends.Sentiment) != 0 || len(d.RecentEntries) != 0 {
			t.Fatalf("another user's dashboard shows the owner's data: %+v", d)
		}
	})
}

// After a recompute, the caches the analysis made stale are warmed again,
// with the new entry in them.
func TestStaleTrendsAreRewarmed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		u := e.user("ann", "", "")
		rel := e.relationship(u, "Sam")
		e.week(u, rel, 2, analysisSpec{sentiment: 0.2})
		e.dashboard(u)
		e.entry(u, rel, analysisSpec{at: start, sentiment: 0.8})
		current := `SELECT COUNT(*) FROM trend_cache c JOIN users u ON u.id = c.user_id WHERE c.user_id = ? AND c.version = u.trend_version`
		if n := e.count(current, u); n != 0 {
			t.Fatalf("%d caches current right after an analysis landed", n)
		}
		if n, err := e.svc.RefreshStaleTrends(e.ctx, u); err != nil || n != 1 {
			t.Fatalf("refreshed %d (%v), want 1", n, err)
		}
		if n := e.count(current, u); n != 1 {
			t.Fatal("the stale cache was not rewarmed")
		}
		if got := e.dashboard(u).Trends.Sentiment; len(got) != 3 {
			t.Fatalf("rewarmed trends: %+v", got)
		}
	})
}
