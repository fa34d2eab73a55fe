package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// EnsureServerKey returns the secret stored under name, storing candidate
// first when there is none. Instances that race to create the same key
// all get the one that was stored first: the insert does nothing when the
// name exists, and the read that follows sees the committed winner.
func (t *Tx) EnsureServerKey(ctx context.Context, name, candidate string, now time.Time) (string, error) {
	if _, err := t.exec(ctx, `INSERT INTO server_keys (name, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		name, candidate, DBTime(now)); err != nil {
		return "", fmt.Errorf("insert server key %s: %w", name, err)
	}
	var secret string
	err := t.queryRow(ctx, `SELECT secret FROM server_keys WHERE name = ?`, name).Scan(&secret)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("server key %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("read server key %s: %w", name, err)
	}
	return secret, nil
}
