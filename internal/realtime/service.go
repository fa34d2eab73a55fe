package realtime

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/store"
)

// Config configures New.
type Config struct {
	Store *store.Store
	// User returns the signed-in user's id ("" when nobody is).
	User func(*http.Request) string
	// Check, when set, returns a re-verification of r's credential (see
	// StreamConfig.Check).
	Check func(r *http.Request) func(context.Context) error
	// QueueLen bounds each stream's queue (HubConfig.QueueLen).
	QueueLen int
	// Heartbeat, WriteTimeout, Now and NewTicker: see StreamConfig.
	Heartbeat    time.Duration
	WriteTimeout time.Duration
	Now          func() time.Time
	NewTicker    func(time.Duration) Ticker
	Observer     Observer
	Logger       *slog.Logger
	// NoHijack: see StreamConfig.
	NoHijack bool
}

// Service is the real-time side of one instance: the hub, the stream
// handler, and on PostgreSQL the Feed that follows every instance's
// commits. Wire Hook as (part of) the store's event hook, Start it, serve
// Handler, and Close it when shutting down.
type Service struct {
	Hub    *Hub
	feed   *Feed // PostgreSQL only
	stream *Stream
	st     *store.Store
	log    *slog.Logger

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New builds the service for cfg.Store's engine.
func New(cfg Config) *Service {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{st: cfg.Store, log: log}
	hc := HubConfig{QueueLen: cfg.QueueLen, Observer: cfg.Observer, Logger: log}
	if cfg.Store.Engine() == store.Postgres {
		s.feed = NewFeed(FeedConfig{Log: cfg.Store, Listen: cfg.Store.ListenerPool(), Logger: log})
		hc.Source = s.feed
	}
	s.Hub = NewHub(hc)
	if s.feed != nil {
		s.feed.SetHub(s.Hub)
	}
	s.stream = NewStream(StreamConfig{Hub: s.Hub, Log: cfg.Store, User: cfg.User, Check: cfg.Check,
		Heartbeat: cfg.Heartbeat, WriteTimeout: cfg.WriteTimeout, Now: cfg.Now, NewTicker: cfg.NewTicker,
		Observer: cfg.Observer, Logger: log, NoHijack: cfg.NoHijack})
	return s
}

// Hook receives the store's committed events (a store.EventHook; it never
// blocks). On SQLite the store's one writer commits in log order, so the
// events go straight to the hub; on PostgreSQL they wake the Feed, which
// reads them back in each user's commit order.
func (s *Service) Hook(events []store.Event) {
	if s.feed != nil {
		s.feed.Wake(events)
		return
	}
	s.Hub.Publish(events)
}

// Start runs the Feed on PostgreSQL (no-op on SQLite) until Close.
func (s *Service) Start(ctx context.Context) {
	if s.feed == nil {
		return
	}
	ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.feed.Run(ctx)
	}()
}

// WaitListening waits until the PostgreSQL Feed has LISTENed n times (1:
// connected; 2: reconnected once). It returns at once on SQLite.
func (s *Service) WaitListening(ctx context.Context, n int) error {
	if s.feed == nil {
		return nil
	}
	return s.feed.WaitListening(ctx, n)
}

// Handler is GET /api/v1/events.
func (s *Service) Handler() http.Handler { return s.stream }

// Revoked closes userID's streams whose credential no longer holds; call it
// after a sign-out, password reset, token revocation or account deletion
// has committed. On PostgreSQL every instance is told.
func (s *Service) Revoked(ctx context.Context, userID string) {
	s.Hub.Recheck(userID)
	if s.feed != nil {
		if err := NotifyRevoked(ctx, s.st.ListenerPool(), userID); err != nil {
			s.log.WarnContext(ctx, "announce a revocation to other instances", slog.Any("err", err))
		}
	}
}

// Close ends every stream (so http.Server.Shutdown is not held up) and
// stops the Feed.
func (s *Service) Close() {
	s.Hub.Close()
	s.stream.Wait()
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
}

// EventsPath is where the stream is served.
const EventsPath = "/api/v1/events"

// Mount registers GET /api/v1/events on the route table as a protected
// route (a visitor who is not signed in gets 401 JSON).
func (s *Service) Mount(rt *frontdoor.Router) {
	rt.Protected("GET "+EventsPath, s.stream.ServeHTTP)
}
