// Package store is Resonant's storage layer: one set of queries over SQLite
// (embedded, the default) and PostgreSQL (several instances), with migrations
// for both and a transaction type that River jobs can be inserted into.
//
// Queries are written once with '?' placeholders in the SQL both engines
// share; the dialect rebinds them for PostgreSQL and supplies the few
// statements that must differ (full-text search, locking, migrations).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Engine names a database engine.
type Engine string

// The supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// ErrNotFound is returned when a row does not exist or is not the caller's.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write violates a uniqueness rule.
var ErrConflict = errors.New("conflict")

// Options configure Open.
type Options struct {
	// DatabaseURL selects PostgreSQL when it starts with postgres:// or
	// postgresql://; empty means SQLite in DataDir.
	DatabaseURL string
	// DataDir holds resonant.db (SQLite mode) and its lock file.
	DataDir string
	// Now is the clock used for migration bookkeeping; nil means time.Now.
	Now func() time.Time
	// Shared opens an existing SQLite database beside a server that may be
	// running, for short admin commands: no data-directory lock, no
	// checkpointer, writes ordered by SQLite's locking. Never for a server
	// or for migrations. PostgreSQL is always shared.
	Shared bool
}

// Store is an open database. Its embedded Queries (reads only) run on the
// read pool; writes exist only as methods of *Tx, reached through InTx.
type Store struct {
	Queries
	engine Engine
	write  *sql.DB // the single writer on SQLite; the shared pool on PostgreSQL
	read   *sql.DB
	closer func() error
	now    func() time.Time
	listen *pgxpool.Pool   // PostgreSQL only: connections for LISTEN
	group  *groupCommitter // SQLite only
	ckpt   *checkpointer   // SQLite only
	hook   atomic.Pointer[EventHook]
	// revocations counts the committed transactions that revoked
	// credentials (see CredentialGeneration).
	revocations atomic.Uint64
}

// Engine reports which engine the store runs on.
func (s *Store) Engine() Engine { return s.engine }

// WriteDB is the pool River and transactions use. On SQLite it has exactly
// one connection, as River's SQLite driver requires.
func (s *Store) WriteDB() *sql.DB { return s.write }

// ListenerPool returns a small pgx pool dedicated to LISTEN connections on
// PostgreSQL (River's notifier, real-time fan-out), or nil on SQLite.
func (s *Store) ListenerPool() *pgxpool.Pool { return s.listen }

// Rebind rewrites a query written with '?' placeholders for the store's
// engine, for tests and tools that run SQL of their own.
func (s *Store) Rebind(query string) string { return s.d.rebind(query) }

// Close closes every pool and releases the data-directory lock.
func (s *Store) Close() error {
	if s.closer == nil {
		return nil
	}
	return s.closer()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Tx is a write transaction. Its Queries (the same reads a Store has) run
// inside it, and every write method is defined on *Tx alone, so the
// compiler refuses a write on the read pool. SQL exposes the *sql.Tx so a
// River job can be inserted atomically with the rows it belongs to.
type Tx struct {
	Queries
	tx     *sql.Tx
	events []Event // appended so far, delivered after COMMIT
	// pending counts the events at the end of events not yet inserted
	// (PostgreSQL inserts them just before COMMIT; see writeEvents).
	pending int
	// eventData holds each event's encoded data, in step with events
	// (SQLite, whose group commit inserts them; see insertBatchEvents).
	eventData [][]byte
	// unindexed: entries were inserted whose full-text indexing waits for
	// the end of the group commit (SQLite; see flushEntryIndex).
	unindexed bool
	// revokes: the transaction deleted access tokens or users (see
	// Store.CredentialGeneration).
	revokes bool
}

// SQL returns the underlying transaction (for river.Client.InsertTx).
func (t *Tx) SQL() *sql.Tx { return t.tx }

// ErrNestedTx is returned by InTx when called inside another InTx: the
// inner call would wait for the outer transaction (a deadlock on SQLite) or
// silently open a second one (PostgreSQL). Use the *Tx already in hand.
var ErrNestedTx = errors.New("store: InTx called inside a transaction; use the *Tx you were given")

// inTxKey marks a context as belonging to a running transaction.
type inTxKey struct{}

// InTx runs fn in one write transaction, committing when fn returns nil and
// rolling back otherwise (also on panic). fn gets a context marked as
// inside the transaction: calling InTx with it (or anything derived from
// it) fails at once with ErrNestedTx. After COMMIT the events fn appended go
// to the store's EventHook, before InTx returns. On SQLite concurrent calls
// are group-committed (see groupCommitter): fn's writes and events are
// still all or nothing, and InTx still returns only after they are committed.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	if ctx.Value(inTxKey{}) != nil {
		return ErrNestedTx
	}
	ctx = context.WithValue(ctx, inTxKey{}, true)
	if s.group != nil {
		return s.group.do(ctx, fn)
	}
	return s.inTxDirect(ctx, fn)
}

func (s *Store) inTxDirect(ctx context.Context, fn func(context.Context, *Tx) error) (err error) {
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	tx := &Tx{Queries: Queries{db: sqlTx, d: s.d}, tx: sqlTx}
	if err = fn(ctx, tx); err != nil {
		return err
	}
	if err = tx.writeEvents(ctx); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if tx.revokes {
		s.credentialsRevoked()
	}
	s.deliver(tx.events)
	return nil
}

// CredentialGeneration returns a number that changes whenever a committed
// transaction has revoked credentials (deleted an access token or a user),
// and whether a process may cache what it authenticated against it. A
// caller that reads the generation before looking a credential up, and
// finds it unchanged when it uses the cached answer, knows no revocation
// committed in between: the generation moves after the COMMIT and before
// the revoking call returns. Only SQLite answers true: one process owns the
// database (its data-directory lock), so every revocation passes here; on
// PostgreSQL another instance may revoke.
func (s *Store) CredentialGeneration() (uint64, bool) {
	return s.revocations.Load(), s.engine == SQLite
}

func (s *Store) credentialsRevoked() { s.revocations.Add(1) }

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Queries holds the read queries, written once for both engines. It runs on
// the read pool (Store) or inside a transaction (Tx); writes are methods of
// *Tx (it alone has exec).
type Queries struct {
	db    querier
	d     dialect
	stmts *stmtCache // SQLite only: prepared statements of this pool
}

// exec runs a statement that changes rows: only a transaction has it, so a
// write cannot be issued on the read pool.
func (t *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = t.d.rebind(query)
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.db.ExecContext(ctx, query, args...)
}

func (q *Queries) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = q.d.rebind(query)
	if st := q.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.db.QueryContext(ctx, query, args...)
}

func (q *Queries) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = q.d.rebind(query)
	if st := q.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.db.QueryRowContext(ctx, query, args...)
}

// dialect is the small part that differs between engines.
type dialect interface {
	engine() Engine
	// rebind turns '?' placeholders into the engine's own.
	rebind(query string) string
	// isUniqueViolation reports whether err is a unique-constraint failure.
	isUniqueViolation(err error) bool
}

// rebindDollar rewrites '?' placeholders as $1, $2, … Queries never contain
// a literal '?' inside a string, which keeps this a plain scan.
func rebindDollar(query string) string {
	n := strings.Count(query, "?")
	if n == 0 {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + n*2)
	i := 0
	for _, r := range query {
		if r == '?' {
			i++
			fmt.Fprintf(&b, "$%d", i)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// timeLayout is fixed-width so that SQLite's text timestamps sort
// chronologically; PostgreSQL parses the same text into timestamptz.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// DBTime formats t as the engines store it.
func DBTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// NullDBTime formats t, or returns nil for the zero time.
func NullDBTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return DBTime(t)
}

// timeScanner scans a timestamp from either engine (time.Time from
// PostgreSQL, text from SQLite); NULL leaves the zero time.
type timeScanner struct{ t *time.Time }

// ScanTime returns a sql.Scanner that stores a timestamp of either engine into t.
func ScanTime(t *time.Time) sql.Scanner { return timeScanner{t} }

func (s timeScanner) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*s.t = time.Time{}
	case time.Time:
		*s.t = v.UTC()
	case int64: // microseconds since 1970: SQLite's compact columns (storedTime)
		*s.t = time.UnixMicro(v).UTC()
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	default:
		return fmt.Errorf("scan time: unsupported type %T", v)
	}
	return nil
}

func (s timeScanner) parse(v string) error {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("scan time %q: %w", v, err)
	}
	*s.t = t.UTC()
	return nil
}
