package journal_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

var benchWords = strings.Fields(`we talked walked about the weekend dinner work stress family trip river laughed argued
	apologised listened felt heard tired happy grateful worried plans money kids garden movie late call text promise
	quiet morning coffee hug space boundaries support together alone honest calm angry sorry proud`)

func benchText(r *rand.Rand, words int) string {
	w := make([]string, words)
	for i := range w {
		w[i] = benchWords[r.IntN(len(benchWords))]
	}
	return strings.Join(w, " ")
}

// BenchmarkJournal measures DESIGN.md §6's journal budgets for a user with
// 10,000 and 100,000 entries (seeded through the import path): publish,
// auto-save update (budget p99 < 5 ms), a list page, and search (budget
// p99 < 50 ms at 100,000). p99 is reported per operation as p99-ns.
func BenchmarkJournal(b *testing.B) {
	for _, engine := range storetest.Engines {
		for _, size := range []int{10_000, 100_000} {
			b.Run(fmt.Sprintf("%s/%dk", engine, size/1000), func(b *testing.B) {
				benchJournal(b, engine, size)
			})
		}
	}
}

func benchJournal(b *testing.B, engine store.Engine, size int) {
	ctx := context.Background()
	s := storetest.Open(b, engine)
	if _, err := s.Migrate(ctx, queue.MigrateStep(s)); err != nil {
		b.Fatal(err)
	}
	jobs, err := queue.New(s, queue.Options{})
	if err != nil {
		b.Fatal(err)
	}
	svc := journal.New(journal.Config{Store: s, Enqueuer: queue.NewAnalysisJobs(jobs)})
	now := time.Now()
	if _, err := s.WriteDB().ExecContext(ctx, s.Rebind(`INSERT INTO users (id, email, email_normalized, created_at, updated_at) VALUES ('u1', 'a@b.c', 'a@b.c', ?, ?)`),
		store.DBTime(now), store.DBTime(now)); err != nil {
		b.Fatal(err)
	}
	rel, err := svc.CreateRelationship(ctx, "u1", journal.RelationshipInput{Name: ptr("Sam"), Kind: ptr("partner")})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	const batch = 2000
	for done := 0; done < size; done += batch {
		items := make([]journal.ImportItem, batch)
		for i := range items {
			items[i] = journal.ImportItem{
				Input:     journal.EntryInput{RelationshipID: &rel.ID, Content: ptr(benchText(r, 20+r.IntN(120))), Tags: &[]string{benchWords[r.IntN(len(benchWords))]}},
				CreatedAt: now.Add(-time.Duration(size-done-i) * time.Minute),
			}
		}
		if _, err := svc.ImportEntries(ctx, "u1", items); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: imported %d entries in %v", engine, size, time.Since(start).Round(time.Millisecond))
	draft, err := svc.CreateEntry(ctx, "u1", journal.EntryInput{RelationshipID: &rel.ID, Content: ptr("draft"), Status: ptr("draft")})
	if err != nil {
		b.Fatal(err)
	}

	b.Run("publish", func(b *testing.B) {
		timed(b, func(i int) error {
			_, err := svc.CreateEntry(ctx, "u1", journal.EntryInput{RelationshipID: &rel.ID, Content: ptr(benchText(r, 80))})
			return err
		})
	})
	b.Run("autosave", func(b *testing.B) {
		text := benchText(r, 150)
		timed(b, func(i int) error {
			// Typing: the draft grows a little at every save.
			c := text[:20+i%(len(text)-20)]
			_, err := svc.UpdateEntry(ctx, "u1", draft.Entry.ID, journal.EntryInput{Content: &c})
			return err
		})
	})
	b.Run("list", func(b *testing.B) {
		timed(b, func(i int) error {
			p, err := svc.ListEntries(ctx, "u1", journal.ListQuery{})
			if err == nil && p.NextCursor != "" {
				_, err = svc.ListEntries(ctx, "u1", journal.ListQuery{Page: journal.PageRequest{Cursor: p.NextCursor}})
			}
			return err
		})
	})
	b.Run("search", func(b *testing.B) {
		queries := []string{"river walk", "apologised", "grateful hug", "boundaries support", "argu", "coffee morning quiet"}
		timed(b, func(i int) error {
			p, err := svc.ListEntries(ctx, "u1", journal.ListQuery{Q: queries[i%len(queries)]})
			if err == nil && len(p.Items) == 0 {
				return fmt.Errorf("no results for %q", queries[i%len(queries)])
			}
			return err
		})
	})
}

// timed runs op b.N times and reports its p99 latency.
func timed(b *testing.B, op func(i int) error) {
	b.Helper()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := op(i); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}

func ptr[T any](v T) *T { return &v }
