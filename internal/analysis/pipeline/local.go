package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
)

// LocalBatch is how many analyses the local queue claims and finishes in
// one transaction each. Larger batches share more of each commit; smaller
// ones hold the writer for less time (publishes queued behind a batch wait
// for it): 64 offline analyses are a few milliseconds of writing.
const LocalBatch = 64

// Local works analyses in-process on SQLite when no external analyzer is
// configured, so every analysis is the offline one. The analysis_status
// rows are the queue: publishing writes the queued row (as always) and no
// job row; Local claims the oldest queued rows in one transaction (each
// becomes processing, with its analysis.status event), runs the offline
// analyzer outside any transaction, and stores the batch's analyses with
// their final statuses and events in a second one. Each entry goes through
// the same statuses and events as on River (queued → processing → fallback,
// or failed), with two transactions per batch instead of four or more per
// entry (River's fetch and completion, processing, finish).
//
// It is the only worker of the queue (SQLite's data-directory lock keeps
// other processes off the database, and the server hands waiting River
// analysis jobs over at start-up), so rows left processing by a crash are
// resumed when it starts. A round that was re-queued, retried or deleted
// while its batch was in flight is left alone (ChangeAnalysisStatus applies
// only to the round it claimed).
type Local struct {
	w     *Worker
	wake  chan struct{}
	batch int
	// poll is the longest the worker sleeps without a wake-up (rows queued
	// by another path than Enqueue, a finish that failed).
	poll time.Duration
	// linger is how long a wake-up after a short batch waits for more
	// entries before claiming: under a stream of publishes it makes a few
	// full batches instead of many small ones (each batch costs two commits
	// and a score recompute per relationship), for a few milliseconds of
	// latency.
	linger time.Duration
}

// NewLocal returns the in-process worker for cfg (cfg.External must be nil:
// every analysis it runs is the offline one).
func NewLocal(cfg Config) *Local {
	cfg.External = nil
	return &Local{w: NewWorker(cfg), wake: make(chan struct{}, 1), batch: LocalBatch, poll: time.Second, linger: 10 * time.Millisecond}
}

// Wake tells the worker that rows may be queued. It never blocks: wake-ups
// while the worker is busy collapse into one more pass.
func (l *Local) Wake() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Run works the queue until ctx is done: first whatever a previous process
// left queued or processing, then each batch as it is queued.
func (l *Local) Run(ctx context.Context) {
	log := l.w.cfg.Logger
	resume := true
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		n, err := l.RunBatch(ctx, resume)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			// Rows this pass marked processing are ours: take them again.
			log.ErrorContext(ctx, "local analysis queue", slog.Any("err", err))
			resume = true
		default:
			resume = false
		}
		if err == nil && n == l.batch {
			continue // more may be waiting
		}
		timer.Reset(l.poll)
		select {
		case <-ctx.Done():
			return
		case <-l.wake:
			timer.Reset(l.linger)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
		case <-timer.C:
		}
	}
}

// RunBatch claims up to one batch of queued analyses (with resume, also
// those left processing), analyses them and stores the results. It returns
// how many it claimed; 0 means the queue was empty.
func (l *Local) RunBatch(ctx context.Context, resume bool) (int, error) {
	cfg := &l.w.cfg
	var claimed []store.AnalysisWork
	err := cfg.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		claimed = claimed[:0]
		rows, err := tx.QueuedAnalyses(ctx, l.batch, resume)
		if err != nil {
			return err
		}
		now := cfg.Now()
		var changes []store.StatusChange
		var queued []int // indexes in rows of the changes
		for i, w := range rows {
			if w.Status.Status == store.AnalysisQueued {
				changes = append(changes, processingChange(w, now))
				queued = append(queued, i)
			}
		}
		applied, err := tx.ChangeAnalysisStatuses(ctx, changes)
		if err != nil {
			return err
		}
		skip := make(map[int]bool, len(changes))
		for j, i := range queued {
			w := &rows[i]
			if !applied[j] {
				skip[i] = true
				continue
			}
			if _, err := tx.AppendEvent(ctx, statusEvent(w.Entry, changes[j])); err != nil {
				return err
			}
			w.Status.Status = store.AnalysisProcessing
		}
		for i, w := range rows {
			if !skip[i] {
				claimed = append(claimed, w)
			}
		}
		return nil
	})
	if err != nil || len(claimed) == 0 {
		return 0, err
	}
	done := make([]localResult, len(claimed))
	for i, w := range claimed {
		done[i] = l.analyse(w)
	}
	// A claimed batch is stored even when ctx ends meanwhile (shutdown): it
	// takes milliseconds, and the rows would otherwise wait for a restart.
	ctx = context.WithoutCancel(ctx)
	if err := l.finish(ctx, done); err != nil {
		// One bad row must not hold the rest back: store them one by one.
		cfg.Logger.WarnContext(ctx, "storing a batch of analyses failed; storing them one by one", slog.Any("err", err))
		for _, d := range done {
			if err := l.finish(ctx, []localResult{d}); err != nil {
				return len(claimed), fmt.Errorf("store the analysis of entry %s: %w", d.work.Entry.ID, err)
			}
		}
	}
	return len(claimed), nil
}

// localResult is one claimed round's outcome, before it is stored.
type localResult struct {
	work   store.AnalysisWork
	change store.StatusChange
	a      *store.Analysis // nil when the analysis failed
}

func processingChange(w store.AnalysisWork, now time.Time) store.StatusChange {
	return store.StatusChange{EntryID: w.Entry.ID, QueuedAt: w.Status.QueuedAt, Status: store.AnalysisProcessing,
		RetryCount: w.Status.RetryCount, CircuitBreakerState: store.BreakerClosed, At: now}
}

// analyse runs the offline analyzer on one claimed round, as Worker.Work
// does for an entry that must not (or cannot) go to an external analyzer.
func (l *Local) analyse(w store.AnalysisWork) localResult {
	cfg := &l.w.cfg
	reason := l.w.offlineReason(w)
	r := &round{w: l.w, work: w, status: store.AnalysisProcessing}
	res, err := r.runOffline()
	if err == nil {
		var patterns []byte
		if patterns, err = json.Marshal(res.Patterns); err != nil {
			err = fmt.Errorf("encode patterns: %w", err)
		} else {
			res.ConfidenceLevel *= fallbackConfidence
			now := cfg.Now()
			a := storedAnalysis(w.Entry, store.AnalysisFallback, res, patterns, "offline", 0, now)
			return localResult{work: w, a: &a,
				change: r.statusChange(store.AnalysisFallback, w.Status.RetryCount, "", "", reason, now)}
		}
	}
	cfg.Logger.Error("offline analysis failed", slog.String("entry", w.Entry.ID), slog.Any("err", err))
	return localResult{work: w, change: r.statusChange(store.AnalysisFailed, w.Status.RetryCount, "",
		"the offline analyzer could not analyse this entry", reason, cfg.Now())}
}

// finish stores the results, statuses and events of done in one
// transaction, then tells OnFinishBatch (or OnFinish, per analysis) of the
// analyses stored. A stale round (re-queued or deleted meanwhile) is skipped.
func (l *Local) finish(ctx context.Context, done []localResult) error {
	cfg := &l.w.cfg
	return cfg.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		changes := make([]store.StatusChange, len(done))
		for i, d := range done {
			changes[i] = d.change
		}
		applied, err := tx.ChangeAnalysisStatuses(ctx, changes)
		if err != nil {
			return err
		}
		stored := make([]store.Analysis, 0, len(done))
		for i, d := range done {
			if applied[i] && d.a != nil {
				stored = append(stored, *d.a)
			}
		}
		if err := tx.SaveAnalyses(ctx, stored); err != nil {
			return err
		}
		for i, d := range done {
			if !applied[i] {
				continue
			}
			if _, err := tx.AppendEvent(ctx, statusEvent(d.work.Entry, d.change)); err != nil {
				return err
			}
		}
		if len(stored) == 0 {
			return nil
		}
		if cfg.OnFinishBatch != nil {
			return cfg.OnFinishBatch(ctx, tx, stored)
		}
		if cfg.OnFinish != nil {
			for _, a := range stored {
				if err := cfg.OnFinish(ctx, tx, a); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// LocalJobs is the journal's Enqueuer when Local works the analyses: the
// queued status row the journal writes is the job, so queueing only wakes
// the worker, and there is no job row to withdraw.
type LocalJobs struct{ Local *Local }

// EnqueueAnalysis wakes the worker. The transaction has not committed yet;
// the worker's claim is a later transaction (SQLite has one writer, and
// the group commit runs batches in order), so it sees the rows once they
// are committed, or nothing when they rolled back.
func (j LocalJobs) EnqueueAnalysis(ctx context.Context, tx *store.Tx, userID string, entryIDs ...string) error {
	if len(entryIDs) > 0 {
		j.Local.Wake()
	}
	return nil
}

// CancelAnalysis does nothing: a re-queued round replaces the status row,
// and a batch holding the old round finds it stale.
func (LocalJobs) CancelAnalysis(ctx context.Context, tx *store.Tx, entryID string) error { return nil }

// CancelOrphanedAnalyses does nothing: a deleted entry's status row goes
// with it.
func (LocalJobs) CancelOrphanedAnalyses(ctx context.Context, tx *store.Tx, userID string) error {
	return nil
}
