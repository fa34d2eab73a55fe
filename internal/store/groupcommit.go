package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// groupCommitter runs the write transactions of many callers in one SQLite
// transaction. SQLite has one writer, so concurrent InTx calls queue for it
// anyway; committing them together shares the per-commit cost (WAL frame
// writes, the commit itself) among everyone waiting, which is what lets
// publishing keep up under concurrent load.
//
// Each caller's function runs inside its own SAVEPOINT, in arrival order: a
// function that fails (or panics) is rolled back to its savepoint alone and
// gets its own error, and everyone else's work goes on. The result is the
// same as running the functions one after another in separate
// transactions, except that a failing COMMIT fails the whole batch (each
// caller gets the error; nothing of the batch is written). Callers return
// only after their batch has committed. The events of the callers whose
// function succeeded go to the store's hook after the COMMIT, in commit
// order, before anyone is answered; a rolled-back caller's events are
// dropped with its savepoint, and a failed COMMIT delivers nothing.
type groupCommitter struct {
	db       *sql.DB
	d        dialect
	stmts    *stmtCache
	deliver  func([]Event) // hands committed events to the store's hook
	revoked  func()        // tells the store that a commit revoked credentials
	reqs     chan *txRequest
	maxBatch int
	stop     chan struct{}
	stopped  chan struct{}
}

type txRequest struct {
	ctx   context.Context
	fn    func(context.Context, *Tx) error
	done  chan txResult
	tx    *Tx   // this caller's view of the batch transaction (its events)
	err   error // fn's own result, while the batch is in flight
	panic any
}

type txResult struct {
	err   error
	panic any
}

// errStoreClosed is returned to callers after Close.
var errStoreClosed = errors.New("store is closed")

func newGroupCommitter(db *sql.DB, d dialect, stmts *stmtCache, deliver func([]Event), revoked func(), maxBatch int) *groupCommitter {
	g := &groupCommitter{db: db, d: d, stmts: stmts, deliver: deliver, revoked: revoked, reqs: make(chan *txRequest, maxBatch), maxBatch: maxBatch,
		stop: make(chan struct{}), stopped: make(chan struct{})}
	go g.loop()
	return g
}

// do runs fn in the next batch and waits for the batch to commit.
func (g *groupCommitter) do(ctx context.Context, fn func(context.Context, *Tx) error) error {
	req := &txRequest{ctx: ctx, fn: fn, done: make(chan txResult, 1)}
	select {
	case g.reqs <- req:
	case <-g.stop:
		return errStoreClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the request is seen through: the batch checks ctx before
	// running fn, and a commit cannot be taken back.
	res := <-req.done
	if res.panic != nil {
		panic(res.panic)
	}
	return res.err
}

func (g *groupCommitter) close() {
	close(g.stop)
	<-g.stopped
}

func (g *groupCommitter) loop() {
	defer close(g.stopped)
	batch := make([]*txRequest, 0, g.maxBatch)
	for {
		select {
		case <-g.stop:
			// Requests already queued still run: their callers are waiting.
			for {
				select {
				case r := <-g.reqs:
					g.run([]*txRequest{r})
				default:
					return
				}
			}
		case r := <-g.reqs:
			batch = append(batch[:0], r)
		drain:
			for len(batch) < g.maxBatch {
				select {
				case r := <-g.reqs:
					batch = append(batch, r)
				default:
					break drain
				}
			}
			g.run(batch)
		}
	}
}

// run executes one batch. It begins with a background context: one
// caller's cancellation must not roll back the others. Every caller hears
// back only after the batch's COMMIT, failed ones included: a function that
// failed because of a row an earlier caller wrote (a unique conflict) must
// find that row committed when it looks, as it would if the two had run
// one after the other.
func (g *groupCommitter) run(batch []*txRequest) {
	sqlTx, err := g.db.BeginTx(context.Background(), nil)
	if err != nil {
		for _, r := range batch {
			r.done <- txResult{err: fmt.Errorf("begin transaction: %w", err)}
		}
		return
	}
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		if err := g.runOne(sqlTx, r); err != nil {
			// The savepoint machinery itself failed: the transaction can no
			// longer be trusted. Fail everything in it.
			_ = sqlTx.Rollback()
			for _, p := range batch {
				p.done <- txResult{err: err}
			}
			return
		}
	}
	if err := g.finishBatch(sqlTx, batch); err != nil {
		_ = sqlTx.Rollback()
		for _, r := range batch {
			r.done <- txResult{err: err}
		}
		return
	}
	commitErr := sqlTx.Commit()
	if commitErr != nil {
		commitErr = fmt.Errorf("commit: %w", commitErr)
	} else {
		var events []Event
		for _, r := range batch {
			if r.err == nil && r.panic == nil {
				events = append(events, r.tx.events...)
			}
		}
		for _, r := range batch {
			if r.err == nil && r.panic == nil && r.tx.revokes {
				g.revoked()
				break
			}
		}
		g.deliver(events)
	}
	for _, r := range batch {
		switch {
		case r.err != nil || r.panic != nil:
			r.done <- txResult{err: r.err, panic: r.panic}
		default:
			r.done <- txResult{err: commitErr}
		}
	}
}

// runOne runs r.fn inside a savepoint, recording its error or panic on r
// and rolling back to the savepoint when it failed. The returned error is
// only for failures of the savepoint statements themselves.
func (g *groupCommitter) runOne(sqlTx *sql.Tx, r *txRequest) error {
	bg := context.Background()
	if _, err := sqlTx.ExecContext(bg, `SAVEPOINT resonant_call`); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	func() {
		defer func() {
			if p := recover(); p != nil {
				r.panic = p
			}
		}()
		r.tx = &Tx{Queries: Queries{db: sqlTx, d: g.d, stmts: g.stmts}, tx: sqlTx}
		r.err = r.fn(r.ctx, r.tx)
	}()
	if r.err != nil || r.panic != nil {
		if _, err := sqlTx.ExecContext(bg, `ROLLBACK TO resonant_call`); err != nil {
			return fmt.Errorf("roll back to savepoint: %w", err)
		}
	}
	if _, err := sqlTx.ExecContext(bg, `RELEASE resonant_call`); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// finishBatch does, once for the whole batch and outside every savepoint,
// the work the callers' functions left for the end: indexing the entries
// they inserted (see Tx.flushEntryIndex) and inserting their events (see
// Tx.insertBatchEvents).
func (g *groupCommitter) finishBatch(sqlTx *sql.Tx, batch []*txRequest) error {
	ctx := context.Background()
	t := &Tx{Queries: Queries{db: sqlTx, d: g.d, stmts: g.stmts}, tx: sqlTx}
	callers := make([]*Tx, 0, len(batch))
	unindexed := false
	for _, r := range batch {
		if r.err == nil && r.panic == nil && r.tx != nil {
			callers = append(callers, r.tx)
			unindexed = unindexed || r.tx.unindexed
		}
	}
	if unindexed {
		if err := t.flushEntryIndex(ctx); err != nil {
			return err
		}
	}
	return t.insertBatchEvents(ctx, callers)
}
