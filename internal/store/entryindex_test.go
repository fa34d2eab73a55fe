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

// TestEntriesAreIndexedOncePerCommit: on SQLite new entries reach the
// full-text index at the end of their group commit (migration 0006), not
// statement by statement. Entries inserted, changed or deleted in the same
// transaction, callers rolled back, and many concurrent callers sharing
// batches all leave an index that matches the entries (FTS5's
// integrity-check) and a search that finds exactly what was committed.
func TestEntriesAreIndexedOncePerCommit(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		storetest.AddUser(t, s, "u1", "")
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		rel := store.Relationship{ID: "r1", UserID: "u1", Name: "Sam", Kind: "partner", CreatedAt: now, UpdatedAt: now}
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return tx.CreateRelationship(ctx, rel) }); err != nil {
			t.Fatal(err)
		}
		entry := func(id, content string) store.Entry {
			return store.Entry{ID: id, UserID: "u1", RelationshipID: "r1", Content: content, Status: store.EntryPublished,
				PublishedAt: now, CreatedAt: now, UpdatedAt: now}
		}
		// One transaction: insert three, change one, delete one.
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			for _, e := range []store.Entry{entry("e1", "walnut bread"), entry("e2", "walnut cake"), entry("e3", "walnut pie")} {
				if err := tx.InsertEntry(ctx, e); err != nil {
					return err
				}
			}
			e2 := entry("e2", "hazelnut cake")
			if err := tx.UpdateEntry(ctx, e2); err != nil {
				return err
			}
			return tx.DeleteEntry(ctx, "u1", "e3")
		}); err != nil {
			t.Fatal(err)
		}
		// A caller rolled back takes its entry out of the index too.
		errNo := errors.New("changed my mind")
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			if err := tx.InsertEntry(ctx, entry("e4", "walnut tart")); err != nil {
				return err
			}
			return errNo
		}); !errors.Is(err, errNo) {
			t.Fatalf("InTx = %v", err)
		}
		// Concurrent callers share group commits; every other one fails.
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
					if err := tx.InsertEntry(ctx, entry(fmt.Sprintf("c%02d", i), "walnut soup")); err != nil {
						return err
					}
					if i%2 == 1 {
						return errNo
					}
					return nil
				})
			}()
		}
		wg.Wait()
		// Later changes to entries indexed at commit work as before.
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			if err := tx.UpdateEntry(ctx, entry("e1", "rye bread")); err != nil {
				return err
			}
			return tx.DeleteEntry(ctx, "u1", "c00")
		}); err != nil {
			t.Fatal(err)
		}

		search := func(word string) int {
			hits, err := s.SearchEntries(ctx, store.SearchParams{UserID: "u1", Terms: []string{word}, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			return len(hits)
		}
		for word, want := range map[string]int{"walnut": 19, "hazelnut": 1, "rye": 1, "bread": 1, "pie": 0, "tart": 0, "cake": 1} {
			if got := search(word); got != want {
				t.Errorf("search %q found %d entries, want %d", word, got, want)
			}
		}
		if s.Engine() == store.SQLite {
			if _, err := s.WriteDB().ExecContext(ctx, `INSERT INTO journal_entries_fts (journal_entries_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
				t.Fatalf("full-text index integrity: %v", err)
			}
			var pending int
			if err := s.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM journal_entries_fts_pending`).Scan(&pending); err != nil {
				t.Fatal(err)
			}
			if pending != 0 {
				t.Fatalf("%d entries left waiting for the index after commit", pending)
			}
		}
	})
}
