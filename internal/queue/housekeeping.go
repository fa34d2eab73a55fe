package queue

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/resonant-journal/resonant/internal/store"
)

// EventRetention is how long real-time events stay replayable; API.md
// promises at least 24 hours.
const EventRetention = 72 * time.Hour

// HousekeepingArgs is the periodic job that prunes expired rows.
type HousekeepingArgs struct{}

// Kind implements river.JobArgs.
func (HousekeepingArgs) Kind() string { return "housekeeping" }

// HousekeepingWorker deletes expired sessions, tokens, cache rows and old events.
type HousekeepingWorker struct {
	river.WorkerDefaults[HousekeepingArgs]
	Store  *store.Store
	Now    func() time.Time
	Logger *slog.Logger
}

// Work implements river.Worker.
func (w *HousekeepingWorker) Work(ctx context.Context, job *river.Job[HousekeepingArgs]) error {
	now := w.Now()
	var r store.PruneResult
	err := w.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		r, err = tx.Prune(ctx, now, now.Add(-EventRetention))
		return err
	})
	if err != nil {
		return err
	}
	// An idle server's log stays quiet at INFO: a run that found
	// nothing to delete is DEBUG.
	level := slog.LevelDebug
	if r.Sessions+r.EmailTokens+r.Events+r.TrendCache+r.WebhookDeliveries > 0 {
		level = slog.LevelInfo
	}
	w.Logger.Log(ctx, level, "housekeeping", slog.Int64("sessions", r.Sessions), slog.Int64("email_tokens", r.EmailTokens),
		slog.Int64("events", r.Events), slog.Int64("trend_cache", r.TrendCache))
	return nil
}

// HousekeepingPeriodic runs housekeeping hourly and once at start.
func HousekeepingPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return HousekeepingArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}
