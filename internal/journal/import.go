package journal

import (
	"context"
	"fmt"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

// ImportItem is one entry to import, with the time it was originally written.
type ImportItem struct {
	Input     EntryInput
	CreatedAt time.Time // zero means now
}

// ImportEntries writes many entries in one transaction, with the queued
// analyses (status rows and jobs) of the published ones: all or nothing.
// Field errors name the item, as in "entries[3].content". No per-entry
// real-time events are written; an import announces itself.
func (s *Service) ImportEntries(ctx context.Context, userID string, items []ImportItem) ([]store.Entry, error) {
	now := s.now()
	entries := make([]store.Entry, len(items))
	relationships := map[string]bool{}
	errs := validate.Errors{}
	var published []string
	for i, it := range items {
		e := store.Entry{UserID: userID, Status: store.EntryPublished}
		if err := ValidateEntry(it.Input, &e, true); err != nil {
			for f, msg := range err.(validate.Errors) {
				errs.Add(fmt.Sprintf("entries[%d].%s", i, f), msg)
			}
			continue
		}
		id, err := newID()
		if err != nil {
			return nil, err
		}
		e.ID, e.CreatedAt, e.UpdatedAt = id, it.CreatedAt.UTC().Truncate(time.Microsecond), now
		if it.CreatedAt.IsZero() {
			e.CreatedAt = now
		}
		if e.Status == store.EntryPublished {
			e.PublishedAt = e.CreatedAt
			published = append(published, e.ID)
		}
		relationships[e.RelationshipID] = true
		entries[i] = e
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	err := s.store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		for id := range relationships {
			if err := checkRelationship(ctx, tx, userID, id); err != nil {
				return err
			}
		}
		if err := tx.InsertEntries(ctx, entries); err != nil {
			return err
		}
		if err := tx.QueueAnalyses(ctx, userID, published, now); err != nil {
			return err
		}
		return s.jobs.EnqueueAnalysis(ctx, tx, userID, published...)
	})
	if err != nil {
		return nil, fmt.Errorf("import entries: %w", err)
	}
	return entries, nil
}
