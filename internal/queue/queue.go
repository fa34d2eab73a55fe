// Package queue runs Resonant's background jobs on River over the store's
// database: riversqlite on SQLite, database/sql with a pgx listener on
// PostgreSQL. Both give one client type, river.Client[*sql.Tx], so a job is
// inserted in the same transaction as the rows it belongs to.
package queue

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/resonant-journal/resonant/internal/store"
)

// Client is the River client type on both engines.
type Client = river.Client[*sql.Tx]

// Options configure New. Zero values give working defaults.
type Options struct {
	// Workers registers the job kinds this process works; nil means the
	// client can insert jobs but works none.
	Workers *river.Workers
	// MaxWorkers bounds concurrent jobs in the default queue (default 10).
	MaxWorkers int
	// JobTimeout bounds one job attempt (default 1 minute). Keep it well
	// under RescueStuckJobsAfter so a job orphaned by a crash is resumed.
	JobTimeout time.Duration
	// RescueStuckJobsAfter is when River's rescuer re-queues a job whose
	// worker vanished (kill -9); default JobTimeout + 1 minute.
	RescueStuckJobsAfter time.Duration
	// PeriodicJobs run on a schedule (trend cache refresh, retention).
	PeriodicJobs []*river.PeriodicJob
	// FetchPollInterval is how often idle workers poll for work (default
	// 250 ms); on PostgreSQL LISTEN/NOTIFY usually wakes them sooner.
	FetchPollInterval time.Duration
	Logger            *slog.Logger
}

// Driver returns River's driver for the store's engine.
func Driver(s *store.Store) riverdriver.Driver[*sql.Tx] {
	if s.Engine() == store.Postgres {
		return riverdatabasesql.NewWithPgxListener(s.WriteDB(), s.ListenerPool())
	}
	return riversqlite.New(s.WriteDB())
}

// MigrateStep returns a store.MigrateStep that applies River's own schema
// under the store's migration lock.
func MigrateStep(s *store.Store) store.MigrateStep {
	return func(ctx context.Context) error {
		m, err := rivermigrate.New(Driver(s), nil)
		if err != nil {
			return fmt.Errorf("river migrator: %w", err)
		}
		if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("migrate River schema: %w", err)
		}
		return nil
	}
}

// New returns an unstarted River client on the store's database.
func New(s *store.Store, opts Options) (*Client, error) {
	if opts.MaxWorkers <= 0 {
		opts.MaxWorkers = 10
	}
	if opts.JobTimeout <= 0 {
		opts.JobTimeout = time.Minute
	}
	if opts.RescueStuckJobsAfter <= 0 {
		opts.RescueStuckJobsAfter = opts.JobTimeout + time.Minute
	}
	if opts.FetchPollInterval <= 0 {
		opts.FetchPollInterval = 250 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	cfg := &river.Config{
		JobTimeout:           opts.JobTimeout,
		RescueStuckJobsAfter: opts.RescueStuckJobsAfter,
		FetchPollInterval:    opts.FetchPollInterval,
		FetchCooldown:        20 * time.Millisecond,
		Logger:               riverLogger(opts.Logger),
		PeriodicJobs:         opts.PeriodicJobs,
		// Completed jobs are bookkeeping only; analysis results live in
		// our own tables, so River's copies need not linger.
		CompletedJobRetentionPeriod: time.Hour,
	}
	if opts.Workers != nil {
		cfg.Workers = opts.Workers
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.MaxWorkers}}
	}
	c, err := river.NewClient(Driver(s), cfg)
	if err != nil {
		return nil, fmt.Errorf("create job queue client: %w", err)
	}
	return c, nil
}

// RecoverOrphans makes jobs left "running" by a crashed process available
// again at once. Only on SQLite: the data-directory lock guarantees that no
// other process is working them, so every running job is an orphan. On
// PostgreSQL other instances may be mid-job; River's rescuer handles jobs
// stuck past RescueStuckJobsAfter there.
//
// River's SQLite schema stores times as datetime('now', 'subsec') text, so
// the same expression is used here to keep comparisons consistent.
func RecoverOrphans(ctx context.Context, s *store.Store) (int64, error) {
	if s.Engine() != store.SQLite {
		return 0, nil
	}
	res, err := s.WriteDB().ExecContext(ctx, `UPDATE river_job SET state = 'available', scheduled_at = datetime('now', 'subsec') WHERE state = 'running'`)
	if err != nil {
		return 0, fmt.Errorf("recover interrupted jobs: %w", err)
	}
	return res.RowsAffected()
}
