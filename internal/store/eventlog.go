package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
)

// EventsAfter returns up to limit of userID's events with a sequence above
// after, oldest first: what a reconnecting stream replays. Data holds the
// stored JSON (json.RawMessage).
func (q *Queries) EventsAfter(ctx context.Context, userID string, after int64, limit int) ([]Event, error) {
	rows, err := q.query(ctx, `SELECT seq, user_id, type, entity_id, relationship_id, data, created_at
FROM events WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?`, q.eventUserID(userID), after, limit)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return scanEvents(rows)
}

// EventsAfterForUsers returns up to limit events of any of userIDs with a
// sequence above after, oldest first. A PostgreSQL instance's real-time
// feed reads what other instances (and its own transactions) committed.
func (q *Queries) EventsAfterForUsers(ctx context.Context, userIDs []string, after int64, limit int) ([]Event, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(userIDs)+2)
	in := make([]byte, 0, 2*len(userIDs))
	for i, u := range userIDs {
		if i > 0 {
			in = append(in, ',')
		}
		in = append(in, '?')
		args = append(args, q.eventUserID(u))
	}
	args = append(args, after, limit)
	rows, err := q.query(ctx, `SELECT seq, user_id, type, entity_id, relationship_id, data, created_at
FROM events WHERE user_id IN (`+string(in)+`) AND seq > ? ORDER BY seq LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return scanEvents(rows)
}

func scanEvents(rows *sql.Rows) ([]Event, error) {
	defer func() { _ = rows.Close() }()
	var out []Event
	for rows.Next() {
		var (
			e                           Event
			user, entity, rel, data, at any
		)
		if err := rows.Scan(&e.Seq, &user, &e.Type, &entity, &rel, &data, &at); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		// Stored compactly on SQLite (eventcodec.go), as text on PostgreSQL.
		var err error
		if e.UserID, err = decodeEventID(user); err != nil {
			return nil, fmt.Errorf("read event %d: %w", e.Seq, err)
		}
		if e.EntityID, err = decodeEventID(entity); err != nil {
			return nil, fmt.Errorf("read event %d: %w", e.Seq, err)
		}
		if e.RelationshipID, err = decodeEventID(rel); err != nil {
			return nil, fmt.Errorf("read event %d: %w", e.Seq, err)
		}
		d, err := decodeEventData(data)
		if err != nil {
			return nil, fmt.Errorf("read event %d: %w", e.Seq, err)
		}
		e.Data = json.RawMessage(d)
		if e.At, err = decodeEventTime(at); err != nil {
			return nil, fmt.Errorf("read event %d: %w", e.Seq, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}

// EventBounds returns the oldest and newest sequence still in the event
// log (0, 0 when it is empty). Pruning removes a prefix of the log, so an
// id below oldest-1 may have missed events that are gone.
func (q *Queries) EventBounds(ctx context.Context) (oldest, newest int64, err error) {
	var lo, hi sql.NullInt64
	if err := q.queryRow(ctx, `SELECT MIN(seq), MAX(seq) FROM events`).Scan(&lo, &hi); err != nil {
		return 0, 0, fmt.Errorf("read event log bounds: %w", err)
	}
	return lo.Int64, hi.Int64, nil
}

// LastEventSeq returns the sequence of userID's newest event, 0 if none.
func (q *Queries) LastEventSeq(ctx context.Context, userID string) (int64, error) {
	var seq sql.NullInt64
	if err := q.queryRow(ctx, `SELECT MAX(seq) FROM events WHERE user_id = ?`, q.eventUserID(userID)).Scan(&seq); err != nil {
		return 0, fmt.Errorf("read last event: %w", err)
	}
	return seq.Int64, nil
}

// eventLogLockClass namespaces the per-user advisory locks of the event
// log (pg_advisory_xact_lock's two-key form: class, hashtext(user id)).
const eventLogLockClass = 72011

// writeEvents inserts the transaction's pending events on PostgreSQL, just
// before COMMIT, each user's under a lock held until the transaction ends.
//
// A sequence hands out numbers in insert order, not commit order: without
// the lock, a reader tailing "seq > last" could see 11 commit before 10 and
// skip 10 for ever. With it, the next insert for the user waits for this
// transaction to commit, so each user's log order is its commit order and
// a replay or the real-time feed never misses a late commit. Taking the
// locks last (in user order) means a transaction holding one never waits
// for a row lock, so they cannot deadlock with the rows the transaction
// changed. Users hashing alike merely wait for each other.
func (t *Tx) writeEvents(ctx context.Context) error {
	if t.pending == 0 {
		return nil
	}
	pending := t.events[len(t.events)-t.pending:]
	users := make([]string, 0, 1)
	for _, e := range pending {
		if !slices.Contains(users, e.UserID) {
			users = append(users, e.UserID)
		}
	}
	slices.Sort(users)
	for _, u := range users {
		if _, err := t.exec(ctx, `SELECT pg_advisory_xact_lock(?, hashtext(?))`, eventLogLockClass, u); err != nil {
			return fmt.Errorf("lock the event log: %w", err)
		}
	}
	for i := range pending {
		e := &pending[i]
		data, _ := e.Data.(json.RawMessage)
		if err := t.queryRow(ctx, insertEventNotifySQL, e.UserID, e.Type, e.EntityID, e.RelationshipID, string(data), DBTime(e.At)).Scan(&e.Seq); err != nil {
			return fmt.Errorf("append %s event: %w", e.Type, err)
		}
	}
	t.pending = 0
	return nil
}

// eventUserID is how a user's id is stored in the event log: compactly on
// SQLite (eventcodec.go, migration 0010), as text on PostgreSQL.
func (q *Queries) eventUserID(id string) any {
	if q.d.engine() == Postgres {
		return id
	}
	return encodeEventID(id)
}
