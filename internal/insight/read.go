package insight

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

// TrendCacheTTL is how long computed trends are served from the cache
// (unless a new analysis makes them stale first).
const TrendCacheTTL = 24 * time.Hour

// ScoreView is a stored score as the API shows it. Factors is nil when
// the per-factor history is not available to the user (advancedAnalytics
// off and the score is not its relationship's current one).
type ScoreView struct {
	store.HealthScore
	ShowFactors bool
}

// HealthScores returns the user's score history, newest first: every
// relationship's, or one's (ErrNotFound when it is not the user's).
func (s *Service) HealthScores(ctx context.Context, userID, relationshipID string, page journal.PageRequest) (journal.Page[ScoreView], error) {
	after, err := s.cursors.ParseTime(ctx, page.Cursor)
	if err != nil {
		return journal.Page[ScoreView]{}, err
	}
	limit := page.Size()
	var (
		rows    []store.HealthScore
		current []store.HealthScore
		user    store.User
	)
	err = s.store.ReadTx(ctx, func(q *store.Queries) error {
		var err error
		if relationshipID != "" {
			if _, err := q.GetRelationship(ctx, userID, relationshipID); err != nil {
				return err
			}
		}
		if user, err = q.UserByID(ctx, userID); err != nil {
			return err
		}
		if rows, err = q.ListHealthScores(ctx, userID, relationshipID, after, limit+1); err != nil {
			return err
		}
		current, err = q.CurrentHealthScores(ctx, userID)
		return err
	})
	if err != nil {
		return journal.Page[ScoreView]{}, err
	}
	advanced := settingsOf(user).flags.AdvancedAnalytics
	var out journal.Page[ScoreView]
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		if out.NextCursor, err = s.cursors.Time(ctx, last.CalculatedAt, last.ID); err != nil {
			return journal.Page[ScoreView]{}, err
		}
	}
	out.Items = make([]ScoreView, len(rows))
	for i, h := range rows {
		isCurrent := slices.ContainsFunc(current, func(c store.HealthScore) bool { return c.ID == h.ID })
		out.Items[i] = ScoreView{HealthScore: h, ShowFactors: advanced || isCurrent}
	}
	return out, nil
}

// CurrentScores returns the current (newest) score of each of the user's
// relationships that has one.
func (s *Service) CurrentScores(ctx context.Context, userID string) ([]store.HealthScore, error) {
	scores, err := s.store.CurrentHealthScores(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("current scores: %w", err)
	}
	return scores, nil
}

var insightStatuses = []string{store.InsightActive, store.InsightDismissed}

// Insights returns the user's insights newest first; status "active"
// (what a client shows) leaves out expired ones.
func (s *Service) Insights(ctx context.Context, userID, status string, page journal.PageRequest) (journal.Page[store.Insight], error) {
	if status != "" && !slices.Contains(insightStatuses, status) {
		return journal.Page[store.Insight]{}, validate.Field("status", "must be active or dismissed")
	}
	after, err := s.cursors.ParseTime(ctx, page.Cursor)
	if err != nil {
		return journal.Page[store.Insight]{}, err
	}
	limit := page.Size()
	rows, err := s.store.ListInsights(ctx, userID, status, s.now(), after, limit+1)
	if err != nil {
		return journal.Page[store.Insight]{}, err
	}
	var out journal.Page[store.Insight]
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		if out.NextCursor, err = s.cursors.Time(ctx, last.CreatedAt, last.ID); err != nil {
			return journal.Page[store.Insight]{}, err
		}
	}
	out.Items = rows
	if out.Items == nil {
		out.Items = []store.Insight{}
	}
	return out, nil
}

// SetInsightStatus dismisses (or restores) one of the user's insights and
// announces it.
func (s *Service) SetInsightStatus(ctx context.Context, userID, id, status string) (store.Insight, error) {
	if !slices.Contains(insightStatuses, status) {
		return store.Insight{}, validate.Field("status", "must be dismissed or active")
	}
	var in store.Insight
	now := s.now()
	err := s.store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if in, err = tx.GetInsight(ctx, userID, id); err != nil {
			return err
		}
		if in.Status == status {
			return nil
		}
		if err := tx.SetInsightStatus(ctx, userID, id, status, now); err != nil {
			return err
		}
		in.Status, in.UpdatedAt = status, now
		return insightEvent(ctx, tx, store.EventInsightUpdated, userID, id, in.RelationshipID, in.Kind, status, now)
	})
	if err != nil {
		return store.Insight{}, fmt.Errorf("update insight: %w", err)
	}
	return in, nil
}

// TrendQuery asks for trends.
type TrendQuery struct {
	RelationshipID string // "" for all relationships
	Days           int    // 0 means DefaultTrendDays
}

// ParseDays reads ?days=.
func ParseDays(s string) (int, error) {
	if s == "" {
		return DefaultTrendDays, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxTrendDays {
		return 0, validate.Field("days", fmt.Sprintf("must be a whole number from 1 to %d", MaxTrendDays))
	}
	return n, nil
}

// TrendsView is Trends plus what advancedAnalytics adds.
type TrendsView struct {
	Trends
	// Factors is each factor's score as of each day (advancedAnalytics).
	Factors []FactorPoint `json:"factors,omitempty"`
	// Themes counts the themes of the range's entries with their mean
	// sentiment (advancedAnalytics).
	Themes []ThemeCount `json:"themes,omitempty"`
}

// FactorPoint is the five factors as of the end of one local day (the mean
// over relationships, like HealthPoint).
type FactorPoint struct {
	Date    string         `json:"date"`
	Factors map[string]int `json:"factors"`
}

// ThemeCount is how often a theme came up and how it felt.
type ThemeCount struct {
	Theme         string  `json:"theme"`
	Entries       int     `json:"entries"`
	MeanSentiment float64 `json:"meanSentiment"`
}

// Trends returns the user's trends, from the cache when it is fresh.
func (s *Service) Trends(ctx context.Context, userID string, tq TrendQuery) (TrendsView, error) {
	if tq.Days == 0 {
		tq.Days = DefaultTrendDays
	}
	var (
		tv  TrendsView
		put func()
	)
	err := s.store.ReadTx(ctx, func(q *store.Queries) error {
		if tq.RelationshipID != "" {
			if _, err := q.GetRelationship(ctx, userID, tq.RelationshipID); err != nil {
				return err
			}
		}
		user, err := q.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		tv, put, err = s.trends(ctx, q, userID, settingsOf(user), tq)
		return err
	})
	if err != nil {
		return TrendsView{}, err
	}
	if put != nil {
		put()
	}
	return tv, nil
}

func trendKey(st userSettings, tq TrendQuery) string {
	rel := tq.RelationshipID
	if rel == "" {
		rel = "all"
	}
	return fmt.Sprintf("trends:%s:%d:%s:%t", rel, tq.Days, st.loc.String(), st.flags.AdvancedAnalytics)
}

// trends reads the cache inside the caller's read transaction, computing
// on a miss; put (non-nil after a miss) stores the result afterwards, in
// its own write transaction, at the version the data was read at.
func (s *Service) trends(ctx context.Context, q *store.Queries, userID string, st userSettings, tq TrendQuery) (TrendsView, func(), error) {
	now := s.now()
	key := trendKey(st, tq)
	data, version, ok, err := q.GetTrendCache(ctx, userID, key, now)
	if err != nil {
		return TrendsView{}, nil, err
	}
	if ok {
		var tv TrendsView
		if err := json.Unmarshal(data, &tv); err == nil {
			return tv, nil, nil
		}
	}
	tv, err := s.computeTrends(ctx, q, userID, st, tq, now)
	if err != nil {
		return TrendsView{}, nil, err
	}
	put := func() {
		b, err := json.Marshal(tv)
		if err == nil {
			err = s.store.InTx(context.WithoutCancel(ctx), func(ctx context.Context, tx *store.Tx) error {
				return tx.PutTrendCache(ctx, userID, key, version, b, now, now.Add(TrendCacheTTL))
			})
		}
		if err != nil {
			s.log.WarnContext(ctx, "trend cache not stored", "err", err)
		}
	}
	return tv, put, nil
}

// maxTrendEvidence bounds the analyses one trend computation reads (the
// range plus the score window before it).
const maxTrendEvidence = 50000

func (s *Service) computeTrends(ctx context.Context, q *store.Queries, userID string, st userSettings, tq TrendQuery, now time.Time) (TrendsView, error) {
	first, since := TrendRange(now, st.loc, tq.Days)
	rows, err := q.ScoredAnalyses(ctx, userID, tq.RelationshipID, since, maxTrendEvidence)
	if err != nil {
		return TrendsView{}, err
	}
	ev := s.evidenceOf(rows)
	tv := TrendsView{Trends: ComputeTrends(ev, st.loc, now, tq.Days)}
	if st.flags.AdvancedAnalytics {
		tv.Factors = factorHistory(ev, st.loc, first, now)
		tv.Themes = themeBreakdown(ev, first)
	}
	return tv, nil
}

func factorHistory(ev []Evidence, loc *time.Location, first, now time.Time) []FactorPoint {
	byRel := map[string][]Evidence{}
	for _, e := range ev {
		byRel[e.RelationshipID] = append(byRel[e.RelationshipID], e)
	}
	rels := sortedKeys(byRel)
	out := []FactorPoint{}
	for day := first; !day.After(now); day = day.AddDate(0, 0, 1) {
		end := day.AddDate(0, 0, 1).Add(-time.Nanosecond)
		sums := map[string]int{}
		n := 0
		for _, r := range rels {
			if sc, ok := Compute(Select(byRel[r], end)); ok {
				for f, v := range sc.Factors {
					sums[f] += v
				}
				n++
			}
		}
		if n == 0 {
			continue
		}
		for f := range sums {
			sums[f] = (sums[f] + n/2) / n
		}
		out = append(out, FactorPoint{Date: day.In(loc).Format(time.DateOnly), Factors: sums})
	}
	return out
}

func themeBreakdown(ev []Evidence, first time.Time) []ThemeCount {
	type acc struct {
		n   int
		sum float64
	}
	m := map[string]*acc{}
	for _, e := range ev {
		if e.WrittenAt.Before(first) {
			continue
		}
		for _, th := range dedupe(e.Themes) {
			if m[th] == nil {
				m[th] = &acc{}
			}
			m[th].n++
			m[th].sum += clampSentiment(e.Sentiment)
		}
	}
	out := []ThemeCount{}
	for _, th := range sortedKeys(m) {
		out = append(out, ThemeCount{Theme: th, Entries: m[th].n, MeanSentiment: round3(m[th].sum / float64(m[th].n))})
	}
	slices.SortStableFunc(out, func(a, b ThemeCount) int { return b.Entries - a.Entries })
	return out
}

// Dashboard is everything the dashboard shows, read in one transaction.
type Dashboard struct {
	RecentEntries []store.Entry
	HealthScores  []store.HealthScore
	Insights      []store.Insight
	Trends        TrendsView
	TotalEntries  int
	// AverageHealthScore is the mean of the current scores, nil when there
	// are none.
	AverageHealthScore *float64
	ActiveInsights     int
}

// Dashboard sizes.
const (
	DashboardEntries  = 5
	DashboardInsights = 5
)

// Dashboard reads the user's dashboard in one read transaction with a
// fixed number of queries, whatever the number of relationships: the user,
// recent entries, current scores (one per relationship), active insights,
// two counts and the trend cache (plus one read of analyses on a miss).
func (s *Service) Dashboard(ctx context.Context, userID string) (Dashboard, error) {
	var (
		d   Dashboard
		put func()
	)
	now := s.now()
	err := s.store.ReadTx(ctx, func(q *store.Queries) error {
		user, err := q.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		if d.RecentEntries, err = q.ListEntries(ctx, store.EntryFilter{UserID: userID, Limit: DashboardEntries}); err != nil {
			return err
		}
		if d.HealthScores, err = q.CurrentHealthScores(ctx, userID); err != nil {
			return err
		}
		if d.Insights, err = q.ListInsights(ctx, userID, store.InsightActive, now, nil, DashboardInsights); err != nil {
			return err
		}
		if d.TotalEntries, err = q.CountEntries(ctx, userID); err != nil {
			return err
		}
		if d.ActiveInsights, err = q.CountActiveInsights(ctx, userID, now); err != nil {
			return err
		}
		d.Trends, put, err = s.trends(ctx, q, userID, settingsOf(user), TrendQuery{Days: DefaultTrendDays})
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return Dashboard{}, err
	}
	if err != nil {
		return Dashboard{}, fmt.Errorf("dashboard: %w", err)
	}
	if put != nil {
		put()
	}
	if len(d.HealthScores) > 0 {
		sum := 0
		for _, h := range d.HealthScores {
			sum += h.Score
		}
		avg := float64(sum) / float64(len(d.HealthScores))
		avg = float64(int(avg*10+0.5)) / 10
		d.AverageHealthScore = &avg
	}
	if d.RecentEntries == nil {
		d.RecentEntries = []store.Entry{}
	}
	if d.HealthScores == nil {
		d.HealthScores = []store.HealthScore{}
	}
	if d.Insights == nil {
		d.Insights = []store.Insight{}
	}
	return d, nil
}

// RefreshExpiredTrends recomputes up to limit expired trend caches of
// users active in the last 30 days (the periodic job); it returns how many
// it refreshed.
func (s *Service) RefreshExpiredTrends(ctx context.Context, limit int) (int, error) {
	now := s.now()
	keys, err := s.store.ExpiredTrendCaches(ctx, now, now.Add(-30*24*time.Hour), limit)
	if err != nil {
		return 0, err
	}
	return s.refreshTrends(ctx, keys)
}

// staleRefreshMax bounds the caches one recompute job refreshes.
const staleRefreshMax = 8

// RefreshStaleTrends recomputes the user's cached trends that a new
// analysis made stale, so that the next dashboard read is fresh without
// paying for it (a read before this finishes computes them itself).
func (s *Service) RefreshStaleTrends(ctx context.Context, userID string) (int, error) {
	keys, err := s.store.StaleTrendCaches(ctx, userID, staleRefreshMax)
	if err != nil {
		return 0, err
	}
	return s.refreshTrends(ctx, keys)
}

func (s *Service) refreshTrends(ctx context.Context, keys []store.TrendCacheKey) (int, error) {
	n := 0
	for _, k := range keys {
		tq, ok := parseTrendKey(k.Key)
		if !ok {
			continue
		}
		var put func()
		err := s.store.ReadTx(ctx, func(q *store.Queries) error {
			user, err := q.UserByID(ctx, k.UserID)
			if err != nil {
				return err
			}
			st := settingsOf(user)
			if trendKey(st, tq) != k.Key {
				return nil // settings changed since; the old key just expires
			}
			_, put, err = s.trends(ctx, q, k.UserID, st, tq)
			return err
		})
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return n, err
		}
		if put != nil {
			put()
			n++
		}
	}
	return n, nil
}

func parseTrendKey(key string) (TrendQuery, bool) {
	var tq TrendQuery
	var rel, rest string
	parts := strings.SplitN(key, ":", 5)
	if len(parts) != 5 || parts[0] != "trends" {
		return tq, false
	}
	rel, rest = parts[1], parts[2]
	days, err := strconv.Atoi(rest)
	if err != nil || days < 1 || days > MaxTrendDays {
		return tq, false
	}
	if rel != "all" {
		tq.RelationshipID = rel
	}
	tq.Days = days
	return tq, true
}
