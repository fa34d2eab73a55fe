package journal

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

// RelationshipInput is a relationship's editable fields; nil leaves a
// field as it is (on update) or unset (on create).
type RelationshipInput struct {
	Name  *string
	Kind  *string
	Notes *string
}

// apply validates in and writes it over r.
func (in RelationshipInput) apply(r *store.Relationship, creating bool) error {
	errs := validate.Errors{}
	if in.Name != nil {
		if msg := checkText(*in.Name, 1, MaxNameChars); msg != "" {
			errs.Add("name", msg)
		}
		r.Name = strings.TrimSpace(*in.Name)
	} else if creating {
		errs.Add("name", "is required")
	}
	if in.Kind != nil {
		if !kinds[*in.Kind] {
			errs.Add("kind", "must be one of partner, family, friend, colleague, other")
		}
		r.Kind = *in.Kind
	} else if creating {
		errs.Add("kind", "is required")
	}
	if in.Notes != nil {
		if msg := checkText(*in.Notes, 0, MaxNotesChars); msg != "" {
			errs.Add("notes", msg)
		}
		r.Notes = strings.TrimSpace(*in.Notes)
	}
	return errs.Err()
}

// CreateRelationship adds a relationship for the user.
func (s *Service) CreateRelationship(ctx context.Context, userID string, in RelationshipInput) (store.Relationship, error) {
	var r store.Relationship
	if err := in.apply(&r, true); err != nil {
		return store.Relationship{}, err
	}
	id, err := newID()
	if err != nil {
		return store.Relationship{}, err
	}
	now := s.now()
	r.ID, r.UserID, r.CreatedAt, r.UpdatedAt = id, userID, now, now
	err = s.store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.CreateRelationship(ctx, r); err != nil {
			return err
		}
		return s.relationshipChanged(ctx, tx, r, "created", now)
	})
	if err != nil {
		return store.Relationship{}, fmt.Errorf("create relationship: %w", err)
	}
	return r, nil
}

func (s *Service) relationshipChanged(ctx context.Context, tx *store.Tx, r store.Relationship, action string, now time.Time) error {
	_, err := tx.AppendEvent(ctx, store.Event{UserID: r.UserID, Type: store.EventRelationshipChanged, EntityID: r.ID, RelationshipID: r.ID,
		Data: map[string]string{"action": action}, At: now})
	return err
}

// GetRelationship returns one of the user's relationships.
func (s *Service) GetRelationship(ctx context.Context, userID, id string) (store.Relationship, error) {
	return s.store.GetRelationship(ctx, userID, id)
}

// ListRelationships returns a page of the user's relationships, in the order they were added.
func (s *Service) ListRelationships(ctx context.Context, userID string, page PageRequest) (Page[store.Relationship], error) {
	after, err := s.cursors.ParseTime(ctx, page.Cursor)
	if err != nil {
		return Page[store.Relationship]{}, err
	}
	limit := page.limit()
	rows, err := s.store.ListRelationships(ctx, userID, after, limit+1)
	if err != nil {
		return Page[store.Relationship]{}, err
	}
	return timePage(ctx, s, rows, limit, func(r store.Relationship) (time.Time, string) { return r.CreatedAt, r.ID })
}

// UpdateRelationship changes the fields given; when that changes nothing
// it writes nothing, so updatedAt stays.
func (s *Service) UpdateRelationship(ctx context.Context, userID, id string, in RelationshipInput) (store.Relationship, error) {
	var r store.Relationship
	err := s.store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if r, err = tx.GetRelationship(ctx, userID, id); err != nil {
			return err
		}
		before := r
		if err := in.apply(&r, false); err != nil {
			return err
		}
		if r.Name == before.Name && r.Kind == before.Kind && r.Notes == before.Notes {
			// Nothing to change ({}, null, or the same values): like an
			// unchanged entry save, this writes nothing and announces nothing.
			return nil
		}
		r.UpdatedAt = s.now()
		if err := tx.UpdateRelationship(ctx, r); err != nil {
			return err
		}
		return s.relationshipChanged(ctx, tx, r, "updated", r.UpdatedAt)
	})
	if err != nil {
		return store.Relationship{}, fmt.Errorf("update relationship: %w", err)
	}
	return r, nil
}

// errHasEntries is wrapped (with store.ErrConflict) when a relationship
// with entries is deleted without cascade.
var errHasEntries = &store.ConflictError{Message: "this relationship has journal entries; to delete them with it, add ?cascade=true"}

// DeleteRelationship deletes the relationship. When it has entries, cascade
// must be set, and then its entries, analyses, statuses, scores, insights and
// waiting analysis jobs go with it in the same transaction.
func (s *Service) DeleteRelationship(ctx context.Context, userID, id string, cascade bool) error {
	now := s.now()
	err := s.store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		r, err := tx.GetRelationship(ctx, userID, id)
		if err != nil {
			return err
		}
		has, err := tx.RelationshipHasEntries(ctx, userID, id)
		if err != nil {
			return err
		}
		if has && !cascade {
			return errHasEntries
		}
		if err := tx.DeleteRelationship(ctx, userID, id); err != nil {
			return err
		}
		if has {
			if err := s.jobs.CancelOrphanedAnalyses(ctx, tx, userID); err != nil {
				return err
			}
			// Its scores went with it; the user's trends must not keep its entries.
			if err := s.evidenceChanged(ctx, tx, userID, "", now); err != nil {
				return err
			}
		}
		return s.relationshipChanged(ctx, tx, r, "deleted", now)
	})
	if err != nil {
		return fmt.Errorf("delete relationship: %w", err)
	}
	return nil
}
