package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

func insertTestUser(t *testing.T, s *store.Store, id, email, clerk string) error {
	t.Helper()
	now := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	return s.InTx(context.Background(), func(ctx context.Context, tx *store.Tx) error {
		return tx.InsertUser(context.Background(), store.User{ID: id, Email: email, EmailNormalized: email, ClerkID: clerk,
			Name: "N", Tier: "free", Preferences: `{"theme":"dark"}`, FeatureFlags: `{"smartReminders":true}`, CreatedAt: now, UpdatedAt: now})
	})
}

func TestInsertUserConflictsOnEmailOrClerkID(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := insertTestUser(t, s, "u1", "a@example.com", "clerk_1"); err != nil {
			t.Fatal(err)
		}
		if err := insertTestUser(t, s, "u2", "a@example.com", ""); !errors.Is(err, store.ErrConflict) {
			t.Errorf("same email = %v, want ErrConflict", err)
		}
		if err := insertTestUser(t, s, "u3", "b@example.com", "clerk_1"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("same Clerk id = %v, want ErrConflict", err)
		}
		// Two users without a Clerk id do not collide on NULL.
		if err := insertTestUser(t, s, "u4", "c@example.com", ""); err != nil {
			t.Fatal(err)
		}
		if err := insertTestUser(t, s, "u5", "d@example.com", ""); err != nil {
			t.Fatal(err)
		}
		u, err := s.UserByClerkID(ctx, "clerk_1")
		if err != nil || u.ID != "u1" || u.FeatureFlags != `{"smartReminders":true}` || u.Preferences != `{"theme":"dark"}` ||
			!u.CreatedAt.Equal(time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)) || !u.EmailVerifiedAt.IsZero() {
			t.Errorf("UserByClerkID = %+v, %v", u, err)
		}
		if _, err := s.UserByEmail(ctx, "nobody@example.com"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown email = %v, want ErrNotFound", err)
		}
	})
}

func TestEmailTokensAreSingleUseAndExpire(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := insertTestUser(t, s, "u1", "a@example.com", ""); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
		err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			return tx.InsertEmailToken(ctx, store.EmailToken{ID: "t1", UserID: "u1", Purpose: store.PurposeVerifyEmail, TokenHash: "h1", ExpiresAt: now.Add(time.Hour), CreatedAt: now})
		})
		if err != nil {
			t.Fatal(err)
		}
		consume := func(purpose string, at time.Time) error {
			return s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.ConsumeEmailToken(ctx, purpose, "h1", at)
				return err
			})
		}
		if err := consume(store.PurposeResetPassword, now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("wrong purpose = %v, want ErrNotFound", err)
		}
		if err := consume(store.PurposeVerifyEmail, now.Add(time.Hour)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired = %v, want ErrNotFound", err)
		}
		if err := consume(store.PurposeVerifyEmail, now.Add(time.Minute)); err != nil {
			t.Errorf("first use = %v", err)
		}
		if err := consume(store.PurposeVerifyEmail, now.Add(2*time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second use = %v, want ErrNotFound", err)
		}
	})
}

func TestSessionsRecordTheirUserAndExpire(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := insertTestUser(t, s, "u1", "a@example.com", ""); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
		commit := func(token, user string, data []byte, exp time.Time) {
			t.Helper()
			if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return tx.CommitSession(ctx, token, user, data, exp) }); err != nil {
				t.Fatal(err)
			}
		}
		commit("s1", "", []byte{1}, now.Add(time.Hour))
		commit("s1", "u1", []byte{2}, now.Add(time.Hour)) // signed in: same token now names the user
		commit("s2", "u1", []byte{3}, now.Add(time.Hour))
		commit("s3", "gone", []byte{4}, now.Add(time.Hour)) // a deleted user's session is not stored
		if b, ok, err := s.FindSession(ctx, "s1", now); err != nil || !ok || len(b) != 1 || b[0] != 2 {
			t.Errorf("FindSession(s1) = %v, %v, %v", b, ok, err)
		}
		if _, ok, _ := s.FindSession(ctx, "s1", now.Add(time.Hour)); ok {
			t.Error("an expired session was found")
		}
		if _, ok, _ := s.FindSession(ctx, "s3", now); ok {
			t.Error("a session of an unknown user was stored")
		}
		if n, _ := s.CountUserSessions(ctx, "u1", now); n != 2 {
			t.Errorf("CountUserSessions = %d, want 2", n)
		}
		var deleted int64
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			var err error
			deleted, err = tx.DeleteUserSessions(ctx, "u1")
			return err
		}); err != nil || deleted != 2 {
			t.Errorf("DeleteUserSessions = %d, %v", deleted, err)
		}
		if _, ok, _ := s.FindSession(ctx, "s2", now); ok {
			t.Error("a revoked session was found")
		}
	})
}

func TestAccessTokensAreScopedToTheirUser(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, u := range []string{"u1", "u2"} {
			if err := insertTestUser(t, s, u, u+"@example.com", ""); err != nil {
				t.Fatal(err)
			}
		}
		now := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			return tx.InsertAccessToken(ctx, store.AccessToken{ID: "a1", UserID: "u1", Name: "n", TokenHash: "th", CreatedAt: now})
		}); err != nil {
			t.Fatal(err)
		}
		at, _, err := s.AccessTokenByHash(ctx, "th")
		if err != nil || at.UserID != "u1" || !at.LastUsedAt.IsZero() {
			t.Fatalf("AccessTokenByHash = %+v, %v", at, err)
		}
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			return tx.TouchAccessToken(ctx, "a1", now, now.Add(-time.Minute))
		}); err != nil {
			t.Fatal(err)
		}
		if at, _, _ := s.AccessTokenByHash(ctx, "th"); !at.LastUsedAt.Equal(now) {
			t.Errorf("last_used_at = %v, want %v", at.LastUsedAt, now)
		}
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return tx.DeleteAccessToken(ctx, "u2", "a1") }); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleting another user's token = %v, want ErrNotFound", err)
		}
		if ts, _ := s.ListAccessTokens(ctx, "u2"); len(ts) != 0 {
			t.Errorf("u2 sees %d tokens", len(ts))
		}
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return tx.DeleteUser(ctx, "u1") }); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.AccessTokenByHash(ctx, "th"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("token of a deleted user = %v, want ErrNotFound", err)
		}
	})
}
