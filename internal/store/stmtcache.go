package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps statements prepared on an SQLite pool, so a query text
// is parsed once rather than on every call (parsing was a third of the
// writer's time under publish load; modernc keeps no cache of its own).
//
// On the write pool a statement is prepared the first time its text is
// seen, by a goroutine that waits for the connection to be free: the caller
// is inside a transaction that holds the one connection, so preparing there
// would deadlock. That first call runs unprepared; later ones reuse the
// statement inside their transactions via Tx.StmtContext, which
// database/sql maps to the same connection's prepared handle. On the read
// pool (inline set) the statement is prepared on first use by the caller.
// The cache is bounded; texts past the bound are simply not cached.
type stmtCache struct {
	db      *sql.DB
	inline  bool
	max     int
	mu      sync.Mutex
	stmts   map[string]*sql.Stmt
	pending map[string]bool
	closed  bool
	wg      sync.WaitGroup
}

func newStmtCache(db *sql.DB, max int, inline bool) *stmtCache {
	return &stmtCache{db: db, inline: inline, max: max, stmts: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// get returns the prepared statement for query, or nil (and starts
// preparing it) when there is none yet.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st
	}
	if c.closed || c.pending[query] || len(c.stmts)+len(c.pending) >= c.max {
		return nil
	}
	c.pending[query] = true
	c.wg.Add(1)
	if c.inline {
		c.mu.Unlock()
		c.prepare(query)
		c.mu.Lock()
		return c.stmts[query]
	}
	go c.prepare(query)
	return nil
}

func (c *stmtCache) prepare(query string) {
	defer c.wg.Done()
	st, err := c.db.PrepareContext(context.Background(), query)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, query)
	if err != nil {
		// Not cached: the query runs unprepared and reports its own error.
		c.stmts[query] = nil
		return
	}
	if c.closed {
		_ = st.Close()
		return
	}
	c.stmts[query] = st
}

// close waits for preparations in flight and closes every statement; call
// it after the last transaction and before closing the database.
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		if st != nil {
			_ = st.Close()
		}
		delete(c.stmts, q)
	}
}

// stmt returns query prepared for q's pool or transaction, or nil when it
// should run unprepared (PostgreSQL, where pgx caches statements itself;
// or not prepared yet).
func (q *Queries) stmt(ctx context.Context, query string) *sql.Stmt {
	if q.stmts == nil {
		return nil
	}
	st := q.stmts.get(query)
	if st == nil {
		return nil
	}
	if tx, ok := q.db.(*sql.Tx); ok {
		return tx.StmtContext(ctx, st)
	}
	return st
}
