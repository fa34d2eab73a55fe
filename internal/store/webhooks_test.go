package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

func TestWebhookDeliveryIsRecordedOnceAndPruned(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		record := func(id string, at time.Time) bool {
			var first bool
			if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) (err error) {
				first, err = tx.RecordWebhookDelivery(ctx, id, at)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return first
		}
		if !record("msg_old", t0) || record("msg_old", t0.Add(time.Minute)) {
			t.Errorf("msg_old: want first then replay")
		}
		// A delivery whose transaction rolls back was never recorded.
		boom := errors.New("apply failed")
		err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			if _, err := tx.RecordWebhookDelivery(ctx, "msg_failed", t0); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) || !record("msg_failed", t0) {
			t.Errorf("a rolled-back delivery blocks its retry")
		}
		record("msg_new", t0.Add(48*time.Hour))
		var r store.PruneResult
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) (err error) {
			r, err = tx.Prune(ctx, t0.Add(48*time.Hour), t0.Add(24*time.Hour))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if r.WebhookDeliveries != 2 || !record("msg_old", t0.Add(49*time.Hour)) || record("msg_new", t0.Add(49*time.Hour)) {
			t.Errorf("prune removed %d deliveries; want the two older than a day gone and msg_new kept", r.WebhookDeliveries)
		}
	})
}

func TestSetUserIdentityNeverTakesAnotherUsersEmail(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, u := range [][3]string{{"u1", "a@example.com", "user_a"}, {"u2", "b@example.com", "user_b"}} {
			if err := insertTestUser(t, s, u[0], u[1], u[2]); err != nil {
				t.Fatal(err)
			}
		}
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			return tx.SetUserIdentity(ctx, "u1", "B@example.com", "b@example.com", "A", now, now)
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("taking b@example.com = %v, want ErrConflict", err)
		}
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			return tx.SetUserIdentity(ctx, "u1", "A2@example.com", "a2@example.com", "Ann", now, now)
		}); err != nil {
			t.Fatal(err)
		}
		u, err := s.UserByClerkID(ctx, "user_a")
		if err != nil || u.Email != "A2@example.com" || u.EmailNormalized != "a2@example.com" || u.Name != "Ann" || !u.EmailVerifiedAt.Equal(now) {
			t.Errorf("after SetUserIdentity = %+v, %v", u, err)
		}
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			return tx.SetUserIdentity(ctx, "nobody", "x@example.com", "x@example.com", "X", now, now)
		}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown user = %v, want ErrNotFound", err)
		}
	})
}
