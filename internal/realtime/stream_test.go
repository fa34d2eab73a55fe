package realtime_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/realtime"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// manualTicker is a heartbeat clock the test drives.
type manualTicker struct{ c chan time.Time }

func (m manualTicker) C() <-chan time.Time { return m.c }
func (m manualTicker) Stop()               {}

// rig is one instance: a store, its real-time service and an HTTP server.
type rig struct {
	st      *store.Store
	rt      *realtime.Service
	srv     *httptest.Server
	ticks   chan manualTicker
	revoked sync.Map // user id → true: their credentials no longer hold
}

func newRig(t *testing.T, st *store.Store) *rig { return newRigWith(t, st, false) }

// newRigWith builds a rig; noHijack keeps streams on their requests'
// goroutines (the path for HTTP/2 and HTTP/1.0).
func newRigWith(t *testing.T, st *store.Store, noHijack bool) *rig {
	t.Helper()
	r := &rig{st: st, ticks: make(chan manualTicker, 100)}
	r.rt = realtime.New(realtime.Config{
		Store: st,
		User:  func(req *http.Request) string { return req.Header.Get("X-Test-User") },
		Check: func(req *http.Request) func(context.Context) error {
			user := req.Header.Get("X-Test-User")
			return func(context.Context) error {
				if _, gone := r.revoked.Load(user); gone {
					return errors.New("revoked")
				}
				return nil
			}
		},
		QueueLen: 1024,
		NoHijack: noHijack,
		NewTicker: func(time.Duration) realtime.Ticker {
			m := manualTicker{c: make(chan time.Time, 1)}
			r.ticks <- m
			return m
		},
	})
	st.SetEventHook(r.rt.Hook)
	ctx := context.Background()
	r.rt.Start(ctx)
	if err := r.rt.WaitListening(ctx, 1); err != nil {
		t.Fatal(err)
	}
	r.srv = httptest.NewUnstartedServer(r.rt.Handler())
	r.srv.Config.RegisterOnShutdown(r.rt.Close)
	r.srv.Start()
	t.Cleanup(func() {
		r.srv.Close()
		r.rt.Close()
		st.SetEventHook(nil)
	})
	return r
}

// stream is an open event stream as a client reads it.
type stream struct {
	t    *testing.T
	resp *http.Response
	msgs chan realtime.Message
	errs chan error
}

// open connects as user with Last-Event-ID lastID ("" for none) and waits
// for the opening comment.
func (r *rig) open(t *testing.T, user, lastID string) *stream {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.srv.URL+"/api/v1/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Test-User", user)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	for h, want := range map[string]string{"Content-Type": "text/event-stream", "X-Accel-Buffering": "no"} {
		if got := resp.Header.Get(h); got != want {
			t.Fatalf("%s = %q, want %q", h, got, want)
		}
	}
	s := &stream{t: t, resp: resp, msgs: make(chan realtime.Message, 1000), errs: make(chan error, 1)}
	go func() {
		rd := realtime.NewReader(resp.Body)
		for {
			m, err := rd.Next()
			if err != nil {
				s.errs <- err
				return
			}
			s.msgs <- m
		}
	}()
	t.Cleanup(func() { _ = resp.Body.Close() })
	if m := s.next(); !m.IsComment {
		t.Fatalf("first message %+v, want the opening comment", m)
	}
	return s
}

// next returns the next message (comments included).
func (s *stream) next() realtime.Message {
	s.t.Helper()
	select {
	case m := <-s.msgs:
		return m
	case err := <-s.errs:
		s.t.Fatalf("stream ended: %v", err)
	case <-time.After(15 * time.Second):
		s.t.Fatal("no message within 15 s")
	}
	return realtime.Message{}
}

// event returns the next event, skipping comments.
func (s *stream) event() realtime.Message {
	s.t.Helper()
	for {
		if m := s.next(); !m.IsComment {
			return m
		}
	}
}

// ended waits for the server to end the stream.
func (s *stream) ended() {
	s.t.Helper()
	for {
		select {
		case m := <-s.msgs:
			if !m.IsComment {
				s.t.Fatalf("unexpected event %+v before the end", m)
			}
		case <-s.errs:
			return
		case <-time.After(15 * time.Second):
			s.t.Fatal("stream not ended within 15 s")
		}
	}
}

// write commits one event for user and returns its sequence (the user's
// newest: callers of write for one user do not race).
func write(t *testing.T, st *store.Store, user, entity string) int64 {
	t.Helper()
	ctx := context.Background()
	err := st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.AppendEvent(ctx, store.Event{UserID: user, Type: store.EventEntryCreated, EntityID: entity, At: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	seq, err := st.LastEventSeq(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func seqOf(t *testing.T, m realtime.Message) int64 {
	t.Helper()
	n, err := strconv.ParseInt(m.ID, 10, 64)
	if err != nil {
		t.Fatalf("event id %q: %v", m.ID, err)
	}
	return n
}

func TestStreamDeliversConcurrentCommitsInOrder(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		storetest.AddUser(t, st, "alice", "")
		r := newRig(t, st)
		s := r.open(t, "alice", "")
		const writers, each = 8, 15
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					write(t, st, "alice", strconv.Itoa(w*100+i))
				}
			}()
		}
		wg.Wait()
		var prev int64
		seen := map[string]bool{}
		for range writers * each {
			m := s.event()
			if m.Event != store.EventEntryCreated {
				t.Fatalf("event %q", m.Event)
			}
			seq := seqOf(t, m)
			if seq <= prev {
				t.Fatalf("seq %d after %d", seq, prev)
			}
			prev = seq
			if seen[m.ID] {
				t.Fatalf("duplicate %s", m.ID)
			}
			seen[m.ID] = true
		}
	})
}

func TestStreamReplaysAfterReconnect(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		storetest.AddUser(t, st, "alice", "")
		r := newRig(t, st)
		var seqs []int64
		for i := range 5 {
			seqs = append(seqs, write(t, st, "alice", strconv.Itoa(i)))
		}
		s := r.open(t, "alice", strconv.FormatInt(seqs[1], 10))
		for _, want := range seqs[2:] {
			if got := seqOf(t, s.event()); got != want {
				t.Fatalf("replayed %d, want %d", got, want)
			}
		}
		// Then live, without a duplicate or a gap.
		live := write(t, st, "alice", "live")
		if got := seqOf(t, s.event()); got != live {
			t.Fatalf("live %d, want %d", got, live)
		}
		// The query parameter works for clients that cannot set headers.
		req, _ := http.NewRequest(http.MethodGet, r.srv.URL+"/api/v1/events?lastEventId="+strconv.FormatInt(seqs[3], 10), nil)
		req.Header.Set("X-Test-User", "alice")
		resp, err := r.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		rd := realtime.NewReader(resp.Body)
		var got []string
		for len(got) < 2 {
			m, err := rd.Next()
			if err != nil {
				t.Fatal(err)
			}
			if !m.IsComment {
				got = append(got, m.ID)
			}
		}
		if got[0] != strconv.FormatInt(seqs[4], 10) || got[1] != strconv.FormatInt(live, 10) {
			t.Fatalf("query-parameter replay %v", got)
		}
	})
}

func TestStreamResetsTooOldID(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		storetest.AddUser(t, st, "alice", "")
		r := newRig(t, st)
		first := write(t, st, "alice", "old")
		write(t, st, "alice", "older-than-retention")
		kept := write(t, st, "alice", "kept")
		// Prune the first two as retention would.
		if _, err := st.WriteDB().ExecContext(context.Background(), st.Rebind(`DELETE FROM events WHERE seq < ?`), kept); err != nil {
			t.Fatal(err)
		}
		s := r.open(t, "alice", strconv.FormatInt(first, 10))
		m := s.event()
		if m.Event != "reset" || m.ID != strconv.FormatInt(kept, 10) {
			t.Fatalf("got %+v, want reset with id %d", m, kept)
		}
		// A future id (another database, a restore) resets too.
		s2 := r.open(t, "alice", strconv.FormatInt(kept+1000, 10))
		if m := s2.event(); m.Event != "reset" {
			t.Fatalf("got %+v, want reset", m)
		}
		// Both streams carry on live.
		live := write(t, st, "alice", "live")
		for _, s := range []*stream{s, s2} {
			if got := seqOf(t, s.event()); got != live {
				t.Fatalf("live %d, want %d", got, live)
			}
		}
	})
}

func TestStreamIsolatesUsers(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		storetest.AddUser(t, st, "alice", "")
		storetest.AddUser(t, st, "bob", "")
		r := newRig(t, st)
		bob := r.open(t, "bob", "0") // replay too: alice's logged events stay hers
		write(t, st, "alice", "a1")
		write(t, st, "alice", "a2")
		b := write(t, st, "bob", "b1")
		// Had alice's events reached bob, they would arrive before his own.
		m := bob.event()
		if seqOf(t, m) != b {
			t.Fatalf("bob received %+v, want only his event %d", m, b)
		}
		// A replay of the whole log from another stream of bob's.
		bob2 := r.open(t, "bob", "0")
		if got := seqOf(t, bob2.event()); got != b {
			t.Fatalf("bob's replay gave %d, want %d", got, b)
		}
	})
}

func TestStreamHeartbeat(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		storetest.AddUser(t, st, "alice", "")
		r := newRig(t, st)
		s := r.open(t, "alice", "")
		tk := <-r.ticks
		tk.c <- time.Now()
		if m := s.next(); !m.IsComment {
			t.Fatalf("got %+v, want a heartbeat comment", m)
		}
	})
}

func TestStreamClosedOnRevocation(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		storetest.AddUser(t, st, "alice", "")
		storetest.AddUser(t, st, "bob", "")
		r := newRig(t, st)
		a := r.open(t, "alice", "")
		b := r.open(t, "bob", "")
		r.revoked.Store("alice", true)
		r.rt.Revoked(context.Background(), "alice")
		a.ended()
		// Bob's stream is untouched.
		seq := write(t, st, "bob", "b")
		if got := seqOf(t, b.event()); got != seq {
			t.Fatalf("bob got %d, want %d", got, seq)
		}
	})
}

func TestStreamShutdownIsClean(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		storetest.AddUser(t, st, "alice", "")
		r := newRig(t, st)
		streams := []*stream{r.open(t, "alice", ""), r.open(t, "alice", "")}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.srv.Config.Shutdown(ctx); err != nil {
			t.Fatalf("shutdown held up by open streams: %v", err)
		}
		for _, s := range streams {
			s.ended()
		}
	})
}

func TestStreamRejectsBadRequests(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	r := newRig(t, st)
	for _, tc := range []struct {
		user, lastID string
		status       int
	}{
		{"", "", http.StatusUnauthorized},
		{"alice", "abc", http.StatusBadRequest},
		{"alice", "-1", http.StatusBadRequest},
	} {
		req, _ := http.NewRequest(http.MethodGet, r.srv.URL+"/api/v1/events", nil)
		if tc.user != "" {
			req.Header.Set("X-Test-User", tc.user)
		}
		req.Header.Set("Last-Event-ID", tc.lastID)
		resp, err := r.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Fatalf("%+v: status %d (%s)", tc, resp.StatusCode, body)
		}
	}
}

func TestStreamOnTheRequestGoroutine(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		storetest.AddUser(t, st, "alice", "")
		r := newRigWith(t, st, true)
		first := write(t, st, "alice", "before")
		s := r.open(t, "alice", strconv.FormatInt(first-1, 10))
		if got := seqOf(t, s.event()); got != first {
			t.Fatalf("replayed %d, want %d", got, first)
		}
		live := write(t, st, "alice", "live")
		if got := seqOf(t, s.event()); got != live {
			t.Fatalf("live %d, want %d", got, live)
		}
		tk := <-r.ticks
		tk.c <- time.Now()
		if m := s.next(); !m.IsComment {
			t.Fatalf("got %+v, want a heartbeat", m)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.srv.Config.Shutdown(ctx); err != nil {
			t.Fatalf("shutdown held up: %v", err)
		}
		s.ended()
	})
}
