package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

func breakerAllow(ctx context.Context, s *store.Store, name string, now time.Time, cfg store.BreakerConfig) (allowed bool, state string, err error) {
	err = s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		allowed, state, err = tx.BreakerAllow(ctx, name, now, cfg)
		return err
	})
	return allowed, state, err
}

func breakerRecord(ctx context.Context, s *store.Store, name string, success bool, now time.Time, cfg store.BreakerConfig) (state string, err error) {
	err = s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		state, err = tx.BreakerRecord(ctx, name, success, now, cfg)
		return err
	})
	return state, err
}

func TestBreakerOpensAtThresholdAndClosesAfterHalfOpenSuccesses(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cfg := store.BreakerConfig{FailureThreshold: 3, SuccessThreshold: 2, HalfOpenProbes: 1, OpenTimeout: time.Minute}
		now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
		allow := func(want bool, wantState string) {
			t.Helper()
			ok, state, err := breakerAllow(ctx, s, "gemini", now, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if ok != want || state != wantState {
				t.Fatalf("at %s: allow = %v in %s, want %v in %s", now.Format(time.TimeOnly), ok, state, want, wantState)
			}
		}
		record := func(success bool, wantState string) {
			t.Helper()
			state, err := breakerRecord(ctx, s, "gemini", success, now, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if state != wantState {
				t.Fatalf("after recording success=%v: state %s, want %s", success, state, wantState)
			}
		}
		allow(true, "closed")
		record(false, "closed")
		record(false, "closed")
		record(true, "closed") // a success resets the consecutive count
		record(false, "closed")
		record(false, "closed")
		record(false, "open")
		allow(false, "open")
		now = now.Add(59 * time.Second)
		allow(false, "open")
		now = now.Add(time.Second)
		allow(true, "half_open") // the one probe
		allow(false, "half_open")
		record(true, "half_open")
		allow(true, "half_open")
		record(true, "closed")
		allow(true, "closed")

		// A failed probe reopens at once.
		record(false, "closed")
		record(false, "closed")
		record(false, "open")
		now = now.Add(time.Minute)
		allow(true, "half_open")
		record(false, "open")
		allow(false, "open")
	})
}

func TestBreakerAdmitsExactlyOneProbeAcrossConcurrentCallers(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cfg := store.BreakerConfig{FailureThreshold: 1, SuccessThreshold: 1, HalfOpenProbes: 1, OpenTimeout: time.Second}
		now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
		if _, err := breakerRecord(ctx, s, "x", false, now, cfg); err != nil {
			t.Fatal(err)
		}
		if _, _, err := breakerAllow(ctx, s, "x", now, cfg); err != nil { // creates the row
			t.Fatal(err)
		}
		if st, _ := breakerRecord(ctx, s, "x", false, now, cfg); st != "open" {
			t.Fatalf("state %s, want open", st)
		}
		later := now.Add(2 * time.Second)
		var mu sync.Mutex
		admitted := 0
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				ok, _, err := breakerAllow(ctx, s, "x", later, cfg)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					admitted++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if admitted != 1 {
			t.Fatalf("%d callers admitted while half-open, want exactly 1", admitted)
		}
	})
}
