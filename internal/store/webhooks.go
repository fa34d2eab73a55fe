package store

import (
	"context"
	"fmt"
	"time"
)

// RecordWebhookDelivery notes that the webhook message id is being applied,
// in the transaction that applies it. first is false when the id was
// recorded before (a replay or a retry after success): the caller then
// applies nothing. A concurrent delivery of the same id waits on PostgreSQL
// for the first to commit (ON CONFLICT DO NOTHING), so it is applied once.
func (t *Tx) RecordWebhookDelivery(ctx context.Context, id string, now time.Time) (first bool, err error) {
	res, err := t.exec(ctx, `INSERT INTO webhook_deliveries (id, received_at) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, DBTime(now))
	if err != nil {
		return false, fmt.Errorf("record webhook delivery: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record webhook delivery: %w", err)
	}
	return n == 1, nil
}

// SetUserIdentity replaces the email and name of a user whose identity is
// kept elsewhere (Clerk). verifiedAt marks the email verified unless it
// already is (zero leaves it). An email taken by another user is
// ErrConflict: accounts are never merged.
func (t *Tx) SetUserIdentity(ctx context.Context, id, email, emailNormalized, name string, verifiedAt, now time.Time) error {
	res, err := t.exec(ctx, `UPDATE users SET email = ?, email_normalized = ?, name = ?,
		email_verified_at = COALESCE(email_verified_at, ?), updated_at = ? WHERE id = ?`,
		email, emailNormalized, name, NullDBTime(verifiedAt), DBTime(now), id)
	if err != nil && t.d.isUniqueViolation(err) {
		return fmt.Errorf("the email %s belongs to another account: %w", email, ErrConflict)
	}
	return acctAffected(res, err, "user")
}
