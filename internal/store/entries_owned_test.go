package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// TestInsertOwnedEntry: an entry goes in only under a relationship of its
// own user; another user's relationship, or none, is ErrNotFound and
// writes nothing.
func TestInsertOwnedEntry(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
		storetest.AddUser(t, s, "u1", "")
		storetest.AddUser(t, s, "u2", "")
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			for _, r := range []store.Relationship{{ID: "r1", UserID: "u1"}, {ID: "r2", UserID: "u2"}} {
				r.Name, r.Kind, r.CreatedAt, r.UpdatedAt = "Sam", "partner", at, at
				if err := tx.CreateRelationship(ctx, r); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		entry := func(id, rel string) store.Entry {
			return store.Entry{ID: id, UserID: "u1", RelationshipID: rel, Content: "a quiet walk by the river", Tags: []string{"walk"},
				IsPrivate: true, WordCount: 6, Status: store.EntryPublished, PublishedAt: at, CreatedAt: at, UpdatedAt: at}
		}
		for _, rel := range []string{"r2", "missing"} {
			err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return tx.InsertOwnedEntry(ctx, entry("e-"+rel, rel)) })
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("entry under relationship %s: %v, want ErrNotFound", rel, err)
			}
			if _, err := s.GetEntry(ctx, "u1", "e-"+rel); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("entry under relationship %s was written: %v", rel, err)
			}
		}
		want := entry("e1", "r1")
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return tx.InsertOwnedEntry(ctx, want) }); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetEntry(ctx, "u1", "e1")
		if err != nil {
			t.Fatal(err)
		}
		if got.Content != want.Content || got.RelationshipID != "r1" || !got.IsPrivate || got.WordCount != 6 || len(got.Tags) != 1 ||
			!got.PublishedAt.Equal(at) || !got.CreatedAt.Equal(at) {
			t.Errorf("stored entry = %+v, want %+v", got, want)
		}
		err = s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return tx.InsertOwnedEntry(ctx, want) })
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("second insert: %v, want ErrConflict", err)
		}
	})
}
