package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Entry is a journal entry. Content is stored exactly as the user wrote it.
type Entry struct {
	ID             string
	UserID         string
	RelationshipID string
	Content        string
	Mood           string
	Tags           []string
	IsPrivate      bool
	WordCount      int
	Status         string // draft or published
	PublishedAt    time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Entry statuses.
const (
	EntryDraft     = "draft"
	EntryPublished = "published"
)

// Cursor is a position in a list ordered by (time, id): the last row of
// the previous page. Rows created later never shift the rows after it.
type Cursor struct {
	Time time.Time
	ID   string
}

const entryColumns = `id, user_id, relationship_id, content, mood, tags, is_private, word_count, status, published_at, created_at, updated_at`

func scanEntry(row interface{ Scan(...any) error }, extra ...any) (Entry, error) {
	var e Entry
	var tags string
	dest := append([]any{&e.ID, &e.UserID, &e.RelationshipID, &e.Content, &e.Mood, &tags, &e.IsPrivate, &e.WordCount, &e.Status,
		ScanTime(&e.PublishedAt), ScanTime(&e.CreatedAt), ScanTime(&e.UpdatedAt)}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Entry{}, err
	}
	if err := json.Unmarshal([]byte(tags), &e.Tags); err != nil {
		return Entry{}, fmt.Errorf("entry %s tags: %w", e.ID, err)
	}
	if e.Tags == nil {
		e.Tags = []string{}
	}
	return e, nil
}

func entryArgs(e Entry) ([]any, error) {
	tags := e.Tags
	if tags == nil {
		tags = []string{}
	}
	b, err := json.Marshal(tags)
	if err != nil {
		return nil, fmt.Errorf("encode tags: %w", err)
	}
	return []any{e.ID, e.UserID, e.RelationshipID, e.Content, e.Mood, string(b), e.IsPrivate, e.WordCount, e.Status,
		NullDBTime(e.PublishedAt), DBTime(e.CreatedAt), DBTime(e.UpdatedAt)}, nil
}

const insertEntrySQL = `INSERT INTO journal_entries (` + entryColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// InsertEntry inserts e. The caller has checked that the relationship is the user's.
func (t *Tx) InsertEntry(ctx context.Context, e Entry) error {
	args, err := entryArgs(e)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, insertEntrySQL, args...); err != nil {
		if t.d.isUniqueViolation(err) {
			return fmt.Errorf("entry already exists: %w", ErrConflict)
		}
		return fmt.Errorf("insert entry: %w", err)
	}
	t.unindexed = true
	return nil
}

// insertOwnedEntrySQL inserts the entry only when its relationship is its
// user's: the ownership check and the insert are one statement.
const insertOwnedEntrySQL = `INSERT INTO journal_entries (` + entryColumns + `)
	SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM relationships WHERE id = ? AND user_id = ?)`

// InsertOwnedEntry inserts e if its relationship is its user's, and
// returns ErrNotFound (inserting nothing) when it is not. On SQLite the
// check is part of the insert; PostgreSQL reads the relationship first
// (its parameters in a bare SELECT list would have no column types).
func (t *Tx) InsertOwnedEntry(ctx context.Context, e Entry) error {
	if t.d.engine() != SQLite {
		if _, err := t.GetRelationship(ctx, e.UserID, e.RelationshipID); err != nil {
			return err
		}
		return t.InsertEntry(ctx, e)
	}
	args, err := entryArgs(e)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, insertOwnedEntrySQL, append(args, e.RelationshipID, e.UserID)...)
	if err != nil {
		if t.d.isUniqueViolation(err) {
			return fmt.Errorf("entry already exists: %w", ErrConflict)
		}
		return fmt.Errorf("insert entry: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("insert entry: %w", err)
	} else if n == 0 {
		return fmt.Errorf("relationship %s: %w", e.RelationshipID, ErrNotFound)
	}
	t.unindexed = true
	return nil
}

// flushEntryIndex adds the entries inserted in this transaction to the
// SQLite full-text index, in one statement. The insert trigger only notes
// a new entry in journal_entries_fts_pending (migration 0006): FTS5 writes
// what it was given as a new index segment at every SAVEPOINT, which the
// group commit opens per caller, so indexing there made one segment per
// entry. The committer calls this after the batch's savepoints, before
// COMMIT; entries of callers rolled back are no longer noted.
func (t *Tx) flushEntryIndex(ctx context.Context) error {
	if _, err := t.exec(ctx, `INSERT INTO journal_entries_fts (rowid, content, tags)
		SELECT e.seq, e.content, e.tags FROM journal_entries_fts_pending p JOIN journal_entries e ON e.seq = p.seq`); err != nil {
		return fmt.Errorf("index new entries: %w", err)
	}
	if _, err := t.exec(ctx, `DELETE FROM journal_entries_fts_pending`); err != nil {
		return fmt.Errorf("index new entries: %w", err)
	}
	return nil
}

// importBatchRows bounds the rows of one multi-row INSERT: 12 parameters a
// row stays under SQLite's and PostgreSQL's parameter limits.
const importBatchRows = 500

// InsertEntries inserts many entries with multi-row statements, for the
// import path. Each must belong to a relationship of its user.
func (t *Tx) InsertEntries(ctx context.Context, entries []Entry) error {
	for start := 0; start < len(entries); start += importBatchRows {
		batch := entries[start:min(start+importBatchRows, len(entries))]
		var b strings.Builder
		b.WriteString(`INSERT INTO journal_entries (` + entryColumns + `) VALUES `)
		args := make([]any, 0, len(batch)*12)
		for i, e := range batch {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			a, err := entryArgs(e)
			if err != nil {
				return err
			}
			args = append(args, a...)
		}
		if _, err := t.exec(ctx, b.String(), args...); err != nil {
			if t.d.isUniqueViolation(err) {
				return fmt.Errorf("entry already exists: %w", ErrConflict)
			}
			return fmt.Errorf("insert entries: %w", err)
		}
		t.unindexed = true
	}
	return nil
}

// GetEntry returns the user's entry id, or ErrNotFound.
func (q *Queries) GetEntry(ctx context.Context, userID, id string) (Entry, error) {
	return q.getEntry(ctx, userID, id, "")
}

// GetEntryForUpdate is GetEntry inside a write transaction that goes on to
// change the entry: on PostgreSQL it locks the row so that two concurrent
// auto-saves apply one after the other (SQLite has a single writer already).
func (t *Tx) GetEntryForUpdate(ctx context.Context, userID, id string) (Entry, error) {
	lock := ""
	if t.d.engine() == Postgres {
		lock = " FOR UPDATE"
	}
	return t.getEntry(ctx, userID, id, lock)
}

func (q *Queries) getEntry(ctx context.Context, userID, id, suffix string) (Entry, error) {
	e, err := scanEntry(q.queryRow(ctx, `SELECT `+entryColumns+` FROM journal_entries WHERE id = ? AND user_id = ?`+suffix, id, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, fmt.Errorf("entry %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("get entry: %w", err)
	}
	return e, nil
}

// UpdateEntry stores every editable field of e; ErrNotFound when the entry
// is gone (deleted meanwhile) or not the user's.
func (t *Tx) UpdateEntry(ctx context.Context, e Entry) error {
	tags, err := json.Marshal(e.Tags)
	if err != nil {
		return fmt.Errorf("encode tags: %w", err)
	}
	if e.Tags == nil {
		tags = []byte("[]")
	}
	res, err := t.exec(ctx, `UPDATE journal_entries SET relationship_id = ?, content = ?, mood = ?, tags = ?, is_private = ?,
		word_count = ?, status = ?, published_at = ?, updated_at = ? WHERE id = ? AND user_id = ?`,
		e.RelationshipID, e.Content, e.Mood, string(tags), e.IsPrivate, e.WordCount, e.Status, NullDBTime(e.PublishedAt),
		DBTime(e.UpdatedAt), e.ID, e.UserID)
	if err != nil {
		return fmt.Errorf("update entry: %w", err)
	}
	return affectedOne(res, "entry", e.ID)
}

// DeleteEntry deletes the user's entry; its analysis and status go with it
// (ON DELETE CASCADE).
func (t *Tx) DeleteEntry(ctx context.Context, userID, id string) error {
	res, err := t.exec(ctx, `DELETE FROM journal_entries WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return fmt.Errorf("delete entry: %w", err)
	}
	return affectedOne(res, "entry", id)
}

// EntryFilter selects a page of a user's entries, newest first.
type EntryFilter struct {
	UserID         string
	RelationshipID string // optional
	Status         string // optional: draft or published
	After          *Cursor
	Limit          int
}

// ListEntries returns a page of the user's entries, newest first, ordered
// by (created_at, id) so that pages neither repeat nor skip rows while
// entries are being added.
func (q *Queries) ListEntries(ctx context.Context, f EntryFilter) ([]Entry, error) {
	var b strings.Builder
	b.WriteString(`SELECT ` + entryColumns + ` FROM journal_entries WHERE user_id = ?`)
	args := []any{f.UserID}
	if f.RelationshipID != "" {
		b.WriteString(` AND relationship_id = ?`)
		args = append(args, f.RelationshipID)
	}
	if f.Status != "" {
		b.WriteString(` AND status = ?`)
		args = append(args, f.Status)
	}
	if f.After != nil {
		b.WriteString(` AND (created_at, id) < (?, ?)`)
		args = append(args, DBTime(f.After.Time), f.After.ID)
	}
	b.WriteString(` ORDER BY created_at DESC, id DESC LIMIT ?`)
	args = append(args, f.Limit)
	rows, err := q.query(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("list entries: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("list entries: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list entries: %w", err)
	}
	return out, nil
}
