package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Email token purposes (email_tokens.purpose).
const (
	PurposeVerifyEmail   = "verify_email"
	PurposeResetPassword = "reset_password"
)

// EmailToken is a single-use token sent by email; only its hash is stored.
type EmailToken struct {
	ID        string
	UserID    string
	Purpose   string
	TokenHash string
	ExpiresAt time.Time
	UsedAt    time.Time
	CreatedAt time.Time
}

// InsertEmailToken stores a new email token.
func (t *Tx) InsertEmailToken(ctx context.Context, et EmailToken) error {
	_, err := t.exec(ctx, `INSERT INTO email_tokens (id, user_id, purpose, token_hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		et.ID, et.UserID, et.Purpose, et.TokenHash, DBTime(et.ExpiresAt), DBTime(et.CreatedAt))
	if err != nil {
		if t.d.isUniqueViolation(err) {
			return fmt.Errorf("email token: %w", ErrConflict)
		}
		return fmt.Errorf("insert email token: %w", err)
	}
	return nil
}

// ConsumeEmailToken marks the unused, unexpired token with hash and purpose
// as used and returns it. The conditional update makes a token usable once
// even when two requests race; anything else is ErrNotFound.
func (t *Tx) ConsumeEmailToken(ctx context.Context, purpose, hash string, now time.Time) (EmailToken, error) {
	et := EmailToken{Purpose: purpose, TokenHash: hash}
	err := t.queryRow(ctx, `SELECT id, user_id, expires_at, created_at FROM email_tokens
		WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?`, hash, purpose, DBTime(now)).
		Scan(&et.ID, &et.UserID, ScanTime(&et.ExpiresAt), ScanTime(&et.CreatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return et, fmt.Errorf("email token: %w", ErrNotFound)
	}
	if err != nil {
		return et, fmt.Errorf("read email token: %w", err)
	}
	res, err := t.exec(ctx, `UPDATE email_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL`, DBTime(now), et.ID)
	if err := acctAffected(res, err, "email token"); err != nil {
		return et, err
	}
	et.UsedAt = now
	return et, nil
}

// RetireEmailTokens marks every unused token of a user for purpose as used,
// so that only the newest link (or none) works.
func (t *Tx) RetireEmailTokens(ctx context.Context, userID, purpose string, now time.Time) error {
	if _, err := t.exec(ctx, `UPDATE email_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`,
		DBTime(now), userID, purpose); err != nil {
		return fmt.Errorf("retire email tokens: %w", err)
	}
	return nil
}

// AccessToken is a personal access token for the JSON API; only its hash
// is stored.
type AccessToken struct {
	ID         string
	UserID     string
	Name       string
	TokenHash  string
	LastUsedAt time.Time
	CreatedAt  time.Time
}

// InsertAccessToken stores a new personal access token.
func (t *Tx) InsertAccessToken(ctx context.Context, at AccessToken) error {
	_, err := t.exec(ctx, `INSERT INTO access_tokens (id, user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		at.ID, at.UserID, at.Name, at.TokenHash, DBTime(at.CreatedAt))
	if err != nil {
		if t.d.isUniqueViolation(err) {
			return fmt.Errorf("access token: %w", ErrConflict)
		}
		return fmt.Errorf("insert access token: %w", err)
	}
	return nil
}

// ListAccessTokens lists a user's tokens, oldest first.
func (q *Queries) ListAccessTokens(ctx context.Context, userID string) ([]AccessToken, error) {
	rows, err := q.query(ctx, `SELECT id, user_id, name, token_hash, last_used_at, created_at FROM access_tokens
		WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list access tokens: %w", err)
	}
	defer rows.Close()
	out := []AccessToken{}
	for rows.Next() {
		var at AccessToken
		if err := rows.Scan(&at.ID, &at.UserID, &at.Name, &at.TokenHash, ScanTime(&at.LastUsedAt), ScanTime(&at.CreatedAt)); err != nil {
			return nil, fmt.Errorf("list access tokens: %w", err)
		}
		out = append(out, at)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list access tokens: %w", err)
	}
	return out, nil
}

// CountAccessTokens counts a user's tokens.
func (q *Queries) CountAccessTokens(ctx context.Context, userID string) (int, error) {
	var n int
	if err := q.queryRow(ctx, `SELECT COUNT(*) FROM access_tokens WHERE user_id = ?`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count access tokens: %w", err)
	}
	return n, nil
}

// AccessTokenByHash returns the token with hash together with its owner's
// last activity (for the once-a-minute activity update).
func (q *Queries) AccessTokenByHash(ctx context.Context, hash string) (AccessToken, time.Time, error) {
	var at AccessToken
	var lastActive time.Time
	err := q.queryRow(ctx, `SELECT t.id, t.user_id, t.name, t.token_hash, t.last_used_at, t.created_at, u.last_active_at
		FROM access_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`, hash).
		Scan(&at.ID, &at.UserID, &at.Name, &at.TokenHash, ScanTime(&at.LastUsedAt), ScanTime(&at.CreatedAt), ScanTime(&lastActive))
	if errors.Is(err, sql.ErrNoRows) {
		return at, lastActive, fmt.Errorf("access token: %w", ErrNotFound)
	}
	if err != nil {
		return at, lastActive, fmt.Errorf("read access token: %w", err)
	}
	return at, lastActive, nil
}

// TouchAccessToken records the token's use, at most once per interval.
func (t *Tx) TouchAccessToken(ctx context.Context, id string, now, notBefore time.Time) error {
	if _, err := t.exec(ctx, `UPDATE access_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
		DBTime(now), id, DBTime(notBefore)); err != nil {
		return fmt.Errorf("touch access token: %w", err)
	}
	return nil
}

// DeleteAccessToken revokes one of the user's tokens; another user's token
// is ErrNotFound.
func (t *Tx) DeleteAccessToken(ctx context.Context, userID, id string) error {
	t.revokes = true
	res, err := t.exec(ctx, `DELETE FROM access_tokens WHERE id = ? AND user_id = ?`, id, userID)
	return acctAffected(res, err, "access token")
}

// DeleteUserAccessTokens revokes every token of the user (sign-out
// everywhere, password reset) and reports how many there were.
func (t *Tx) DeleteUserAccessTokens(ctx context.Context, userID string) (int64, error) {
	t.revokes = true
	res, err := t.exec(ctx, `DELETE FROM access_tokens WHERE user_id = ?`, userID)
	if err != nil {
		return 0, fmt.Errorf("delete access tokens: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
