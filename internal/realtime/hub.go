// Package realtime serves the event stream (API.md "Real time"): an
// in-process hub that fans committed events out to each user's open
// streams, the Server-Sent Events handler that replays the event log to a
// reconnecting client before going live, and on PostgreSQL a feed that
// follows every instance's commits through LISTEN/NOTIFY.
//
// The hub is built for many slow readers and one fast writer:
//
//   - Publishing never blocks: committed events are appended to an inbox
//     and the hub's own goroutine fans them out, so the request (or group
//     commit) that caused an event never waits for a subscriber.
//   - Each subscription has a bounded queue. A subscriber that falls
//     behind is disconnected, never waited for, and never sent an event
//     after the first one it missed: it reconnects with Last-Event-ID and
//     catches up from the log, without gaps or duplicates.
//   - Events are indexed by user, so one user's events are only ever
//     offered to that user's subscriptions.
package realtime

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
)

// Why a subscription ended (Subscription.Err).
var (
	// ErrSlow: the subscriber's queue was full; it must reconnect and
	// replay from the log.
	ErrSlow = errors.New("realtime: subscriber fell behind")
	// ErrRevoked: the credential that opened the stream no longer holds.
	ErrRevoked = errors.New("realtime: credential revoked")
	// ErrClosed: the hub is shutting down.
	ErrClosed = errors.New("realtime: hub closed")
	// ErrOverflow: the hub's inbox overflowed; every subscriber replays.
	ErrOverflow = errors.New("realtime: hub inbox overflowed")
)

// Observer receives the hub's and streams' measurements (internal/metrics
// implements it). Its methods must be cheap and safe for concurrent use.
type Observer interface {
	StreamOpened()
	StreamClosed()
	EventsDelivered(n int)
	DeliveryLag(d time.Duration)
	SlowClientDropped()
}

type nopObserver struct{}

func (nopObserver) StreamOpened()             {}
func (nopObserver) StreamClosed()             {}
func (nopObserver) EventsDelivered(int)       {}
func (nopObserver) DeliveryLag(time.Duration) {}
func (nopObserver) SlowClientDropped()        {}

// Source is where a hub's events come from when it is not fed by Publish
// alone: on PostgreSQL, the Feed follows the log for each user that has a
// subscriber on this instance. Watch is called when a user's first
// subscription opens (before Subscribe returns) and Unwatch when the last
// one closes.
type Source interface {
	Watch(ctx context.Context, userID string) error
	Unwatch(userID string)
}

// HubConfig configures NewHub.
type HubConfig struct {
	// QueueLen bounds each subscription's queue; 0 means 256 (a burst
	// beyond it ends the stream, which then replays from the log).
	QueueLen int
	// InboxLen bounds events waiting to be fanned out; beyond it every
	// subscription is ended (ErrOverflow) and replays. 0 means 65536.
	InboxLen int
	// Source, when set, is told which users have subscribers (PostgreSQL).
	Source   Source
	Observer Observer
	Logger   *slog.Logger
	// RecheckTimeout bounds one credential check after a revocation; 0
	// means 10 s.
	RecheckTimeout time.Duration
}

// Hub fans committed events out to subscriptions. Create it with NewHub
// and Close it at shutdown.
type Hub struct {
	cfg HubConfig
	obs Observer
	log *slog.Logger

	mu     sync.RWMutex
	users  map[string]map[*Subscription]struct{}
	closed bool

	inMu   sync.Mutex
	inbox  []store.Event
	inLost bool
	wake   chan struct{}

	stop chan struct{}
	done chan struct{}
	bg   sync.WaitGroup // credential rechecks
}

// NewHub starts a hub.
func NewHub(cfg HubConfig) *Hub {
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = 256
	}
	if cfg.InboxLen <= 0 {
		cfg.InboxLen = 1 << 16
	}
	if cfg.RecheckTimeout <= 0 {
		cfg.RecheckTimeout = 10 * time.Second
	}
	h := &Hub{
		cfg:   cfg,
		obs:   cfg.Observer,
		log:   cfg.Logger,
		users: make(map[string]map[*Subscription]struct{}),
		wake:  make(chan struct{}, 1),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	if h.obs == nil {
		h.obs = nopObserver{}
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	go h.run()
	return h
}

// Publish hands committed events to the hub, in commit order. It never
// blocks and never fans out on the caller's goroutine: it is the store's
// after-commit hook (store.EventHook) on SQLite, and the Feed's output on
// PostgreSQL.
func (h *Hub) Publish(events []store.Event) {
	if len(events) == 0 {
		return
	}
	h.inMu.Lock()
	if len(h.inbox)+len(events) > h.cfg.InboxLen {
		// Dropping events silently would leave gaps; ending every stream
		// makes each client replay from the log instead.
		h.inbox = h.inbox[:0]
		h.inLost = true
	} else {
		h.inbox = append(h.inbox, events...)
	}
	h.inMu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

func (h *Hub) run() {
	defer close(h.done)
	var batch []store.Event
	for {
		select {
		case <-h.stop:
			return
		case <-h.wake:
		}
		h.inMu.Lock()
		batch, h.inbox = h.inbox, batch[:0]
		lost := h.inLost
		h.inLost = false
		h.inMu.Unlock()
		if lost {
			h.log.Warn("real-time inbox overflowed; every stream will replay from the log")
			h.endAll(ErrOverflow)
		}
		for i := range batch {
			h.dispatch(&batch[i])
			batch[i] = store.Event{} // let the payload go
		}
	}
}

// dispatch offers one event to its user's subscriptions. A subscription
// whose queue is full is ended at once, before the next event is offered,
// so it never receives anything after the event it missed.
func (h *Hub) dispatch(e *store.Event) {
	h.mu.RLock()
	subs := h.users[e.UserID]
	if len(subs) == 0 {
		h.mu.RUnlock()
		return
	}
	f, err := encodeEvent(e)
	if err != nil {
		h.mu.RUnlock()
		h.log.Error("encode real-time event", slog.String("type", e.Type), slog.Int64("seq", e.Seq), slog.Any("err", err))
		return
	}
	var slow []*Subscription
	for s := range subs {
		if s.ended.Load() {
			continue
		}
		select {
		case s.ch <- f:
		default:
			s.end(ErrSlow)
			slow = append(slow, s)
		}
	}
	h.mu.RUnlock()
	for _, s := range slow {
		h.obs.SlowClientDropped()
		h.remove(s)
	}
}

// Subscribe opens a subscription to userID's events. check, when not nil,
// re-verifies the credential that opened it; Recheck runs it after a
// revocation and ends the subscription if it fails. The caller must Close
// the subscription.
func (h *Hub) Subscribe(ctx context.Context, userID string, check func(context.Context) error) (*Subscription, error) {
	s := &Subscription{hub: h, user: userID, check: check, ch: make(chan *frame, h.cfg.QueueLen), done: make(chan struct{})}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, ErrClosed
	}
	subs := h.users[userID]
	if subs == nil {
		subs = make(map[*Subscription]struct{})
		h.users[userID] = subs
	}
	subs[s] = struct{}{}
	h.mu.Unlock()
	if h.cfg.Source != nil {
		if err := h.cfg.Source.Watch(ctx, userID); err != nil {
			s.closedCnt.Store(true) // never counted as open
			h.remove(s)
			return nil, err
		}
		h.mu.Lock()
		_, still := h.users[userID][s]
		s.watched = still
		h.mu.Unlock()
		if !still { // ended while Watch ran (hub closing, or already slow)
			h.cfg.Source.Unwatch(userID)
		}
	}
	h.obs.StreamOpened()
	return s, nil
}

// remove takes s out of the index (once) and tells the Source when it was
// its user's last subscription.
func (h *Hub) remove(s *Subscription) {
	h.mu.Lock()
	subs := h.users[s.user]
	_, present := subs[s]
	watched := s.watched
	if present {
		delete(subs, s)
		if len(subs) == 0 {
			delete(h.users, s.user)
		}
	}
	h.mu.Unlock()
	if present && watched {
		h.cfg.Source.Unwatch(s.user)
	}
	if present && s.counted() {
		h.obs.StreamClosed()
	}
}

func (h *Hub) endAll(reason error) {
	h.mu.RLock()
	var all []*Subscription
	for _, subs := range h.users {
		for s := range subs {
			s.end(reason)
			all = append(all, s)
		}
	}
	h.mu.RUnlock()
	for _, s := range all {
		h.remove(s)
	}
}

// Recheck re-verifies the credentials of userID's open subscriptions and
// ends those that no longer hold (sign-out, password reset, a revoked
// token, a deleted account). It returns at once; the checks run in the
// background.
func (h *Hub) Recheck(userID string) {
	h.mu.RLock()
	var subs []*Subscription
	for s := range h.users[userID] {
		if s.check != nil {
			subs = append(subs, s)
		}
	}
	closed := h.closed
	h.mu.RUnlock()
	if len(subs) == 0 || closed {
		return
	}
	h.bg.Add(1)
	go func() {
		defer h.bg.Done()
		for _, s := range subs {
			ctx, cancel := context.WithTimeout(context.Background(), h.cfg.RecheckTimeout)
			err := s.check(ctx)
			cancel()
			if err != nil {
				h.log.Debug("closing a stream whose credential no longer holds", slog.Any("err", err))
				s.end(ErrRevoked)
				h.remove(s)
			}
		}
	}()
}

// Close ends every subscription (ErrClosed) so their handlers return and
// http.Server.Shutdown is not held up, and stops the hub. Subscribe fails
// afterwards; Publish is ignored.
func (h *Hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	h.mu.Unlock()
	h.endAll(ErrClosed)
	close(h.stop)
	<-h.done
	h.bg.Wait()
}

// Subscribers reports how many subscriptions are open (for tests and the
// load tool's sanity checks).
func (h *Hub) Subscribers() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for _, subs := range h.users {
		n += len(subs)
	}
	return n
}

// Subscription is one stream's view of the hub.
type Subscription struct {
	hub     *Hub
	user    string
	check   func(context.Context) error
	ch      chan *frame
	done    chan struct{}
	watched bool // guarded by hub.mu

	ended     atomic.Bool
	closedCnt atomic.Bool
	once      sync.Once
	err       error
}

// end marks the subscription ended with reason; the first reason wins.
func (s *Subscription) end(reason error) {
	s.once.Do(func() {
		s.err = reason
		s.ended.Store(true)
		close(s.done)
	})
}

// counted reports true exactly once, so StreamClosed is observed once.
func (s *Subscription) counted() bool { return s.closedCnt.CompareAndSwap(false, true) }

// Done is closed when the hub ends the subscription; Err says why. Events
// already queued may still be written: none follows a missed one.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err is why the subscription ended (ErrSlow, ErrRevoked, ErrClosed,
// ErrOverflow), nil while it is open or after Close.
func (s *Subscription) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Close ends the subscription; it is safe to call more than once.
func (s *Subscription) Close() {
	s.end(nil)
	s.hub.remove(s)
}
