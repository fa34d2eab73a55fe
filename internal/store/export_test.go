package store

import "context"

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
