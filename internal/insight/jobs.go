package insight

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/resonant-journal/resonant/internal/queue"
)

// Job policies. A recompute is quick, local work: a few attempts, soon
// retried; the periodic jobs simply run again at their next tick.
const (
	recomputeTimeout = 30 * time.Second
	refreshTimeout   = 2 * time.Minute
	remindersTimeout = time.Minute
	sendTimeout      = 45 * time.Second
	// RefreshEvery is how often expired trend caches are refreshed, and
	// RefreshBatch how many per run.
	RefreshEvery = 15 * time.Minute
	RefreshBatch = 200
	// RemindersEvery is how often due reminders are claimed.
	RemindersEvery = time.Minute
)

// RecomputeWorker works queue.RecomputeScoreArgs.
type RecomputeWorker struct {
	river.WorkerDefaults[queue.RecomputeScoreArgs]
	Service *Service
	// AfterRecompute, when set, is told what each job wrote (metrics, tests).
	AfterRecompute func(args queue.RecomputeScoreArgs, res RecomputeResult)
}

// Timeout bounds one attempt.
func (w *RecomputeWorker) Timeout(*river.Job[queue.RecomputeScoreArgs]) time.Duration {
	return recomputeTimeout
}

// NextRetry retries database trouble soon: 1 s, 2 s, 4 s, 8 s.
func (w *RecomputeWorker) NextRetry(job *river.Job[queue.RecomputeScoreArgs]) time.Time {
	return w.Service.clock().Add(time.Duration(1<<min(job.Attempt-1, 5)) * time.Second)
}

// Work implements river.Worker. It warms the trend caches the new
// analysis made stale before it stores the score: the score's
// healthScore.updated event makes open dashboards fetch their charts, and
// those reads then find fresh trends instead of each computing them (trends
// are computed from the analyses, not from stored scores, so the order does
// not change them). Warming is best effort: a read computes them anyway.
func (w *RecomputeWorker) Work(ctx context.Context, job *river.Job[queue.RecomputeScoreArgs]) error {
	if _, err := w.Service.RefreshStaleTrends(ctx, job.Args.UserID); err != nil {
		w.Service.log.WarnContext(ctx, "stale trends not refreshed", slog.Any("err", err))
	}
	res, err := w.Service.Recompute(ctx, job.Args.UserID, job.Args.RelationshipID)
	if err != nil {
		return err
	}
	if w.AfterRecompute != nil {
		w.AfterRecompute(job.Args, res)
	}
	return nil
}

// RefreshWorker works the periodic queue.RefreshTrendsArgs.
type RefreshWorker struct {
	river.WorkerDefaults[queue.RefreshTrendsArgs]
	Service *Service
}

// Timeout bounds one run.
func (w *RefreshWorker) Timeout(*river.Job[queue.RefreshTrendsArgs]) time.Duration {
	return refreshTimeout
}

// Work implements river.Worker.
func (w *RefreshWorker) Work(ctx context.Context, job *river.Job[queue.RefreshTrendsArgs]) error {
	n, err := w.Service.RefreshExpiredTrends(ctx, RefreshBatch)
	if n > 0 {
		w.Service.log.InfoContext(ctx, "refreshed expired trend caches", slog.Int("count", n))
	}
	return err
}

// RemindersWorker works the periodic queue.RemindersArgs.
type RemindersWorker struct {
	river.WorkerDefaults[queue.RemindersArgs]
	Service *Service
}

// Timeout bounds one run.
func (w *RemindersWorker) Timeout(*river.Job[queue.RemindersArgs]) time.Duration {
	return remindersTimeout
}

// Work implements river.Worker.
func (w *RemindersWorker) Work(ctx context.Context, job *river.Job[queue.RemindersArgs]) error {
	_, err := w.Service.ClaimDueReminders(ctx)
	return err
}

// SendReminderWorker works queue.SendReminderArgs.
type SendReminderWorker struct {
	river.WorkerDefaults[queue.SendReminderArgs]
	Service *Service
}

// Timeout bounds one attempt (an SMTP conversation).
func (w *SendReminderWorker) Timeout(*river.Job[queue.SendReminderArgs]) time.Duration {
	return sendTimeout
}

// NextRetry spaces retries of a failed send: 30 s, 1, 2, 4, 8 min.
func (w *SendReminderWorker) NextRetry(job *river.Job[queue.SendReminderArgs]) time.Time {
	return w.Service.clock().Add(time.Duration(30<<min(job.Attempt-1, 4)) * time.Second)
}

// Work implements river.Worker.
func (w *SendReminderWorker) Work(ctx context.Context, job *river.Job[queue.SendReminderArgs]) error {
	return w.Service.SendReminder(ctx, job.Args.UserID, job.Args.LocalDate)
}

// AddWorkers registers this package's workers.
func AddWorkers(workers *river.Workers, s *Service, afterRecompute func(queue.RecomputeScoreArgs, RecomputeResult)) {
	river.AddWorker(workers, &RecomputeWorker{Service: s, AfterRecompute: afterRecompute})
	river.AddWorker(workers, &RefreshWorker{Service: s})
	river.AddWorker(workers, &RemindersWorker{Service: s})
	river.AddWorker(workers, &SendReminderWorker{Service: s})
}

// PeriodicJobs are the trend refresh and the reminder sweep.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(RefreshEvery),
			func() (river.JobArgs, *river.InsertOpts) { return queue.RefreshTrendsArgs{}, nil }, nil),
		river.NewPeriodicJob(river.PeriodicInterval(RemindersEvery),
			func() (river.JobArgs, *river.InsertOpts) { return queue.RemindersArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
	}
}
