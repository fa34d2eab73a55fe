package pipeline_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/resonant-journal/resonant/internal/analysis"
	"github.com/resonant-journal/resonant/internal/analysis/fakegemini"
	"github.com/resonant-journal/resonant/internal/analysis/gemini"
	"github.com/resonant-journal/resonant/internal/analysis/pipeline"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// scripted is an external analyzer whose answers the test sets in order.
type scripted struct {
	mu      sync.Mutex
	answers []error // nil = success
	calls   int
}

func (s *scripted) Name() string { return "scripted" }

func (s *scripted) Analyze(ctx context.Context, in analysis.Input) (analysis.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	var err error
	if len(s.answers) > 0 {
		err, s.answers = s.answers[0], s.answers[1:]
	}
	if err != nil {
		return analysis.Result{}, err
	}
	return analysis.Result{
		SentimentScore: 0.6, ConfidenceLevel: 0.9, EmotionalKeywords: []string{"grateful"}, Reasoning: "Warm.",
		Patterns: analysis.Patterns{CommunicationStyle: "collaborative"},
	}, nil
}

// fixture is one user with one published entry, queued for analysis.
type fixture struct {
	s       *store.Store
	journal *journal.Service
	userID  string
	entryID string
	relID   string
	now     time.Time
}

func (f *fixture) clock() time.Time { return f.now }

func newFixture(t *testing.T, s *store.Store, consent, private bool) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{s: s, userID: "user-1", now: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	if _, err := s.Migrate(ctx, queue.MigrateStep(s)); err != nil {
		t.Fatal(err)
	}
	prefs := `{"aiConsent":false}`
	if consent {
		prefs = `{"aiConsent":true}`
	}
	storetest.AddUser(t, s, f.userID, prefs)
	client, err := queue.New(s, queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.journal = journal.New(journal.Config{Store: s, Enqueuer: queue.NewAnalysisJobs(client), Now: f.clock})
	name, kind := "Sam", "partner"
	rel, err := f.journal.CreateRelationship(ctx, f.userID, journal.RelationshipInput{Name: &name, Kind: &kind})
	if err != nil {
		t.Fatal(err)
	}
	f.relID = rel.ID
	content, status := "We cooked dinner together and talked for hours. I felt so close to him.", "published"
	v, err := f.journal.CreateEntry(ctx, f.userID, journal.EntryInput{RelationshipID: &rel.ID, Content: &content, IsPrivate: &private, Status: &status})
	if err != nil {
		t.Fatal(err)
	}
	f.entryID = v.Entry.ID
	return f
}

// run works the entry's job as River would: again after every snooze,
// returning the snooze delays it was asked for.
func (f *fixture) run(t *testing.T, w *pipeline.Worker) []time.Duration {
	t.Helper()
	job := &river.Job[queue.AnalyzeEntryArgs]{JobRow: &rivertype.JobRow{Attempt: 1}, Args: queue.AnalyzeEntryArgs{EntryID: f.entryID, UserID: f.userID}}
	var delays []time.Duration
	for range 20 {
		err := w.Work(context.Background(), job)
		var snooze *river.JobSnoozeError
		if errors.As(err, &snooze) {
			delays = append(delays, snooze.Duration)
			f.now = f.now.Add(snooze.Duration)
			continue
		}
		if err != nil {
			t.Fatalf("Work: %v", err)
		}
		return delays
	}
	t.Fatal("job never finished")
	return nil
}

func (f *fixture) status(t *testing.T) store.AnalysisStatus {
	t.Helper()
	st, err := f.s.GetAnalysisStatus(context.Background(), f.userID, f.entryID)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (f *fixture) analysis(t *testing.T) store.Analysis {
	t.Helper()
	a, err := f.s.GetAnalysis(context.Background(), f.userID, f.entryID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func noJitter(time.Duration) time.Duration { return 0 }

func newWorker(f *fixture, ext analysis.Analyzer, breaker store.BreakerConfig) *pipeline.Worker {
	p := pipeline.DefaultRetryPolicy()
	p.Jitter = noJitter
	return pipeline.NewWorker(pipeline.Config{Store: f.s, External: ext, Breaker: breaker, Retry: p, Now: f.clock})
}

func serverError() error {
	return &analysis.Error{Kind: analysis.KindServer, StatusCode: 500, Err: errors.New("boom")}
}

func TestHealthyAPICompletesTheAnalysis(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, true, false)
		ext := &scripted{}
		if d := f.run(t, newWorker(f, ext, pipeline.DefaultBreaker())); len(d) != 0 {
			t.Fatalf("snoozed %v on a healthy API", d)
		}
		st := f.status(t)
		if st.Status != "completed" || st.RetryCount != 0 || st.StartedAt.IsZero() || st.CompletedAt.IsZero() {
			t.Fatalf("status = %+v", st)
		}
		a := f.analysis(t)
		if a.ProcessingSource != "external_api" || a.AnalysisMethod != "ai_powered" || a.SentimentScore != 0.6 {
			t.Fatalf("analysis = %+v", a)
		}
	})
}

func TestTwoFailuresThenSuccessCompletesWithRetryCountTwo(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, true, false)
		ext := &scripted{answers: []error{serverError(), serverError(), nil}}
		delays := f.run(t, newWorker(f, ext, pipeline.DefaultBreaker()))
		if want := []time.Duration{time.Second, 2 * time.Second}; !equalDurations(delays, want) {
			t.Fatalf("delays %v, want %v", delays, want)
		}
		if st := f.status(t); st.Status != "completed" || st.RetryCount != 2 {
			t.Fatalf("status = %+v, want completed with retryCount 2", st)
		}
	})
}

func TestPersistentServerErrorsFallBackAfterThreeRetriesWithTheSpecDelays(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, true, false)
		ext := &scripted{answers: []error{serverError(), serverError(), serverError(), serverError(), serverError()}}
		delays := f.run(t, newWorker(f, ext, store.BreakerConfig{FailureThreshold: 10, SuccessThreshold: 1, HalfOpenProbes: 1, OpenTimeout: time.Minute}))
		if want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}; !equalDurations(delays, want) {
			t.Fatalf("delays %v, want %v", delays, want)
		}
		if ext.calls != 4 {
			t.Fatalf("%d API calls, want 4 (1 + 3 retries)", ext.calls)
		}
		st := f.status(t)
		if st.Status != "fallback" || st.FallbackReason != "api_error" || st.RetryCount != 3 || st.ErrorMessage == "" {
			t.Fatalf("status = %+v", st)
		}
		a := f.analysis(t)
		if a.ProcessingSource != "fallback_analysis" || a.AnalysisMethod != "rule_based_fallback" || a.SentimentScore <= 0 {
			t.Fatalf("analysis = %+v", a)
		}
	})
}

func TestRateLimitHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, true, false)
		ext := &scripted{answers: []error{&analysis.Error{Kind: analysis.KindRateLimit, StatusCode: 429, RetryAfter: 7 * time.Second, Err: errors.New("slow down")}}}
		delays := f.run(t, newWorker(f, ext, pipeline.DefaultBreaker()))
		if want := []time.Duration{7 * time.Second}; !equalDurations(delays, want) {
			t.Fatalf("delays %v, want %v", delays, want)
		}
		if st := f.status(t); st.Status != "completed" || st.RetryCount != 1 {
			t.Fatalf("status = %+v", st)
		}
	})
}

func TestNonRetryableErrorsFallBackAtOnce(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, true, false)
		ext := &scripted{answers: []error{&analysis.Error{Kind: analysis.KindSafety, Err: errors.New("blocked")}}}
		if d := f.run(t, newWorker(f, ext, pipeline.DefaultBreaker())); len(d) != 0 {
			t.Fatalf("retried a safety block: %v", d)
		}
		if st := f.status(t); st.Status != "fallback" || st.FallbackReason != "api_error" || ext.calls != 1 {
			t.Fatalf("status = %+v after %d calls", st, ext.calls)
		}
	})
}

func TestEntriesThatMustStayLocalNeverReachTheAPI(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name             string
		consent, private bool
		external         bool
		reason           string
	}{
		{"private entry", true, true, true, "private_entry"},
		{"no consent", false, false, true, "no_consent"},
		{"not configured", true, false, false, "not_configured"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
				f := newFixture(t, s, tc.consent, tc.private)
				ext := &scripted{}
				var a analysis.Analyzer
				if tc.external {
					a = ext
				}
				f.run(t, newWorker(f, a, pipeline.DefaultBreaker()))
				if ext.calls != 0 {
					t.Fatalf("the external analyzer was called %d times", ext.calls)
				}
				st := f.status(t)
				if st.Status != "fallback" || st.FallbackReason != tc.reason {
					t.Fatalf("status = %+v, want fallback/%s", st, tc.reason)
				}
				if a := f.analysis(t); a.AnalysisMethod != "rule_based_fallback" || a.ConfidenceLevel > 0.85 {
					t.Fatalf("analysis = %+v", a)
				}
			})
		})
	}
}

func TestOpenBreakerFallsBackWithoutCallingTheAPI(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, true, false)
		cfg := store.BreakerConfig{FailureThreshold: 2, SuccessThreshold: 1, HalfOpenProbes: 1, OpenTimeout: time.Hour}
		for range 2 {
			if err := s.InTx(context.Background(), func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.BreakerRecord(ctx, "scripted", false, f.now, cfg)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		ext := &scripted{}
		f.run(t, newWorker(f, ext, cfg))
		if ext.calls != 0 {
			t.Fatalf("called the API %d times through an open breaker", ext.calls)
		}
		st := f.status(t)
		if st.Status != "fallback" || st.FallbackReason != "circuit_open" || st.CircuitBreakerState != "open" {
			t.Fatalf("status = %+v", st)
		}
	})
}

func TestDeletedEntryIsNotAnalysed(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, true, false)
		if err := f.journal.DeleteEntry(context.Background(), f.userID, f.entryID); err != nil {
			t.Fatal(err)
		}
		ext := &scripted{}
		f.run(t, newWorker(f, ext, pipeline.DefaultBreaker()))
		if ext.calls != 0 {
			t.Fatalf("analysed a deleted entry (%d calls)", ext.calls)
		}
	})
}

func TestRepublishDuringAnalysisDiscardsTheStaleResult(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, true, false)
		ctx := context.Background()
		w := newWorker(f, &republisher{f: f, t: t}, pipeline.DefaultBreaker())
		f.run(t, w)
		st := f.status(t)
		if st.Status != "queued" {
			t.Fatalf("status = %+v, want the new round still queued", st)
		}
		if _, err := s.GetAnalysis(ctx, f.userID, f.entryID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("stale analysis stored: %v", err)
		}
	})
}

// republisher edits the entry while "the API" is answering.
type republisher struct {
	f *fixture
	t *testing.T
}

func (r *republisher) Name() string { return "republisher" }

func (r *republisher) Analyze(ctx context.Context, in analysis.Input) (analysis.Result, error) {
	r.f.now = r.f.now.Add(time.Second)
	content := "Actually, it ended in an argument."
	if _, err := r.f.journal.UpdateEntry(ctx, r.f.userID, r.f.entryID, journal.EntryInput{Content: &content}); err != nil {
		r.t.Error(err)
	}
	return analysis.Result{SentimentScore: 0.5, ConfidenceLevel: 0.5}, nil
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// fakeGeminiAnalyzer is the real Gemini analyzer talking to the fake server.
func fakeGeminiAnalyzer(t *testing.T) (analysis.Analyzer, *fakegemini.Server) {
	t.Helper()
	fake := fakegemini.New(fakegemini.Options{APIKey: "k"})
	srv := httptest.NewServer(fake)
	t.Cleanup(func() { fake.Close(); srv.Close() })
	g, err := gemini.New(context.Background(), gemini.Config{APIKey: "k", BaseURL: srv.URL, HTTPClient: srv.Client(), Model: "gemini-test"})
	if err != nil {
		t.Fatal(err)
	}
	return g, fake
}

func TestPersistent500sFromGeminiFallBackAfterThreeRetriesAtTheSpecDelays(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, true, false)
		g, fake := fakeGeminiAnalyzer(t)
		fake.SetFault(fakegemini.Error500)
		delays := f.run(t, newWorker(f, g, store.BreakerConfig{FailureThreshold: 10, SuccessThreshold: 1, HalfOpenProbes: 1, OpenTimeout: time.Minute}))
		if want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}; !equalDurations(delays, want) {
			t.Fatalf("delays %v, want %v", delays, want)
		}
		if calls := fake.Calls().Total; calls != 4 {
			t.Fatalf("%d calls to Gemini, want 4 (1 + 3 retries)", calls)
		}
		if st := f.status(t); st.Status != "fallback" || st.RetryCount != 3 || st.FallbackReason != "api_error" {
			t.Fatalf("status = %+v", st)
		}
	})
}

func TestGeminiRateLimitRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, true, false)
		g, fake := fakeGeminiAnalyzer(t)
		fake.FailNext(1, fakegemini.RateLimit) // Retry-After: 7 s by default
		delays := f.run(t, newWorker(f, g, pipeline.DefaultBreaker()))
		if len(delays) != 1 || delays[0] != 7*time.Second {
			t.Fatalf("delays %v, want [7s] from Retry-After", delays)
		}
		if st := f.status(t); st.Status != "completed" || st.RetryCount != 1 {
			t.Fatalf("status = %+v", st)
		}
	})
}

// TestBreakerOpensOnGeminiFailuresAndClosesAfterHalfOpenSuccesses publishes
// entries one after another against a failing fake Gemini: after the
// threshold the breaker opens and entries fall back without calls; after
// the open timeout, probes succeed against a healthy fake and it closes.
func TestBreakerOpensOnGeminiFailuresAndClosesAfterHalfOpenSuccesses(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, true, false)
		g, fake := fakeGeminiAnalyzer(t)
		cfg := store.BreakerConfig{FailureThreshold: 3, SuccessThreshold: 2, HalfOpenProbes: 1, OpenTimeout: 30 * time.Second}
		p := pipeline.DefaultRetryPolicy()
		p.Jitter, p.MaxRetries = noJitter, 0 // one call per entry keeps the count readable
		w := pipeline.NewWorker(pipeline.Config{Store: s, External: g, Breaker: cfg, Retry: p, Now: f.clock})
		ctx := context.Background()
		publish := func() {
			t.Helper()
			content, status := "Another evening, another talk about the dishes.", "published"
			v, err := f.journal.CreateEntry(ctx, f.userID, journal.EntryInput{RelationshipID: &f.relID, Content: &content, Status: &status})
			if err != nil {
				t.Fatal(err)
			}
			f.entryID = v.Entry.ID
			f.run(t, w)
		}
		fake.SetFault(fakegemini.Error503)
		f.run(t, w) // the fixture's entry: failure 1
		publish()   // failure 2
		publish()   // failure 3: opens
		if st, _ := s.BreakerState(ctx, "gemini:gemini-test"); st != "open" {
			t.Fatalf("breaker %s after 3 failures, want open", st)
		}
		before := fake.Calls().Total
		publish()
		if fake.Calls().Total != before {
			t.Fatal("called Gemini through an open breaker")
		}
		if st := f.status(t); st.FallbackReason != "circuit_open" || st.CircuitBreakerState != "open" {
			t.Fatalf("status = %+v, want fallback for circuit_open", st)
		}

		fake.SetFault(fakegemini.None)
		f.now = f.now.Add(31 * time.Second)
		publish() // probe 1 succeeds: still half-open
		if st := f.status(t); st.Status != "completed" || st.CircuitBreakerState != "half_open" {
			t.Fatalf("status = %+v, want completed while half-open", st)
		}
		publish() // probe 2 succeeds: closes
		if st, _ := s.BreakerState(ctx, "gemini:gemini-test"); st != "closed" {
			t.Fatalf("breaker %s after 2 half-open successes, want closed", st)
		}
	})
}

// TestOnFinishRunsInTheFinishTransaction: the OnFinish hook sees every
// finished analysis (completed or fallback) inside the transaction that
// stores it, so what it writes commits with the analysis; when it fails,
// nothing of the finish is stored and the job fails, to be retried.
func TestOnFinishRunsInTheFinishTransaction(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, true, false)
		errHook := errors.New("follow-up failed")
		var calls []string
		failing := true
		p := pipeline.DefaultRetryPolicy()
		p.Jitter = noJitter
		w := pipeline.NewWorker(pipeline.Config{Store: s, External: &scripted{}, Retry: p, Now: f.clock,
			OnFinish: func(ctx context.Context, tx *store.Tx, a store.Analysis) error {
				calls = append(calls, a.ProcessingSource)
				if a.EntryID != f.entryID || a.UserID != f.userID || a.RelationshipID != f.relID {
					t.Errorf("OnFinish got analysis %+v", a)
				}
				if _, err := tx.AppendEvent(ctx, store.Event{UserID: a.UserID, Type: store.EventHealthScoreUpdated,
					EntityID: a.RelationshipID, RelationshipID: a.RelationshipID, At: f.now}); err != nil {
					return err
				}
				if failing {
					return errHook
				}
				return nil
			}})
		followUps := func() int {
			var n int
			if err := s.WriteDB().QueryRowContext(ctx, s.Rebind(`SELECT COUNT(*) FROM events WHERE type = ?`),
				store.EventHealthScoreUpdated).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		job := &river.Job[queue.AnalyzeEntryArgs]{JobRow: &rivertype.JobRow{Attempt: 1}, Args: queue.AnalyzeEntryArgs{EntryID: f.entryID, UserID: f.userID}}
		if err := w.Work(ctx, job); !errors.Is(err, errHook) {
			t.Fatalf("Work = %v, want the hook's error", err)
		}
		if st := f.status(t); st.Status == store.AnalysisCompleted {
			t.Fatalf("status = %+v although the finish transaction failed", st)
		}
		if _, err := s.GetAnalysis(ctx, f.userID, f.entryID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("analysis stored although the finish transaction failed: %v", err)
		}
		if n := followUps(); n != 0 {
			t.Fatalf("%d follow-up events committed by a failed finish", n)
		}

		failing = false
		f.run(t, w)
		if st := f.status(t); st.Status != store.AnalysisCompleted {
			t.Fatalf("status = %+v, want completed", st)
		}
		if n := followUps(); n != 1 || len(calls) != 2 || calls[1] != "external_api" {
			t.Fatalf("%d follow-up events, hook calls %v; want 1 and two calls for the API's analysis", n, calls)
		}
	})
}
