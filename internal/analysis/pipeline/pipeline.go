// Package pipeline is the River worker that analyses journal entries: it
// sends an entry to the configured external analyzer (behind the shared
// circuit breaker, retrying as River snoozes) or to the built-in offline
// one, and stores the result with its status and real-time event in one
// transaction. The analyzers themselves know nothing of this: they
// implement the contract in package analysis.
package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/resonant-journal/resonant/internal/analysis"
	"github.com/resonant-journal/resonant/internal/analysis/offline"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
)

// Fallback reasons (spec: fallbackReason).
const (
	ReasonAPITimeout    = "api_timeout"
	ReasonAPIError      = "api_error"
	ReasonRateLimit     = "rate_limit"
	ReasonCircuitOpen   = "circuit_open"
	ReasonNotConfigured = "not_configured"
	ReasonNoConsent     = "no_consent"
	ReasonPrivateEntry  = "private_entry"
)

// fallbackConfidence scales the offline analyzer's confidence when it
// stands in for a model: a lexicon reads less of a text than a model does.
const fallbackConfidence = 0.85

// Config configures the pipeline worker.
type Config struct {
	Store *store.Store
	// External is the configured LLM analyzer, or nil when none is.
	External analysis.Analyzer
	// Offline returns the offline analyzer. Its lexicons, rules and model
	// take about 7 MB of heap, so it is built on first use (a server that
	// analyses nothing never holds it) and shared by the workers that get
	// the same Config. Default: built once per NewWorker.
	Offline func() *offline.Analyzer
	// BreakerName keys the shared breaker row (one per provider).
	BreakerName    string
	Breaker        store.BreakerConfig
	Retry          RetryPolicy
	AttemptTimeout time.Duration
	Now            func() time.Time
	Logger         *slog.Logger
	// OnFinish, when set, runs inside the transaction that stores a
	// completed or fallback analysis (the health-score recompute is queued
	// here, so it commits with the analysis: never missed, never twice). Its
	// error rolls the transaction back and fails the job, which River retries.
	OnFinish func(ctx context.Context, tx *store.Tx, a store.Analysis) error
	// OnFinishBatch, when set, is what the in-process queue (Local) calls
	// instead of OnFinish: once per finishing transaction, with every
	// analysis it stored, so work per batch (one score recompute per
	// relationship) is done once.
	OnFinishBatch func(ctx context.Context, tx *store.Tx, analyses []store.Analysis) error
}

// DefaultBreaker are the breaker thresholds used unless configured.
func DefaultBreaker() store.BreakerConfig {
	return store.BreakerConfig{FailureThreshold: 5, SuccessThreshold: 2, HalfOpenProbes: 1, OpenTimeout: 60 * time.Second}
}

// Worker analyses one entry per job. API retries are River snoozes, which
// do not spend River attempts: the retry count lives in analysis_status,
// and River's own attempts remain for unexpected failures (a database
// error), which it retries on the same schedule.
type Worker struct {
	river.WorkerDefaults[queue.AnalyzeEntryArgs]
	cfg Config
}

// NewWorker fills in defaults and returns the worker.
func NewWorker(cfg Config) *Worker {
	if cfg.Offline == nil {
		cfg.Offline = sync.OnceValue(offline.New)
	}
	if cfg.BreakerName == "" && cfg.External != nil {
		cfg.BreakerName = cfg.External.Name()
	}
	if cfg.Breaker == (store.BreakerConfig{}) {
		cfg.Breaker = DefaultBreaker()
	}
	if cfg.Retry.MaxRetries == 0 && cfg.Retry.Base == 0 {
		cfg.Retry = DefaultRetryPolicy()
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = 20 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Worker{cfg: cfg}
}

// Timeout bounds one attempt: the API call plus the database work around it.
func (w *Worker) Timeout(*river.Job[queue.AnalyzeEntryArgs]) time.Duration {
	return JobTimeout(w.cfg.AttemptTimeout)
}

// JobTimeout is the bound on one analysis job: the provider call's timeout
// plus time for the database work around it.
func JobTimeout(attemptTimeout time.Duration) time.Duration {
	return attemptTimeout + 15*time.Second
}

// NextRetry spaces River's own retries (database trouble) like API retries.
func (w *Worker) NextRetry(job *river.Job[queue.AnalyzeEntryArgs]) time.Time {
	return w.cfg.Now().Add(w.cfg.Retry.Delay(max(job.Attempt-1, 0)))
}

// Work implements river.Worker.
func (w *Worker) Work(ctx context.Context, job *river.Job[queue.AnalyzeEntryArgs]) error {
	args := job.Args
	work, err := w.cfg.Store.GetAnalysisWork(ctx, args.UserID, args.EntryID)
	if errors.Is(err, store.ErrNotFound) {
		w.cfg.Logger.DebugContext(ctx, "analysis skipped: entry deleted", slog.String("entry", args.EntryID))
		return nil
	}
	if err != nil {
		return err
	}
	st := work.Status
	if st.Status != store.AnalysisQueued && st.Status != store.AnalysisProcessing {
		return nil // finished already (a duplicate or rescued job)
	}
	r := &round{w: w, work: work, status: st.Status}

	if reason := w.offlineReason(work); reason != "" {
		return r.fallback(ctx, reason, "", "")
	}

	allowed, bstate, err := w.breakerAllow(ctx)
	if err != nil {
		return err
	}
	if !allowed {
		return r.fallback(ctx, ReasonCircuitOpen, bstate, "the AI provider is failing; its circuit breaker is open")
	}
	if ok, err := r.change(ctx, store.AnalysisProcessing, st.RetryCount, bstate, "", ""); err != nil || !ok {
		return w.releaseProbe(ctx, bstate, err)
	}

	callCtx, cancel := context.WithTimeout(ctx, w.cfg.AttemptTimeout)
	start := time.Now()
	res, callErr := w.cfg.External.Analyze(callCtx, analysis.Input{
		Content: work.Entry.Content, Mood: work.Entry.Mood, Tags: work.Entry.Tags, RelationshipKind: work.RelationshipKind,
	})
	elapsed := time.Since(start)
	cancel()
	if callErr == nil {
		res, callErr = analysis.Sanitize(res)
	}

	if callErr != nil && ctx.Err() != nil {
		// Shutting down (or River's job timeout): not the provider's fault.
		// Release the probe and put the job back without spending a retry.
		_ = w.releaseProbe(ctx, bstate, nil)
		if _, err := r.change(context.WithoutCancel(ctx), store.AnalysisQueued, st.RetryCount, bstate, "", ""); err != nil {
			return err
		}
		return river.JobSnooze(0)
	}

	aerr := analysis.AsError(callErr)
	healthy := callErr == nil || !countsAgainstBreaker(aerr.Kind)
	bstate, err = w.breakerRecord(ctx, healthy)
	if err != nil {
		return err
	}
	if callErr == nil {
		return r.finish(ctx, store.AnalysisCompleted, "", bstate, "", res, w.cfg.External.Name(), elapsed)
	}

	w.cfg.Logger.WarnContext(ctx, "analysis call failed", slog.String("entry", args.EntryID), slog.String("kind", string(aerr.Kind)),
		slog.Int("status", aerr.StatusCode), slog.Int("retry", st.RetryCount), slog.Any("err", callErr))
	if aerr.Retryable() && st.RetryCount < w.cfg.Retry.MaxRetries && aerr.RetryAfter <= w.cfg.Retry.MaxRetryAfter {
		delay := max(w.cfg.Retry.Delay(st.RetryCount), aerr.RetryAfter)
		msg := fmt.Sprintf("%s; retrying in %s", describe(aerr), delay.Round(100*time.Millisecond))
		if _, err := r.change(ctx, store.AnalysisQueued, st.RetryCount+1, bstate, msg, ""); err != nil {
			return err
		}
		return river.JobSnooze(delay)
	}
	return r.fallback(ctx, fallbackReason(aerr.Kind), bstate, describe(aerr))
}

// releaseProbe frees the half-open probe slot BreakerAllow gave when the
// call never happened; it passes err through.
func (w *Worker) releaseProbe(ctx context.Context, bstate string, err error) error {
	if bstate != store.BreakerHalfOpen {
		return err
	}
	if _, rerr := w.breakerRecord(context.WithoutCancel(ctx), true); rerr != nil && err == nil {
		err = rerr
	}
	return err
}

// breakerAllow asks the shared breaker, in a transaction of its own,
// whether the external call may go ahead.
func (w *Worker) breakerAllow(ctx context.Context) (allowed bool, state string, err error) {
	err = w.cfg.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		allowed, state, err = tx.BreakerAllow(ctx, w.cfg.BreakerName, w.cfg.Now(), w.cfg.Breaker)
		return err
	})
	return allowed, state, err
}

// breakerRecord records a call's outcome, in a transaction of its own.
func (w *Worker) breakerRecord(ctx context.Context, success bool) (state string, err error) {
	err = w.cfg.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		state, err = tx.BreakerRecord(ctx, w.cfg.BreakerName, success, w.cfg.Now(), w.cfg.Breaker)
		return err
	})
	return state, err
}

// offlineReason says why an entry must not go to the external analyzer,
// or "" when it may.
func (w *Worker) offlineReason(work store.AnalysisWork) string {
	switch {
	case work.Entry.IsPrivate:
		return ReasonPrivateEntry
	case w.cfg.External == nil:
		return ReasonNotConfigured
	case !aiConsent(work.Preferences):
		return ReasonNoConsent
	}
	return ""
}

func aiConsent(preferences string) bool {
	var p struct {
		AIConsent bool `json:"aiConsent"`
	}
	return json.Unmarshal([]byte(preferences), &p) == nil && p.AIConsent
}

// countsAgainstBreaker: only failures that say the provider is unhealthy
// (or unusable, like a revoked key) open the breaker; a refused or
// malformed answer to one entry does not.
func countsAgainstBreaker(k analysis.ErrorKind) bool {
	switch k {
	case analysis.KindTimeout, analysis.KindRateLimit, analysis.KindServer, analysis.KindAuth:
		return true
	}
	return false
}

func fallbackReason(k analysis.ErrorKind) string {
	switch k {
	case analysis.KindTimeout:
		return ReasonAPITimeout
	case analysis.KindRateLimit:
		return ReasonRateLimit
	}
	return ReasonAPIError
}

// describe is the error message a person may see: the kind and status,
// never the provider's raw text (which can echo the entry or a key).
func describe(e *analysis.Error) string {
	var msg string
	switch e.Kind {
	case analysis.KindTimeout:
		msg = "the AI provider did not answer in time"
	case analysis.KindRateLimit:
		msg = "the AI provider is rate limiting requests"
	case analysis.KindServer:
		msg = "the AI provider had an internal error"
	case analysis.KindInvalid:
		msg = "the AI provider rejected the request"
	case analysis.KindAuth:
		msg = "the AI provider rejected the API key"
	case analysis.KindSafety:
		msg = "the AI provider declined to analyse this entry"
	case analysis.KindMalformed:
		msg = "the AI provider's answer was not a valid analysis"
	default:
		msg = "the AI provider failed"
	}
	if e.StatusCode != 0 {
		msg += fmt.Sprintf(" (HTTP %d)", e.StatusCode)
	}
	return msg
}

// round is one job's view of an analysis round (identified by QueuedAt).
type round struct {
	w      *Worker
	work   store.AnalysisWork
	status string // as last committed by this job
}

// change commits a status change and its event; false means the round is
// stale (re-published, retried or deleted meanwhile) and the job should stop.
func (r *round) change(ctx context.Context, status string, retry int, bstate, errMsg, reason string) (bool, error) {
	return r.commit(ctx, r.statusChange(status, retry, bstate, errMsg, reason, r.w.cfg.Now()), nil)
}

// statusChange describes a change of this round's status.
func (r *round) statusChange(status string, retry int, bstate, errMsg, reason string, at time.Time) store.StatusChange {
	return store.StatusChange{
		EntryID: r.work.Entry.ID, QueuedAt: r.work.Status.QueuedAt, Status: status, RetryCount: retry,
		CircuitBreakerState: orClosed(bstate), ErrorMessage: errMsg, FallbackReason: reason, At: at,
	}
}

// fallback runs the offline analyzer and stores its result as fallback,
// passing through processing as every round does.
func (r *round) fallback(ctx context.Context, reason, bstate, errMsg string) error {
	if r.status != store.AnalysisProcessing {
		if ok, err := r.change(ctx, store.AnalysisProcessing, r.work.Status.RetryCount, bstate, "", ""); err != nil || !ok {
			return err
		}
	}
	res, err := r.runOffline()
	if err != nil {
		_, cerr := r.change(ctx, store.AnalysisFailed, r.work.Status.RetryCount, bstate,
			"the offline analyzer could not analyse this entry", reason)
		r.w.cfg.Logger.ErrorContext(ctx, "offline analysis failed", slog.String("entry", r.work.Entry.ID), slog.Any("err", err))
		return cerr
	}
	res.ConfidenceLevel *= fallbackConfidence
	return r.finish(ctx, store.AnalysisFallback, reason, bstate, errMsg, res, "offline", 0)
}

func (r *round) runOffline() (res analysis.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("offline analyzer panicked: %v", p)
		}
	}()
	return analysis.Sanitize(r.w.cfg.Offline().Analyze(r.work.Entry.Content))
}

// finish stores the analysis and the final status in one transaction.
func (r *round) finish(ctx context.Context, status, reason, bstate, errMsg string, res analysis.Result, model string, elapsed time.Duration) error {
	patterns, err := json.Marshal(res.Patterns)
	if err != nil {
		return fmt.Errorf("encode patterns: %w", err)
	}
	now := r.w.cfg.Now()
	a := storedAnalysis(r.work.Entry, status, res, patterns, model, elapsed, now)
	_, err = r.commit(ctx, r.statusChange(status, r.work.Status.RetryCount, bstate, errMsg, reason, now), &a)
	return err
}

// storedAnalysis is the analysis row of a finished round.
func storedAnalysis(e store.Entry, status string, res analysis.Result, patterns json.RawMessage, model string, elapsed time.Duration, now time.Time) store.Analysis {
	a := store.Analysis{
		EntryID: e.ID, UserID: e.UserID, RelationshipID: e.RelationshipID,
		SentimentScore: res.SentimentScore, EmotionalKeywords: res.EmotionalKeywords, ConfidenceLevel: res.ConfidenceLevel,
		Reasoning: res.Reasoning, Patterns: patterns, Model: model, APIResponseTime: int(elapsed.Milliseconds()), CompletedAt: now,
		ProcessingSource: "external_api", AnalysisMethod: "ai_powered",
	}
	if status != store.AnalysisCompleted {
		a.ProcessingSource, a.AnalysisMethod = "fallback_analysis", "rule_based_fallback"
	}
	return a
}

// commit applies c (and saves a, when given) with its event in one
// transaction; nothing is written when the round is stale.
func (r *round) commit(ctx context.Context, c store.StatusChange, a *store.Analysis) (bool, error) {
	errStale := errors.New("stale round")
	err := r.w.cfg.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		ok, err := tx.ChangeAnalysisStatus(ctx, c)
		if err != nil {
			return err
		}
		if !ok {
			return errStale
		}
		if a != nil {
			if err := tx.SaveAnalysis(ctx, *a); err != nil {
				return err
			}
			if r.w.cfg.OnFinish != nil {
				if err := r.w.cfg.OnFinish(ctx, tx, *a); err != nil {
					return err
				}
			}
		}
		_, err = tx.AppendEvent(ctx, statusEvent(r.work.Entry, c))
		return err
	})
	if errors.Is(err, errStale) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	r.status = c.Status
	return true, nil
}

// statusEvent announces the status change c of entry e.
func statusEvent(e store.Entry, c store.StatusChange) store.Event {
	return store.Event{
		UserID: e.UserID, Type: store.EventAnalysisStatus, EntityID: c.EntryID, RelationshipID: e.RelationshipID, At: c.At,
		Data: store.AnalysisStatusData{Status: c.Status, RetryCount: c.RetryCount, FallbackReason: c.FallbackReason},
	}
}

func orClosed(state string) string {
	if state == "" {
		return store.BreakerClosed
	}
	return state
}
