package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
)

// Log is the event log a stream replays from (*store.Store).
type Log interface {
	EventsAfter(ctx context.Context, userID string, after int64, limit int) ([]store.Event, error)
	EventBounds(ctx context.Context) (oldest, newest int64, err error)
}

// Ticker is the heartbeat's clock (time.Ticker in production; tests drive
// their own).
type Ticker interface {
	C() <-chan time.Time
	Stop()
}

type realTicker struct{ t *time.Ticker }

func (r realTicker) C() <-chan time.Time { return r.t.C }
func (r realTicker) Stop()               { r.t.Stop() }

// StreamConfig configures the event-stream handler.
type StreamConfig struct {
	Hub *Hub
	Log Log
	// User returns the signed-in user's id ("" when nobody is signed in).
	User func(*http.Request) string
	// Check, when set, returns a function that re-verifies the credential
	// r was authenticated with (session, token); the hub runs it after a
	// revocation and ends the stream if it fails.
	Check func(r *http.Request) func(context.Context) error
	// Heartbeat is the interval of comment heartbeats; 0 means 20 s (the
	// contract says at most 25 s).
	Heartbeat time.Duration
	// WriteTimeout bounds each write to the client; 0 means 10 s.
	WriteTimeout time.Duration
	// Retry is the reconnect delay suggested to EventSource; 0 means 2 s.
	Retry time.Duration
	// NoHijack keeps every stream on its request's goroutine instead of
	// taking HTTP/1.1 connections over (tests of the fallback).
	NoHijack bool
	// Now and NewTicker are the clocks; nil means the real ones.
	Now       func() time.Time
	NewTicker func(time.Duration) Ticker
	Observer  Observer
	Logger    *slog.Logger
}

// Stream is the GET /api/v1/events handler.
type Stream struct {
	cfg StreamConfig
	obs Observer
	log *slog.Logger
	wg  sync.WaitGroup // streams carried on connections taken over

	mu     sync.Mutex
	closed bool // Wait has begun: take no more connections over
}

// replayPage is how many logged events a replay reads at a time.
const replayPage = 500

// NewStream returns the handler.
func NewStream(cfg StreamConfig) *Stream {
	if cfg.Heartbeat <= 0 || cfg.Heartbeat > 25*time.Second {
		cfg.Heartbeat = 20 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.Retry <= 0 {
		cfg.Retry = 2 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewTicker == nil {
		cfg.NewTicker = func(d time.Duration) Ticker { return realTicker{time.NewTicker(d)} }
	}
	s := &Stream{cfg: cfg, obs: cfg.Observer, log: cfg.Logger}
	if s.obs == nil {
		s.obs = nopObserver{}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// LastEventIDParam is the query parameter that stands in for the
// Last-Event-ID header for clients that cannot set headers.
const LastEventIDParam = "lastEventId"

// parseLastEventID reads Last-Event-ID (header first, then the query
// parameter). ok is false when neither is present.
func parseLastEventID(r *http.Request) (id int64, ok bool, field string, err error) {
	field = "Last-Event-ID"
	raw := r.Header.Get("Last-Event-ID")
	if raw == "" {
		field = LastEventIDParam
		raw = r.URL.Query().Get(LastEventIDParam)
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return 0, false, field, nil
	}
	id, err = strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 0 {
		return 0, false, field, errors.New("must be a non-negative integer event id")
	}
	return id, true, field, nil
}

func writeJSONError(w http.ResponseWriter, status int, code, message string, fields map[string]string) {
	type detail struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields,omitempty"`
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Error detail `json:"error"`
	}{detail{code, message, fields}})
}

// ServeHTTP streams the user's events: an opening comment (so the
// browser's open event fires at once), the replay of everything after
// Last-Event-ID (or event: reset when that is older than the log keeps),
// then live events in commit order, with a comment heartbeat.
func (s *Stream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	userID := s.cfg.User(r)
	if userID == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="resonant"`)
		writeJSONError(w, http.StatusUnauthorized, "unauthenticated", "sign in or send a personal access token", nil)
		return
	}
	last, hasLast, field, err := parseLastEventID(r)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "validation_failed", "some fields are not valid", map[string]string{field: err.Error()})
		return
	}
	ctx := r.Context()

	// Subscribe first, then replay: an event committed meanwhile is in the
	// replay or in the queue (or both; the queue's copy is skipped).
	var check func(context.Context) error
	if s.cfg.Check != nil {
		check = s.cfg.Check(r)
	}
	sub, err := s.cfg.Hub.Subscribe(ctx, userID, check)
	if err != nil {
		if errors.Is(err, ErrClosed) {
			writeJSONError(w, http.StatusServiceUnavailable, "unavailable", "the server is shutting down; reconnect", nil)
			return
		}
		s.log.ErrorContext(ctx, "open event stream", slog.Any("err", err))
		writeJSONError(w, http.StatusServiceUnavailable, "unavailable", "the event stream is unavailable; reconnect", nil)
		return
	}

	rc := http.NewResponseController(w)
	// The server's read deadline covers the request; a stream outlives it,
	// and an expired read deadline would cancel the request's context.
	_ = rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	out := &writer{w: w, rc: rc, timeout: s.cfg.WriteTimeout, now: s.cfg.Now, obs: s.obs}
	if !s.cfg.NoHijack && r.ProtoAtLeast(1, 1) && r.ProtoMajor == 1 {
		// Take the connection over (the header, chunked, is sent first):
		// the request's goroutine, its stack grown by authentication and
		// the replay's queries, and net/http's per-connection buffers and
		// background reader are all let go, and a small goroutine of our
		// own carries the stream. At 10,000 streams that is most of the
		// memory. Without a reader a vanished client is noticed at the
		// next write (a heartbeat at the latest).
		if conn, _, err := rc.Hijack(); err == nil {
			// Keep nothing of the request: it holds net/http's buffers.
			out.conn, out.w, out.rc = conn, nil, nil
		}
	}
	out.buf = append(out.buf, ": stream open\nretry: "...)
	out.buf = strconv.AppendInt(out.buf, s.cfg.Retry.Milliseconds(), 10)
	out.buf = append(out.buf, "\n\n"...)
	err = out.flush()
	replayed := int64(0)
	if err == nil && hasLast {
		replayed, err = s.replay(ctx, out, userID, last)
		if err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "replay event stream", slog.Any("err", err))
		}
	}
	if err != nil {
		sub.Close()
		out.close()
		return
	}
	if out.conn == nil {
		s.live(ctx.Done(), out, sub, replayed)
		return
	}
	s.mu.Lock()
	if s.closed { // shutting down: the hub has ended sub already
		s.mu.Unlock()
		sub.Close()
		out.close()
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		s.live(nil, out, sub, replayed)
	}()
}

// live writes the subscription's events (skipping those the replay sent)
// and heartbeats until the subscription ends, a write fails, or gone (the
// request's context, when the stream was not taken over) is closed.
func (s *Stream) live(gone <-chan struct{}, out *writer, sub *Subscription, replayed int64) {
	defer out.close()
	defer sub.Close()
	tick := s.cfg.NewTicker(s.cfg.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-gone:
			return
		case <-sub.Done():
			// Whatever was queued before the end is still sent: nothing
			// queued follows a missed event.
			s.drain(out, sub, replayed)
			_ = out.flush()
			return
		case <-tick.C():
			out.buf = append(out.buf, ":\n\n"...)
			if out.flush() != nil {
				return
			}
		case f := <-sub.ch:
			s.add(out, f, replayed)
			s.drain(out, sub, replayed)
			if out.flush() != nil {
				return
			}
		}
	}
}

// Wait waits for the streams that were taken over to end (after the hub
// has closed).
func (s *Stream) Wait() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.wg.Wait()
}

// add appends f unless the replay already sent it.
func (s *Stream) add(out *writer, f *frame, replayed int64) {
	if f.seq <= replayed {
		return
	}
	out.buf = append(out.buf, f.b...)
	out.frames = append(out.frames, f)
}

// drain appends whatever else is queued, so one flush carries a burst.
func (s *Stream) drain(out *writer, sub *Subscription, replayed int64) {
	for {
		select {
		case f := <-sub.ch:
			s.add(out, f, replayed)
		default:
			return
		}
	}
}

// replay writes userID's logged events after last and returns the last
// sequence sent. An id older than the log keeps (or newer than it has)
// gets event: reset carrying the newest id instead.
func (s *Stream) replay(ctx context.Context, out *writer, userID string, last int64) (int64, error) {
	oldest, newest, err := s.cfg.Log.EventBounds(ctx)
	if err != nil {
		return 0, err
	}
	if last > newest || (oldest > 0 && last < oldest-1) {
		out.buf = append(out.buf, resetFrame(newest)...)
		return newest, out.flush()
	}
	for {
		events, err := s.cfg.Log.EventsAfter(ctx, userID, last, replayPage)
		if err != nil {
			return last, err
		}
		for i := range events {
			f, err := encodeEvent(&events[i])
			if err != nil {
				s.log.ErrorContext(ctx, "encode logged event", slog.Int64("seq", events[i].Seq), slog.Any("err", err))
				continue
			}
			out.buf = append(out.buf, f.b...)
			last = f.seq
		}
		if err := out.flush(); err != nil {
			return last, err
		}
		s.obs.EventsDelivered(len(events))
		if len(events) < replayPage {
			return last, nil
		}
	}
}

// writer buffers what a stream sends and writes it with a deadline: through
// the ResponseWriter, or, once the connection is taken over, straight to it
// in HTTP/1.1 chunks.
type writer struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	conn    net.Conn // set when the connection was taken over
	timeout time.Duration
	now     func() time.Time
	buf     []byte
	frames  []*frame // live events in buf, for the delivery measurements
	obs     Observer
}

var crlf = []byte("\r\n")

func (o *writer) flush() error {
	if len(o.buf) == 0 {
		return nil
	}
	deadline := o.now().Add(o.timeout)
	if o.conn != nil {
		if err := o.conn.SetWriteDeadline(deadline); err != nil {
			return err
		}
		head := strconv.AppendInt(make([]byte, 0, 20), int64(len(o.buf)), 16)
		bufs := net.Buffers{append(head, crlf...), o.buf, crlf}
		if _, err := bufs.WriteTo(o.conn); err != nil {
			return err
		}
	} else {
		if err := o.rc.SetWriteDeadline(deadline); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		if _, err := o.w.Write(o.buf); err != nil {
			return err
		}
		if err := o.rc.Flush(); err != nil {
			return err
		}
	}
	o.buf = o.buf[:0]
	if len(o.frames) > 0 && o.obs != nil {
		now := o.now()
		o.obs.EventsDelivered(len(o.frames))
		for _, f := range o.frames {
			o.obs.DeliveryLag(now.Sub(f.at))
		}
	}
	clear(o.frames)
	o.frames = o.frames[:0]
	return nil
}

// close ends a taken-over connection: the last chunk, then the close.
func (o *writer) close() {
	if o.conn == nil {
		return
	}
	_ = o.conn.SetWriteDeadline(o.now().Add(time.Second))
	_, _ = o.conn.Write([]byte("0\r\n\r\n"))
	_ = o.conn.Close()
}
