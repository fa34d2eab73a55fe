package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Relationship is a person the user writes about.
type Relationship struct {
	ID        string
	UserID    string
	Name      string
	Kind      string // partner, family, friend, colleague, other
	Notes     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

const relationshipColumns = `id, user_id, name, kind, notes, created_at, updated_at`

func scanRelationship(row interface{ Scan(...any) error }) (Relationship, error) {
	var r Relationship
	err := row.Scan(&r.ID, &r.UserID, &r.Name, &r.Kind, &r.Notes, ScanTime(&r.CreatedAt), ScanTime(&r.UpdatedAt))
	return r, err
}

// CreateRelationship inserts r.
func (t *Tx) CreateRelationship(ctx context.Context, r Relationship) error {
	_, err := t.exec(ctx, `INSERT INTO relationships (`+relationshipColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.UserID, r.Name, r.Kind, r.Notes, DBTime(r.CreatedAt), DBTime(r.UpdatedAt))
	if err != nil {
		if t.d.isUniqueViolation(err) {
			return fmt.Errorf("relationship already exists: %w", ErrConflict)
		}
		return fmt.Errorf("create relationship: %w", err)
	}
	return nil
}

// GetRelationship returns the user's relationship id, or ErrNotFound when it
// does not exist or belongs to someone else.
func (q *Queries) GetRelationship(ctx context.Context, userID, id string) (Relationship, error) {
	r, err := scanRelationship(q.queryRow(ctx, `SELECT `+relationshipColumns+` FROM relationships WHERE id = ? AND user_id = ?`, id, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return Relationship{}, fmt.Errorf("relationship %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Relationship{}, fmt.Errorf("get relationship: %w", err)
	}
	return r, nil
}

// ListRelationships returns up to limit of the user's relationships, oldest
// first (the order they were added), starting after the cursor when it is
// not nil.
func (q *Queries) ListRelationships(ctx context.Context, userID string, after *Cursor, limit int) ([]Relationship, error) {
	query := `SELECT ` + relationshipColumns + ` FROM relationships WHERE user_id = ?`
	args := []any{userID}
	if after != nil {
		query += ` AND (created_at, id) > (?, ?)`
		args = append(args, DBTime(after.Time), after.ID)
	}
	query += ` ORDER BY created_at, id LIMIT ?`
	args = append(args, limit)
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list relationships: %w", err)
	}
	defer rows.Close()
	var out []Relationship
	for rows.Next() {
		r, err := scanRelationship(rows)
		if err != nil {
			return nil, fmt.Errorf("list relationships: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list relationships: %w", err)
	}
	return out, nil
}

// UpdateRelationship stores r's name, kind and notes; ErrNotFound when it
// is gone or not the user's.
func (t *Tx) UpdateRelationship(ctx context.Context, r Relationship) error {
	res, err := t.exec(ctx, `UPDATE relationships SET name = ?, kind = ?, notes = ?, updated_at = ? WHERE id = ? AND user_id = ?`,
		r.Name, r.Kind, r.Notes, DBTime(r.UpdatedAt), r.ID, r.UserID)
	if err != nil {
		return fmt.Errorf("update relationship: %w", err)
	}
	return affectedOne(res, "relationship", r.ID)
}

// RelationshipHasEntries reports whether any entry is filed under the relationship.
func (q *Queries) RelationshipHasEntries(ctx context.Context, userID, id string) (bool, error) {
	var one int
	err := q.queryRow(ctx, `SELECT 1 FROM journal_entries WHERE user_id = ? AND relationship_id = ? LIMIT 1`, userID, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("count relationship entries: %w", err)
	}
	return true, nil
}

// DeleteRelationship deletes the relationship; its entries, analyses,
// statuses, scores and insights go with it (ON DELETE CASCADE).
func (t *Tx) DeleteRelationship(ctx context.Context, userID, id string) error {
	res, err := t.exec(ctx, `DELETE FROM relationships WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return fmt.Errorf("delete relationship: %w", err)
	}
	return affectedOne(res, "relationship", id)
}

// affectedOne turns "no row changed" into ErrNotFound.
func affectedOne(res sql.Result, what, id string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, id, err)
	}
	if n == 0 {
		return fmt.Errorf("%s %s: %w", what, id, ErrNotFound)
	}
	return nil
}
