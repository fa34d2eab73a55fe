package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// batchChunks are the row counts of the multi-row statements that change
// or store many analyses at once, largest first: a batch goes in as a few
// statements of these sizes, each text prepared once.
var batchChunks = []int{32, 8, 2, 1}

// chunkSize is the largest of batchChunks that fits in n rows.
func chunkSize(n int) int {
	for _, c := range batchChunks {
		if c <= n {
			return c
		}
	}
	return 1
}

// multiRow builds one statement text per size in batchChunks: head, then
// size copies of row separated by commas, then tail.
func multiRow(head, row, tail string) map[int]string {
	texts := make(map[int]string, len(batchChunks))
	for _, n := range batchChunks {
		var b strings.Builder
		b.WriteString(head)
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
		}
		b.WriteString(tail)
		texts[n] = b.String()
	}
	return texts
}

// changeStatusesSQL is ChangeAnalysisStatus for many rows in one statement
// (SQLite: UPDATE … FROM a VALUES list, RETURNING the rows it changed).
var changeStatusesSQL = multiRow(`WITH c (entry_id, queued_at, status, retry_count, circuit_breaker_state, error_message, fallback_reason,
	updated_at, started_at, completed_at) AS (VALUES `, `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, `)
UPDATE analysis_status SET status = c.status, retry_count = c.retry_count, circuit_breaker_state = c.circuit_breaker_state,
	error_message = c.error_message, fallback_reason = c.fallback_reason, updated_at = c.updated_at,
	started_at = COALESCE(c.started_at, analysis_status.started_at), completed_at = c.completed_at
FROM c
WHERE analysis_status.entry_id = c.entry_id AND analysis_status.queued_at = c.queued_at
	AND analysis_status.status IN ('queued', 'processing')
RETURNING analysis_status.entry_id`)

// ChangeAnalysisStatuses applies each change as ChangeAnalysisStatus does
// and reports, per change, whether it applied. On SQLite the changes go in
// as a few multi-row statements (the in-process queue moves a whole batch
// of rounds at once); the changes must be of distinct entries.
func (t *Tx) ChangeAnalysisStatuses(ctx context.Context, cs []StatusChange) ([]bool, error) {
	applied := make([]bool, len(cs))
	if t.d.engine() != SQLite {
		for i, c := range cs {
			ok, err := t.ChangeAnalysisStatus(ctx, c)
			if err != nil {
				return nil, err
			}
			applied[i] = ok
		}
		return applied, nil
	}
	index := make(map[string]int, len(cs))
	for i, c := range cs {
		index[c.EntryID] = i
	}
	args := make([]any, 0, 10*chunkSize(len(cs)))
	for start := 0; start < len(cs); {
		size := chunkSize(len(cs) - start)
		args = args[:0]
		for _, c := range cs[start : start+size] {
			at := storedTime(SQLite, c.At)
			startedAt, completedAt := statusTimes(c.Status, at)
			args = append(args, c.EntryID, storedTime(SQLite, c.QueuedAt), c.Status, c.RetryCount, c.CircuitBreakerState, c.ErrorMessage,
				c.FallbackReason, at, startedAt, completedAt)
		}
		if err := t.changedRows(ctx, changeStatusesSQL[size], args, index, applied); err != nil {
			return nil, err
		}
		start += size
	}
	return applied, nil
}

func (t *Tx) changedRows(ctx context.Context, query string, args []any, index map[string]int, applied []bool) error {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("change analysis statuses: %w", err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("change analysis statuses: %w", err)
		}
		if i, ok := index[id]; ok {
			applied[i] = true
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("change analysis statuses: %w", err)
	}
	return nil
}

// saveAnalysesSQL is SaveAnalysis for many analyses in one statement
// (SQLite): each row is keyed by its entry's seq, read in the same
// statement.
var saveAnalysesSQL = multiRow(`INSERT INTO analyses (entry_seq, sentiment_score, emotional_keywords, confidence_level,
			reasoning, patterns, processing_source, analysis_method, model, api_response_time, completed_at)
		SELECT e.seq, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, v.column9, v.column10, v.column11
		FROM (VALUES `, `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, `) AS v JOIN journal_entries e ON e.id = v.column1 WHERE true
		ON CONFLICT (entry_seq) DO UPDATE SET sentiment_score = excluded.sentiment_score, emotional_keywords = excluded.emotional_keywords,
			confidence_level = excluded.confidence_level, reasoning = excluded.reasoning, patterns = excluded.patterns,
			processing_source = excluded.processing_source, analysis_method = excluded.analysis_method, model = excluded.model,
			api_response_time = excluded.api_response_time, completed_at = excluded.completed_at`)

// analysisRow is a's row for saveAnalysesSQL, stored as SaveAnalysis
// stores it.
func analysisRow(a Analysis) ([]any, error) {
	kw := a.EmotionalKeywords
	if kw == nil {
		kw = []string{}
	}
	kwJSON, err := json.Marshal(kw)
	if err != nil {
		return nil, fmt.Errorf("encode keywords: %w", err)
	}
	patterns := a.Patterns
	if len(patterns) == 0 {
		patterns = json.RawMessage(`{}`)
	}
	storedPatterns, err := encodePatterns(string(patterns))
	if err != nil {
		return nil, err
	}
	source, err := analysisCode(a.ProcessingSource, "external_api", "fallback_analysis")
	if err != nil {
		return nil, fmt.Errorf("processing source: %w", err)
	}
	method, err := analysisCode(a.AnalysisMethod, "ai_powered", "rule_based_fallback")
	if err != nil {
		return nil, fmt.Errorf("method: %w", err)
	}
	return []any{a.EntryID, a.SentimentScore, string(kwJSON), a.ConfidenceLevel, a.Reasoning, storedPatterns,
		source, method, a.Model, a.APIResponseTime, storedTime(SQLite, a.CompletedAt)}, nil
}

// SaveAnalyses stores (or replaces) many entries' analyses, as SaveAnalysis
// does one; on SQLite in a few multi-row statements. The analyses must be
// of distinct entries; ErrNotFound when an entry is gone.
func (t *Tx) SaveAnalyses(ctx context.Context, as []Analysis) error {
	if t.d.engine() != SQLite {
		for _, a := range as {
			if err := t.SaveAnalysis(ctx, a); err != nil {
				return err
			}
		}
		return nil
	}
	args := make([]any, 0, 11*chunkSize(len(as)))
	for start := 0; start < len(as); {
		size := chunkSize(len(as) - start)
		args = args[:0]
		for _, a := range as[start : start+size] {
			row, err := analysisRow(a)
			if err != nil {
				return fmt.Errorf("save analysis of entry %s: %w", a.EntryID, err)
			}
			args = append(args, row...)
		}
		res, err := t.exec(ctx, saveAnalysesSQL[size], args...)
		if err != nil {
			return fmt.Errorf("save analyses: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("save analyses: %w", err)
		} else if n != int64(size) {
			return fmt.Errorf("save analyses: %d of %d entries: %w", int64(size)-n, size, ErrNotFound)
		}
		start += size
	}
	return nil
}
