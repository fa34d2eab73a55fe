package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

func insertUser(ctx context.Context, s *store.Store, tx *store.Tx, id string) error {
	at := store.DBTime(time.Now())
	_, err := tx.SQL().ExecContext(ctx, s.Rebind(`INSERT INTO users (id, email, email_normalized, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`),
		id, id+"@example.com", id+"@example.com", at, at)
	return err
}

func countUsers(t *testing.T, s *store.Store) int {
	t.Helper()
	var n int
	if err := s.WriteDB().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestConcurrentTransactionsKeepTheirOwnOutcome runs many transactions at
// once (on SQLite they share commits): the failing ones, the panicking one
// and the cancelled one leave nothing behind and get their own error; every
// other one commits, and InTx returns only once it has.
func TestConcurrentTransactionsKeepTheirOwnOutcome(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const n = 200
		errBoom := errors.New("boom")
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		var wg sync.WaitGroup
		results := make([]error, n)
		panics := make([]any, n)
		for i := range n {
			wg.Go(func() {
				defer func() { panics[i] = recover() }()
				callCtx := ctx
				if i == 13 {
					callCtx = cancelled
				}
				results[i] = s.InTx(callCtx, func(ctx context.Context, tx *store.Tx) error {
					if err := insertUser(ctx, s, tx, fmt.Sprintf("u%03d", i)); err != nil {
						return err
					}
					switch {
					case i%10 == 3:
						return errBoom // wrote a row, then failed: the row must go
					case i == 77:
						panic("fn panicked")
					}
					return nil
				})
				if results[i] == nil {
					// Committed means visible to a fresh reader right away.
					var got int
					if err := s.WriteDB().QueryRowContext(ctx, s.Rebind(`SELECT COUNT(*) FROM users WHERE id = ?`), fmt.Sprintf("u%03d", i)).Scan(&got); err != nil || got != 1 {
						t.Errorf("transaction %d returned before its row was visible (%d, %v)", i, got, err)
					}
				}
			})
		}
		wg.Wait()
		want := 0
		for i := range n {
			switch {
			case i == 13:
				if !errors.Is(results[i], context.Canceled) {
					t.Errorf("cancelled call: %v", results[i])
				}
			case i%10 == 3:
				if !errors.Is(results[i], errBoom) {
					t.Errorf("call %d: %v, want its own error", i, results[i])
				}
			case i == 77:
				if panics[i] != "fn panicked" {
					t.Errorf("call 77 panic = %v, want it re-raised in the caller", panics[i])
				}
			default:
				if results[i] != nil || panics[i] != nil {
					t.Errorf("call %d: %v / %v", i, results[i], panics[i])
				}
				want++
			}
		}
		if got := countUsers(t, s); got != want {
			t.Fatalf("%d users committed, want %d", got, want)
		}
	})
}

// TestTransactionsRunAsIfOneAfterAnother: a unique violation against a row
// written earlier in the same shared commit is still a conflict for the
// later caller only.
func TestTransactionsRunAsIfOneAfterAnother(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make([]error, 20)
		for i := range errs {
			wg.Go(func() {
				errs[i] = s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return insertUser(ctx, s, tx, "same") })
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			}
		}
		if ok != 1 || countUsers(t, s) != 1 {
			t.Fatalf("%d of 20 identical inserts succeeded (%d rows), want exactly 1", ok, countUsers(t, s))
		}
	})
}

// BenchmarkParallelWrites is many concurrent single-row transactions, the
// shape of concurrent publishes: compare its ns/op with -cpu 1 (no
// overlap, so no sharing) to see what group commit buys.
func BenchmarkParallelWrites(b *testing.B) {
	for _, e := range storetest.Engines {
		b.Run(string(e), func(b *testing.B) {
			s := storetest.Open(b, e)
			ctx := context.Background()
			var mu sync.Mutex
			next := 0
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					mu.Lock()
					next++
					id := fmt.Sprintf("b%09d", next)
					mu.Unlock()
					if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return insertUser(ctx, s, tx, id) }); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
		})
	}
}

// TestPreparedStatementsSurviveManyTransactions repeats the same store
// statements across many write transactions, so that after the first use
// they run prepared (the SQLite writer's statement cache), and checks that
// every write landed and every returned value is right.
func TestPreparedStatementsSurviveManyTransactions(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var last int64
		for i := range 300 {
			id := fmt.Sprintf("p%03d", i)
			err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				if err := insertUser(ctx, s, tx, id); err != nil {
					return err
				}
				_, err := tx.AppendEvent(ctx, store.Event{UserID: id, Type: "test.event", At: time.Now()})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			// Its sequence is assigned as the transaction ends.
			seq, err := s.LastEventSeq(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if seq <= last {
				t.Fatalf("event sequence %d after %d", seq, last)
			}
			last = seq
		}
		var events int
		if err := s.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&events); err != nil {
			t.Fatal(err)
		}
		if got := countUsers(t, s); got != 300 || events != 300 {
			t.Fatalf("%d users and %d events, want 300 of each", got, events)
		}
	})
}
