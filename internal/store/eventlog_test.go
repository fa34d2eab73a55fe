package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// TestEventLogOrderIsCommitOrder tails one user's log by "seq > last" while
// concurrent transactions append to it, as a reconnecting stream's replay
// and the PostgreSQL real-time feed do. A sequence number taken by a
// transaction that commits after a higher one would be skipped by the
// tail; the log must make every user's order the commit order.
func TestEventLogOrderIsCommitOrder(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		storetest.AddUser(t, s, "u1", "")
		storetest.AddUser(t, s, "u2", "")
		const writers, each = 8, 40
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
						// Another user's event in the same transaction takes
						// its own lock, in a fixed order.
						for _, u := range []string{"u2", "u1"}[w%2:] {
							if _, err := tx.AppendEvent(ctx, store.Event{UserID: u, Type: store.EventEntryCreated,
								EntityID: fmt.Sprintf("%d-%d", w, i), At: time.Now()}); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()

		var last int64
		seen := 0
		tail := func() {
			for {
				events, err := s.EventsAfter(ctx, "u1", last, 50)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range events {
					if e.Seq <= last || e.UserID != "u1" {
						t.Fatalf("tail read seq %d (user %s) after %d", e.Seq, e.UserID, last)
					}
					last = e.Seq
					seen++
				}
				if len(events) < 50 {
					return
				}
			}
		}
		for finished := false; !finished; {
			select {
			case <-done:
				finished = true
			default:
			}
			tail()
		}
		tail()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		all, err := s.EventsAfter(ctx, "u1", 0, 10000)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != writers*each || seen != len(all) {
			t.Fatalf("the tail saw %d of %d events (want %d): a late commit was skipped", seen, len(all), writers*each)
		}
	})
}
