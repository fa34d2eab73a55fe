package store

import (
	"context"
	"fmt"
	"time"
)

// QueuedTransactions reports how many InTx calls wait for the SQLite group
// committer (0 on PostgreSQL), so tests can line callers up in one batch.
func QueuedTransactions(s *Store) int {
	if s.group == nil {
		return 0
	}
	return len(s.group.reqs)
}

// CommittedEvent reports whether the event log holds seq, read through the
// read pool (which sees only committed rows).
func CommittedEvent(ctx context.Context, s *Store, seq int64) (bool, error) {
	var n int
	err := s.read.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM events WHERE seq = ?`), seq).Scan(&n)
	return n == 1, err
}

// WALStep is one round of the SQLite checkpointer.
type WALStep = walStep

// StepCheckpointer runs one round of the SQLite checkpointer now.
func StepCheckpointer(ctx context.Context, s *Store) (WALStep, error) { return s.ckpt.step(ctx) }

// SetCheckpointer sets the SQLite checkpointer's restart threshold, idle
// time and clock.
func SetCheckpointer(ctx context.Context, s *Store, limit int64, idle time.Duration, now func() time.Time) error {
	if _, err := s.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA journal_size_limit = %d`, limit)); err != nil {
		return err
	}
	s.ckpt.mu.Lock()
	defer s.ckpt.mu.Unlock()
	s.ckpt.limit, s.ckpt.idle, s.ckpt.now = limit, idle, now
	return nil
}

// StopCheckpointRounds ends the checkpointer's background rounds, so that a
// test's own StepCheckpointer calls are the only ones.
func StopCheckpointRounds(s *Store) {
	if s.ckpt.stopLoop != nil {
		s.ckpt.stopLoop()
	}
}

// HoldReadSnapshot starts a read transaction on the read pool and keeps it
// (and its snapshot of the WAL) until release is called.
func HoldReadSnapshot(ctx context.Context, s *Store) (release func(), err error) {
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return nil, err
	}
	var n int
	if _, err = conn.ExecContext(ctx, `BEGIN`); err == nil {
		err = conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	}
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), `COMMIT`)
		_ = conn.Close()
	}, nil
}

// WALFile is the path of the SQLite store's WAL file.
func WALFile(s *Store) string { return s.ckpt.walPath }

// ReadRecentUsers reads the newest users' names through the read pool, as
// a page of a list would.
func ReadRecentUsers(ctx context.Context, s *Store) (int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT name FROM users ORDER BY rowid DESC LIMIT 50`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// MigrateTo applies our migrations up to version v only (tests of a
// migration over data written in the schema before it).
func MigrateTo(ctx context.Context, s *Store, v int) error {
	_, err := s.migrate(ctx, v)
	return err
}
