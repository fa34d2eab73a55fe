package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// User is a row of users joined with its feature flags. Preferences and
// FeatureFlags are JSON objects kept as text; the accounts service owns
// their shape.
type User struct {
	ID                  string
	Email               string
	EmailNormalized     string
	ClerkID             string // "" when the user is not a Clerk user
	Name                string
	PasswordHash        string // "" when the user has no password (Clerk mode)
	EmailVerifiedAt     time.Time
	Tier                string
	Preferences         string
	FeatureFlags        string
	OnboardingCompleted bool
	SessionEpoch        int64
	LastActiveAt        time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// InsertUser creates u and its feature-flag row. When a user with the same
// normalized email or Clerk id exists nothing is written and ErrConflict is
// returned; ON CONFLICT DO NOTHING keeps a PostgreSQL transaction usable and
// makes a concurrent insert of the same email wait for the first to commit.
func (t *Tx) InsertUser(ctx context.Context, u User) error {
	res, err := t.exec(ctx, `INSERT INTO users (id, email, email_normalized, clerk_id, name, password_hash,
		email_verified_at, tier, preferences, onboarding_completed, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		u.ID, u.Email, u.EmailNormalized, acctNullString(u.ClerkID), u.Name, acctNullString(u.PasswordHash),
		NullDBTime(u.EmailVerifiedAt), u.Tier, u.Preferences, u.OnboardingCompleted, DBTime(u.CreatedAt), DBTime(u.UpdatedAt))
	if err != nil {
		if t.d.isUniqueViolation(err) {
			return fmt.Errorf("user %s: %w", u.EmailNormalized, ErrConflict)
		}
		return fmt.Errorf("insert user: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user %s: %w", u.EmailNormalized, ErrConflict)
	}
	if _, err := t.exec(ctx, `INSERT INTO feature_flags (user_id, flags, updated_at) VALUES (?, ?, ?)`,
		u.ID, u.FeatureFlags, DBTime(u.CreatedAt)); err != nil {
		return fmt.Errorf("insert feature flags: %w", err)
	}
	return nil
}

const userColumns = `u.id, u.email, u.email_normalized, u.clerk_id, u.name, u.password_hash, u.email_verified_at,
	u.tier, u.preferences, COALESCE(f.flags, '{}'), u.onboarding_completed, u.session_epoch, u.last_active_at,
	u.created_at, u.updated_at`

const userFrom = ` FROM users u LEFT JOIN feature_flags f ON f.user_id = u.id `

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var clerk, hash sql.NullString
	err := row.Scan(&u.ID, &u.Email, &u.EmailNormalized, &clerk, &u.Name, &hash, ScanTime(&u.EmailVerifiedAt),
		&u.Tier, &u.Preferences, &u.FeatureFlags, &u.OnboardingCompleted, &u.SessionEpoch, ScanTime(&u.LastActiveAt),
		ScanTime(&u.CreatedAt), ScanTime(&u.UpdatedAt))
	u.ClerkID, u.PasswordHash = clerk.String, hash.String
	return u, err
}

func (q *Queries) userWhere(ctx context.Context, cond string, arg any) (User, error) {
	u, err := scanUser(q.queryRow(ctx, `SELECT `+userColumns+userFrom+`WHERE `+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user: %w", ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("read user: %w", err)
	}
	return u, nil
}

// UserByID returns the user with id.
func (q *Queries) UserByID(ctx context.Context, id string) (User, error) {
	return q.userWhere(ctx, `u.id = ?`, id)
}

// UserByEmail returns the user whose normalized email is normalized.
func (q *Queries) UserByEmail(ctx context.Context, normalized string) (User, error) {
	return q.userWhere(ctx, `u.email_normalized = ?`, normalized)
}

// UserByClerkID returns the user linked to a Clerk user id.
func (q *Queries) UserByClerkID(ctx context.Context, clerkID string) (User, error) {
	return q.userWhere(ctx, `u.clerk_id = ?`, clerkID)
}

// UpdateUserProfile stores a user's name, preferences and onboarding state.
func (t *Tx) UpdateUserProfile(ctx context.Context, id, name, preferences string, onboardingCompleted bool, now time.Time) error {
	return t.updateUser(ctx, `UPDATE users SET name = ?, preferences = ?, onboarding_completed = ?, updated_at = ? WHERE id = ?`,
		name, preferences, onboardingCompleted, DBTime(now), id)
}

// SetUserPassword replaces the password hash and increments the session
// epoch, which invalidates every session signed in before the change.
func (t *Tx) SetUserPassword(ctx context.Context, id, hash string, now time.Time) error {
	return t.updateUser(ctx, `UPDATE users SET password_hash = ?, session_epoch = session_epoch + 1, updated_at = ? WHERE id = ?`,
		hash, DBTime(now), id)
}

// MarkEmailVerified records that the user proved they own their email;
// the first verification time is kept.
func (t *Tx) MarkEmailVerified(ctx context.Context, id string, now time.Time) error {
	return t.updateUser(ctx, `UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?), updated_at = ? WHERE id = ?`,
		DBTime(now), DBTime(now), id)
}

// SetUserTier sets the user's tier.
func (t *Tx) SetUserTier(ctx context.Context, id, tier string, now time.Time) error {
	return t.updateUser(ctx, `UPDATE users SET tier = ?, updated_at = ? WHERE id = ?`, tier, DBTime(now), id)
}

// SetFeatureFlags replaces the user's feature flags (a JSON object).
func (t *Tx) SetFeatureFlags(ctx context.Context, userID, flags string, now time.Time) error {
	res, err := t.exec(ctx, `UPDATE feature_flags SET flags = ?, updated_at = ? WHERE user_id = ?`, flags, DBTime(now), userID)
	return acctAffected(res, err, "feature flags")
}

// DeleteUser deletes the user; every user-owned row goes with it through
// ON DELETE CASCADE (sessions, tokens, relationships, entries, …), and
// their real-time events here: on SQLite the log stores the user's id
// compactly, which no foreign key can compare with users.id (migration 0010).
func (t *Tx) DeleteUser(ctx context.Context, id string) error {
	t.revokes = true
	if _, err := t.exec(ctx, `DELETE FROM events WHERE user_id = ?`, t.eventUserID(id)); err != nil {
		return fmt.Errorf("delete user's events: %w", err)
	}
	res, err := t.exec(ctx, `DELETE FROM users WHERE id = ?`, id)
	return acctAffected(res, err, "user")
}

// TouchUserActive sets last_active_at to now unless it is already at or
// after notBefore, so an active user costs at most one write per interval.
func (t *Tx) TouchUserActive(ctx context.Context, id string, now, notBefore time.Time) error {
	if _, err := t.exec(ctx, `UPDATE users SET last_active_at = ? WHERE id = ? AND (last_active_at IS NULL OR last_active_at < ?)`,
		DBTime(now), id, DBTime(notBefore)); err != nil {
		return fmt.Errorf("touch user: %w", err)
	}
	return nil
}

// UserAuthState is what the authentication middleware needs per request.
type UserAuthState struct {
	SessionEpoch int64
	LastActiveAt time.Time
}

// UserAuthStateByID reads the session epoch and last activity of a user.
func (q *Queries) UserAuthStateByID(ctx context.Context, id string) (UserAuthState, error) {
	var s UserAuthState
	err := q.queryRow(ctx, `SELECT session_epoch, last_active_at FROM users WHERE id = ?`, id).
		Scan(&s.SessionEpoch, ScanTime(&s.LastActiveAt))
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("user: %w", ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("read user: %w", err)
	}
	return s, nil
}

func (t *Tx) updateUser(ctx context.Context, query string, args ...any) error {
	res, err := t.exec(ctx, query, args...)
	return acctAffected(res, err, "user")
}

func acctAffected(res sql.Result, err error, what string) error {
	if err != nil {
		return fmt.Errorf("update %s: %w", what, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update %s: %w", what, err)
	} else if n == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}

func acctNullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// UpgradePasswordHash replaces the hash of an unchanged password (stronger
// parameters); unlike SetUserPassword it keeps the user's sessions.
func (t *Tx) UpgradePasswordHash(ctx context.Context, id, hash string) error {
	return t.updateUser(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, id)
}

// RevokeUserSessions advances the session epoch and deletes every session
// row of the user.
func (t *Tx) RevokeUserSessions(ctx context.Context, id string, now time.Time) error {
	if err := t.updateUser(ctx, `UPDATE users SET session_epoch = session_epoch + 1, updated_at = ? WHERE id = ?`, DBTime(now), id); err != nil {
		return err
	}
	_, err := t.DeleteUserSessions(ctx, id)
	return err
}
