package queue

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/resonant-journal/resonant/internal/store"
)

// AnalysisJobs inserts and withdraws analyze_entry jobs inside the store's
// transactions, so an entry, its queued status and its job commit together.
// It implements journal.Enqueuer.
type AnalysisJobs struct {
	client *Client
}

// NewAnalysisJobs wraps the River client (it need not be started).
func NewAnalysisJobs(c *Client) *AnalysisJobs { return &AnalysisJobs{client: c} }

// waitingStates are the states of a job that has not started: withdrawing
// one of these is safe. A running job is left alone; the worker re-checks
// that its entry still exists and is unchanged.
var waitingStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStateRetryable, rivertype.JobStatePending,
}

// EnqueueAnalysis inserts one analyze_entry job per entry in tx. Callers
// re-queueing an entry withdraw its waiting job first (CancelAnalysis), so
// rapid edits of a published entry leave one job, for the latest text.
// (River's unique jobs cannot do this: their states must include running,
// so an edit made while the previous text is being analysed would not be
// re-analysed.)
func (a *AnalysisJobs) EnqueueAnalysis(ctx context.Context, tx *store.Tx, userID string, entryIDs ...string) error {
	if len(entryIDs) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(entryIDs))
	for i, id := range entryIDs {
		params[i] = river.InsertManyParams{Args: AnalyzeEntryArgs{EntryID: id, UserID: userID}}
	}
	if _, err := a.client.InsertManyFastTx(ctx, tx.SQL(), params); err != nil {
		return fmt.Errorf("enqueue analysis: %w", err)
	}
	return nil
}

// CancelAnalysis withdraws the waiting analyze_entry jobs of one entry.
func (a *AnalysisJobs) CancelAnalysis(ctx context.Context, tx *store.Tx, entryID string) error {
	p := river.NewJobDeleteManyParams().Kinds(AnalyzeEntryArgs{}.Kind()).States(waitingStates...).
		Where("args ->> 'entryId' = @entry_id", river.NamedArgs{"entry_id": entryID})
	if _, err := a.client.JobDeleteManyTx(ctx, tx.SQL(), p); err != nil {
		return fmt.Errorf("withdraw analysis job: %w", err)
	}
	return nil
}

// cancelBatch is how many orphaned jobs one delete withdraws.
const cancelBatch = 1000

// CancelOrphanedAnalyses withdraws the user's waiting analyze_entry jobs
// whose entry no longer exists (after a relationship and its entries were
// deleted in tx).
func (a *AnalysisJobs) CancelOrphanedAnalyses(ctx context.Context, tx *store.Tx, userID string) error {
	p := river.NewJobDeleteManyParams().Kinds(AnalyzeEntryArgs{}.Kind()).States(waitingStates...).First(cancelBatch).
		Where("args ->> 'userId' = @user_id AND NOT EXISTS (SELECT 1 FROM journal_entries e WHERE e.id = args ->> 'entryId')",
			river.NamedArgs{"user_id": userID})
	for {
		res, err := a.client.JobDeleteManyTx(ctx, tx.SQL(), p)
		if err != nil {
			return fmt.Errorf("withdraw analysis jobs: %w", err)
		}
		if len(res.Jobs) < cancelBatch {
			return nil
		}
	}
}

// HandOverAnalyses makes the analysis queue consistent with how this
// process works it, before the River client starts. On SQLite an analysis
// is worked either by River (an analyze_entry job per queued status row)
// or in-process straight from the queued status rows (pipeline.Local), and
// a database may have been served both ways. In-process (local true): the
// waiting analyze_entry jobs are deleted, since their rows are now the
// queue and a job would analyse its entry a second time. With River: every
// queued or processing row without a waiting or running job gets one. It
// returns how many jobs it deleted or inserted. PostgreSQL always uses
// River and has nothing to hand over.
func HandOverAnalyses(ctx context.Context, s *store.Store, c *Client, local bool) (int64, error) {
	if s.Engine() != store.SQLite {
		return 0, nil
	}
	var n int64
	err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if local {
			res, err := tx.SQL().ExecContext(ctx, `DELETE FROM river_job WHERE kind = 'analyze_entry'
				AND state IN ('available', 'scheduled', 'retryable', 'pending', 'running')`)
			if err != nil {
				return fmt.Errorf("hand analysis jobs over: %w", err)
			}
			n, err = res.RowsAffected()
			return err
		}
		rows, err := tx.SQL().QueryContext(ctx, `SELECT a.entry_id, e.user_id FROM analysis_status a JOIN journal_entries e ON e.id = a.entry_id
			WHERE a.status IN ('queued', 'processing') AND a.entry_id NOT IN (
				SELECT args ->> 'entryId' FROM river_job WHERE kind = 'analyze_entry'
				AND state IN ('available', 'scheduled', 'retryable', 'pending', 'running'))`)
		if err != nil {
			return fmt.Errorf("hand analyses over to the job queue: %w", err)
		}
		byUser := map[string][]string{}
		for rows.Next() {
			var entry, user string
			if err := rows.Scan(&entry, &user); err != nil {
				_ = rows.Close()
				return fmt.Errorf("hand analyses over to the job queue: %w", err)
			}
			byUser[user] = append(byUser[user], entry)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("hand analyses over to the job queue: %w", err)
		}
		jobs := NewAnalysisJobs(c)
		for user, entries := range byUser {
			if err := jobs.EnqueueAnalysis(ctx, tx, user, entries...); err != nil {
				return err
			}
			n += int64(len(entries))
		}
		return nil
	})
	return n, err
}
