package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// AnalysisStatus tracks an entry's analysis (spec: "Analysis Status Tracking").
type AnalysisStatus struct {
	EntryID             string
	UserID              string
	EntryCreatedAt      time.Time // the entry's, which orders lists
	Status              string    // queued, processing, completed, fallback, failed
	QueuedAt            time.Time
	StartedAt           time.Time // zero until processing
	CompletedAt         time.Time // zero until finished
	RetryCount          int
	CircuitBreakerState string
	ErrorMessage        string
	FallbackReason      string
	UpdatedAt           time.Time
}

// Analysis statuses.
const (
	AnalysisQueued     = "queued"
	AnalysisProcessing = "processing"
	AnalysisCompleted  = "completed"
	AnalysisFallback   = "fallback"
	AnalysisFailed     = "failed"
)

// analysisStatusFrom reads a status with its entry's owner (the row holds no
// user id since migration 0009); analysisStatusColumns are its columns.
const (
	analysisStatusColumns = `a.entry_id, e.user_id, e.created_at, a.status, a.queued_at, a.started_at, a.completed_at, a.retry_count,
	a.circuit_breaker_state, a.error_message, a.fallback_reason, a.updated_at`
	analysisStatusFrom = ` FROM analysis_status a JOIN journal_entries e ON e.id = a.entry_id`
)

func scanAnalysisStatus(row interface{ Scan(...any) error }) (AnalysisStatus, error) {
	var s AnalysisStatus
	err := row.Scan(&s.EntryID, &s.UserID, ScanTime(&s.EntryCreatedAt), &s.Status, ScanTime(&s.QueuedAt), ScanTime(&s.StartedAt), ScanTime(&s.CompletedAt),
		&s.RetryCount, &s.CircuitBreakerState, &s.ErrorMessage, &s.FallbackReason, ScanTime(&s.UpdatedAt))
	return s, err
}

// queueAnalysisSQL creates the status row, or resets an existing one to a
// fresh queued state (a re-publish or a retry starts over).
const queueAnalysisSQL = `INSERT INTO analysis_status (entry_id, status, queued_at, started_at, completed_at, retry_count,
	circuit_breaker_state, error_message, fallback_reason, updated_at)
VALUES %s
ON CONFLICT (entry_id) DO UPDATE SET status = excluded.status, queued_at = excluded.queued_at, started_at = NULL,
	completed_at = NULL, retry_count = 0, error_message = '', fallback_reason = '', updated_at = excluded.updated_at`

const queueAnalysisRow = `(?, 'queued', ?, NULL, NULL, 0, 'closed', '', '', ?)`

// QueueAnalyses marks the user's entries' analyses queued at now. It does
// not check ownership: callers pass entries they have just written (the
// row is the entry's; userID is not stored).
func (t *Tx) QueueAnalyses(ctx context.Context, userID string, entryIDs []string, now time.Time) error {
	at := storedTime(t.d.engine(), now)
	for start := 0; start < len(entryIDs); start += importBatchRows {
		batch := entryIDs[start:min(start+importBatchRows, len(entryIDs))]
		rows := make([]string, len(batch))
		args := make([]any, 0, len(batch)*3)
		for i, id := range batch {
			rows[i] = queueAnalysisRow
			args = append(args, id, at, at)
		}
		if _, err := t.exec(ctx, fmt.Sprintf(queueAnalysisSQL, strings.Join(rows, ", ")), args...); err != nil {
			return fmt.Errorf("queue analysis: %w", err)
		}
	}
	return nil
}

// GetAnalysisStatus returns the status of the user's entry, or ErrNotFound
// (drafts have none).
func (q *Queries) GetAnalysisStatus(ctx context.Context, userID, entryID string) (AnalysisStatus, error) {
	s, err := scanAnalysisStatus(q.queryRow(ctx, `SELECT `+analysisStatusColumns+analysisStatusFrom+` WHERE a.entry_id = ? AND e.user_id = ?`, entryID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return AnalysisStatus{}, fmt.Errorf("analysis status %s: %w", entryID, ErrNotFound)
	}
	if err != nil {
		return AnalysisStatus{}, fmt.Errorf("get analysis status: %w", err)
	}
	return s, nil
}

// ListAnalysisStatuses returns a page of the user's statuses in the order
// of their entries, newest first, optionally only those in one status.
//
// The page is read along the user's entry index and each status is looked
// up by its entry, so the newest page costs the same at 100 entries and at
// 100,000. (Ordering by queued_at, as before migration 0009, sorted every
// status of the user: the rows no longer carry the owner to index them by.)
// A status filter walks the same index and skips what does not match; the
// unfinished statuses have their own partial index, which is used instead.
func (q *Queries) ListAnalysisStatuses(ctx context.Context, userID, status string, after *Cursor, limit int) ([]AnalysisStatus, error) {
	var b strings.Builder
	b.WriteString(`SELECT ` + analysisStatusColumns + analysisStatusFrom + ` WHERE e.user_id = ?`)
	args := []any{userID}
	if status != "" {
		b.WriteString(` AND a.status = ?`)
		args = append(args, status)
	}
	if after != nil {
		b.WriteString(` AND (e.created_at, e.id) < (?, ?)`)
		args = append(args, DBTime(after.Time), after.ID)
	}
	b.WriteString(` ORDER BY e.created_at DESC, e.id DESC LIMIT ?`)
	args = append(args, limit)
	rows, err := q.query(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("list analysis statuses: %w", err)
	}
	defer rows.Close()
	var out []AnalysisStatus
	for rows.Next() {
		s, err := scanAnalysisStatus(rows)
		if err != nil {
			return nil, fmt.Errorf("list analysis statuses: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list analysis statuses: %w", err)
	}
	return out, nil
}
