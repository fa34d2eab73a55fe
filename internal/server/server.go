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
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/analysis"
	"github.com/resonant-journal/resonant/internal/analysis/offline"
	"github.com/resonant-journal/resonant/internal/analysis/pipeline"
	"github.com/resonant-journal/resonant/internal/api"
	"github.com/resonant-journal/resonant/internal/config"
	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/metrics"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/realtime"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/web"
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
// then close the database. The steps, in order: open and migrate the
// database, build the job queue, build the services and the route table,
// listen, start the jobs, serve, and stop.
func Run(ctx context.Context, cfg *config.Config, opts Options) error {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	log.Info("starting resonant", slogAttrs(cfg.LogAttrs())...)

	st, err := openStore(ctx, cfg, now, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close database", slog.Any("err", err))
		}
	}()
	met := metrics.New()
	// Until the event stream exists (newApp), committed events feed the
	// metrics only; they stay in the log for replay.
	st.SetEventHook(met.Committed)
	svc, err := newServices(cfg, st, now, log)
	if err != nil {
		return err
	}
	jobs, local, err := newJobs(ctx, cfg, st, svc, now, log)
	if err != nil {
		return err
	}
	app, err := newApp(cfg, st, jobs, local, svc, met, now, log)
	if err != nil {
		return err
	}
	defer app.stream.Close()
	app.stream.Start(ctx)
	lns, err := listen(cfg, opts.Listener)
	if err != nil {
		return err
	}
	// The job queue starts with its own context so that shutdown can stop it
	// gracefully (finish running jobs) rather than by cancellation.
	if err := jobs.Start(context.WithoutCancel(ctx)); err != nil {
		lns.close()
		return fmt.Errorf("start job queue: %w", err)
	}
	stopLocal := startLocal(ctx, local)
	// Start-up's garbage (migrations, parsed templates' scratch) goes back
	// now; later bursts' when the server next goes quiet.
	trim := newMemoryTrimmer()
	trim.free()
	trimTick := time.NewTicker(trimInterval)
	defer trimTick.Stop()
	go trim.run(ctx, trimTick.C)
	srv := serve(ctx, lns, trim.wrap(app.handler), met, log)
	// Open streams would hold Shutdown up until its timeout: end them as it
	// starts (clients reconnect, here or elsewhere, and replay what they
	// missed).
	srv.main.RegisterOnShutdown(app.stream.Close)
	if opts.Ready != nil {
		opts.Ready(lns.main.Addr().String())
	}
	srv.wait(ctx, log)
	return shutdown(ctx, cfg, srv, app, jobs, stopLocal, log)
}

// openStore opens the database and brings its schema (ours, then River's)
// up to this binary's version.
func openStore(ctx context.Context, cfg *config.Config, now func() time.Time, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, store.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Now: now})
	if err != nil {
		return nil, err
	}
	applied, err := st.Migrate(ctx, queue.MigrateStep(st))
	if err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("migrate database: %w", err)
	}
	if applied > 0 {
		log.Info("applied migrations", slog.Int("count", applied))
	}
	return st, nil
}

// services are what both the job queue's workers and the front doors use,
// built before either.
type services struct {
	mailer   mail.Mailer
	insights *insight.Service
	// insightJobs is how insights queues its jobs; newJobs connects it to
	// the River client, which needs the insight workers first.
	insightJobs *lateInsightJobs
}

// newServices builds the mailer and the insight service.
func newServices(cfg *config.Config, st *store.Store, now func() time.Time, log *slog.Logger) (*services, error) {
	mailer, err := newMailer(cfg)
	if err != nil {
		return nil, err
	}
	// The insight service queues its jobs through the client newJobs
	// builds; it only inserts them inside transactions, after start-up.
	late := &lateInsightJobs{}
	insights := insight.New(insight.Config{Store: st, Jobs: late, Mailer: mailer, BaseURL: cfg.BaseURL, Now: now, Logger: log})
	return &services{mailer: mailer, insights: insights, insightJobs: late}, nil
}

// lateInsightJobs lets the insight service be built before the River
// client that inserts its jobs (the client needs the service's workers).
type lateInsightJobs struct{ *queue.InsightJobs }

// newJobs registers the workers (housekeeping, insights, analysis), resumes
// jobs a crash interrupted and builds the River client; it does not start
// it. On SQLite without an external analyzer it also returns the
// in-process analysis queue (nil otherwise), after handing it the analyses
// River jobs were waiting to run.
func newJobs(ctx context.Context, cfg *config.Config, st *store.Store, svc *services, now func() time.Time, log *slog.Logger) (*queue.Client, *pipeline.Local, error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &queue.HousekeepingWorker{Store: st, Now: now, Logger: log})
	insight.AddWorkers(workers, svc.insights, nil)
	external, err := externalAnalyzer(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	pcfg := pipeline.Config{
		Store: st, External: external, AttemptTimeout: cfg.AnalysisTimeout, Now: now, Logger: log,
		// One offline analyzer for the River worker and the in-process
		// queue, built when the first entry is analysed.
		Offline: sync.OnceValue(offline.New),
		OnFinish: func(ctx context.Context, tx *store.Tx, a store.Analysis) error {
			return svc.insights.AnalysisLanded(ctx, tx, a.UserID, a.RelationshipID, a.EntryID, a.CompletedAt)
		},
		OnFinishBatch: svc.insights.AnalysesLanded,
	}
	river.AddWorker(workers, pipeline.NewWorker(pcfg))
	if n, err := queue.RecoverOrphans(ctx, st); err != nil {
		return nil, nil, err
	} else if n > 0 {
		log.Info("resuming jobs interrupted by a crash", slog.Int64("count", n))
	}
	jobs, err := queue.New(st, queue.Options{
		// An analysis attempt is cut off at its own timeout (the provider
		// call plus database work, pipeline.Worker.Timeout); River's default
		// covers it, and the rescuer waits a margin beyond that, so it only
		// ever takes jobs whose worker died (kill -9 of an instance on
		// PostgreSQL; SQLite resumes them at start-up instead).
		JobTimeout:           pipeline.JobTimeout(cfg.AnalysisTimeout),
		RescueStuckJobsAfter: pipeline.JobTimeout(cfg.AnalysisTimeout) + 15*time.Second,
		Workers:              workers,
		FetchPollInterval:    fetchPollInterval(st),
		Logger:               log,
		PeriodicJobs:         append([]*river.PeriodicJob{queue.HousekeepingPeriodic()}, insight.PeriodicJobs()...),
	})
	if err != nil {
		return nil, nil, err
	}
	svc.insightJobs.InsightJobs = queue.NewInsightJobs(jobs)
	var local *pipeline.Local
	if useLocalQueue(st, external) {
		local = pipeline.NewLocal(pcfg)
	}
	if n, err := queue.HandOverAnalyses(ctx, st, jobs, local != nil); err != nil {
		return nil, nil, err
	} else if n > 0 {
		log.Info("handed queued analyses over", slog.Bool("in_process", local != nil), slog.Int64("count", n))
	}
	return jobs, local, nil
}

// useLocalQueue: on SQLite, when every analysis is the offline one, the
// analysis_status rows are the queue, worked in-process (pipeline.Local);
// River's per-job rows and transactions cost more than the analysis
// itself (docs/architecture.md, "The job queue"). An LLM analyzer needs
// River's retries, snoozes and timeouts; PostgreSQL has several instances.
func useLocalQueue(st *store.Store, external analysis.Analyzer) bool {
	return st.Engine() == store.SQLite && external == nil
}

// startLocal runs the in-process analysis queue, if any; stop waits for
// the batch in hand to be stored.
func startLocal(ctx context.Context, local *pipeline.Local) (stop func()) {
	if local == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		local.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// app is the services and the route table in front of them.
type app struct {
	accounts *accounts.Service
	stream   *realtime.Service
	handler  http.Handler
}

// newApp builds the services the front doors serve (journal, accounts,
// Clerk mode), the shared HTTP shell and the route table.
func newApp(cfg *config.Config, st *store.Store, jobs *queue.Client, local *pipeline.Local, svc *services, met *metrics.Metrics, now func() time.Time, log *slog.Logger) (*app, error) {
	var enqueuer journal.Enqueuer = queue.NewAnalysisJobs(jobs)
	if local != nil {
		enqueuer = pipeline.LocalJobs{Local: local}
	}
	journalService := journal.New(journal.Config{Store: st, Enqueuer: enqueuer, Evidence: svc.insights, Now: now, Logger: log})
	acc, sessionCfg, err := newAccounts(cfg, st, svc.mailer, now, log)
	if err != nil {
		return nil, err
	}
	clerk, err := newClerk(cfg, acc, now, log)
	if err != nil {
		return nil, err
	}
	door := frontdoor.New(frontdoor.Config{Store: st, Accounts: acc, Clerk: clerk, Session: sessionCfg,
		TrustedProxies: cfg.TrustedProxyPrefixes, Logger: log})
	pages, err := web.New(web.Config{Accounts: acc, Journal: journalService, Insight: svc.insights, Door: door, UserID: frontdoor.UserID,
		AIProvider: providerDescription(cfg), Secure: sessionCfg.Secure, Now: now, Logger: log})
	if err != nil {
		return nil, err
	}
	// The event stream: committed events feed its hub (on PostgreSQL its
	// feed, which follows every instance's commits), and revoked
	// credentials end the streams they opened.
	stream := realtime.New(realtime.Config{Store: st, User: func(r *http.Request) string { return frontdoor.UserID(r.Context()) },
		Check: door.Recheck, Observer: met.Realtime(), Logger: log})
	st.SetEventHook(func(events []store.Event) {
		met.Committed(events)
		stream.Hook(events)
	})
	acc.OnRevoke(stream.Revoked)
	routes := Routes{
		Door: door, Store: st,
		API:        api.New(api.Config{Door: door, Journal: journalService, Insight: svc.insights, Clerk: clerk}),
		Pages:      pages,
		Stream:     stream,
		Instrument: met.Instrument,
	}
	if cfg.MetricsAddr == "" {
		routes.Metrics = met.Handler()
	}
	return &app{accounts: acc, stream: stream, handler: routes.Handler()}, nil
}

// listeners are the sockets the server answers on.
type listeners struct {
	main    net.Listener
	metrics net.Listener // nil unless --metrics-addr is set
}

func (l listeners) close() {
	_ = l.main.Close()
	if l.metrics != nil {
		_ = l.metrics.Close()
	}
}

// listen opens the main listener (or takes the one given) and the metrics
// listener when --metrics-addr asks for one.
func listen(cfg *config.Config, given net.Listener) (listeners, error) {
	l := listeners{main: given}
	if l.main == nil {
		ln, err := net.Listen("tcp", cfg.Addr)
		if err != nil {
			return l, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
		}
		l.main = ln
	}
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			_ = l.main.Close()
			return l, fmt.Errorf("listen on --metrics-addr %s: %w", cfg.MetricsAddr, err)
		}
		l.metrics = mln
	}
	return l, nil
}

// servers are the running HTTP servers.
type servers struct {
	main, metrics *http.Server // metrics is nil without --metrics-addr
	errs          chan error
}

// serve starts the HTTP servers on their listeners.
func serve(ctx context.Context, lns listeners, handler http.Handler, met *metrics.Metrics, log *slog.Logger) *servers {
	s := &servers{errs: make(chan error, 2)}
	s.main = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	go func() { s.errs <- s.main.Serve(lns.main) }()
	if lns.metrics != nil {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", met.Handler())
		s.metrics = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { s.errs <- s.metrics.Serve(lns.metrics) }()
		log.Info("metrics", slog.String("url", "http://"+lns.metrics.Addr().String()+"/metrics"))
	}
	log.Info("listening", slog.String("url", "http://"+lns.main.Addr().String()))
	return s
}

// wait blocks until ctx is cancelled or a server stops by itself.
func (s *servers) wait(ctx context.Context, log *slog.Logger) {
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-s.errs:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server stopped", slog.Any("err", err))
		}
	}
}

// shutdown stops gracefully within cfg.ShutdownTimeout: no new requests,
// in-flight ones finished, mail sent, running jobs finished (or cancelled
// to resume on restart).
func shutdown(ctx context.Context, cfg *config.Config, srv *servers, a *app, jobs *queue.Client, stopLocal func(), log *slog.Logger) error {
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	if srv.metrics != nil {
		_ = srv.metrics.Shutdown(shutdownCtx)
	}
	if err := srv.main.Shutdown(shutdownCtx); err != nil {
		errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		_ = srv.main.Close()
	}
	a.accounts.Wait() // mail still being sent after its response
	stopLocal()
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

// fetchPollInterval is how often idle workers look for jobs. PostgreSQL
// wakes them at once with LISTEN/NOTIFY, so the queue's default poll is only
// a fallback there; on SQLite polling is the only wake-up, and publish →
// analysis → score is two jobs in a row: at the 250 ms default that measured
// p50 98 ms / p99 266 ms, at 50 ms p50 54 ms / p99 85 ms (BenchmarkPublishToScore,
// budget < 200 ms). An idle poll is one indexed read.
func fetchPollInterval(st *store.Store) time.Duration {
	if st.Engine() == store.SQLite {
		return 50 * time.Millisecond
	}
	return 0
}
