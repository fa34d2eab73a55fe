package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// QueuedAnalyses returns up to limit analyses waiting to be worked, oldest
// round first, with what the pipeline needs to analyse each (as
// GetAnalysisWork, without the user's preferences). It is the claim query of
// the in-process analysis queue on SQLite, where the analysis_status rows
// themselves are the queue: run it inside the transaction that marks the
// rows processing, so no other transaction can claim them in between (SQLite
// has one writer). resume also returns rows left processing, which only a
// process that knows it is the sole worker may take (after a crash, or a
// failed finish).
func (t *Tx) QueuedAnalyses(ctx context.Context, limit int, resume bool) ([]AnalysisWork, error) {
	// Both forms name the condition of the partial index
	// analysis_status_pending (migration 0007), so the planner reads it.
	where := `a.status IN ('queued', 'processing') AND a.status = 'queued'`
	if resume {
		where = `a.status IN ('queued', 'processing')`
	}
	rows, err := t.query(ctx, `SELECT e.id, e.user_id, e.relationship_id, e.content, e.mood, e.tags, e.is_private, e.word_count, e.status,
			a.status, a.queued_at, a.started_at, a.retry_count, a.circuit_breaker_state
		FROM analysis_status a
		JOIN journal_entries e ON e.id = a.entry_id
		WHERE `+where+` ORDER BY a.queued_at LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("claim queued analyses: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []AnalysisWork
	for rows.Next() {
		var w AnalysisWork
		var tags string
		e, s := &w.Entry, &w.Status
		if err := rows.Scan(&e.ID, &e.UserID, &e.RelationshipID, &e.Content, &e.Mood, &tags, &e.IsPrivate, &e.WordCount, &e.Status,
			&s.Status, ScanTime(&s.QueuedAt), ScanTime(&s.StartedAt), &s.RetryCount, &s.CircuitBreakerState); err != nil {
			return nil, fmt.Errorf("claim queued analyses: %w", err)
		}
		if err := json.Unmarshal([]byte(tags), &e.Tags); err != nil {
			return nil, fmt.Errorf("entry %s tags: %w", e.ID, err)
		}
		s.EntryID, s.UserID = e.ID, e.UserID
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim queued analyses: %w", err)
	}
	return out, nil
}
