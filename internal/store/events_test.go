package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// hookRecorder is an EventHook that checks, when it is called, that every
// event it gets is already committed, and keeps each call's events.
type hookRecorder struct {
	t     *testing.T
	s     *store.Store
	mu    sync.Mutex
	calls [][]store.Event
}

func recordEvents(t *testing.T, s *store.Store) *hookRecorder {
	h := &hookRecorder{t: t, s: s}
	s.SetEventHook(h.hook)
	return h
}

func (h *hookRecorder) hook(events []store.Event) {
	for _, e := range events {
		ok, err := store.CommittedEvent(context.Background(), h.s, e.Seq)
		if err != nil || !ok {
			h.t.Errorf("event %d (%s) reached the hook before it was committed (%v)", e.Seq, e.EntityID, err)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, append([]store.Event(nil), events...))
}

// entities lists the EntityIDs delivered so far, in delivery order.
func (h *hookRecorder) entities() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var ids []string
	for _, c := range h.calls {
		for _, e := range c {
			ids = append(ids, e.EntityID)
		}
	}
	return ids
}

func (h *hookRecorder) delivered(entity string) bool {
	for _, id := range h.entities() {
		if id == entity {
			return true
		}
	}
	return false
}

func appendEvent(ctx context.Context, tx *store.Tx, user, entity string) (int64, error) {
	return tx.AppendEvent(ctx, store.Event{UserID: user, Type: store.EventEntryUpdated, EntityID: entity,
		Data: map[string]string{"n": entity}, At: time.Now()})
}

// TestNestedInTxIsAnImmediateError: InTx with the context a transaction
// handed out (or one derived from it) fails at once instead of waiting for
// the batch it is part of (SQLite) or opening a second transaction
// (PostgreSQL); the outer transaction is then free to roll back or go on.
func TestNestedInTxIsAnImmediateError(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		storetest.AddUser(t, s, "u1", "")
		ran := false
		err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			derived, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			for _, c := range []context.Context{ctx, derived} {
				err := s.InTx(c, func(context.Context, *store.Tx) error { ran = true; return nil })
				if !errors.Is(err, store.ErrNestedTx) {
					return fmt.Errorf("nested InTx = %v, want ErrNestedTx", err)
				}
			}
			// The outer transaction is unharmed and still commits.
			_, err := appendEvent(ctx, tx, "u1", "outer")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if ran {
			t.Fatal("the nested function ran")
		}
		// A later, separate InTx with the original context works as before.
		if err := s.InTx(ctx, func(context.Context, *store.Tx) error { return nil }); err != nil {
			t.Fatalf("InTx after the nested attempt: %v", err)
		}
	})
}

// TestEventsReachTheHookAfterCommitInOrder: each transaction's events go
// to the hook once it has committed (the hook itself checks they are
// visible to a reader), before InTx returns, in the order they were
// appended and with the sequence numbers the log gave them; a rolled-back
// transaction and one without events deliver nothing.
func TestEventsReachTheHookAfterCommitInOrder(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		storetest.AddUser(t, s, "u1", "")
		h := recordEvents(t, s)
		var seqs []int64
		run := func(entities ...string) error {
			return s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				for _, e := range entities {
					seq, err := appendEvent(ctx, tx, "u1", e)
					if err != nil {
						return err
					}
					seqs = append(seqs, seq)
				}
				if len(h.entities()) != 0 && h.delivered(entities[0]) {
					t.Errorf("%s delivered before COMMIT", entities[0])
				}
				return nil
			})
		}
		if err := run("a1", "a2"); err != nil {
			t.Fatal(err)
		}
		if got := h.entities(); fmt.Sprint(got) != "[a1 a2]" {
			t.Fatalf("after the first InTx returned the hook had %v, want [a1 a2]", got)
		}
		errBoom := errors.New("boom")
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			if _, err := appendEvent(ctx, tx, "u1", "rolled-back"); err != nil {
				return err
			}
			return errBoom
		}); !errors.Is(err, errBoom) {
			t.Fatalf("failing InTx = %v", err)
		}
		if err := s.InTx(ctx, func(context.Context, *store.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if err := run("b1"); err != nil {
			t.Fatal(err)
		}
		if err := run("c1", "c2", "c3"); err != nil {
			t.Fatal(err)
		}

		if len(h.calls) != 3 {
			t.Fatalf("hook called %d times, want 3 (one per committed transaction with events)", len(h.calls))
		}
		var got []store.Event
		for _, c := range h.calls {
			got = append(got, c...)
		}
		want := []string{"a1", "a2", "b1", "c1", "c2", "c3"}
		if len(got) != len(want) {
			t.Fatalf("delivered %v, want %v", h.entities(), want)
		}
		for i, e := range got {
			// The sequence is assigned as the transaction ends (AppendEvent returns 0).
			if seqs[i] != 0 {
				t.Fatalf("AppendEvent returned %d, want 0", seqs[i])
			}
			if e.EntityID != want[i] || e.Seq <= 0 || e.UserID != "u1" || e.Type != store.EventEntryUpdated {
				t.Fatalf("event %d = %+v, want %s with a sequence", i, e, want[i])
			}
			if ok, err := store.CommittedEvent(ctx, s, e.Seq); err != nil || !ok {
				t.Fatalf("event %d (%s) is not in the log under its sequence: %v", e.Seq, e.EntityID, err)
			}
			if i > 0 && e.Seq <= got[i-1].Seq {
				t.Fatalf("sequence %d after %d: not in commit order", e.Seq, got[i-1].Seq)
			}
		}
	})
}

// TestRolledBackSavepointEventsNeverReachTheHook lines several callers up
// so that (on SQLite) they share one group commit, each in its own
// savepoint: the events of the callers that failed or panicked are rolled
// back with their savepoint and never delivered; the others' arrive once,
// after the batch's COMMIT, in commit order. On PostgreSQL the callers run
// as separate transactions and the same must hold.
func TestRolledBackSavepointEventsNeverReachTheHook(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		storetest.AddUser(t, s, "u1", "")
		h := recordEvents(t, s)
		errBoom := errors.New("boom")

		type caller struct {
			name     string
			entity   []string
			fail     error
			panics   bool
			err      error
			panicked any
		}
		callers := []*caller{
			{name: "ok1", entity: []string{"ok1-a", "ok1-b"}},
			{name: "fails", entity: []string{"fails-a"}, fail: errBoom},
			{name: "ok2", entity: []string{"ok2-a"}},
			{name: "panics", entity: []string{"panics-a"}, panics: true},
			{name: "ok3", entity: []string{"ok3-a"}},
		}

		// On SQLite, hold the writer with a first transaction while the
		// others queue one by one, so the next batch holds them all, in order.
		release := make(chan struct{})
		holding := make(chan struct{})
		var wg sync.WaitGroup
		if s.Engine() == store.SQLite {
			wg.Go(func() {
				if err := s.InTx(ctx, func(context.Context, *store.Tx) error {
					close(holding)
					<-release
					return nil
				}); err != nil {
					t.Error(err)
				}
			})
			<-holding
		}
		for i, c := range callers {
			call := func() {
				defer func() { c.panicked = recover() }()
				c.err = s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
					for _, e := range c.entity {
						if _, err := appendEvent(ctx, tx, "u1", e); err != nil {
							return err
						}
					}
					if c.panics {
						panic("fn panicked")
					}
					return c.fail
				})
			}
			if s.Engine() != store.SQLite {
				call()
				continue
			}
			wg.Go(call)
			for store.QueuedTransactions(s) < i+1 {
				runtime.Gosched()
			}
		}
		close(release)
		wg.Wait()

		for _, c := range callers {
			switch {
			case c.fail != nil:
				if !errors.Is(c.err, c.fail) {
					t.Errorf("%s: %v, want its own error", c.name, c.err)
				}
			case c.panics:
				if c.panicked != "fn panicked" {
					t.Errorf("%s: panic %v, want it re-raised", c.name, c.panicked)
				}
			default:
				if c.err != nil || c.panicked != nil {
					t.Errorf("%s: %v / %v", c.name, c.err, c.panicked)
				}
			}
		}
		if got, want := fmt.Sprint(h.entities()), "[ok1-a ok1-b ok2-a ok3-a]"; got != want {
			t.Fatalf("hook got %s, want %s", got, want)
		}
		if s.Engine() == store.SQLite && len(h.calls) != 1 {
			t.Fatalf("hook called %d times, want once for the one batch", len(h.calls))
		}
		var prev int64
		for _, c := range h.calls {
			for _, e := range c {
				if e.Seq <= prev {
					t.Fatalf("sequence %d after %d: not in commit order", e.Seq, prev)
				}
				prev = e.Seq
			}
		}
		var logged int
		if err := s.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&logged); err != nil {
			t.Fatal(err)
		}
		if logged != 4 {
			t.Fatalf("event log holds %d events, want the 4 committed ones", logged)
		}
	})
}

// TestPostgresNotifiesCommittedEventsWithIDsOnly: on PostgreSQL every
// committed event is announced on store.EventsChannel as its sequence number
// and user id (nothing of its content), and a rolled-back one never is.
func TestPostgresNotifiesCommittedEventsWithIDsOnly(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, store.Postgres)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	storetest.AddUser(t, s, "u1", "")
	conn, err := s.ListenerPool().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+store.EventsChannel); err != nil {
		t.Fatal(err)
	}

	errBoom := errors.New("boom")
	if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if _, err := appendEvent(ctx, tx, "u1", "rolled-back"); err != nil {
			return err
		}
		return errBoom
	}); !errors.Is(err, errBoom) {
		t.Fatal(err)
	}
	if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		_, err := appendEvent(ctx, tx, "u1", "committed")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// PostgreSQL assigns the sequence at COMMIT (AppendEvent returns 0).
	seq, err := s.LastEventSeq(ctx, "u1")
	if err != nil || seq == 0 {
		t.Fatalf("last event: %d, %v", seq, err)
	}

	n, err := conn.Conn().WaitForNotification(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]any
	if err := json.Unmarshal([]byte(n.Payload), &payload); err != nil {
		t.Fatalf("payload %q: %v", n.Payload, err)
	}
	if n.Channel != store.EventsChannel || len(payload) != 2 || payload["seq"] != float64(seq) || payload["userId"] != "u1" {
		t.Fatalf("notification %s %q, want seq %d and userId u1 only (the rolled-back event must not be announced)", n.Channel, n.Payload, seq)
	}
}

// TestEventOfAUserDeletedInTheSameTransaction: on SQLite, a transaction
// (or a group-commit batch) that appends a user's event and then deletes the
// user commits, and the log keeps no event of theirs, as when events were
// inserted at once and the deletion cascaded to them. (PostgreSQL inserts
// its events at COMMIT too and refuses this transaction on the foreign key;
// nothing does it today.)
func TestEventOfAUserDeletedInTheSameTransaction(t *testing.T) {
	t.Parallel()
	func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		storetest.AddUser(t, s, "gone", "")
		storetest.AddUser(t, s, "kept", "")
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			for _, u := range []string{"gone", "kept"} {
				if _, err := appendEvent(ctx, tx, u, "x"); err != nil {
					return err
				}
			}
			return tx.DeleteUser(ctx, "gone")
		}); err != nil {
			t.Fatal(err)
		}
		for u, want := range map[string]bool{"gone": false, "kept": true} {
			seq, err := s.LastEventSeq(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			if (seq > 0) != want {
				t.Errorf("user %s: last event %d, want an event: %v", u, seq, want)
			}
		}
	}(t, storetest.Open(t, store.SQLite))
}
