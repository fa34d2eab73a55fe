// Package server wires Resonant together and runs it: database, migrations,
// job queue and HTTP, with graceful shutdown.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/resonant-journal/resonant/internal/analysis"
	"github.com/resonant-journal/resonant/internal/api"
	"github.com/resonant-journal/resonant/internal/config"
	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/metrics"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
)

// Options are what Run needs beyond the configuration.
type Options struct {
	Logger *slog.Logger
	// Listener, when set, is used instead of listening on cfg.Addr (tests
	// pass one on port 0).
	Listener net.Listener
	// Ready is called with the listening address once the server accepts
	// requests.
	Ready func(addr string)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Run serves until ctx is cancelled, then shuts down gracefully: stop
// accepting, finish in-flight requests and jobs within cfg.ShutdownTimeout,
// then close the database.
func Run(ctx context.Context, cfg *config.Config, opts Options) error {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log.Info("starting resonant", slogAttrs(cfg.LogAttrs())...)

	st, err := store.Open(ctx, store.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Now: opts.Now})
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close database", slog.Any("err", err))
		}
	}()
	applied, err := st.Migrate(ctx, queue.MigrateStep(st))
	if err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	if applied > 0 {
		log.Info("applied migrations", slog.Int("count", applied))
	}

	now := opts.Now
	if now == nil {
		now = time.Now
	}
	mailer, err := newMailer(cfg)
	if err != nil {
		return err
	}
	// The insight service queues its jobs through the client built below;
	// it only inserts them inside transactions, after start-up.
	insightJobs := &lateInsightJobs{}
	insights := insight.New(insight.Config{Store: st, Jobs: insightJobs, Mailer: mailer, BaseURL: cfg.BaseURL, Now: now, Logger: log})
	workers := river.NewWorkers()
	river.AddWorker(workers, &queue.HousekeepingWorker{Store: st, Now: now, Logger: log})
	insight.AddWorkers(workers, insights, nil)
	met := metrics.New()
	external, err := externalAnalyzer(ctx, cfg, log)
	if err != nil {
		return err
	}
	river.AddWorker(workers, analysis.NewWorker(analysis.Config{
		Store: st, External: external, AttemptTimeout: cfg.AnalysisTimeout, Now: now, Logger: log,
		AfterCommit: func(_ context.Context, _, _, _, status string) { met.AnalysisStatus(status) },
		OnFinish: func(ctx context.Context, tx *store.Tx, a store.Analysis) error {
			return insights.AnalysisLanded(ctx, tx, a.UserID, a.RelationshipID, a.EntryID, a.CompletedAt)
		},
	}))
	if n, err := queue.RecoverOrphans(ctx, st); err != nil {
		return err
	} else if n > 0 {
		log.Info("resuming jobs interrupted by a crash", slog.Int64("count", n))
	}
	jobs, err := queue.New(st, queue.Options{
		// An analysis attempt is cut off at its own timeout (the provider
		// call plus database work, analysis.Worker.Timeout); River's default
		// covers it, and the rescuer waits a margin beyond that, so it only
		// ever takes jobs whose worker died (kill -9 of an instance on
		// PostgreSQL; SQLite resumes them at start-up instead).
		JobTimeout:           analysis.JobTimeout(cfg.AnalysisTimeout),
		RescueStuckJobsAfter: analysis.JobTimeout(cfg.AnalysisTimeout) + 15*time.Second,
		Workers:              workers,
		Logger:               log,
		PeriodicJobs:         append([]*river.PeriodicJob{queue.HousekeepingPeriodic()}, insight.PeriodicJobs()...),
	})
	if err != nil {
		return err
	}
	insightJobs.InsightJobs = queue.NewInsightJobs(jobs)

	journalService := journal.New(journal.Config{Store: st, Enqueuer: queue.NewAnalysisJobs(jobs), Evidence: insights, Now: now, Logger: log})
	acc, sessionCfg, err := newAccounts(cfg, st, mailer, now, log)
	if err != nil {
		return err
	}
	clerk, err := newClerk(cfg, acc, now, log)
	if err != nil {
		return err
	}
	door := frontdoor.New(frontdoor.Config{Store: st, Accounts: acc, Clerk: clerk, Session: sessionCfg,
		TrustedProxies: cfg.TrustedProxyPrefixes, Logger: log})
	routes := Routes{
		Door: door, Store: st,
		API:        api.New(api.Config{Door: door, Journal: journalService, Insight: insights, Clerk: clerk}),
		Instrument: met.Instrument,
	}
	if cfg.MetricsAddr == "" {
		routes.Metrics = met.Handler()
	}
	handler := routes.Handler()
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}

	ln := opts.Listener
	if ln == nil {
		ln, err = net.Listen("tcp", cfg.Addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
		}
	}
	// The job queue starts with its own context so that shutdown can stop it
	// gracefully (finish running jobs) rather than by cancellation.
	if err := jobs.Start(context.WithoutCancel(ctx)); err != nil {
		_ = ln.Close()
		return fmt.Errorf("start job queue: %w", err)
	}

	serveErr := make(chan error, 2)
	go func() { serveErr <- srv.Serve(ln) }()
	var metricsSrv *http.Server
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			_ = srv.Close()
			_ = jobs.Stop(context.WithoutCancel(ctx))
			return fmt.Errorf("listen on --metrics-addr %s: %w", cfg.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", met.Handler())
		metricsSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { serveErr <- metricsSrv.Serve(mln) }()
		log.Info("metrics", slog.String("url", "http://"+mln.Addr().String()+"/metrics"))
	}
	addr := ln.Addr().String()
	log.Info("listening", slog.String("url", "http://"+addr))
	if opts.Ready != nil {
		opts.Ready(addr)
	}

	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-serveErr:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server stopped", slog.Any("err", err))
		}
	}

	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	if metricsSrv != nil {
		_ = metricsSrv.Shutdown(shutdownCtx)
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		_ = srv.Close()
	}
	acc.Wait() // mail still being sent after its response
	if err := jobs.Stop(shutdownCtx); err != nil {
		log.Warn("jobs did not finish in time; cancelling them (they resume on restart)", slog.Any("err", err))
		stopCtx, cancelStop := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_ = jobs.StopAndCancel(stopCtx)
		cancelStop()
	}
	log.Info("stopped")
	return errors.Join(errs...)
}

func slogAttrs(attrs []slog.Attr) []any {
	out := make([]any, len(attrs))
	for i, a := range attrs {
		out[i] = a
	}
	return out
}

// lateInsightJobs lets the insight service be built before the River
// client that inserts its jobs (the client needs the service's workers).
type lateInsightJobs struct{ *queue.InsightJobs }
