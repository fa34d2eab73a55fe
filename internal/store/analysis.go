package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Analysis is one entry's stored analysis (spec: "AI Analysis Results").
type Analysis struct {
	EntryID           string
	UserID            string
	RelationshipID    string
	SentimentScore    float64
	EmotionalKeywords []string
	ConfidenceLevel   float64
	Reasoning         string
	Patterns          json.RawMessage // the spec's snake_case patterns object
	ProcessingSource  string          // external_api or fallback_analysis
	AnalysisMethod    string          // ai_powered or rule_based_fallback
	Model             string
	APIResponseTime   int // milliseconds
	CompletedAt       time.Time
}

// AnalysisWork is what the pipeline needs to analyse one entry: the entry,
// the relationship's kind, the owner's preferences (for AI consent) and the
// current status, whose QueuedAt identifies this round of analysis.
type AnalysisWork struct {
	Entry            Entry
	RelationshipKind string
	Preferences      string // the user's preferences JSON
	Status           AnalysisStatus
}

// GetAnalysisWork loads an entry for analysis, or ErrNotFound when the
// entry (or its status) is gone — deleted after its job was queued.
func (q *Queries) GetAnalysisWork(ctx context.Context, userID, entryID string) (AnalysisWork, error) {
	var w AnalysisWork
	var tags string
	e := &w.Entry
	s := &w.Status
	err := q.queryRow(ctx, `SELECT e.id, e.user_id, e.relationship_id, e.content, e.mood, e.tags, e.is_private, e.word_count, e.status,
			r.kind, u.preferences,
			a.status, a.queued_at, a.started_at, a.completed_at, a.retry_count, a.circuit_breaker_state, a.error_message, a.fallback_reason
		FROM journal_entries e
		JOIN relationships r ON r.id = e.relationship_id
		JOIN users u ON u.id = e.user_id
		JOIN analysis_status a ON a.entry_id = e.id
		WHERE e.id = ? AND e.user_id = ?`, entryID, userID).Scan(
		&e.ID, &e.UserID, &e.RelationshipID, &e.Content, &e.Mood, &tags, &e.IsPrivate, &e.WordCount, &e.Status,
		&w.RelationshipKind, &w.Preferences,
		&s.Status, ScanTime(&s.QueuedAt), ScanTime(&s.StartedAt), ScanTime(&s.CompletedAt), &s.RetryCount, &s.CircuitBreakerState,
		&s.ErrorMessage, &s.FallbackReason)
	if errors.Is(err, sql.ErrNoRows) {
		return AnalysisWork{}, fmt.Errorf("analysis of entry %s: %w", entryID, ErrNotFound)
	}
	if err != nil {
		return AnalysisWork{}, fmt.Errorf("load analysis work: %w", err)
	}
	if err := json.Unmarshal([]byte(tags), &e.Tags); err != nil {
		return AnalysisWork{}, fmt.Errorf("entry %s tags: %w", entryID, err)
	}
	s.EntryID, s.UserID = entryID, userID
	return w, nil
}

// StatusChange moves an analysis from one round's state to the next. It
// applies only while the status row still belongs to the round identified
// by QueuedAt (a re-publish or user retry starts a new round) and is not
// finished, so a stale or duplicate job never overwrites newer work.
type StatusChange struct {
	EntryID             string
	QueuedAt            time.Time
	Status              string
	RetryCount          int
	CircuitBreakerState string
	ErrorMessage        string
	FallbackReason      string
	At                  time.Time
}

// statusTimes is what a change to status sets besides updated_at:
// processing sets started_at, completed, fallback and failed set
// completed_at (nil leaves the column as it is, or clears completed_at).
func statusTimes(status string, at any) (startedAt, completedAt any) {
	switch status {
	case AnalysisProcessing:
		return at, nil
	case AnalysisCompleted, AnalysisFallback, AnalysisFailed:
		return nil, at
	}
	return nil, nil
}

// ChangeAnalysisStatus applies c and reports whether it applied. processing
// sets started_at; completed, fallback and failed set completed_at.
func (t *Tx) ChangeAnalysisStatus(ctx context.Context, c StatusChange) (bool, error) {
	at := storedTime(t.d.engine(), c.At)
	startedAt, completedAt := statusTimes(c.Status, at)
	res, err := t.exec(ctx, `UPDATE analysis_status SET status = ?, retry_count = ?, circuit_breaker_state = ?, error_message = ?,
			fallback_reason = ?, updated_at = ?, started_at = COALESCE(?, started_at), completed_at = ?
		WHERE entry_id = ? AND queued_at = ? AND status IN ('queued', 'processing')`,
		c.Status, c.RetryCount, c.CircuitBreakerState, c.ErrorMessage, c.FallbackReason, at, startedAt, completedAt,
		c.EntryID, storedTime(t.d.engine(), c.QueuedAt))
	if err != nil {
		return false, fmt.Errorf("change analysis status: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("change analysis status: %w", err)
	}
	return n == 1, nil
}

// SaveAnalysis stores (or replaces) an entry's analysis, ErrNotFound when
// the entry is gone. The row is keyed by the entry's seq and holds none of
// the entry's ids (migration 0007): UserID and RelationshipID are the
// entry's.
func (t *Tx) SaveAnalysis(ctx context.Context, a Analysis) error {
	kw := a.EmotionalKeywords
	if kw == nil {
		kw = []string{}
	}
	kwJSON, err := json.Marshal(kw)
	if err != nil {
		return fmt.Errorf("encode keywords: %w", err)
	}
	patterns := a.Patterns
	if len(patterns) == 0 {
		patterns = json.RawMessage(`{}`)
	}
	storedPatterns, err := encodePatterns(string(patterns))
	if err != nil {
		return fmt.Errorf("save analysis: %w", err)
	}
	source, err := analysisCode(a.ProcessingSource, "external_api", "fallback_analysis")
	if err != nil {
		return fmt.Errorf("save analysis: processing source: %w", err)
	}
	method, err := analysisCode(a.AnalysisMethod, "ai_powered", "rule_based_fallback")
	if err != nil {
		return fmt.Errorf("save analysis: method: %w", err)
	}
	var seq int64
	err = t.queryRow(ctx, `SELECT seq FROM journal_entries WHERE id = ?`, a.EntryID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("save analysis of entry %s: %w", a.EntryID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("save analysis: %w", err)
	}
	_, err = t.exec(ctx, `INSERT INTO analyses (entry_seq, sentiment_score, emotional_keywords, confidence_level,
			reasoning, patterns, processing_source, analysis_method, model, api_response_time, completed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (entry_seq) DO UPDATE SET sentiment_score = excluded.sentiment_score, emotional_keywords = excluded.emotional_keywords,
			confidence_level = excluded.confidence_level, reasoning = excluded.reasoning, patterns = excluded.patterns,
			processing_source = excluded.processing_source, analysis_method = excluded.analysis_method, model = excluded.model,
			api_response_time = excluded.api_response_time, completed_at = excluded.completed_at`,
		seq, a.SentimentScore, string(kwJSON), a.ConfidenceLevel, a.Reasoning, storedPatterns,
		source, method, a.Model, a.APIResponseTime, storedTime(t.d.engine(), a.CompletedAt))
	if err != nil {
		return fmt.Errorf("save analysis: %w", err)
	}
	return nil
}

// analysisCode is how processing_source and analysis_method are stored: 1
// for the AI's word, 0 for the fallback's.
func analysisCode(v, ai, fallback string) (int, error) {
	switch v {
	case ai:
		return 1, nil
	case fallback:
		return 0, nil
	}
	return 0, fmt.Errorf("%q is neither %s nor %s", v, ai, fallback)
}

// The stored codes of processing_source and analysis_method, as the API's words.
const (
	processingSourceSQL = `CASE a.processing_source WHEN 1 THEN 'external_api' ELSE 'fallback_analysis' END`
	analysisMethodSQL   = `CASE a.analysis_method WHEN 1 THEN 'ai_powered' ELSE 'rule_based_fallback' END`
)

// GetAnalysis returns the user's entry's analysis, or ErrNotFound.
func (q *Queries) GetAnalysis(ctx context.Context, userID, entryID string) (Analysis, error) {
	var a Analysis
	var kw, patterns string
	err := q.queryRow(ctx, `SELECT e.id, e.user_id, e.relationship_id, a.sentiment_score, a.emotional_keywords, a.confidence_level,
			a.reasoning, a.patterns, `+processingSourceSQL+`, `+analysisMethodSQL+`, a.model, a.api_response_time, a.completed_at
		FROM journal_entries e JOIN analyses a ON a.entry_seq = e.seq
		WHERE e.id = ? AND e.user_id = ?`, entryID, userID).Scan(
		&a.EntryID, &a.UserID, &a.RelationshipID, &a.SentimentScore, &kw, &a.ConfidenceLevel, &a.Reasoning,
		&patterns, &a.ProcessingSource, &a.AnalysisMethod, &a.Model, &a.APIResponseTime, ScanTime(&a.CompletedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return Analysis{}, fmt.Errorf("analysis of entry %s: %w", entryID, ErrNotFound)
	}
	if err != nil {
		return Analysis{}, fmt.Errorf("get analysis: %w", err)
	}
	if err := json.Unmarshal([]byte(kw), &a.EmotionalKeywords); err != nil {
		return Analysis{}, fmt.Errorf("analysis %s keywords: %w", entryID, err)
	}
	a.Patterns = json.RawMessage(decodePatterns(patterns))
	return a, nil
}

// A patterns object is stored with its keys shortened (migration-free: a
// row in the long form reads as it is): "~" and then the JSON with each key
// in patternKeys replaced by its one letter. The shortened form is stored
// only when it reads back as exactly the bytes given, so what the API
// returns never changes. ~90 bytes of each ~210-byte object are its keys.
// The letters are in databases: append only, never change one.
const patternsMark = "~"

var patternKeys = []string{
	`"recurring_themes":`, `"t":`,
	`"emotional_triggers":`, `"e":`,
	`"communication_style":`, `"c":`,
	`"relationship_dynamics":`, `"d":`,
	`"behaviours":`, `"b":`,
	`"label":`, `"l":`,
	`"actor":`, `"a":`,
	`"evidence":`, `"v":`,
}

var (
	shortenPatterns = strings.NewReplacer(patternKeys...)
	expandPatterns  = func() *strings.Replacer {
		r := make([]string, len(patternKeys))
		for i := 0; i < len(patternKeys); i += 2 {
			r[i], r[i+1] = patternKeys[i+1], patternKeys[i]
		}
		return strings.NewReplacer(r...)
	}()
)

// encodePatterns returns the stored form of a patterns object.
func encodePatterns(p string) (string, error) {
	short := patternsMark + shortenPatterns.Replace(p)
	switch {
	case decodePatterns(short) == p:
		return short, nil
	case strings.HasPrefix(p, patternsMark): // never JSON
		return "", fmt.Errorf("patterns %.20q is not a JSON object", p)
	}
	return p, nil // holds a short key already: stored as given
}

// decodePatterns reads a stored patterns object back.
func decodePatterns(stored string) string {
	if !strings.HasPrefix(stored, patternsMark) {
		return stored
	}
	return expandPatterns.Replace(stored[len(patternsMark):])
}

// CountAnalysisStatuses counts statuses by value across all users (for
// operators and the load test).
func (q *Queries) CountAnalysisStatuses(ctx context.Context) (map[string]int, error) {
	rows, err := q.query(ctx, `SELECT status, COUNT(*) FROM analysis_status GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count analysis statuses: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("count analysis statuses: %w", err)
		}
		out[s] = n
	}
	return out, rows.Err()
}
