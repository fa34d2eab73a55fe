package web

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/analysis/offline"
	"github.com/resonant-journal/resonant/internal/store"
)

// benchTexts are what the benchmark user writes (each analysed once by the
// offline analyzer; the 10,000 entries reuse those analyses).
var benchTexts = []string{
	"We cooked dinner together and laughed about the week. I felt close to Sam.",
	"You never listen to me and you always interrupt. I am tired of it.",
	"Sam walked out of the room when I tried to talk about money again.",
	"I apologised for snapping this morning and we hugged it out.",
	"Work was stressful, but Sam made me tea and asked how I was doing.",
	"We planned our trip for next summer and I'm excited about it.",
	"I feel ignored lately; Sam keeps scrolling his phone while I talk.",
	"Thank you for picking up the kids today, I really appreciated it.",
	"We argued about chores. I admit I was defensive, it wasn't all Sam's fault.",
	"Quiet evening, watched a film, nothing special.",
	"I'm worried about my mother's health and Sam was there for me.",
	"He forgot our anniversary again. I feel unappreciated.",
}

// seedBenchJournal gives userID entries published entries over three
// years up to now across rels, each with a stored (offline) analysis and
// a final status, and computes each relationship's score and insights.
func (e *testEnv) seedBenchJournal(b *testing.B, userID string, rels []string, entries int) {
	ctx := context.Background()
	off := offline.New()
	type res struct {
		sentiment, conf float64
		patterns        []byte
	}
	results := make([]res, len(benchTexts))
	for i, t := range benchTexts {
		r := off.Analyze(t)
		p, err := json.Marshal(r.Patterns)
		if err != nil {
			b.Fatal(err)
		}
		results[i] = res{r.SentimentScore, r.ConfidenceLevel, p}
	}
	now := time.Now().UTC().Truncate(time.Second)
	span := 3 * 365 * 24 * time.Hour
	r := rand.New(rand.NewPCG(1, 1))
	all := make([]store.Entry, entries)
	for i := range all {
		at := now.Add(-span + time.Duration(float64(span)*float64(i)/float64(entries)))
		rel := rels[r.IntN(100)%len(rels)*min(1, r.IntN(3))] // the first relationship gets most entries
		all[i] = store.Entry{ID: fmt.Sprintf("bench-%06d", i), UserID: userID, RelationshipID: rel, Content: benchTexts[i%len(benchTexts)],
			Status: store.EntryPublished, PublishedAt: at, CreatedAt: at, UpdatedAt: at}
	}
	for start := 0; start < len(all); start += 1000 {
		batch := all[start:min(start+1000, len(all))]
		err := e.store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			if err := tx.InsertEntries(ctx, batch); err != nil {
				return err
			}
			ids := make([]string, len(batch))
			for j, en := range batch {
				ids[j] = en.ID
			}
			if err := tx.QueueAnalyses(ctx, userID, ids, now); err != nil {
				return err
			}
			for j, en := range batch {
				rs := results[(start+j)%len(results)]
				if _, err := tx.ChangeAnalysisStatus(ctx, store.StatusChange{EntryID: en.ID, QueuedAt: now, Status: store.AnalysisFallback,
					FallbackReason: "no_provider", CircuitBreakerState: store.BreakerClosed, At: now}); err != nil {
					return err
				}
				if err := tx.SaveAnalysis(ctx, store.Analysis{EntryID: en.ID, UserID: userID, RelationshipID: en.RelationshipID,
					SentimentScore: rs.sentiment, ConfidenceLevel: rs.conf, Patterns: rs.patterns, ProcessingSource: "fallback_analysis",
					AnalysisMethod: "rule_based_fallback", Model: "offline", CompletedAt: en.CreatedAt}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, rel := range rels {
		if _, err := e.insight.Recompute(ctx, userID, rel); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDashboard measures the server time of the dashboard, its
// fragments and the relationship page for a user with 10,000 analysed
// entries over three years (issue 14: dashboard p99 < 20 ms), in-process
// on SQLite: the handler from request to last byte, without the network.
// "cold" makes the trend cache stale before every request, as a new
// analysis does; the others read it warm. Each reports its median and p99
// and the process's CPU time per request (user + system, all goroutines:
// steadier than wall time on a shared machine; cold includes the untimed
// invalidation).
//
//	go test -run '^$' -bench Dashboard -benchtime 300x ./internal/web/
func BenchmarkDashboard(b *testing.B) {
	e := newTestEnv(b)
	ctx := context.Background()
	_, u := e.signedIn("bench@example.com")
	rels := []string{e.relationship(u.ID, "Sam").ID, e.relationship(u.ID, "Mum").ID, e.relationship(u.ID, "Maya").ID,
		e.relationship(u.ID, "Jordan").ID}
	start := time.Now()
	e.seedBenchJournal(b, u.ID, rels, 10_000)
	b.Logf("seeded 10,000 analysed entries in %s", time.Since(start).Round(time.Millisecond))
	stale := func() {
		if err := e.store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return tx.InvalidateTrendCache(ctx, u.ID) }); err != nil {
			b.Fatal(err)
		}
	}
	handler := e.srv.Config.Handler
	for _, c := range []struct {
		name, path string
		before     func()
	}{
		{"home", "/home", nil},
		{"home-cold", "/home", stale},
		{"home-health", "/home/health", nil},
		{"home-trends", "/home/trends", nil},
		{"home-insights", "/home/insights", nil},
		{"home-recent", "/home/recent", nil},
		{"relationship", "/relationships/" + rels[0], nil},
		{"relationship-cold", "/relationships/" + rels[0], stale},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, c.path, nil)
			req.AddCookie(&http.Cookie{Name: testUserCookie, Value: u.ID})
			serve := func() int {
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, req)
				return rec.Code
			}
			if code := serve(); code != http.StatusOK { // warms the cache
				b.Fatalf("%s: %d", c.path, code)
			}
			times := make([]time.Duration, 0, b.N)
			cpu0 := cpuTime(b)
			for b.Loop() {
				if c.before != nil {
					b.StopTimer()
					c.before()
					b.StartTimer()
				}
				t0 := time.Now()
				code := serve()
				times = append(times, time.Since(t0))
				if code != http.StatusOK {
					b.Fatalf("%s: %d", c.path, code)
				}
			}
			cpu := cpuTime(b) - cpu0
			slices.Sort(times)
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(times)), "cpu-ms/op")
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(times[min(len(times)-1, len(times)*99/100)].Microseconds())/1000, "p99-ms")
		})
	}
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
