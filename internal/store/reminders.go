package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ReminderCandidate is a user who may be due a reminder: verified, with no
// reminder claimed since the cut-off, and the time of their newest entry.
type ReminderCandidate struct {
	UserID       string
	Email        string
	Name         string
	Preferences  string
	FeatureFlags string
	LastEntryAt  time.Time
}

// ReminderCandidates lists up to limit verified users, after afterID (for
// paging through all of them), with no reminder claimed since claimedSince.
func (q *Queries) ReminderCandidates(ctx context.Context, claimedSince time.Time, afterID string, limit int) ([]ReminderCandidate, error) {
	rows, err := q.query(ctx, `SELECT u.id, u.email, u.name, u.preferences, COALESCE(f.flags, '{}'),
			(SELECT e.created_at FROM journal_entries e WHERE e.user_id = u.id ORDER BY e.created_at DESC, e.id DESC LIMIT 1)
		FROM users u LEFT JOIN feature_flags f ON f.user_id = u.id
		WHERE u.email_verified_at IS NOT NULL AND u.id > ?
			AND NOT EXISTS (SELECT 1 FROM reminder_sends r WHERE r.user_id = u.id AND r.claimed_at >= ?)
		ORDER BY u.id LIMIT ?`, afterID, DBTime(claimedSince), limit)
	if err != nil {
		return nil, fmt.Errorf("reminder candidates: %w", err)
	}
	defer rows.Close()
	var out []ReminderCandidate
	for rows.Next() {
		var c ReminderCandidate
		if err := rows.Scan(&c.UserID, &c.Email, &c.Name, &c.Preferences, &c.FeatureFlags, ScanTime(&c.LastEntryAt)); err != nil {
			return nil, fmt.Errorf("reminder candidates: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Reminder states.
const (
	ReminderClaimed = "claimed"
	ReminderSending = "sending"
	ReminderSent    = "sent"
	ReminderSkipped = "skipped"
)

// ClaimReminder claims the user's reminder for localDate; false means it
// was claimed already (by this or another instance).
func (t *Tx) ClaimReminder(ctx context.Context, userID, localDate string, now time.Time) (bool, error) {
	res, err := t.exec(ctx, `INSERT INTO reminder_sends (user_id, local_date, status, claimed_at) VALUES (?, ?, 'claimed', ?)
		ON CONFLICT (user_id, local_date) DO NOTHING`, userID, localDate, DBTime(now))
	if err != nil {
		return false, fmt.Errorf("claim reminder: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim reminder: %w", err)
	}
	return n == 1, nil
}

// MoveReminder changes the reminder's status from one state to another and
// reports whether it was in from.
func (t *Tx) MoveReminder(ctx context.Context, userID, localDate, from, to, relationshipID string, now time.Time) (bool, error) {
	var sentAt any
	if to == ReminderSent {
		sentAt = DBTime(now)
	}
	res, err := t.exec(ctx, `UPDATE reminder_sends SET status = ?, sent_at = COALESCE(?, sent_at), relationship_id = COALESCE(NULLIF(?, ''), relationship_id)
		WHERE user_id = ? AND local_date = ? AND status = ?`, to, sentAt, relationshipID, userID, localDate, from)
	if err != nil {
		return false, fmt.Errorf("update reminder: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("update reminder: %w", err)
	}
	return n == 1, nil
}

// ReminderStatus returns the status of the user's reminder for localDate,
// or ErrNotFound.
func (q *Queries) ReminderStatus(ctx context.Context, userID, localDate string) (string, error) {
	var s string
	err := q.queryRow(ctx, `SELECT status FROM reminder_sends WHERE user_id = ? AND local_date = ?`, userID, localDate).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("reminder %s: %w", localDate, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("reminder status: %w", err)
	}
	return s, nil
}

// LastEntryAt returns the time of the user's newest entry (zero when none).
func (q *Queries) LastEntryAt(ctx context.Context, userID string) (time.Time, error) {
	var t time.Time
	err := q.queryRow(ctx, `SELECT created_at FROM journal_entries WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT 1`, userID).
		Scan(ScanTime(&t))
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("last entry: %w", err)
	}
	return t, nil
}

// PruneReminders deletes reminder claims older than before (a claim only
// matters on its own day).
func (t *Tx) PruneReminders(ctx context.Context, before time.Time) error {
	if _, err := t.exec(ctx, `DELETE FROM reminder_sends WHERE claimed_at < ?`, DBTime(before)); err != nil {
		return fmt.Errorf("prune reminders: %w", err)
	}
	return nil
}
