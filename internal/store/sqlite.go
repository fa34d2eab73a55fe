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

// sqliteBusyTimeout is how long a connection waits for a lock another holds.
const sqliteBusyTimeout = 10 * time.Second

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
	ckpt := newCheckpointer(cp, write, path+"-wal", time.Now)
	stopCheckpoints := func() {}
	if !shared {
		stopCheckpoints = ckpt.start(checkpointInterval)
	}
	d := sqliteDialect{}
	stmts := newStmtCache(write, stmtCacheMax, false)
	readStmts := newStmtCache(read, stmtCacheMax, true)
	s := &Store{
		Queries: Queries{db: read, d: d, stmts: readStmts},
		engine:  SQLite,
		write:   write,
		read:    read,
		ckpt:    ckpt,
	}
	group := newGroupCommitter(write, d, stmts, s.deliver, s.credentialsRevoked, groupCommitMax)
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

// sqliteDSN sets the pragmas on every new connection: WAL for concurrent
// readers, a busy timeout instead of immediate SQLITE_BUSY, foreign keys on,
// and IMMEDIATE transactions so a writer takes the lock up front rather than
// failing when it upgrades from reading.
func sqliteDSN(path string, readOnly bool) string {
	v := url.Values{}
	v.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()))
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "foreign_keys(1)")
	v.Add("_pragma", "synchronous(NORMAL)")
	// Checkpoints run from the checkpointer (checkpoint.go), never inside
	// a commit. When the WAL restarts after one, the file is cut back to
	// the limit (a large transaction may have grown it).
	v.Add("_pragma", "wal_autocheckpoint(0)")
	v.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", walRestartBytes))
	if readOnly {
		v.Add("_pragma", "query_only(1)")
	} else {
		v.Add("_txlock", "immediate")
		// The sub-journal (the pages each group-commit SAVEPOINT may have to
		// restore) stays in memory: on a file it spilled past 64 KiB, and
		// writing it was a fifth of a publish's CPU. It holds a batch's
		// pages at most.
		v.Add("_pragma", "temp_store(MEMORY)")
	}
	return "file:" + path + "?" + v.Encode()
}
