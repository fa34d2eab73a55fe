package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

type sqliteDialect struct{}

func (sqliteDialect) engine() Engine             { return SQLite }
func (sqliteDialect) rebind(query string) string { return query }

func (sqliteDialect) isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	code := se.Code()
	return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// groupCommitMax bounds how many callers' transactions share one commit,
// so that one batch never holds the writer for long.
const groupCommitMax = 64

// stmtCacheMax bounds the statements kept prepared on the writer; the
// queries are fixed texts, a few hundred at most.
const stmtCacheMax = 512

// SQLiteFile is the database file name inside the data directory.
const SQLiteFile = "resonant.db"

// openSQLite opens <dataDir>/resonant.db with two pools: a single writer
// connection (SQLite allows one writer, and River's SQLite driver needs
// MaxOpenConns(1)) and a small read-only pool that WAL lets run beside it.
// An exclusive lock file keeps a second server (or migrate) off the same
// database. A shared store (Options.Shared, for short admin commands) takes
// no lock and runs no checkpointer: it opens an existing database beside a
// server that may be running, and SQLite's own locking (the busy timeout)
// orders its writes with the server's.
func openSQLite(ctx context.Context, dataDir string, shared bool) (*Store, error) {
	if dataDir == "" {
		dataDir = "data"
	}
	path := filepath.Join(dataDir, SQLiteFile)
	unlock := func() {}
	if shared {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no database at %s (run 'resonant migrate' or 'resonant serve' first): %w", path, err)
		}
	} else {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data directory %s is not usable: %w", dataDir, err)
		}
		var err error
		if unlock, err = lockDataDir(filepath.Join(dataDir, SQLiteFile+".lock")); err != nil {
			return nil, err
		}
	}
	write, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		unlock()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		_ = write.Close()
		unlock()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		_ = write.Close()
		unlock()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(4)
	read.SetConnMaxIdleTime(0)
	cp, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		_ = errors.Join(read.Close(), write.Close())
		unlock()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	cp.SetMaxOpenConns(1)
	stopCheckpoints := func() {}
	if !shared {
		stopCheckpoints = startCheckpointer(cp, time.Second)
	}
	d := sqliteDialect{}
	stmts := newStmtCache(write, stmtCacheMax, false)
	readStmts := newStmtCache(read, stmtCacheMax, true)
	s := &Store{
		Queries: Queries{db: read, d: d, stmts: readStmts},
		engine:  SQLite,
		write:   write,
		read:    read,
	}
	group := newGroupCommitter(write, d, stmts, s.deliver, groupCommitMax)
	s.group = group
	s.closer = func() error {
		group.close()
		stmts.close()
		readStmts.close()
		stopCheckpoints()
		err := errors.Join(read.Close(), write.Close(), cp.Close())
		unlock()
		return err
	}
	return s, nil
}

// startCheckpointer moves WAL frames into the database file every interval
// from its own connection. The writer has automatic checkpoints switched off:
// SQLite would otherwise run one inside whichever commit crosses the WAL
// threshold, which measured as a 10-20x p99 spike on auto-save. A PASSIVE
// checkpoint does not block the writer, and running it steadily keeps the
// WAL file bounded. stop runs a last, truncating checkpoint.
func startCheckpointer(db *sql.DB, interval time.Duration) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				_, _ = db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
				return
			case <-t.C:
				_, _ = db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// sqliteDSN sets the pragmas on every new connection: WAL for concurrent
// readers, a busy timeout instead of immediate SQLITE_BUSY, foreign keys on,
// and IMMEDIATE transactions so a writer takes the lock up front rather than
// failing when it upgrades from reading.
func sqliteDSN(path string, readOnly bool) string {
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "foreign_keys(1)")
	v.Add("_pragma", "synchronous(NORMAL)")
	// Checkpoints run from startCheckpointer, never inside a commit.
	v.Add("_pragma", "wal_autocheckpoint(0)")
	if readOnly {
		v.Add("_pragma", "query_only(1)")
	} else {
		v.Add("_txlock", "immediate")
	}
	return "file:" + path + "?" + v.Encode()
}
