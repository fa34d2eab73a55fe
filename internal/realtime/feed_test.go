package realtime_test

import (
	"context"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// twoInstances opens two stores on one fresh PostgreSQL database, as two
// Resonant instances behind a load balancer would.
func twoInstances(t *testing.T) (a, b *store.Store) {
	t.Helper()
	opts := storetest.Options(t, store.Postgres)
	ctx := context.Background()
	open := func() *store.Store {
		s, err := store.Open(ctx, store.Options{DatabaseURL: opts.DatabaseURL, DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	}
	return open(), open()
}

// terminateOthers ends every other connection to the test's own database,
// as a database restart would (the listeners' included). It touches only
// this test's throwaway database, never other tests' or engineers'.
func terminateOthers(t *testing.T, st *store.Store) int {
	t.Helper()
	var n int
	err := st.WriteDB().QueryRowContext(context.Background(), `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTwoInstancesShareEvents(t *testing.T) {
	t.Parallel()
	a, b := twoInstances(t)
	storetest.AddUser(t, a, "alice", "")
	ra, rb := newRig(t, a), newRig(t, b)

	onB := rb.open(t, "alice", "")
	onA := ra.open(t, "alice", "")
	seq := write(t, a, "alice", "through-a")
	if got := seqOf(t, onB.event()); got != seq {
		t.Fatalf("instance B's stream got %d, want %d", got, seq)
	}
	if got := seqOf(t, onA.event()); got != seq {
		t.Fatalf("instance A's stream got %d, want %d", got, seq)
	}

	// The database drops every connection (a restart, as far as the
	// instances can tell). B's listener reconnects and re-reads the log,
	// so what A commits meanwhile reaches B's stream all the same.
	if n := terminateOthers(t, a); n < 2 {
		t.Fatalf("terminated %d connections, want both listeners at least", n)
	}
	for range 5 { // A's own pooled connection may have been one of those ended
		err := a.InTx(context.Background(), func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.AppendEvent(ctx, store.Event{UserID: "alice", Type: store.EventEntryCreated, EntityID: "after-restart", At: time.Now()})
			return err
		})
		if err == nil {
			break
		}
	}
	var after int64
	var err error
	for range 5 { // so may the read pool's
		if after, err = a.LastEventSeq(context.Background(), "alice"); err == nil {
			break
		}
	}
	if err != nil || after <= seq {
		t.Fatalf("no event written after the restart: %d, %v", after, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := rb.rt.WaitListening(ctx, 2); err != nil {
		t.Fatalf("instance B's listener did not reconnect: %v", err)
	}
	m := onB.event()
	if got := seqOf(t, m); got != after {
		t.Fatalf("after the restart B's stream got %d (%s), want %d", got, m.Data, after)
	}
}
