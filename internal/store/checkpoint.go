package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"sync"
	"time"
)

// The WAL's bounds (docs/operations.md, "The WAL"). SQLite appends every
// commit to resonant.db-wal; a checkpoint copies the frames into the
// database file, and only once every frame is copied and no reader still
// uses the WAL can the next writer start again at its beginning. Passive
// checkpoints never get there under steady writes and reads (the writer
// keeps adding frames; readers keep old snapshots), which let the WAL grow
// to gigabytes.
const (
	// checkpointInterval is how often the checkpointer runs.
	checkpointInterval = 200 * time.Millisecond
	// walRestartBytes: when the WAL holds more than this, the checkpointer
	// runs a RESTART checkpoint (the next commit starts the WAL over), and
	// a WAL file grown past it (one large transaction) is cut back to it
	// when the WAL restarts (journal_size_limit).
	walRestartBytes = 16 << 20
	// walIdleAfter: with no commit for this long, the WAL file is truncated
	// to zero bytes.
	walIdleAfter = 5 * time.Second
	// checkpointBusy bounds how long a RESTART or TRUNCATE checkpoint waits
	// for readers to leave the WAL, which is also how long it holds up the
	// writer; one that times out is tried again on a later round.
	checkpointBusy = 100 * time.Millisecond
	// walHardFactor × the restart threshold is where the WAL stops growing
	// at the writers' expense: past it a RESTART waits up to
	// checkpointBusyHard for readers, holding the writer all the while, so
	// no frame is added until it succeeds. Short restarts that keep timing
	// out (readers starved of CPU, a disk slowed by other work) let the WAL
	// reach 69 MiB once in seven make load runs while another engineer's
	// test suite ran; the bound is 64 MiB.
	walHardFactor      = 3
	checkpointBusyHard = 2 * time.Second
)

// checkpointer keeps the WAL bounded. Every round it runs a PASSIVE
// checkpoint from its own connection, which copies frames into the database
// file without blocking the writer. When the WAL holds more than limit
// bytes it runs a RESTART checkpoint on the writer's connection itself
// (taken from the one-connection write pool between two transactions, so
// no commit is in flight and it needs no lock a writer holds): that copies
// the few frames the passive ones have not, waits (at most checkpointBusy)
// for readers to leave the WAL, and makes the next commit start the WAL
// over. When no commit has come for idle, it truncates the file to zero.
type checkpointer struct {
	cp, write *sql.DB
	walPath   string

	mu        sync.Mutex
	limit     int64
	idle      time.Duration
	now       func() time.Time
	frameSize int64
	lastLog   int64     // WAL frames seen at the last round
	changed   time.Time // when lastLog last changed
	restarted int64     // lastLog when a RESTART last succeeded (the WAL starts over at the next commit)

	stopLoop func() // ends the rounds started by start (idempotent); nil before
}

// walStep reports one round of the checkpointer.
type walStep struct {
	LogFrames, Checkpointed int64  // after the passive checkpoint
	Action                  string // "", "restart" or "truncate"
	Busy                    bool   // the restart or truncate could not finish (readers); tried again later
	Hard                    bool   // the WAL was past the hard bound: the restart held the writer for up to checkpointBusyHard
}

func newCheckpointer(cp, write *sql.DB, walPath string, now func() time.Time) *checkpointer {
	return &checkpointer{cp: cp, write: write, walPath: walPath, limit: walRestartBytes, idle: walIdleAfter, now: now}
}

// start runs a round every interval until stop, which runs a last,
// truncating checkpoint.
func (c *checkpointer) start(interval time.Duration) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				_, _ = c.cp.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
				return
			case <-t.C:
				// A failed round (the database busy, closing) changes
				// nothing; the next one tries again.
				_, _ = c.step(context.Background())
			}
		}
	}()
	var once sync.Once
	c.stopLoop = func() {
		once.Do(func() {
			close(done)
			<-finished
		})
	}
	return c.stopLoop
}

// step runs one round.
func (c *checkpointer) step(ctx context.Context) (walStep, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var st walStep
	var busy int
	if err := c.cp.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &st.LogFrames, &st.Checkpointed); err != nil {
		return st, fmt.Errorf("passive checkpoint: %w", err)
	}
	if c.frameSize == 0 {
		var pageSize int64
		if err := c.cp.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
			return st, fmt.Errorf("page size: %w", err)
		}
		c.frameSize = pageSize + 24 // each frame carries a 24-byte header
	}
	now := c.now()
	if st.LogFrames != c.lastLog || c.changed.IsZero() {
		c.lastLog, c.changed = st.LogFrames, now
	}
	switch {
	case st.LogFrames*c.frameSize > c.limit && st.LogFrames != c.restarted:
		st.Action = "restart"
	case now.Sub(c.changed) >= c.idle && fileSize(c.walPath) > 0:
		st.Action = "truncate"
	default:
		return st, nil
	}
	wait := checkpointBusy
	if st.Action == "restart" && st.LogFrames*c.frameSize > walHardFactor*c.limit {
		wait, st.Hard = checkpointBusyHard, true
	}
	busy, err := c.onWriter(ctx, st.Action, wait)
	if err != nil {
		return st, err
	}
	st.Busy = busy != 0
	if !st.Busy && st.Action == "restart" {
		c.restarted = st.LogFrames
	}
	return st, nil
}

// onWriter runs a RESTART or TRUNCATE checkpoint on the writer's
// connection with busy timeout wait, restoring the usual one after.
func (c *checkpointer) onWriter(ctx context.Context, mode string, wait time.Duration) (busy int, err error) {
	conn, err := c.write.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("%s checkpoint: %w", mode, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, wait.Milliseconds())); err != nil {
		return 0, fmt.Errorf("%s checkpoint: %w", mode, err)
	}
	var logFrames, done int64
	ckErr := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(`+mode+`)`).Scan(&busy, &logFrames, &done)
	// Restored on a context of its own: a connection left with the short
	// timeout would make the writer give up on locks too early.
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA busy_timeout = %d`, sqliteBusyTimeout.Milliseconds())); err != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // the pool drops it and opens a fresh one
		return 0, fmt.Errorf("%s checkpoint: restore busy timeout: %w", mode, err)
	}
	if ckErr != nil {
		return 0, fmt.Errorf("%s checkpoint: %w", mode, ckErr)
	}
	return busy, nil
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
