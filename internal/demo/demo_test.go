package demo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/demo"
	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

func TestSeedWritesAnAnalysedJournalOnce(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cheap := accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
		acc, err := accounts.New(accounts.Config{Store: s, Mailer: &mail.FileOutbox{Dir: t.TempDir(), From: "r@example.com"}, BaseURL: "http://x",
			Password: cheap})
		if err != nil {
			t.Fatal(err)
		}
		end := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
		cfg := demo.Config{Store: s, Accounts: acc, Email: "demo@example.com", Name: "Robin", Password: "demo-journal", Timezone: "Europe/London", End: end, Days: 60, Seed: 1, PasswordParams: cheap}
		res, err := demo.Seed(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if res.Relationships != 4 || res.Entries < 40 || res.Drafts != 1 || res.ActiveInsights == 0 {
			t.Fatalf("result %+v: want 4 relationships, some 50 entries, a draft and insights", res)
		}
		u, err := acc.SignIn(ctx, accounts.SignInInput{Email: "demo@example.com", Password: "demo-journal", IP: "192.0.2.1"})
		if err != nil || !u.OnboardingCompleted || !u.FeatureFlags.ConversationStarters || u.Preferences.Timezone != "Europe/London" {
			t.Fatalf("the demo user cannot sign in or is not set up: %+v %v", u, err)
		}
		// Every relationship has a score; entries span the months before End.
		ins := insight.New(insight.Config{Store: s, Now: func() time.Time { return end }})
		scores, err := ins.CurrentScores(ctx, res.UserID)
		if err != nil || len(scores) != 4 {
			t.Fatalf("scores: %v %v", scores, err)
		}
		jr := journal.New(journal.Config{Store: s})
		all, err := s.ListEntries(ctx, store.EntryFilter{UserID: res.UserID, Limit: 1000})
		if err != nil || len(all) != res.Entries+res.Drafts {
			t.Fatalf("%d entries stored, want %d (%v)", len(all), res.Entries+res.Drafts, err)
		}
		oldest, newest := all[len(all)-1].CreatedAt, all[0].CreatedAt
		if oldest.Before(end.AddDate(0, 0, -61)) || oldest.After(end.AddDate(0, 0, -55)) || newest.After(end) || newest.Before(end.AddDate(0, 0, -1)) {
			t.Errorf("entries from %s to %s, want about 60 days up to %s", oldest, newest, end)
		}
		tr, err := ins.Trends(ctx, res.UserID, insight.TrendQuery{Days: 60})
		if err != nil || len(tr.Health) < 50 || len(tr.Sentiment) < 30 {
			t.Errorf("trends: %d health and %d sentiment points, %v", len(tr.Health), len(tr.Sentiment), err)
		}
		// Every published entry is analysed.
		ids := make([]string, 0, len(all))
		for _, e := range all {
			ids = append(ids, e.ID)
		}
		st, err := jr.AnalysisStatuses(ctx, res.UserID, ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range all {
			if e.Status == store.EntryPublished && st[e.ID].Status != store.AnalysisFallback {
				t.Fatalf("entry %s is %q, want analysed", e.ID, st[e.ID].Status)
			}
		}

		// Again: refused, nothing written.
		if _, err := demo.Seed(ctx, cfg); !errors.Is(err, demo.ErrUserExists) {
			t.Fatalf("second seed: %v, want ErrUserExists", err)
		}
		if n, err := s.CountEntries(ctx, res.UserID); err != nil || n != len(all) {
			t.Fatalf("entries after a refused seed: %d, want %d (%v)", n, len(all), err)
		}
	})
}
