package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Sessions back the scs session manager (see frontdoor.sessionStore). The
// token column holds what scs hands us, which is already a hash of the
// cookie value when scs.SessionManager.HashTokenInStore is set. user_id is
// recorded so that every session of a user can be revoked at once.

// FindSession returns the data of an unexpired session; found is false for
// unknown, expired or malformed tokens.
func (q *Queries) FindSession(ctx context.Context, token string, now time.Time) (data []byte, found bool, err error) {
	err = q.queryRow(ctx, `SELECT data FROM sessions WHERE token = ? AND expiry > ?`, token, DBTime(now)).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find session: %w", err)
	}
	return data, true, nil
}

// CommitSession inserts or replaces a session. userID may be "" for a
// session nobody has signed in to. A session naming a user that no longer
// exists is not stored (the user was deleted while the request ran).
func (t *Tx) CommitSession(ctx context.Context, token, userID string, data []byte, expiry time.Time) error {
	if userID != "" {
		var one int
		err := t.queryRow(ctx, `SELECT 1 FROM users WHERE id = ?`, userID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			_, err = t.exec(ctx, `DELETE FROM sessions WHERE token = ?`, token)
			return err
		}
		if err != nil {
			return fmt.Errorf("commit session: %w", err)
		}
	}
	_, err := t.exec(ctx, `INSERT INTO sessions (token, user_id, data, expiry) VALUES (?, ?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, expiry = excluded.expiry`,
		token, acctNullString(userID), data, DBTime(expiry))
	if err != nil {
		return fmt.Errorf("commit session: %w", err)
	}
	return nil
}

// DeleteSession deletes one session; an unknown token is not an error.
func (t *Tx) DeleteSession(ctx context.Context, token string) error {
	if _, err := t.exec(ctx, `DELETE FROM sessions WHERE token = ?`, token); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions deletes every session of a user and reports how many.
func (t *Tx) DeleteUserSessions(ctx context.Context, userID string) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	if err != nil {
		return 0, fmt.Errorf("delete sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// CountUserSessions counts the unexpired sessions of a user.
func (q *Queries) CountUserSessions(ctx context.Context, userID string, now time.Time) (int, error) {
	var n int
	if err := q.queryRow(ctx, `SELECT COUNT(*) FROM sessions WHERE user_id = ? AND expiry > ?`, userID, DBTime(now)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count sessions: %w", err)
	}
	return n, nil
}
