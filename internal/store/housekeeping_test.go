package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// TestPruneRemovesTheEventsBeforeTheWindow: the prune removes exactly the
// prefix of the log up to the newest event older than the window, on both
// engines, so replay keeps every event inside it.
func TestPruneRemovesTheEventsBeforeTheWindow(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		for _, u := range []string{"ua", "ub"} {
			storetest.AddUser(t, s, u, "")
		}
		// One event an hour for six hours, alternating users.
		for i := range 6 {
			err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.AppendEvent(ctx, store.Event{UserID: []string{"ua", "ub"}[i%2], Type: store.EventEntryCreated,
					EntityID: "e", At: t0.Add(time.Duration(i) * time.Hour)})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		oldest, newest, err := s.EventBounds(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var r store.PruneResult
		err = s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			r, err = tx.Prune(ctx, t0.Add(6*time.Hour), t0.Add(2*time.Hour+30*time.Minute)) // keeps 03:00 onwards
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		gotOldest, gotNewest, err := s.EventBounds(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r.Events != 3 || gotNewest != newest || gotOldest <= oldest {
			t.Fatalf("pruned %d events, log now %d..%d (was %d..%d); want 3 pruned, the last three kept", r.Events, gotOldest, gotNewest, oldest, newest)
		}
		for _, u := range []string{"ua", "ub"} {
			evs, err := s.EventsAfter(ctx, u, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				if e.At.Before(t0.Add(3 * time.Hour)) {
					t.Fatalf("event %d of %s at %s survived the prune", e.Seq, u, e.At)
				}
			}
		}
	})
}
