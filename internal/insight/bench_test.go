package insight_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/resonant-journal/resonant/internal/analysis/offline"
	"github.com/resonant-journal/resonant/internal/analysis/pipeline"
	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// benchTexts are the entries the benchmark user writes (analysed once by
// the offline analyzer; the 10,000 entries reuse their analyses).
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

type benchUser struct {
	s      *store.Store
	svc    *insight.Service
	jobs   *recordingJobs
	clock  *clock
	user   string
	rels   []string
	newest map[string]string // relationship → its newest entry
}

// seedBenchUser writes a user with entries entries over three years (up to
// now) across four relationships, each with its analysis, and computes
// their scores.
func seedBenchUser(b *testing.B, s *store.Store, entries int) *benchUser {
	b.Helper()
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	u := &benchUser{s: s, jobs: &recordingJobs{}, clock: &clock{t: now}, user: "bench", newest: map[string]string{}}
	u.svc = insight.New(insight.Config{Store: s, Jobs: u.jobs, Mailer: &mailbox{}, BaseURL: "http://bench", Now: u.clock.Now})
	storetest.AddUser(b, s, u.user, `{"timezone":"Europe/Paris"}`)
	off := offline.New()
	type res struct {
		sentiment, conf float64
		patterns        []byte
	}
	var results []res
	for _, t := range benchTexts {
		r := off.Analyze(t)
		p, _ := json.Marshal(r.Patterns)
		results = append(results, res{r.SentimentScore, r.ConfidenceLevel, p})
	}
	err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		for i, name := range []string{"Sam", "Mum", "Alex", "Priya"} {
			id := "rel-" + strconv.Itoa(i)
			u.rels = append(u.rels, id)
			if err := tx.CreateRelationship(ctx, store.Relationship{ID: id, UserID: u.user, Name: name, Kind: "partner",
				CreatedAt: now.AddDate(-3, 0, -1), UpdatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	span := 3 * 365 * 24 * time.Hour
	var all []store.Entry
	for i := range entries {
		at := now.Add(-span + time.Duration(float64(span)*float64(i)/float64(entries)))
		rel := u.rels[r.IntN(100)%len(u.rels)*min(1, r.IntN(3))] // Sam gets most entries
		id := fmt.Sprintf("e%06d", i)
		all = append(all, store.Entry{ID: id, UserID: u.user, RelationshipID: rel, Content: benchTexts[i%len(benchTexts)],
			Status: store.EntryPublished, PublishedAt: at, CreatedAt: at, UpdatedAt: at})
		u.newest[rel] = id
	}
	for start := 0; start < len(all); start += 1000 {
		batch := all[start:min(start+1000, len(all))]
		err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			if err := tx.InsertEntries(ctx, batch); err != nil {
				return err
			}
			for j, e := range batch {
				rs := results[(start+j)%len(results)]
				if err := tx.SaveAnalysis(ctx, store.Analysis{EntryID: e.ID, UserID: u.user, RelationshipID: e.RelationshipID,
					SentimentScore: rs.sentiment, ConfidenceLevel: rs.conf, Patterns: rs.patterns, ProcessingSource: "fallback_analysis",
					AnalysisMethod: "rule_based_fallback", Model: "offline", CompletedAt: e.CreatedAt}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, rel := range u.rels {
		if _, err := u.svc.Recompute(ctx, u.user, rel); err != nil {
			b.Fatal(err)
		}
	}
	return u
}

// measure runs fn b.N times (setup untimed) and reports p50 and p99.
func measure(b *testing.B, setup func(), fn func()) {
	b.Helper()
	d := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		if setup != nil {
			b.StopTimer()
			setup()
			b.StartTimer()
		}
		t := time.Now()
		fn()
		d = append(d, time.Since(t))
	}
	b.StopTimer()
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(d[min(len(d)-1, len(d)*99/100)].Microseconds())/1000, "p99-ms")
}

// BenchmarkInsight measures, for a user with 10,000 entries over three
// years on each engine: the dashboard and trends cold (cache stale) and
// cached, and one score recomputation after an analysis.
//
//	go test -run '^$' -bench BenchmarkInsight -benchtime 200x ./internal/insight/
func BenchmarkInsight(b *testing.B) {
	for _, engine := range storetest.Engines {
		b.Run(string(engine), func(b *testing.B) {
			s := storetest.Open(b, engine)
			u := seedBenchUser(b, s, 10000)
			ctx := context.Background()
			invalidate := func() {
				if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return tx.InvalidateTrendCache(ctx, u.user) }); err != nil {
					b.Fatal(err)
				}
			}
			dashboard := func() {
				d, err := u.svc.Dashboard(ctx, u.user)
				if err != nil || len(d.HealthScores) != len(u.rels) || len(d.Trends.Sentiment) == 0 {
					b.Fatalf("dashboard: %v (%d scores)", err, len(d.HealthScores))
				}
			}
			trends := func() {
				if _, err := u.svc.Trends(ctx, u.user, insight.TrendQuery{RelationshipID: u.rels[0], Days: 90}); err != nil {
					b.Fatal(err)
				}
			}
			b.Run("dashboard-cached", func(b *testing.B) { dashboard(); measure(b, nil, dashboard) })
			b.Run("dashboard-cold", func(b *testing.B) { measure(b, invalidate, dashboard) })
			b.Run("trends-cached", func(b *testing.B) { trends(); measure(b, nil, trends) })
			b.Run("trends-cold", func(b *testing.B) { measure(b, invalidate, trends) })
			n := 0
			b.Run("recompute", func(b *testing.B) {
				rel := u.rels[0]
				measure(b, func() {
					// A new analysis of the relationship's newest entry lands.
					n++
					err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
						if _, err := tx.SQL().ExecContext(ctx, s.Rebind(`UPDATE analyses SET completed_at = ? WHERE entry_seq = (SELECT seq FROM journal_entries WHERE id = ?)`),
							store.DBTime(u.clock.Now().Add(time.Duration(n)*time.Second)), u.newest[rel]); err != nil {
							return err
						}
						return tx.InvalidateTrendCache(ctx, u.user)
					})
					if err != nil {
						b.Fatal(err)
					}
				}, func() {
					res, err := u.svc.Recompute(ctx, u.user, rel)
					if err != nil || res.Score == nil {
						b.Fatalf("recompute: %+v %v", res, err)
					}
				})
			})
		})
	}
}

// BenchmarkPublishToScore measures, on SQLite with the offline analyzer and
// the job queue polling as the server configures it on SQLite (50 ms;
// BENCH_POLL=250ms for River's default), the time from publishing an entry
// (the journal service call) to its relationship's score being stored, for
// a user with 10,000 entries.
//
//	go test -run '^$' -bench BenchmarkPublishToScore -benchtime 150x ./internal/insight/
func BenchmarkPublishToScore(b *testing.B) {
	ctx := context.Background()
	s := storetest.Open(b, store.SQLite)
	if _, err := s.Migrate(ctx, queue.MigrateStep(s)); err != nil {
		b.Fatal(err)
	}
	u := seedBenchUser(b, s, 10000)
	done := make(chan queue.RecomputeScoreArgs, 16)
	jobs := &lateBenchJobs{}
	svc := insight.New(insight.Config{Store: s, Jobs: jobs, Mailer: &mailbox{}, BaseURL: "http://bench"})
	workers := river.NewWorkers()
	river.AddWorker(workers, pipeline.NewWorker(pipeline.Config{Store: s,
		OnFinish: func(ctx context.Context, tx *store.Tx, a store.Analysis) error {
			return svc.AnalysisLanded(ctx, tx, a.UserID, a.RelationshipID, a.EntryID, a.CompletedAt)
		}}))
	insight.AddWorkers(workers, svc, func(args queue.RecomputeScoreArgs, res insight.RecomputeResult) {
		if res.Score != nil {
			done <- args
		}
	})
	client, err := queue.New(s, queue.Options{Workers: workers, FetchPollInterval: cmp.Or(benchPoll, 50*time.Millisecond)})
	if err != nil {
		b.Fatal(err)
	}
	jobs.InsightJobs = queue.NewInsightJobs(client)
	if err := client.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = client.Stop(context.Background()) })
	jr := journal.New(journal.Config{Store: s, Enqueuer: queue.NewAnalysisJobs(client), Evidence: svc})
	rel, status := u.rels[1], store.EntryPublished
	i := 0
	measure(b, nil, func() {
		i++
		content := benchTexts[i%len(benchTexts)] + " (" + strconv.Itoa(i) + ")"
		if _, err := jr.CreateEntry(ctx, u.user, journal.EntryInput{RelationshipID: &rel, Content: &content, Status: &status}); err != nil {
			b.Fatal(err)
		}
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			b.Fatal("no score after 30 s")
		}
	})
}

type lateBenchJobs struct{ *queue.InsightJobs }

var benchPoll = func() time.Duration {
	d, _ := time.ParseDuration(os.Getenv("BENCH_POLL"))
	return d
}()
