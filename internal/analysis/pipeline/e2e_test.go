package pipeline_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/resonant-journal/resonant/internal/analysis/fakegemini"
	"github.com/resonant-journal/resonant/internal/analysis/gemini"
	"github.com/resonant-journal/resonant/internal/analysis/pipeline"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// runningPipeline is a running River client with the analysis worker, talking to
// the fake Gemini server through the real Gemini analyzer.
type runningPipeline struct {
	s       *store.Store
	fake    *fakegemini.Server
	journal *journal.Service
	client  *queue.Client
	userID  string
	relID   string
}

func startPipeline(t testing.TB, s *store.Store, retry pipeline.RetryPolicy, breaker store.BreakerConfig, maxWorkers int) *runningPipeline {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Migrate(ctx, queue.MigrateStep(s)); err != nil {
		t.Fatal(err)
	}
	fake := fakegemini.New(fakegemini.Options{APIKey: "k"})
	srv := httptest.NewServer(fake)
	t.Cleanup(func() { fake.Close(); srv.Close() })
	g, err := gemini.New(ctx, gemini.Config{APIKey: "k", BaseURL: srv.URL, HTTPClient: srv.Client(), Model: "gemini-test", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, pipeline.NewWorker(pipeline.Config{Store: s, External: g, Retry: retry, Breaker: breaker, AttemptTimeout: 5 * time.Second}))
	client, err := queue.New(s, queue.Options{Workers: workers, MaxWorkers: maxWorkers, FetchPollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	p := &runningPipeline{s: s, fake: fake, client: client, userID: "user-1"}
	p.journal = journal.New(journal.Config{Store: s, Enqueuer: queue.NewAnalysisJobs(client)})
	storetest.AddUser(t, s, p.userID, `{"aiConsent":true}`)
	name, kind := "Sam", "partner"
	rel, err := p.journal.CreateRelationship(ctx, p.userID, journal.RelationshipInput{Name: &name, Kind: &kind})
	if err != nil {
		t.Fatal(err)
	}
	p.relID = rel.ID
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
	return p
}

func (p *runningPipeline) publish(t testing.TB, content string) string {
	t.Helper()
	status := "published"
	v, err := p.journal.CreateEntry(context.Background(), p.userID, journal.EntryInput{RelationshipID: &p.relID, Content: &content, Status: &status})
	if err != nil {
		t.Fatal(err)
	}
	return v.Entry.ID
}

// waitFinished waits (polling the database, bounded) until no status is
// queued or processing, and returns the counts by status.
func (p *runningPipeline) waitFinished(t testing.TB, total int, limit time.Duration) map[string]int {
	t.Helper()
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		counts, err := p.s.CountAnalysisStatuses(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if counts["completed"]+counts["fallback"]+counts["failed"] == total {
			return counts
		}
		if time.Now().After(deadline) {
			t.Fatalf("analyses not finished after %v: %v", limit, counts)
		}
		<-tick.C
	}
}

func fastRetry() pipeline.RetryPolicy {
	return pipeline.RetryPolicy{MaxRetries: 3, Base: 5 * time.Millisecond, Cap: 50 * time.Millisecond, MaxJitter: 2 * time.Millisecond, MaxRetryAfter: 2 * time.Minute}
}

// TestPipelineThroughFakeGemini drives the real River client, worker and
// Gemini analyzer against the fake server on each engine.
func TestPipelineThroughFakeGemini(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		p := startPipeline(t, s, fastRetry(), store.BreakerConfig{FailureThreshold: 100, SuccessThreshold: 1, HalfOpenProbes: 1, OpenTimeout: time.Minute}, 4)
		ctx := context.Background()

		healthy := p.publish(t, "We walked by the sea and I felt so loved and grateful.")
		p.waitFinished(t, 1, 30*time.Second)
		if st, _ := p.s.GetAnalysisStatus(ctx, p.userID, healthy); st.Status != "completed" || st.RetryCount != 0 {
			t.Fatalf("healthy: %+v", st)
		}

		p.fake.FailNext(2, fakegemini.Error500)
		flaky := p.publish(t, "He listened when I told him about my day.")
		p.waitFinished(t, 2, 30*time.Second)
		if st, _ := p.s.GetAnalysisStatus(ctx, p.userID, flaky); st.Status != "completed" || st.RetryCount != 2 {
			t.Fatalf("2 failures then success: %+v", st)
		}

		p.fake.SetFault(fakegemini.Error503)
		down := p.publish(t, "We argued about money again and he walked out.")
		p.waitFinished(t, 3, 30*time.Second)
		st, _ := p.s.GetAnalysisStatus(ctx, p.userID, down)
		if st.Status != "fallback" || st.RetryCount != 3 || st.FallbackReason != "api_error" {
			t.Fatalf("persistent 503: %+v", st)
		}
		a, err := p.s.GetAnalysis(ctx, p.userID, down)
		if err != nil || a.SentimentScore >= 0 || a.ProcessingSource != "fallback_analysis" {
			t.Fatalf("fallback analysis = %+v, %v", a, err)
		}

		p.fake.SetFault(fakegemini.SchemaViolation)
		bad := p.publish(t, "A quiet evening at home.")
		p.waitFinished(t, 4, 30*time.Second)
		if st, _ := p.s.GetAnalysisStatus(ctx, p.userID, bad); st.Status == "completed" {
			if a, _ := p.s.GetAnalysis(ctx, p.userID, bad); a.SentimentScore < -1 || a.SentimentScore > 1 {
				t.Fatalf("out-of-range score stored: %v", a.SentimentScore)
			}
		}
	})
}

// TestLoad10k is the load test: 10,000 published entries against a
// fake API failing 30% of calls. It runs with `make bench` (RESONANT_LOAD=1)
// and reports the statuses, wall time and API calls made.
func TestLoad10k(t *testing.T) {
	if os.Getenv("RESONANT_LOAD") != "1" {
		t.Skip("load test: run with RESONANT_LOAD=1 (make bench)")
	}
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("RESONANT_LOAD_ENTRIES")); err == nil && v > 0 {
		n = v
	}
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			s := storetest.Open(t, e)
			// A breaker that does not open, so every entry meets the faulty API
			// (with the default thresholds it would open and spare calls).
			p := startPipeline(t, s, fastRetry(), store.BreakerConfig{FailureThreshold: n, SuccessThreshold: 1, HalfOpenProbes: 1, OpenTimeout: time.Minute}, 20)
			p.fake.FailRate(0.3, fakegemini.Error503, 42)
			start := time.Now()
			var wg sync.WaitGroup
			var next atomic.Int64
			for range 8 {
				wg.Go(func() {
					for {
						i := next.Add(1)
						if i > int64(n) {
							return
						}
						p.publish(t, fmt.Sprintf("Entry %d: we talked about the week and I felt heard, though work stress crept in.", i))
					}
				})
			}
			wg.Wait()
			published := time.Since(start)
			counts := p.waitFinished(t, n, 30*time.Minute)
			wall := time.Since(start)
			calls := p.fake.Calls().Total
			sum := counts["completed"] + counts["fallback"] + counts["failed"]
			t.Logf("%s: %d entries published in %v; all analysed in %v (%.0f entries/s)", e, n, published.Round(time.Millisecond), wall.Round(time.Millisecond), float64(n)/wall.Seconds())
			t.Logf("%s: statuses completed=%d fallback=%d failed=%d (sum %d)", e, counts["completed"], counts["fallback"], counts["failed"], sum)
			t.Logf("%s: API calls %d vs minimum %d (ratio %.3f; expected ≈ 1/(1-0.3) = 1.43 for independent 30%% failures)", e, calls, n, float64(calls)/float64(n))
			if sum != n {
				t.Fatalf("statuses sum to %d, want %d", sum, n)
			}
		})
	}
}
