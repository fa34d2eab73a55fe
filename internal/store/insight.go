package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ReadTx runs fn in one read-only transaction on the read pool, so that
// several queries see one snapshot (the dashboard). On PostgreSQL it is
// REPEATABLE READ; on SQLite a deferred transaction holds one WAL snapshot
// from its first read.
func (s *Store) ReadTx(ctx context.Context, fn func(*Queries) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.read.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin read transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(&Queries{db: tx, d: s.d, stmts: s.stmts}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("end read transaction: %w", err)
	}
	return nil
}

// ScoredAnalysis is what scores and trends read of one analysed, published
// entry: the entry's current relationship and creation time with its
// stored analysis.
type ScoredAnalysis struct {
	EntryID        string
	RelationshipID string
	WrittenAt      time.Time
	CompletedAt    time.Time
	Sentiment      float64
	Confidence     float64
	AnalysisMethod string
	Patterns       []byte
}

const scoredAnalysisSelect = `SELECT e.id, e.relationship_id, e.created_at, a.completed_at, a.sentiment_score, a.confidence_level,
	` + analysisMethodSQL + `, a.patterns
	FROM journal_entries e JOIN analyses a ON a.entry_seq = e.seq
	WHERE e.user_id = ? AND e.status = 'published'`

// ScoredAnalyses returns the user's analysed, published entries written at
// or after since (and in relationshipID when it is not empty), newest
// first, at most limit.
func (q *Queries) ScoredAnalyses(ctx context.Context, userID, relationshipID string, since time.Time, limit int) ([]ScoredAnalysis, error) {
	query := scoredAnalysisSelect + ` AND e.created_at >= ?`
	args := []any{userID, DBTime(since)}
	if relationshipID != "" {
		query += ` AND e.relationship_id = ?`
		args = append(args, relationshipID)
	}
	query += ` ORDER BY e.created_at DESC, e.id LIMIT ?`
	args = append(args, limit)
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read analyses: %w", err)
	}
	defer rows.Close()
	var out []ScoredAnalysis
	for rows.Next() {
		var a ScoredAnalysis
		var patterns string
		if err := rows.Scan(&a.EntryID, &a.RelationshipID, ScanTime(&a.WrittenAt), ScanTime(&a.CompletedAt), &a.Sentiment,
			&a.Confidence, &a.AnalysisMethod, &patterns); err != nil {
			return nil, fmt.Errorf("read analyses: %w", err)
		}
		a.Patterns = []byte(decodePatterns(patterns))
		out = append(out, a)
	}
	return out, rows.Err()
}

// LastWritten is when the user last wrote a published entry about a
// relationship (zero when never).
type LastWritten struct {
	RelationshipID string
	Name           string
	CreatedAt      time.Time // the relationship's
	LastEntryAt    time.Time
}

// LastWrittenPerRelationship lists the user's relationships with the time
// of their newest published entry, in one query.
func (q *Queries) LastWrittenPerRelationship(ctx context.Context, userID string) ([]LastWritten, error) {
	rows, err := q.query(ctx, `SELECT r.id, r.name, r.created_at,
			(SELECT MAX(e.created_at) FROM journal_entries e WHERE e.user_id = r.user_id AND e.relationship_id = r.id AND e.status = 'published')
		FROM relationships r WHERE r.user_id = ? ORDER BY r.created_at, r.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("last written per relationship: %w", err)
	}
	defer rows.Close()
	var out []LastWritten
	for rows.Next() {
		var l LastWritten
		var last sql.Null[string]
		var lastT time.Time
		// MAX() of a timestamptz is a time on PostgreSQL and text on SQLite.
		if q.d.engine() == Postgres {
			if err := rows.Scan(&l.RelationshipID, &l.Name, ScanTime(&l.CreatedAt), ScanTime(&lastT)); err != nil {
				return nil, fmt.Errorf("last written per relationship: %w", err)
			}
			l.LastEntryAt = lastT
		} else {
			if err := rows.Scan(&l.RelationshipID, &l.Name, ScanTime(&l.CreatedAt), &last); err != nil {
				return nil, fmt.Errorf("last written per relationship: %w", err)
			}
			if last.Valid {
				if err := ScanTime(&l.LastEntryAt).Scan(last.V); err != nil {
					return nil, err
				}
			}
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// HealthScore is one recalculation of a relationship's health score.
type HealthScore struct {
	ID                string
	UserID            string
	RelationshipID    string
	Score             int
	FactorBreakdown   map[string]int
	TrendDirection    string
	Confidence        float64
	CalculationMethod string
	CalculatedAt      time.Time
	// Basis fingerprints the analyses the score was computed from.
	Basis      string
	EntryCount int
	AsOf       time.Time
}

const healthScoreColumns = `id, user_id, relationship_id, score, factor_breakdown, trend_direction, confidence, calculation_method,
	calculated_at, basis, entry_count, as_of`

func scanHealthScore(row interface{ Scan(...any) error }) (HealthScore, error) {
	var h HealthScore
	var factors string
	if err := row.Scan(&h.ID, &h.UserID, &h.RelationshipID, &h.Score, &factors, &h.TrendDirection, &h.Confidence,
		&h.CalculationMethod, ScanTime(&h.CalculatedAt), &h.Basis, &h.EntryCount, ScanTime(&h.AsOf)); err != nil {
		return HealthScore{}, err
	}
	if err := json.Unmarshal([]byte(factors), &h.FactorBreakdown); err != nil {
		return HealthScore{}, fmt.Errorf("health score %s factors: %w", h.ID, err)
	}
	return h, nil
}

// InsertHealthScore appends h to the relationship's history.
func (t *Tx) InsertHealthScore(ctx context.Context, h HealthScore) error {
	factors, err := json.Marshal(h.FactorBreakdown)
	if err != nil {
		return fmt.Errorf("encode factors: %w", err)
	}
	_, err = t.exec(ctx, `INSERT INTO health_scores (`+healthScoreColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		h.ID, h.UserID, h.RelationshipID, h.Score, string(factors), h.TrendDirection, h.Confidence, h.CalculationMethod,
		DBTime(h.CalculatedAt), h.Basis, h.EntryCount, NullDBTime(h.AsOf))
	if err != nil {
		return fmt.Errorf("insert health score: %w", err)
	}
	return nil
}

// LatestHealthScore returns the relationship's newest score, or ErrNotFound.
func (q *Queries) LatestHealthScore(ctx context.Context, userID, relationshipID string) (HealthScore, error) {
	h, err := scanHealthScore(q.queryRow(ctx, `SELECT `+healthScoreColumns+` FROM health_scores
		WHERE user_id = ? AND relationship_id = ? ORDER BY calculated_at DESC, id DESC LIMIT 1`, userID, relationshipID))
	if errors.Is(err, sql.ErrNoRows) {
		return HealthScore{}, fmt.Errorf("health score of %s: %w", relationshipID, ErrNotFound)
	}
	if err != nil {
		return HealthScore{}, fmt.Errorf("latest health score: %w", err)
	}
	return h, nil
}

// ListHealthScores returns the user's score history (of one relationship
// when relationshipID is not empty), newest first, after the cursor.
func (q *Queries) ListHealthScores(ctx context.Context, userID, relationshipID string, after *Cursor, limit int) ([]HealthScore, error) {
	query := `SELECT ` + healthScoreColumns + ` FROM health_scores WHERE user_id = ?`
	args := []any{userID}
	if relationshipID != "" {
		query += ` AND relationship_id = ?`
		args = append(args, relationshipID)
	}
	if after != nil {
		query += ` AND (calculated_at, id) < (?, ?)`
		args = append(args, DBTime(after.Time), after.ID)
	}
	query += ` ORDER BY calculated_at DESC, id DESC LIMIT ?`
	args = append(args, limit)
	return q.healthScores(ctx, query, args...)
}

// CurrentHealthScores returns the newest score of each of the user's
// relationships, in one query whatever their number.
func (q *Queries) CurrentHealthScores(ctx context.Context, userID string) ([]HealthScore, error) {
	return q.healthScores(ctx, `SELECT `+healthScoreColumns+` FROM (
			SELECT h.*, ROW_NUMBER() OVER (PARTITION BY relationship_id ORDER BY calculated_at DESC, id DESC) AS rn
			FROM health_scores h WHERE user_id = ?) latest
		WHERE rn = 1 ORDER BY calculated_at DESC, id DESC`, userID)
}

func (q *Queries) healthScores(ctx context.Context, query string, args ...any) ([]HealthScore, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list health scores: %w", err)
	}
	defer rows.Close()
	var out []HealthScore
	for rows.Next() {
		h, err := scanHealthScore(rows)
		if err != nil {
			return nil, fmt.Errorf("list health scores: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// Insight is one short, evidence-linked observation.
type Insight struct {
	ID               string
	UserID           string
	RelationshipID   string // empty for an insight about the user's journal as a whole
	Kind             string
	Title            string
	Body             string
	EvidenceEntryIDs []string
	DedupeKey        string
	Status           string // active or dismissed
	CreatedAt        time.Time
	UpdatedAt        time.Time
	ExpiresAt        time.Time
}

// Insight statuses.
const (
	InsightActive    = "active"
	InsightDismissed = "dismissed"
)

const insightColumns = `id, user_id, relationship_id, kind, title, body, evidence_entry_ids, dedupe_key, status, created_at, updated_at, expires_at`

func scanInsight(row interface{ Scan(...any) error }) (Insight, error) {
	var in Insight
	var rel sql.NullString
	var ev string
	if err := row.Scan(&in.ID, &in.UserID, &rel, &in.Kind, &in.Title, &in.Body, &ev, &in.DedupeKey, &in.Status,
		ScanTime(&in.CreatedAt), ScanTime(&in.UpdatedAt), ScanTime(&in.ExpiresAt)); err != nil {
		return Insight{}, err
	}
	in.RelationshipID = rel.String
	if err := json.Unmarshal([]byte(ev), &in.EvidenceEntryIDs); err != nil {
		return Insight{}, fmt.Errorf("insight %s evidence: %w", in.ID, err)
	}
	if in.EvidenceEntryIDs == nil {
		in.EvidenceEntryIDs = []string{}
	}
	return in, nil
}

// GetInsightByKey returns the user's insight with that dedupe key (active,
// dismissed or expired), or ErrNotFound.
func (q *Queries) GetInsightByKey(ctx context.Context, userID, key string) (Insight, error) {
	in, err := scanInsight(q.queryRow(ctx, `SELECT `+insightColumns+` FROM insights WHERE user_id = ? AND dedupe_key = ?`, userID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return Insight{}, fmt.Errorf("insight %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return Insight{}, fmt.Errorf("get insight: %w", err)
	}
	return in, nil
}

// GetInsight returns the user's insight id, or ErrNotFound.
func (q *Queries) GetInsight(ctx context.Context, userID, id string) (Insight, error) {
	in, err := scanInsight(q.queryRow(ctx, `SELECT `+insightColumns+` FROM insights WHERE id = ? AND user_id = ?`, id, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return Insight{}, fmt.Errorf("insight %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Insight{}, fmt.Errorf("get insight: %w", err)
	}
	return in, nil
}

// PutInsight inserts in, or replaces the row with its dedupe key.
func (t *Tx) PutInsight(ctx context.Context, in Insight) error {
	ev := in.EvidenceEntryIDs
	if ev == nil {
		ev = []string{}
	}
	evJSON, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode evidence: %w", err)
	}
	var rel any
	if in.RelationshipID != "" {
		rel = in.RelationshipID
	}
	_, err = t.exec(ctx, `INSERT INTO insights (`+insightColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, title = excluded.title, body = excluded.body,
			evidence_entry_ids = excluded.evidence_entry_ids, status = excluded.status, created_at = excluded.created_at,
			updated_at = excluded.updated_at, expires_at = excluded.expires_at`,
		in.ID, in.UserID, rel, in.Kind, in.Title, in.Body, string(evJSON), in.DedupeKey, in.Status,
		DBTime(in.CreatedAt), DBTime(in.UpdatedAt), NullDBTime(in.ExpiresAt))
	if err != nil {
		if t.d.isUniqueViolation(err) {
			return fmt.Errorf("insight %s: %w", in.DedupeKey, ErrConflict)
		}
		return fmt.Errorf("put insight: %w", err)
	}
	return nil
}

// SetInsightStatus changes the user's insight's status, or ErrNotFound.
func (t *Tx) SetInsightStatus(ctx context.Context, userID, id, status string, now time.Time) error {
	res, err := t.exec(ctx, `UPDATE insights SET status = ?, updated_at = ? WHERE id = ? AND user_id = ?`, status, DBTime(now), id, userID)
	if err != nil {
		return fmt.Errorf("set insight status: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("insight %s: %w", id, ErrNotFound)
	}
	return nil
}

// ListInsights returns the user's insights newest first: with status
// active, only those not expired at now; with dismissed, those; with "",
// both (expired ones included).
func (q *Queries) ListInsights(ctx context.Context, userID, status string, now time.Time, after *Cursor, limit int) ([]Insight, error) {
	query := `SELECT ` + insightColumns + ` FROM insights WHERE user_id = ?`
	args := []any{userID}
	if status != "" {
		query += ` AND status = ?`
		args = append(args, status)
	}
	if status == InsightActive {
		query += ` AND (expires_at IS NULL OR expires_at > ?)`
		args = append(args, DBTime(now))
	}
	if after != nil {
		query += ` AND (created_at, id) < (?, ?)`
		args = append(args, DBTime(after.Time), after.ID)
	}
	query += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list insights: %w", err)
	}
	defer rows.Close()
	var out []Insight
	for rows.Next() {
		in, err := scanInsight(rows)
		if err != nil {
			return nil, fmt.Errorf("list insights: %w", err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// CountActiveInsights counts the user's active, unexpired insights.
func (q *Queries) CountActiveInsights(ctx context.Context, userID string, now time.Time) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM insights WHERE user_id = ? AND status = 'active' AND (expires_at IS NULL OR expires_at > ?)`,
		userID, DBTime(now)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count insights: %w", err)
	}
	return n, nil
}

// CountEntries counts the user's entries (drafts included).
func (q *Queries) CountEntries(ctx context.Context, userID string) (int, error) {
	var n int
	if err := q.queryRow(ctx, `SELECT COUNT(*) FROM journal_entries WHERE user_id = ?`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count entries: %w", err)
	}
	return n, nil
}

// TrendVersion returns the user's trend cache version: cached trends
// computed at another version are stale.
func (q *Queries) TrendVersion(ctx context.Context, userID string) (int64, error) {
	var v int64
	err := q.queryRow(ctx, `SELECT trend_version FROM users WHERE id = ?`, userID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("user %s: %w", userID, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("read trend version: %w", err)
	}
	return v, nil
}

// GetTrendCache returns the data cached under key when it has not expired
// at now and was computed at the user's current version; otherwise ok is
// false and version is the current one, to store fresh data under.
func (q *Queries) GetTrendCache(ctx context.Context, userID, key string, now time.Time) (data []byte, version int64, ok bool, err error) {
	var cached sql.NullString
	err = q.queryRow(ctx, `SELECT u.trend_version, c.data FROM users u
		LEFT JOIN trend_cache c ON c.user_id = u.id AND c.cache_key = ? AND c.expires_at > ? AND c.version = u.trend_version
		WHERE u.id = ?`, key, DBTime(now), userID).Scan(&version, &cached)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, false, fmt.Errorf("user %s: %w", userID, ErrNotFound)
	}
	if err != nil {
		return nil, 0, false, fmt.Errorf("read trend cache: %w", err)
	}
	if !cached.Valid {
		return nil, version, false, nil
	}
	return []byte(cached.String), version, true, nil
}

// PutTrendCache stores data computed at version under key until expires.
// Data computed before an invalidation is stored with the old version and
// so is never served.
func (t *Tx) PutTrendCache(ctx context.Context, userID, key string, version int64, data []byte, now, expires time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO trend_cache (user_id, cache_key, data, computed_at, expires_at, version) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, cache_key) DO UPDATE SET data = excluded.data, computed_at = excluded.computed_at,
			expires_at = excluded.expires_at, version = excluded.version`,
		userID, key, string(data), DBTime(now), DBTime(expires), version)
	if err != nil {
		return fmt.Errorf("write trend cache: %w", err)
	}
	return nil
}

// InvalidateTrendCache makes every cached trend of the user stale: the
// next read computes afresh.
func (t *Tx) InvalidateTrendCache(ctx context.Context, userID string) error {
	if _, err := t.exec(ctx, `UPDATE users SET trend_version = trend_version + 1 WHERE id = ?`, userID); err != nil {
		return fmt.Errorf("invalidate trend cache: %w", err)
	}
	return nil
}

// TrendCacheKey is one cached trend to refresh.
type TrendCacheKey struct {
	UserID string
	Key    string
}

// ExpiredTrendCaches lists up to limit caches that expired before now, of
// users active since activeSince, oldest expiry first.
func (q *Queries) ExpiredTrendCaches(ctx context.Context, now, activeSince time.Time, limit int) ([]TrendCacheKey, error) {
	rows, err := q.query(ctx, `SELECT c.user_id, c.cache_key FROM trend_cache c JOIN users u ON u.id = c.user_id
		WHERE c.expires_at <= ? AND u.last_active_at >= ? ORDER BY c.expires_at LIMIT ?`, DBTime(now), DBTime(activeSince), limit)
	if err != nil {
		return nil, fmt.Errorf("expired trend caches: %w", err)
	}
	defer rows.Close()
	var out []TrendCacheKey
	for rows.Next() {
		var k TrendCacheKey
		if err := rows.Scan(&k.UserID, &k.Key); err != nil {
			return nil, fmt.Errorf("expired trend caches: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// DeleteInsight removes the user's insight id (an expired one being
// replaced by a new insight with the same dedupe key).
func (t *Tx) DeleteInsight(ctx context.Context, userID, id string) error {
	if _, err := t.exec(ctx, `DELETE FROM insights WHERE id = ? AND user_id = ?`, id, userID); err != nil {
		return fmt.Errorf("delete insight: %w", err)
	}
	return nil
}

// RetireInsights expires, at now, the user's active insights of one kind
// about a relationship whose dedupe key is not keep (a situation that no
// longer holds), and returns their ids.
func (t *Tx) RetireInsights(ctx context.Context, userID, relationshipID, kind, keep string, now time.Time) ([]string, error) {
	rows, err := t.query(ctx, `UPDATE insights SET expires_at = ?, updated_at = ?
		WHERE user_id = ? AND relationship_id = ? AND kind = ? AND dedupe_key <> ? AND status = 'active'
			AND (expires_at IS NULL OR expires_at > ?)
		RETURNING id`, DBTime(now), DBTime(now), userID, relationshipID, kind, keep, DBTime(now))
	if err != nil {
		return nil, fmt.Errorf("retire insights: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("retire insights: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ClaimTrendVersion holds the user's trend version at version for the rest
// of tx and reports whether it still is that version: false means the
// evidence changed since it was read (a newer recompute is queued). On
// PostgreSQL the UPDATE row-locks the user, so a concurrent invalidation
// either commits first (and this answers false) or waits for tx.
func (t *Tx) ClaimTrendVersion(ctx context.Context, userID string, version int64) (bool, error) {
	res, err := t.exec(ctx, `UPDATE users SET trend_version = trend_version WHERE id = ? AND trend_version = ?`, userID, version)
	if err != nil {
		return false, fmt.Errorf("check evidence version: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("check evidence version: %w", err)
	}
	return n == 1, nil
}

// DeleteHealthScores removes a relationship's score history (it has no
// analysed entries left: as if none had been written).
func (t *Tx) DeleteHealthScores(ctx context.Context, userID, relationshipID string) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM health_scores WHERE user_id = ? AND relationship_id = ?`, userID, relationshipID)
	if err != nil {
		return 0, fmt.Errorf("delete health scores: %w", err)
	}
	return res.RowsAffected()
}

// StaleTrendCaches lists up to limit of the user's cached trends computed
// at an older version than the user's current one.
func (q *Queries) StaleTrendCaches(ctx context.Context, userID string, limit int) ([]TrendCacheKey, error) {
	rows, err := q.query(ctx, `SELECT c.user_id, c.cache_key FROM trend_cache c JOIN users u ON u.id = c.user_id
		WHERE c.user_id = ? AND c.version <> u.trend_version ORDER BY c.computed_at DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("stale trend caches: %w", err)
	}
	defer rows.Close()
	var out []TrendCacheKey
	for rows.Next() {
		var k TrendCacheKey
		if err := rows.Scan(&k.UserID, &k.Key); err != nil {
			return nil, fmt.Errorf("stale trend caches: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
