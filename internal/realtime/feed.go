package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/resonant-journal/resonant/internal/store"
)

// RevocationsChannel is the PostgreSQL NOTIFY channel on which an instance
// announces (user id only) that one of a user's credentials was revoked, so
// every instance rechecks that user's streams.
const RevocationsChannel = "resonant_revocations"

// FeedLog is what the Feed reads (*store.Store).
type FeedLog interface {
	EventsAfterForUsers(ctx context.Context, userIDs []string, after int64, limit int) ([]store.Event, error)
	LastEventSeq(ctx context.Context, userID string) (int64, error)
}

// FeedConfig configures NewFeed.
type FeedConfig struct {
	Hub *Hub
	Log FeedLog
	// Listen is the pool whose one connection LISTENs (store.ListenerPool).
	Listen *pgxpool.Pool
	Logger *slog.Logger
	// RetryMin and RetryMax bound the reconnect backoff; 0 means 50 ms and 5 s.
	RetryMin, RetryMax time.Duration
}

// Feed follows the event log on PostgreSQL, where several instances share
// one database. Every committed event is announced on store.EventsChannel
// (ids only); the Feed holds one LISTEN connection per instance and, for
// each user with a subscriber on this instance, reads the log after the
// last sequence it published and hands the new events to the hub in
// sequence order — which is commit order per user, because the store
// serialises each user's log inserts. Local commits wake it at once too
// (Wake, from the store's after-commit hook).
//
// After losing its connection (a database restart, a terminated backend)
// it reconnects and re-reads every followed user's log, so nothing
// committed while it was away is lost.
type Feed struct {
	cfg FeedConfig
	log *slog.Logger

	mu      sync.Mutex
	cursors map[string]*cursor
	dirty   map[string]struct{}
	all     bool // re-read every followed user (after a reconnect)
	wake    chan struct{}

	// reconnects counts successful LISTENs (tests wait on it).
	reconnects int
	listening  *sync.Cond
}

type cursor struct {
	refs  int
	seq   int64 // last sequence published for the user
	ready chan struct{}
	err   error
}

// NewFeed returns a Feed; Run starts it. Set it as the hub's Source.
func NewFeed(cfg FeedConfig) *Feed {
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = 50 * time.Millisecond
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = 5 * time.Second
	}
	f := &Feed{cfg: cfg, log: cfg.Logger, cursors: make(map[string]*cursor), dirty: make(map[string]struct{}),
		wake: make(chan struct{}, 1)}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	f.listening = sync.NewCond(&f.mu)
	return f
}

// SetHub sets the hub the Feed publishes to (the hub is built with the
// Feed as its Source, so one of them comes second).
func (f *Feed) SetHub(h *Hub) { f.cfg.Hub = h }

// Watch implements Source: it starts following userID from the newest
// logged event, then re-reads once so nothing committed while it was
// starting is missed.
func (f *Feed) Watch(ctx context.Context, userID string) error {
	f.mu.Lock()
	c := f.cursors[userID]
	first := c == nil
	if first {
		c = &cursor{ready: make(chan struct{})}
		f.cursors[userID] = c
	}
	c.refs++
	f.mu.Unlock()
	if !first {
		select {
		case <-c.ready:
		case <-ctx.Done():
			f.Unwatch(userID)
			return ctx.Err()
		}
		if c.err != nil {
			f.Unwatch(userID)
			return c.err
		}
		return nil
	}
	seq, err := f.cfg.Log.LastEventSeq(ctx, userID)
	f.mu.Lock()
	c.seq, c.err = seq, err
	if err == nil {
		f.dirty[userID] = struct{}{}
	}
	f.mu.Unlock()
	close(c.ready)
	if err != nil {
		f.Unwatch(userID)
		return fmt.Errorf("follow events: %w", err)
	}
	f.signal()
	return nil
}

// Unwatch implements Source.
func (f *Feed) Unwatch(userID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.cursors[userID]
	if c == nil {
		return
	}
	c.refs--
	if c.refs <= 0 {
		delete(f.cursors, userID)
		delete(f.dirty, userID)
	}
}

// Wake marks the users of committed events for a read of the log. It never
// blocks: it is called from the store's after-commit hook.
func (f *Feed) Wake(events []store.Event) {
	f.mu.Lock()
	n := 0
	for i := range events {
		if _, ok := f.cursors[events[i].UserID]; ok {
			f.dirty[events[i].UserID] = struct{}{}
			n++
		}
	}
	f.mu.Unlock()
	if n > 0 {
		f.signal()
	}
}

func (f *Feed) wakeUser(userID string) {
	f.mu.Lock()
	_, ok := f.cursors[userID]
	if ok {
		f.dirty[userID] = struct{}{}
	}
	f.mu.Unlock()
	if ok {
		f.signal()
	}
}

func (f *Feed) signal() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Run listens and publishes until ctx ends.
func (f *Feed) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		f.listen(ctx)
	}()
	f.publish(ctx)
	wg.Wait()
}

// WaitListening blocks until the Feed has LISTENed n times in all (n = 1:
// it is connected; n = 2: it reconnected once), or ctx ends.
func (f *Feed) WaitListening(ctx context.Context, n int) error {
	stop := context.AfterFunc(ctx, func() {
		f.mu.Lock()
		f.listening.Broadcast()
		f.mu.Unlock()
	})
	defer stop()
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.reconnects < n {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		f.listening.Wait()
	}
	return nil
}

// listen holds the LISTEN connection, reconnecting with backoff.
func (f *Feed) listen(ctx context.Context) {
	backoff := f.cfg.RetryMin
	for ctx.Err() == nil {
		err := f.listenOnce(ctx, func() { backoff = f.cfg.RetryMin })
		if ctx.Err() != nil {
			return
		}
		f.log.Warn("real-time listener lost its connection; reconnecting", slog.Any("err", err), slog.Duration("in", backoff))
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, f.cfg.RetryMax)
	}
}

func (f *Feed) listenOnce(ctx context.Context, connectedOK func()) error {
	conn, err := f.cfg.Listen.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire listener connection: %w", err)
	}
	// A LISTENing connection must not go back to the pool.
	pc := conn.Hijack()
	defer func() { _ = pc.Close(context.WithoutCancel(ctx)) }()
	if _, err := pc.Exec(ctx, "LISTEN "+store.EventsChannel+"; LISTEN "+RevocationsChannel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	connectedOK()
	// Whatever was committed while we were not listening is in the log.
	f.mu.Lock()
	f.all = true
	f.reconnects++
	f.listening.Broadcast()
	f.mu.Unlock()
	f.signal()
	for {
		n, err := pc.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		switch n.Channel {
		case store.EventsChannel:
			var p struct {
				UserID string `json:"userId"`
			}
			if err := json.Unmarshal([]byte(n.Payload), &p); err != nil {
				f.log.Warn("unreadable event notification", slog.String("payload", n.Payload), slog.Any("err", err))
				continue
			}
			f.wakeUser(p.UserID)
		case RevocationsChannel:
			if h := f.cfg.Hub; h != nil {
				h.Recheck(n.Payload)
			}
		}
	}
}

// feedPage bounds one read of the log.
const feedPage = 1000

// publish reads the log for woken users and hands new events to the hub.
func (f *Feed) publish(ctx context.Context) {
	retry := f.cfg.RetryMin
	for {
		select {
		case <-ctx.Done():
			return
		case <-f.wake:
		}
		for {
			users, after := f.takeDirty()
			if len(users) == 0 {
				break
			}
			if !f.read(ctx, users, after) {
				if ctx.Err() != nil {
					return
				}
				f.redo(users)
				// Try again shortly (a pooled connection the database
				// dropped fails once), or on the next wake.
				time.AfterFunc(retry, f.signal)
				retry = min(2*retry, f.cfg.RetryMax)
				break
			}
			retry = f.cfg.RetryMin
		}
	}
}

// read publishes the users' events after their cursors, paging from the
// lowest. A page only moves the cursors of the events it returned: a user's
// event still committing below the page's end is read on its own wake.
func (f *Feed) read(ctx context.Context, users []string, after int64) bool {
	for {
		events, err := f.cfg.Log.EventsAfterForUsers(ctx, users, after, feedPage)
		if err != nil {
			if ctx.Err() == nil {
				f.log.Warn("read event log for real-time delivery", slog.Any("err", err))
			}
			return false
		}
		if len(events) == 0 {
			return true
		}
		after = events[len(events)-1].Seq
		out := f.advance(events)
		if f.cfg.Hub != nil {
			f.cfg.Hub.Publish(out)
		}
		if len(events) < feedPage {
			return true
		}
	}
}

// takeDirty returns the users to read and the lowest cursor among them.
func (f *Feed) takeDirty() ([]string, int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.all {
		f.all = false
		for u := range f.cursors {
			f.dirty[u] = struct{}{}
		}
	}
	var users []string
	after := int64(-1)
	for u := range f.dirty {
		c := f.cursors[u]
		delete(f.dirty, u)
		if c == nil || c.err != nil {
			continue
		}
		select {
		case <-c.ready:
		default:
			continue // Watch marks it dirty again when ready
		}
		users = append(users, u)
		if after < 0 || c.seq < after {
			after = c.seq
		}
		if len(users) == 500 {
			break
		}
	}
	if len(f.dirty) > 0 {
		f.signal()
	}
	return users, after
}

func (f *Feed) redo(users []string) {
	f.mu.Lock()
	for _, u := range users {
		if _, ok := f.cursors[u]; ok {
			f.dirty[u] = struct{}{}
		}
	}
	f.mu.Unlock()
}

// advance keeps the events past each user's cursor and moves the cursors.
func (f *Feed) advance(events []store.Event) []store.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := events[:0]
	for _, e := range events {
		c := f.cursors[e.UserID]
		if c == nil || e.Seq <= c.seq {
			continue
		}
		c.seq = e.Seq
		out = append(out, e)
	}
	return out
}

// NotifyRevoked tells every instance (this one included, through its own
// LISTEN) to recheck userID's streams. Call it after the revoking
// transaction has committed.
func NotifyRevoked(ctx context.Context, pool *pgxpool.Pool, userID string) error {
	if pool == nil {
		return errors.New("no listener pool")
	}
	if _, err := pool.Exec(ctx, "SELECT pg_notify($1, $2)", RevocationsChannel, userID); err != nil {
		return fmt.Errorf("announce revocation: %w", err)
	}
	return nil
}
